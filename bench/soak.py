"""``python -m bench.soak`` (``make soak``): the loop at a steady rate for a
long time, watching that nothing accumulates.

By default 1,000,000 answers in 30 minutes (about 556 a second): every
second the bench posts that second's answers to ``POST /api/v1/responses/bulk/``
(new customers, as a shop's nightly feed would bring), while one worker node
(``celery -A nps_project worker --concurrency 2``, production settings) routes
them and sends every email to an SMTP sink. Every ``--sample`` seconds it
records the worker's resident memory (parent and pool children), the broker's
queue depth and the backlog (answers not yet routed plus emails not yet sent).

It fails, loudly and with the numbers, when:

- the worker's memory grew: the median of the last quarter of samples is more
  than ``--rss-tolerance`` (default 20%) above the median of the second
  quarter (the first is the warm-up: imports, caches, pool children);
- the backlog grew: the median backlog of the last quarter is more than
  ``--backlog-tolerance`` (default 2.0) times that of the second quarter plus
  one second of answers, or any sample's backlog exceeds ``--max-backlog-seconds``
  (default 60) seconds of answers;
- the bench could not post at the rate asked (below 95% of it): the result
  would not be a soak at that rate;
- after the last post, the loop does not finish within ``--drain`` seconds,
  or any answer lacks its one outcome and email.

Results: ``bench/results/soak.md`` and ``soak.json`` (every sample). Not part
of CI: it takes the duration asked. A short smoke run:
``python -m bench.soak --duration 90 --rate 50 --sample 5``.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from . import brokers, infra, report

RESULTS_MD = report.RESULTS_DIR / "soak.md"
RESULTS_JSON = report.RESULTS_DIR / "soak.json"
API_BATCH = 1000  # answers per bulk request: the API's maximum


@functools.cache
def _scores() -> list[int]:
    """The loop benchmark's mix of scores (NPS about +30), one hundred in a cycle."""
    from . import loop  # imports the apps: only once Django is set up

    return [score for score, weight in loop.SCORE_WEIGHTS.items() for _ in range(weight)]


@dataclass
class Sample:
    t: float  # seconds since the first post
    posted: int
    rss_mb: float
    queue_depth: int
    unrouted: int
    unsent: int

    @property
    def backlog(self) -> int:
        return self.unrouted + self.unsent


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000, help="answers (default 1,000,000)")
    parser.add_argument("--duration", type=float, default=1800, help="seconds (default 1800)")
    parser.add_argument("--rate", type=float, help="answers per second (default: n / duration)")
    parser.add_argument("--sample", type=float, default=30, help="seconds between samples")
    parser.add_argument("--broker", choices=("redis", "rabbitmq"), default="redis")
    parser.add_argument("--rss-tolerance", type=float, default=0.20)
    parser.add_argument("--backlog-tolerance", type=float, default=2.0)
    parser.add_argument("--max-backlog-seconds", type=float, default=60)
    parser.add_argument("--drain", type=float, default=300, help="seconds to finish after")
    args = parser.parse_args(argv)
    args.rate = args.rate or args.n / args.duration
    if args.rate <= 0 or args.duration <= 0 or args.sample <= 0:
        parser.error("--rate, --duration and --sample must be positive")
    if args.duration < 4 * args.sample:
        parser.error("--duration must hold at least four samples (see --sample)")
    args.n = round(args.rate * args.duration)
    return args


def _payloads(survey, start: int, count: int) -> str:
    items = [
        {
            "survey": survey.slug,
            "customer": {"email": f"soak{i}@bench.example.com", "locale": "en"},
            "score": _scores()[i % 100],
            "idempotency_key": f"soak-{i}",
        }
        for i in range(start, start + count)
    ]
    return json.dumps({"responses": items})


def _post(client, url: str, survey, start: int, count: int) -> None:
    for offset in range(0, count, API_BATCH):
        size = min(API_BATCH, count - offset)
        reply = client.post(
            url,
            data=_payloads(survey, start + offset, size),
            content_type="application/json",
            secure=True,
        )
        created = reply.json().get("created") if reply.status_code == 200 else None
        if created != size:
            raise infra.BenchError(
                f"The bulk API answered {reply.status_code}: {reply.content[:2000]!r}"
            )


def _sample(t: float, posted: int, pgids: list[int], broker_url: str) -> Sample:
    state = infra.loop_backlog()
    if state["failed"]:
        raise infra.BenchError(f"{state['failed']} email(s) failed during the soak.")
    return Sample(
        t=round(t, 1),
        posted=posted,
        rss_mb=round(brokers.worker_rss_bytes(pgids) / 2**20, 1),
        queue_depth=brokers.queue_depth(broker_url),
        unrouted=state["unrouted"],
        unsent=state["unsent"],
    )


def _steady(args, client, url, survey, on_tick) -> float:
    """Post ``args.rate`` answers a second for ``args.duration`` seconds; call
    ``on_tick(t, posted)`` after each second. Returns the seconds it took."""
    t0 = time.perf_counter()
    posted = 0
    second = 0
    while posted < args.n:
        second += 1
        due = min(round(args.rate * second), args.n)
        _post(client, url, survey, posted, due - posted)
        posted = due
        on_tick(time.perf_counter() - t0, posted)
        pause = t0 + second - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
    return time.perf_counter() - t0


def _median(samples: list[Sample], attribute: str) -> float:
    return statistics.median(getattr(sample, attribute) for sample in samples)


def verdict(args, samples: list[Sample], posting_seconds: float) -> list[str]:
    """What went wrong, one sentence each (empty: the soak passed)."""
    problems = []
    quarter = max(len(samples) // 4, 1)
    warm, last = samples[quarter : 2 * quarter], samples[-quarter:]
    rss_warm, rss_last = _median(warm, "rss_mb"), _median(last, "rss_mb")
    if rss_last > rss_warm * (1 + args.rss_tolerance):
        problems.append(
            f"Worker memory grew from {rss_warm:.1f} MB to {rss_last:.1f} MB "
            f"(tolerance {args.rss_tolerance:.0%})."
        )
    backlog_warm, backlog_last = _median(warm, "backlog"), _median(last, "backlog")
    allowed = args.backlog_tolerance * backlog_warm + args.rate
    if backlog_last > allowed:
        problems.append(
            f"The backlog grew from {backlog_warm:.0f} to {backlog_last:.0f} answers and "
            f"emails (allowed {allowed:.0f})."
        )
    worst = max(samples, key=lambda sample: sample.backlog)
    if worst.backlog > args.max_backlog_seconds * args.rate:
        problems.append(
            f"At {worst.t:.0f} s the backlog was {worst.backlog} (over "
            f"{args.max_backlog_seconds:.0f} s of answers)."
        )
    achieved = args.n / posting_seconds
    if achieved < 0.95 * args.rate:
        problems.append(
            f"The bench posted {achieved:.1f} answers/s, below the {args.rate:.1f}/s asked: "
            "the machine could not even ingest at this rate."
        )
    return problems


def _write(args, samples: list[Sample], problems: list[str], summary: dict) -> None:
    report.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    settings = {k: v for k, v in vars(args).items() if k not in {"func"} and not k.startswith("_")}
    data = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": report.source_digest(),
        "settings": settings,
        "summary": summary,
        "passed": not problems,
        "problems": problems,
        "samples": [{**asdict(sample), "backlog": sample.backlog} for sample in samples],
    }
    RESULTS_JSON.write_text(json.dumps(data, indent=2) + "\n")
    rows = "\n".join(
        f"| {s.t:.0f} | {s.posted} | {s.rss_mb} | {s.queue_depth} | {s.unrouted} | {s.unsent} |"
        for s in samples
    )
    verdict_text = "PASSED" if not problems else "FAILED: " + " ".join(problems)
    RESULTS_MD.write_text(
        f"# Soak: {args.n:,} answers at {args.rate:.1f}/s for {args.duration:.0f} s "
        f"({args.broker})\n\n"
        f"{data['when']}, source {data['source']}. **{verdict_text}**\n\n"
        f"Tolerances: worker memory +{args.rss_tolerance:.0%} (last quarter against the "
        f"second), backlog x{args.backlog_tolerance:g} + one second of answers, never over "
        f"{args.max_backlog_seconds:.0f} s of answers.\n\n"
        + "\n".join(f"- {key}: {value}" for key, value in summary.items())
        + "\n\n| s | posted | worker RSS, MB | queue depth | unrouted | emails unsent |\n"
        "|---|---|---|---|---|---|\n" + rows + "\n"
    )


def soak(args, env: infra.Environment) -> tuple[list[Sample], list[str], dict]:
    from . import loop  # imports the apps: only once Django is set up

    broker_url = brokers.AMQP_URL if args.broker == "rabbitmq" else env.broker_url
    if args.broker == "rabbitmq":
        brokers.amqp_ready()
    env = dataclasses.replace(env, broker_url=broker_url)
    survey = loop._catalogue()
    loop._reset(0)
    brokers.flush(broker_url)
    samples: list[Sample] = []
    with (
        infra.SmtpSinkProcess() as sink,
        brokers.publishing_to(broker_url) as app,
        infra.AutovacuumStandIn(env.database_url) as autovacuum,
    ):
        env.email_url = sink.url
        client, url, _ = loop._prepare_api(survey, [])
        with brokers.Worker(env, label="soak", concurrency=infra.CONCURRENCY) as worker:
            worker.start(infra.celery_ping(app))
            pgids = [worker.process.pid]
            next_sample = [0.0]

            def on_tick(t: float, posted: int) -> None:
                worker.check_running()
                autovacuum.check()
                if t >= next_sample[0]:
                    samples.append(_sample(t, posted, pgids, broker_url))
                    print(f"   {samples[-1]}", flush=True)
                    next_sample[0] += args.sample

            posting = _steady(args, client, url, survey, on_tick)
            samples.append(_sample(posting, args.n, pgids, broker_url))
            drained = _drain(args, sink)
            samples.append(_sample(posting + drained, args.n, pgids, broker_url))
    summary = {
        "posting, s": round(posting, 1),
        "achieved rate, answers/s": round(args.n / posting, 1),
        "drain after the last post, s": round(drained, 1),
        "SMTP messages": sink.count,
        "worker RSS at the end, MB": samples[-1].rss_mb,
        "vacuum": autovacuum.summary(),
    }
    return samples, verdict(args, samples[:-1], posting), summary


def _drain(args, sink) -> float:
    t0 = time.perf_counter()

    def done() -> bool:
        # The partial indexes while work remains; the whole count once, at the end.
        state = infra.loop_backlog()
        if state["failed"]:
            raise infra.BenchError(f"{state['failed']} email(s) failed during the soak.")
        if state["unrouted"] or state["unsent"] or sink.count < args.n:
            return False
        return infra.loop_progress()["sent"] == args.n

    infra.wait_until(
        done,
        deadline=t0 + args.drain,
        interval=0.5,
        what=f"the loop to finish {args.n} answers after the last post",
        status=lambda: f"Progress: {infra.loop_progress()}, SMTP {sink.count}.",
    )
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    from .__main__ import prepare

    args = parse_args(sys.argv[1:] if argv is None else argv)
    infra.install_signal_handlers()
    env = infra.Environment()
    try:
        prepare(env)
        samples, problems, summary = soak(args, env)
    except infra.BenchError as exc:
        print(f"soak: FAILED: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("soak: interrupted; workers and servers stopped.", file=sys.stderr)
        return 130
    _write(args, samples, problems, summary)
    where = f"{RESULTS_MD.relative_to(infra.ROOT)} and {RESULTS_JSON.relative_to(infra.ROOT)}"
    if problems:
        print("soak: FAILED:\n- " + "\n- ".join(problems) + f"\nSee {where}.", file=sys.stderr)
        return 1
    print(f"soak: passed ({summary}). Wrote {where}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
