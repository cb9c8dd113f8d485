"""Benchmarks of the targets in DESIGN.md, run with ``python -m bench``.

Not part of the test run: they need local PostgreSQL and Redis, take minutes,
and write their figures to ``bench/results/``.
"""
