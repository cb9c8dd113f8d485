"""The case admin: who may do what (enforced on the server), what the pages
show, and that a page costs the same queries at 5 cases or 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followups.models import CaseEvent, FollowUpCase, OutboundEmail, RootCause
from tests.factories import manager, staff_member
from tests.followups.cases import open_case

pytestmark = pytest.mark.django_db

LIST = reverse("admin:followups_followupcase_changelist")


def page(case):
    return reverse("admin:followups_followupcase_change", args=[case.pk])


def operation(case, name):
    return reverse("admin:followups_followupcase_operation", args=[case.pk, name])


@pytest.fixture
def people():
    return {
        "owner": staff_member("owner"),
        "other": staff_member("other"),
        "manager": manager("boss"),
    }


@pytest.fixture
def case(people):
    return open_case(owner=people["owner"], comment="Parcel late")


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


# --- The permission matrix --------------------------------------------------

VIEW = {"owner": True, "other": False, "manager": True, None: False}
WORK = {"owner": True, "other": False, "manager": True, None: False}
ASSIGN = {"owner": False, "other": False, "manager": True, None: False}


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_list_shows_each_person_only_the_cases_they_may_see(client, people, case, who):
    unassigned = open_case()
    response = login(client, people.get(who)).get(LIST)
    if who is None:
        assert response.status_code == 302  # to the login page
        return
    shown = set(response.context["cl"].result_list.values_list("pk", flat=True))
    assert (case.pk in shown) == VIEW[who]
    assert unassigned.pk in shown  # the unassigned queue is everyone's


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_case_page_opens_only_for_those_who_may_see_it(client, people, case, who):
    response = login(client, people.get(who)).get(page(case))
    if who is None:
        assert response.status_code == 302
    elif VIEW[who]:
        assert response.status_code == 200
        assert b"Parcel late" in response.content
    else:
        assert response.status_code == 302  # "does not exist" back to the list
        assert FollowUpCase.objects.get().pk == case.pk


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_status_change_is_allowed_only_to_the_owner_and_managers(client, people, case, who):
    login(client, people.get(who)).post(
        operation(case, "transition"), {"to_status": "in_progress", "expected_status": "new"}
    )
    case.refresh_from_db()
    assert (case.status == "in_progress") == WORK[who]


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_assigning_is_allowed_only_to_managers(client, people, case, who):
    login(client, people.get(who)).post(
        operation(case, "assign"),
        {"owner": people["other"].pk, "expected_owner": people["owner"].pk},
    )
    case.refresh_from_db()
    assert (case.owner == people["other"]) == ASSIGN[who]


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_emailing_the_customer_is_allowed_only_to_the_owner_and_managers(client, people, case, who):
    login(client, people.get(who)).post(
        operation(case, "email"), {"subject": "Hello", "body": "We are on it", "draft_id": "x1"}
    )
    assert OutboundEmail.objects.filter(template="case_message").exists() == WORK[who]


@pytest.mark.parametrize("who", ["owner", "other", "manager", None])
def test_bulk_assign_action_is_refused_to_everyone_but_managers(client, people, case, who):
    login(client, people.get(who)).post(
        LIST,
        {
            "action": "assign_cases",
            "_selected_action": [case.pk],
            "apply": "1",
            "owner": people["other"].pk,
        },
    )
    case.refresh_from_db()
    assert (case.owner == people["other"]) == ASSIGN[who]


def test_staff_take_an_unassigned_case_from_the_list(client, people):
    unassigned = open_case()
    login(client, people["other"]).post(
        LIST, {"action": "take_cases", "_selected_action": [unassigned.pk]}
    )
    unassigned.refresh_from_db()
    assert unassigned.owner == people["other"]


def test_a_get_to_an_operation_changes_nothing(client, people, case):
    response = login(client, people["owner"]).get(operation(case, "transition"))
    assert response.status_code == 405


# --- Working a case through the page ----------------------------------------


def test_resolving_without_a_root_cause_shows_the_reason_and_changes_nothing(client, people, case):
    login(client, people["owner"])
    client.post(
        operation(case, "transition"), {"to_status": "in_progress", "expected_status": "new"}
    )
    response = client.post(
        operation(case, "transition"),
        {"to_status": "resolved", "expected_status": "in_progress", "resolution_summary": ""},
        follow=True,
    )
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert "Choose the root cause" in response.content.decode()


def test_the_case_page_shows_the_timeline_and_the_customer(client, people, case):
    cause = RootCause.objects.create(name="Carrier")
    login(client, people["owner"])
    client.post(operation(case, "note"), {"text": "Called the customer"})
    client.post(
        operation(case, "transition"), {"to_status": "in_progress", "expected_status": "new"}
    )
    client.post(
        operation(case, "transition"),
        {
            "to_status": "resolved",
            "expected_status": "in_progress",
            "root_cause": cause.pk,
            "resolution_summary": "Reshipped",
        },
    )
    html = client.get(page(case)).content.decode()
    assert "Called the customer" in html
    assert "Reshipped" in html
    assert case.customer.email in html
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [CaseEvent.Kind.CREATED, "note", "status_changed", "status_changed"]


def test_customer_text_is_escaped_on_the_list_and_the_case_page(client, people):
    evil = open_case(
        owner=people["owner"],
        comment='<script>alert("x")</script>',
        name="<img src=x onerror=alert(1)>",
    )
    login(client, people["owner"])
    for url in (LIST, page(evil)):
        html = client.get(url).content.decode()
        assert '<script>alert("x")</script>' not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;" in html


# --- Query counts -------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_case_list_queries_do_not_grow_with_the_number_of_cases(client, people, who):
    login(client, people[who])
    for _ in range(5):
        open_case(owner=people["owner"])
    few = _queries(client, LIST)
    for _ in range(45):
        open_case(owner=people["owner"])
    assert _queries(client, LIST) == few


def test_case_page_queries_do_not_grow_with_its_history(client, people, case):
    login(client, people["owner"])
    few = _queries(client, page(case))
    for n in range(30):
        CaseEvent.objects.create(case=case, kind="note", actor=people["owner"], message=f"n{n}")
        open_case(email=f"again{n}@example.com")
    assert _queries(client, page(case)) == few
