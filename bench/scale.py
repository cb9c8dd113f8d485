"""Past one machine: the loop on Redis and on RabbitMQ side by side, and the
loop with 1, 2 and 4 worker nodes (DESIGN.md, Beyond one machine).

Each run measures, one after the other, the bulk-API loop of ``bench.loop``
(same data, same clock: from the first request until the last email is at the
SMTP sink):

- on Redis (``BENCH_BROKER_URL``) and on RabbitMQ (``BENCH_AMQP_BROKER_URL``,
  quorum queues, publisher confirms, acks_late: the settings
  ``nps_project/brokers.py`` gives every deployment on RabbitMQ), with the
  documented worker (one node, ``--concurrency 2``);
- on Redis with 1, 2 and 4 worker nodes of one pool process each, as workers
  on as many hosts would run, all on this machine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time

from . import brokers, infra, loop
from .report import Figure

DESCRIPTION = (
    "The bulk-API loop of `bench.loop` on Redis and on RabbitMQ (quorum queues, publisher "
    "confirms, acks_late; one worker node, --concurrency 2), and on Redis with 1, 2 and 4 "
    "worker nodes of one pool process each (`celery -A nps_project worker --concurrency 1`, "
    "as on as many hosts), production settings, PostgreSQL and an SMTP sink."
)
DEFAULT_N = 5_000
NODE_COUNTS = (1, 2, 4)
POLL_SECONDS = 0.2


def measure(ctx, survey, sink, *, broker_url: str, nodes: int, concurrency: int):
    """One bulk-API loop of N answers against ``nodes`` worker nodes."""
    n = ctx.n
    specs = loop._reset(n)
    prepare, ingest = loop.INGEST["bulk_api"]
    env = dataclasses.replace(ctx.env, broker_url=broker_url)
    brokers.flush(broker_url)
    sink.reset()
    with brokers.publishing_to(broker_url) as app, contextlib.ExitStack() as stack:
        prepared = prepare(survey, specs)
        workers = [
            stack.enter_context(brokers.Worker(env, label=f"scale{index}", concurrency=concurrency))
            for index in range(nodes)
        ]
        for worker in workers:
            worker.start(infra.celery_ping(app))
        meter = brokers.CpuMeter([w.process.pid for w in workers], env.database_name).start()
        phases: dict[str, float] = {}
        t0 = time.perf_counter()
        ingest(prepared, phases, t0, tick=meter.sample)

        def status() -> str:
            tails = "\n".join(worker.output_tail(1500) for worker in workers)
            return f"Progress: {loop._progress(n, sink)}.\nWorker logs:\n{tails}"

        def done() -> bool:
            meter.sample()
            state = loop._progress(n, sink)
            if state["failed"]:
                raise infra.BenchError(f"{state['failed']} email(s) failed. {status()}")
            return state["unrouted"] == 0 and state["sent"] == n and state["smtp"] >= n

        t_sent = infra.wait_until(
            done,
            deadline=t0 + ctx.timeout,
            interval=POLL_SECONDS,
            what=f"{n} answers through the loop ({nodes} node(s), {broker_url.split(':')[0]})",
            status=status,
        )
        cpu = meter.stop()
    loop._verify(specs, sink)
    phases["all sent"] = t_sent - t0
    return loop.Measurement(seconds=t_sent - t0, n=n, phases=phases, cpu=cpu)


def _print(index: int, ctx, label: str, m) -> None:
    busy = m.busy_neighbours
    print(
        f"   run {index + 1}/{ctx.runs} {label:<12} {m.n:>6} {m.rate:9.1f} /s  "
        f"({m.seconds:.2f} s; other processes took {busy:.0%} of the CPU"
        f"{', NOISY' if busy > loop.NOISY_SHARE else ''})",
        flush=True,
    )


def _details(measurements) -> dict:
    n = measurements[0].n
    details = {"wall, s": round(loop._median(m.seconds for m in measurements), 3)}
    for group in ("worker", "postgres", "broker", "bench", "other"):
        per_item = loop._median(m.cpu[group] for m in measurements) / n * 1000
        details[f"CPU {group}, ms per response"] = round(per_item, 3)
    return details


def _measure_all(ctx, survey, sink) -> dict[str, list]:
    runs: dict[str, list] = {"redis": [], "rabbitmq": [], **{f"nodes{k}": [] for k in NODE_COUNTS}}
    redis_url = ctx.env.broker_url
    plan = [
        ("redis", redis_url, 1, infra.CONCURRENCY),
        ("rabbitmq", brokers.AMQP_URL, 1, infra.CONCURRENCY),
        *((f"nodes{k}", redis_url, k, 1) for k in NODE_COUNTS),
    ]
    for index in range(ctx.runs):
        for label, url, nodes, concurrency in plan:
            m = measure(ctx, survey, sink, broker_url=url, nodes=nodes, concurrency=concurrency)
            runs[label].append(m)
            _print(index, ctx, label, m)
    brokers.flush(redis_url)
    brokers.flush(brokers.AMQP_URL)
    return runs


def run(ctx) -> tuple[list[Figure], list[str]]:
    brokers.amqp_ready()
    survey = loop._catalogue()
    with infra.SmtpSink() as sink:
        ctx.env.email_url = sink.url
        runs = _measure_all(ctx, survey, sink)
    rates = {label: [m.rate for m in ms] for label, ms in runs.items()}
    figures = [
        Figure(
            name="scale.loop.rabbitmq.responses_per_s",
            unit="responses/s",
            runs=rates["rabbitmq"],
            floor_name="the same loop on Redis",
            floor_runs=rates["redis"],
            target=0.5,
            details={
                **{f"RabbitMQ {key}": value for key, value in _details(runs["rabbitmq"]).items()},
                **{f"Redis {key}": value for key, value in _details(runs["redis"]).items()},
            },
            note=(
                "RabbitMQ with quorum queues (replicated, durable), publisher confirms (each "
                "publish waits for the broker's ack) and acks_late, against Redis, both with "
                "one worker node of --concurrency 2; target: at least half of Redis's rate, "
                "the price of durability."
            ),
        ),
    ]
    for k in NODE_COUNTS[1:]:
        figures.append(
            Figure(
                name=f"scale.loop.nodes_{k}.responses_per_s",
                unit="responses/s",
                runs=rates[f"nodes{k}"],
                floor_name="1 worker node",
                floor_runs=rates["nodes1"],
                target=1.0,
                details=_details(runs[f"nodes{k}"]),
                note=(
                    f"{k} worker nodes of one pool process each against one such node, on "
                    f"Redis; this machine has {os.cpu_count()} cores, which the nodes share "
                    "with PostgreSQL, Redis and the bench."
                ),
            )
        )
    return figures, _notes(runs, rates)


def _notes(runs, rates) -> list[str]:
    median = loop._median
    one = median(rates["nodes1"])
    growth = ", ".join(f"{k} node(s) {median(rates[f'nodes{k}']) / one:.2f}x" for k in NODE_COUNTS)
    noisy = [m for ms in runs.values() for m in ms if m.busy_neighbours > loop.NOISY_SHARE]
    notes = [
        f"Scale-out against one node: {growth}. On this {os.cpu_count()}-core machine the "
        "growth stops at the cores: past them the nodes, PostgreSQL, the broker and the bench "
        "take turns on the same CPUs, so more nodes only add switching. On several hosts each "
        "node brings its own cores, and the limit becomes PostgreSQL's (see README, Beyond "
        "one machine).",
        f"Redis {median(rates['redis']):.1f}/s, RabbitMQ {median(rates['rabbitmq']):.1f}/s "
        "(medians; one node of --concurrency 2 each).",
    ]
    if noisy:
        notes.insert(
            0,
            f"**Noisy:** in {len(noisy)} measurements other processes took more than "
            f"{loop.NOISY_SHARE:.0%} of the CPU. Re-run on a quiet machine.",
        )
    return notes
