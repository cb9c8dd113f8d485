"""The locust users of ``bench.latency``: each POSTs one answer per task to
the server locust is pointed at (``--host``), every answer with its own
idempotency key, and counts any answer other than 201 as a failure.

Run by ``bench.latency`` in a subprocess (locust patches the standard library
with gevent: never imported by the bench itself). What to send comes from the
JSON file named by ``BENCH_LOCUST_SPEC``::

    {"path": "/api/v1/responses/", "headers": {...}, "survey": "bench-ingest",
     "customers": ["customer0@bench.example.com", ...], "customer_field": "email",
     "prefix": "latency-api-", "per_user_rate": 12.5}

``customer_field`` ``email`` names the customer as the API wants
(``{"email": ...}``), ``id`` as the plain view does (its primary key).
``per_user_rate`` 0: no wait between tasks (the maximum rate), else each user
starts at most that many requests a second (``constant_throughput``).
"""

from __future__ import annotations

import itertools
import json
import os

from locust import FastHttpUser, constant, constant_throughput, task

with open(os.environ["BENCH_LOCUST_SPEC"], encoding="utf-8") as spec_file:
    SPEC = json.load(spec_file)

_numbers = itertools.count()
_SCORES = (10, 9, 9, 8, 7, 6, 3, 10, 9, 0)


def _body(number: int) -> str:
    customer = SPEC["customers"][number % len(SPEC["customers"])]
    return json.dumps(
        {
            "survey": SPEC["survey"],
            "customer": {"email": customer} if SPEC["customer_field"] == "email" else customer,
            "score": _SCORES[number % len(_SCORES)],
            "comment": "" if number % 3 else "Delivered on time.",
            "idempotency_key": f"{SPEC['prefix']}{os.getpid()}-{number}",
        }
    )


class AnswerPoster(FastHttpUser):
    wait_time = constant_throughput(SPEC["per_user_rate"]) if SPEC["per_user_rate"] else constant(0)

    @task
    def post_answer(self) -> None:
        headers = {**SPEC["headers"], "Content-Type": "application/json"}
        with self.client.post(
            SPEC["path"], data=_body(next(_numbers)), headers=headers, catch_response=True
        ) as reply:
            if reply.status_code != 201:
                reply.failure(f"{reply.status_code}: {(reply.text or '')[:300]}")
