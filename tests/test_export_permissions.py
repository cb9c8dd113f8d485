"""The API's exports take the same export permission as the admin's, from
whoever acts: a signed-in staff member or the user a key acts as."""

from __future__ import annotations

import pytest

from surveys.models import ApiScope, AuditEvent, Survey
from tests.factories import ResponseFactory, department, manager
from tests.followups.cases import open_case
from tests.surveys.api.conftest import client_with, key_for
from tests.test_admin_permissions import login, make_user

pytestmark = pytest.mark.django_db

ANSWERS, CASES = "/api/v1/responses/export/", "/api/v1/cases/export/"


def _exported(reply) -> bool:
    if reply.status_code != 200:
        return False
    b"".join(reply.streaming_content)
    return True


@pytest.mark.parametrize(
    ("role", "answers", "cases"),
    [
        ("view_only", False, False),
        ("service_staff", False, True),
        ("data_protection", False, False),
        ("manager", True, True),
        ("superuser", True, True),
    ],
)
def test_a_signed_in_export_needs_the_export_permission(client, role, answers, cases):
    ResponseFactory(score=4)
    open_case()
    login(client, make_user(role))

    assert (_exported(client.get(ANSWERS)), _exported(client.get(CASES))) == (answers, cases)
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    assert exports.count() == answers + cases


def test_a_key_exports_only_if_its_user_may_export():
    ResponseFactory(score=4)
    dpo = make_user("data_protection")  # may read answers, never export them
    client = client_with(key_for(dpo, ApiScope.REPORTS_READ))

    refused = client.get(ANSWERS)

    assert refused.status_code == 403
    assert "surveys.export_response" in refused.json()["error"]["message"]
    assert client.get("/api/v1/responses/").status_code == 200
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_an_export_holds_only_the_exporters_departments(client):
    sales, delivery = department("Sales"), department("Delivery")
    ours, theirs = (
        ResponseFactory(comment="sales-answer"),
        ResponseFactory(comment="delivery-answer"),
    )
    Survey.objects.filter(pk=ours.survey_id).update(department=sales)
    Survey.objects.filter(pk=theirs.survey_id).update(department=delivery)
    case = open_case(comment="delivery-case")
    Survey.objects.filter(pk=case.survey_id).update(department=delivery)
    boss = manager("boss")
    sales.members.add(boss)
    login(client, boss)
    api = client_with(key_for(boss, ApiScope.REPORTS_READ, ApiScope.CASES_READ))

    files = [
        client.get("/admin/surveys/response/export/"),
        client.get("/admin/followups/followupcase/export/"),
        api.get(ANSWERS),
        api.get(CASES),
    ]

    bodies = [b"".join(reply.streaming_content).decode() for reply in files]
    assert all(reply.status_code == 200 for reply in files)
    assert "sales-answer" in bodies[0] and "sales-answer" in bodies[2]
    assert not any("delivery-" in body for body in bodies)
