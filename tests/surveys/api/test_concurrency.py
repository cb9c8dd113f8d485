"""The same batch sent by several clients at once: nothing recorded twice,
every item answered, no error. Needs PostgreSQL's real concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from surveys import ingestion
from surveys.models import Customer, Response
from tests.factories import SurveyFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_identical_batches_record_each_answer_and_customer_once(settings):
    settings.NPS_HANDOFF = {}
    SurveyFactory(slug="checkout")
    items = [
        {
            "survey": "checkout",
            "customer": {"email": f"new{n}@example.com", "external_id": f"crm-{n}"},
            "score": n % 11,
            "idempotency_key": f"order-{n}",
        }
        for n in range(200)
    ]
    barrier, outcomes, failures = threading.Barrier(3), [], []

    def send():
        try:
            barrier.wait()
            outcomes.append(ingestion.responses_ingest(items=items))
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert Response.objects.count() == 200
    assert Customer.objects.count() == 200
    stored = dict(Response.objects.values_list("idempotency_key", "pk"))
    for results in outcomes:
        assert {r.status for r in results} <= {"created", "existing"}
        assert [r.id for r in results] == [stored[f"order-{n}"] for n in range(200)]
    assert sum(r.status == "created" for results in outcomes for r in results) == 200
