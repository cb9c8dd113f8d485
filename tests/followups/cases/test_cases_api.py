"""The cases API: the same rules as the admin, enforced on the server."""

import pytest
from rest_framework.test import APIClient

from followups.models import FollowUpCase, OutboundMessage, RootCause
from tests.factories import manager, staff_member
from tests.followups.cases import open_case
from tests.surveys.api.conftest import key_for

pytestmark = pytest.mark.django_db

VIEW = {"owner": True, "other": False, "manager": True, None: False}
WORK = {"owner": True, "other": False, "manager": True, None: False}
ASSIGN = {"owner": False, "other": False, "manager": True, None: False}


@pytest.fixture
def people():
    return {"owner": staff_member("owner"), "other": staff_member("other"), "manager": manager()}


@pytest.fixture
def case(people):
    return open_case(owner=people["owner"])


def api(user):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key_for(user, 'cases:read', 'cases:write')}")
    return client


def url(case=None, op=""):
    if case is None:
        return "/api/v1/cases/"
    return f"/api/v1/cases/{case.pk}/" + (f"{op}/" if op else "")


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_list_returns_only_visible_cases(people, case, who):
    unassigned = open_case()
    response = api(people.get(who)).get(url())
    if who is None:
        assert response.status_code == 401
        return
    ids = {row["id"] for row in response.json()["results"]}
    assert (case.pk in ids) == VIEW[who]
    assert unassigned.pk in ids


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_view_is_refused_to_those_who_may_not_see_the_case(people, case, who):
    response = api(people.get(who)).get(url(case))
    expected = {None: 401, "other": 404}.get(who, 200)
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["events"][0]["kind"] == "created"


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_transition_only_by_owner_or_manager(people, case, who):
    response = api(people.get(who)).post(url(case, "transition"), {"status": "in_progress"})
    case.refresh_from_db()
    assert (case.status == "in_progress") == WORK[who]
    if WORK[who]:
        assert response.status_code == 200
        assert response.json()["allowed_transitions"] == ["waiting", "resolved"]
    else:
        assert response.status_code in (401, 404)


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_assign_only_by_managers(people, case, who):
    response = api(people.get(who)).post(
        url(case, "assign"), {"owner": people["other"].pk}, format="json"
    )
    case.refresh_from_db()
    assert (case.owner == people["other"]) == ASSIGN[who]
    if who == "owner":
        assert response.status_code == 403


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_email_only_by_owner_or_manager(people, case, who):
    response = api(people.get(who)).post(
        url(case, "email"), {"subject": "Hi", "body": "We are on it", "draft_id": "a"}
    )
    assert OutboundMessage.objects.filter(template="case_message").exists() == WORK[who]
    if WORK[who]:
        assert response.status_code == 202


def test_staff_take_an_unassigned_case_over_the_api(people):
    unassigned = open_case()
    response = api(people["other"]).post(
        url(unassigned, "assign"),
        {"owner": people["other"].pk, "expected_owner": None},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["owner"] == people["other"].pk


def test_a_refused_transition_says_why(people, case):
    response = api(people["owner"]).post(url(case, "transition"), {"status": "closed"})
    assert response.status_code == 400
    assert "cannot become" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "new"


def test_resolving_without_root_cause_gives_field_errors(people, case):
    client = api(people["owner"])
    client.post(url(case, "transition"), {"status": "in_progress"})
    response = client.post(url(case, "transition"), {"status": "resolved"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "root_cause" in body and "resolution_summary" in body


def test_a_stale_view_gets_409_and_changes_nothing(people, case):
    client = api(people["owner"])
    client.post(url(case, "transition"), {"status": "in_progress", "expected_status": "new"})
    response = client.post(url(case, "transition"), {"status": "waiting", "expected_status": "new"})
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.status == "in_progress"


def test_full_resolution_over_the_api(people, case):
    cause = RootCause.objects.create(name="Carrier")
    client = api(people["owner"])
    client.post(url(case, "transition"), {"status": "in_progress"})
    note = client.post(url(case, "notes"), {"text": "Called"})
    assert note.status_code == 201
    response = client.post(
        url(case, "transition"),
        {"status": "resolved", "root_cause": cause.pk, "resolution_summary": "Reshipped"},
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.status, case.root_cause, case.resolution_summary) == (
        "resolved",
        cause,
        "Reshipped",
    )


def test_list_filters_by_queue(people, case):
    open_case()
    client = api(people["manager"])
    mine = client.get(url(), {"unassigned": "true"}).json()["results"]
    assert case.pk not in {row["id"] for row in mine}
    overdue = client.get(url(), {"overdue": "true"}).json()["results"]
    assert overdue == []
    assert client.get(url(), {"status": "new"}).json()["count"] == FollowUpCase.objects.count()
