"""``python -m bench [name ...]``: run benchmarks (all of them by default), print
one line per figure, and write ``bench/results/latest.{md,json}``.

A benchmark is a module with ``DESCRIPTION``, ``DEFAULT_N`` and
``run(ctx) -> (figures, notes)``; add it to ``BENCHMARKS`` below.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from dataclasses import dataclass

from . import infra, report

# name -> module. Every benchmark shares one prepared database and broker.
BENCHMARKS: dict[str, str] = {
    "loop": "bench.loop",
    "ingest": "bench.ingest",
    "admin": "bench.admin",
    "export": "bench.export",
    "wave": "bench.wave",
    "invitations": "bench.invitations",
    "webhooks": "bench.webhooks",
    "scale": "bench.scale",
    "quality": "bench.quality",
}


@dataclass
class Context:
    """What a benchmark gets: the shared environment and the command line."""

    env: infra.Environment
    n: int
    runs: int
    timeout: float


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names",
        nargs="*",
        metavar="name",
        help=f"benchmarks to run (default: all of {', '.join(BENCHMARKS)})",
    )
    parser.add_argument(
        "--n", type=int, default=None, help="items per run (default: per benchmark)"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default: 3)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=600,
        help="seconds one measurement may take before the benchmark fails (default: 600)",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    if args.runs < 1 or (args.n is not None and args.n < 1):
        parser.error("--runs and --n must be positive")
    return args


def prepare(env: infra.Environment) -> None:
    """A fresh bench database, migrated, and Django set up on it."""
    env.check()
    env.apply()
    print(f"Preparing {env.database_url} and {env.broker_url} ...", flush=True)
    infra.recreate_database(env.database_url)
    infra.migrate(env)
    infra.flush_broker(env.broker_url)

    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    infra.install_signal_handlers()
    names = args.names or list(BENCHMARKS)
    env = infra.Environment()
    started = time.perf_counter()
    results: list[report.BenchmarkResult] = []
    try:
        prepare(env)
        machine = report.machine(env.broker_url)
        for name in names:
            module = importlib.import_module(BENCHMARKS[name])
            n = args.n or module.DEFAULT_N
            print(f"== {name}: N={n:,}, {args.runs} run(s)", flush=True)
            ctx = Context(env=env, n=n, runs=args.runs, timeout=args.timeout)
            source = report.source_digest()
            figures, notes = module.run(ctx)
            if report.source_digest() != source:
                warning = (
                    "**The project's source changed during this run**: workers started later "
                    "ran other code than earlier ones. Re-run before trusting these figures."
                )
                print(f"WARNING: {warning.replace('**', '')}", flush=True)
                notes = [warning, *notes]
            for figure in figures:
                print(figure.line(), flush=True)
            results.append(
                report.BenchmarkResult(
                    name=name,
                    description=module.DESCRIPTION,
                    n=n,
                    runs=args.runs,
                    figures=figures,
                    notes=notes,
                    source=source,
                )
            )
    except infra.BenchError as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        if results:
            # What finished before the failure is kept, not thrown away with it.
            md_path, _ = report.write(results, machine)
            print(f"Wrote the finished benchmarks to {md_path.relative_to(infra.ROOT)}.")
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; workers and servers stopped.", file=sys.stderr)
        return 130
    md_path, json_path = report.write(results, machine)
    elapsed = time.perf_counter() - started
    where = f"{md_path.relative_to(infra.ROOT)} and {json_path.relative_to(infra.ROOT)}"
    print(f"Wrote {where} ({elapsed:.0f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
