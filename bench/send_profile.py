"""CPU per answer of the loop's two services, routing and sending, measured
in this process: the outbox's own MIME writer against Django's message (the
sender before it), and batch sizes, in interleaved rounds; then a cProfile of
the sending as it is.

```sh
.venv/bin/python -m bench.send_profile                       # N = 500, 5 rounds
.venv/bin/python -m bench.send_profile --n 1000 --rounds 3 --send-batches 25,100
```

Production settings, on a database of its own (the bench database's name
with ``_send`` after it, dropped and created) and the bench's Redis DB
(flushed: routing publishes send tasks, which no worker reads here). The SMTP
sink (``infra.SmtpSink``, offering PIPELINING as the loop's does) runs in a
child process, so ``time.process_time()`` here is the services' alone. A
measurement: N fresh answers (``bench.loop``'s customers, languages and
catalogue, stored untimed) routed in batches as routing tasks take them,
then their emails sent in batches, one ``messages_send`` per batch as a send
task runs it. Celery's own cost per task is not in it: the loop's floor
measures it (CPU of one empty task). Each round runs every variant once, in
a shuffled order. Not a figure of ``python -m bench``: its output is what
``bench/results/loop-profile.md`` quotes.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import multiprocessing
import pstats
import random
import statistics
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from . import infra


@dataclass(frozen=True)
class Variant:
    label: str
    writer: bool  # the outbox's MIME writer, or Django's message
    route_batch: int
    send_batch: int


def _sink(urls, stop) -> None:
    """The SMTP sink, in a child process until ``stop`` is set."""
    with infra.SmtpSink() as sink:
        urls.put(sink.url)
        stop.wait()


@contextlib.contextmanager
def _writer(enabled: bool):
    """The sender with the outbox's MIME writer, or (disabled) with every
    email written by Django's message, as before the writer."""
    from followups.outbox.transports import mime

    real = mime.message_bytes
    if not enabled:
        mime.message_bytes = lambda email: None  # type: ignore[assignment]
    try:
        yield
    finally:
        mime.message_bytes = real  # type: ignore[assignment]


def _chunks(ids: list[int], size: int):
    return (ids[i : i + size] for i in range(0, len(ids), size))


def measure(n: int, variant: Variant) -> tuple[float, float]:
    """(routing, sending) CPU in ms per answer for one variant."""
    from followups.models import OutboundMessage
    from followups.outbox.sending import messages_send
    from followups.routing import responses_route

    from . import loop

    survey = loop._catalogue()
    answers = loop._store_without_routing(survey, loop._reset(n))
    start = time.process_time()
    emails: list[int] = []
    for chunk in _chunks(answers, variant.route_batch):
        emails += responses_route(response_ids=chunk).email_ids
    routed = time.process_time()
    with _writer(variant.writer):
        for chunk in _chunks(sorted(emails), variant.send_batch):
            messages_send(message_ids=chunk)
    sent = time.process_time()
    unsent = OutboundMessage.objects.exclude(status=OutboundMessage.Status.SENT).count()
    if len(emails) != n or unsent:
        raise infra.BenchError(f"{len(emails)} emails for {n} answers, {unsent} not sent.")
    return (routed - start) / n * 1000, (sent - routed) / n * 1000


def rounds(n: int, variants: list[Variant], count: int, broker_url: str) -> str:
    results: dict[Variant, list[tuple[float, float]]] = {v: [] for v in variants}
    measure(min(n, 200), variants[0])  # warm: imports, connections, compiled variants
    for index in range(count):
        order = random.sample(variants, len(variants))
        for variant in order:
            results[variant].append(measure(n, variant))
            infra.flush_broker(broker_url)
        print(f"round {index + 1}/{count} done", file=sys.stderr, flush=True)
    lines = [
        f"N = {n} answers a measurement, {count} rounds; CPU ms per answer, each round's "
        "value, then the median",
        "",
        "| variant | routing, ms | sending, ms | median routing | median sending |",
        "|---|---|---|---|---|",
    ]
    for variant in variants:
        routing = [r for r, _ in results[variant]]
        sending = [s for _, s in results[variant]]
        lines.append(
            f"| {variant.label} | {', '.join(f'{r:.2f}' for r in routing)} "
            f"| {', '.join(f'{s:.2f}' for s in sending)} "
            f"| {statistics.median(routing):.2f} | {statistics.median(sending):.2f} |"
        )
    return "\n".join(lines)


def profile(n: int, variant: Variant, top: int) -> str:
    """cProfile (CPU time) of sending N emails, by own time and cumulative."""
    from followups.outbox.sending import messages_send
    from followups.routing import responses_route

    from . import loop

    survey = loop._catalogue()
    answers = loop._store_without_routing(survey, loop._reset(n))
    emails: list[int] = []
    for chunk in _chunks(answers, variant.route_batch):
        emails += responses_route(response_ids=chunk).email_ids
    profiler = cProfile.Profile(time.process_time)
    with _writer(variant.writer):
        profiler.enable()
        for chunk in _chunks(sorted(emails), variant.send_batch):
            messages_send(message_ids=chunk)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(f"# Sending {n} emails ({variant.label}) under cProfile\n")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def _sizes(text: str) -> list[int]:
    return [int(size) for size in text.split(",") if size]


def _variants(args) -> list[Variant]:
    from django.conf import settings

    route, send = settings.NPS_ROUTING_BATCH_SIZE, settings.NPS_EMAIL_BATCH_SIZE
    variants = [
        Variant(f"Django's message, batches {route}/{send}", False, route, send),
        Variant(f"own writer, batches {route}/{send}", True, route, send),
    ]
    for size in _sizes(args.send_batches):
        if size != send:
            variants.append(Variant(f"own writer, batches {route}/{size}", True, route, size))
    for size in _sizes(args.route_batches):
        if size != route:
            variants.append(Variant(f"own writer, batches {size}/{send}", True, size, send))
    return variants


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.send_profile", description=__doc__)
    parser.add_argument("--n", type=int, default=500, help="answers a measurement (500)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of every variant (5)")
    parser.add_argument("--send-batches", default="", help="more send batch sizes, e.g. 50,100")
    parser.add_argument("--route-batches", default="", help="more routing batch sizes")
    parser.add_argument("--profile", type=int, default=0, help="emails to profile after (0)")
    parser.add_argument("--top", type=int, default=25, help="functions listed (25)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    spawn = multiprocessing.get_context("spawn")
    urls, stop = spawn.Queue(), spawn.Event()
    sink = spawn.Process(target=_sink, args=(urls, stop), daemon=True)
    sink.start()
    parts = urlsplit(infra.DATABASE_URL)
    name = parts.path.lstrip("/") + "_send"
    env = infra.Environment(database_url=urlunsplit(parts._replace(path=f"/{name}")))
    env.email_url = urls.get(timeout=30)
    env.check()
    env.apply()
    infra.recreate_database(env.database_url)
    infra.migrate(env)
    infra.flush_broker(env.broker_url)
    import django

    django.setup()
    try:
        variants = _variants(args)
        print(rounds(args.n, variants, args.rounds, env.broker_url))
        if args.profile:
            print(profile(args.profile, variants[1], args.top))
    except infra.BenchError as exc:
        print(f"send_profile: FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        infra.flush_broker(env.broker_url)
        stop.set()
        sink.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
