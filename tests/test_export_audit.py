"""Exports through the API are in the audit trail, as the admin's are: who
(the key), which rows (type and count) and with which filters."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from surveys.models import ApiScope, AuditEvent
from tests.factories import ResponseFactory, SurveyFactory, UserFactory, manager
from tests.followups.cases import open_case
from tests.surveys.api.conftest import client_with, grant, key_for

pytestmark = pytest.mark.django_db


def test_an_answers_export_records_the_key_the_rows_and_the_filters():
    survey = SurveyFactory(slug="after-support")
    ResponseFactory.create_batch(3, survey=survey, score=4)
    ResponseFactory(score=9)  # another survey: not exported
    UserFactory(username="bi")
    grant("bi", "surveys.view_response", "surveys.view_survey", "surveys.export_response")
    client = client_with(key_for(User.objects.get(username="bi"), ApiScope.REPORTS_READ))

    exported = client.get("/api/v1/responses/export/?survey=after-support&category=detractor")

    assert exported.status_code == 200
    assert len(b"".join(exported.streaming_content).decode().splitlines()) == 1 + 3
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor_label, event.via) == ("api:bi key", "api")
    assert (event.object_type, event.count, event.object_ids) == ("surveys.response", 3, [])
    assert event.details == {
        "format": "csv",
        "filters": {"survey": "after-support", "category": "detractor"},
        "searched": False,
    }


def test_a_cases_export_records_only_the_cases_the_caller_may_see():
    open_case(name="Ada Lovelace")
    open_case(name="Grace Hopper")
    boss = manager("boss")
    client = client_with(key_for(boss, ApiScope.CASES_READ))

    exported = client.get("/api/v1/cases/export/")

    assert exported.status_code == 200
    b"".join(exported.streaming_content)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor_label, event.via, event.object_type, event.count) == (
        "api:boss key",
        "api",
        "followups.followupcase",
        2,
    )


def test_a_refused_export_records_nothing():
    UserFactory(username="ingest-only")
    grant("ingest-only", "surveys.add_response")
    client = client_with(key_for(User.objects.get(username="ingest-only"), ApiScope.INGEST))

    assert client.get("/api/v1/responses/export/").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_an_export_keeps_only_declared_filters_in_the_append_only_trail():
    # The trail cannot be edited: a customer's email sent as an unknown
    # parameter must never land in it.
    ResponseFactory(score=4)
    open_case()
    boss = manager("auditor")
    client = client_with(key_for(boss, ApiScope.REPORTS_READ, ApiScope.CASES_READ))

    for path in ("/api/v1/responses/export/", "/api/v1/cases/export/"):
        exported = client.get(path, {"email": "ada@example.com", "category": "detractor"})
        assert exported.status_code == 200
        b"".join(exported.streaming_content)

    answers, cases = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("pk")
    assert answers.details["filters"] == {"category": "detractor"}
    assert cases.details["filters"] == {}
    assert "ada@example.com" not in str(list(AuditEvent.objects.values("details")))
