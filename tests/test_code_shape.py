"""The shape rules of the product code (issue "the house"), checked on every
module so that they hold as the code grows: no function over 60 lines, no
Celery task over 15, and each file's job in the first line of its docstring."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("nps_project", "surveys", "followups")
MAX_FUNCTION_LINES = 60
MAX_TASK_LINES = 15


def product_modules() -> list[Path]:
    return sorted(
        path
        for package in PRODUCT
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def functions(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def is_task(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Decorated with ``shared_task`` or ``<app>.task``, called or not."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in ("shared_task", "task"):
            return True
    return False


def length(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """From ``def`` to its last line (decorators, such as an OpenAPI schema, apart)."""
    return node.end_lineno - node.lineno + 1


@pytest.fixture(scope="module")
def trees() -> dict[str, ast.Module]:
    return {str(path.relative_to(ROOT)): ast.parse(path.read_text()) for path in product_modules()}


def test_the_walk_reads_the_product(trees):
    assert len(trees) > 100
    assert "surveys/services.py" in trees and "followups/tasks.py" in trees


def test_no_function_is_over_sixty_lines(trees):
    too_long = {
        f"{path}:{node.lineno} {node.name}": length(node)
        for path, tree in trees.items()
        for node in functions(tree)
        if length(node) > MAX_FUNCTION_LINES
    }
    assert too_long == {}


def test_no_task_is_over_fifteen_lines(trees):
    tasks = [
        (path, node) for path, tree in trees.items() for node in functions(tree) if is_task(node)
    ]
    assert len(tasks) >= 10  # the walk finds the tasks
    too_long = {
        f"{path}:{node.lineno} {node.name}": length(node)
        for path, node in tasks
        if length(node) > MAX_TASK_LINES
    }
    assert too_long == {}


def test_each_file_says_its_job_in_its_first_docstring_line(trees):
    silent = [
        path
        for path, tree in trees.items()
        if tree.body  # an empty __init__.py has nothing to describe
        and not (ast.get_docstring(tree) or "").strip().splitlines()[:1]
    ]
    assert silent == []


def test_no_module_reaches_itself_through_its_imports():
    # Function-local imports count too: hiding a cycle inside a function is
    # still a cycle (grimp, import-linter's graph, reads every import).
    graph = grimp.build_graph(*PRODUCT)
    edges = [
        (module, imported)
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
    ]
    assert len(edges) > 500  # the graph holds the product's imports
    cycles = sorted(
        f"{module} -> {imported}"
        for module, imported in edges
        if graph.chain_exists(importer=imported, imported=module)
    )
    assert cycles == []
