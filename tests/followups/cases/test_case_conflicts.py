"""The case page when the case changed under the person working it: a clear
message, never a bare 404, and nothing they typed lost. And the call log and
the list as people read them."""

import html

import pytest
from django.urls import reverse

from followups.cases import conflicts, workflow
from followups.models import CaseEvent, FollowUpCase, RootCause
from tests.factories import manager, staff_member
from tests.followups.cases import open_case

pytestmark = pytest.mark.django_db

LIST = reverse("admin:followups_followupcase_changelist")
NOTE = "Called twice; she wants a refund, not a voucher."


def operation(case, name):
    return reverse("admin:followups_followupcase_operation", args=[case.pk, name])


@pytest.fixture
def people():
    return {
        "owner": staff_member("sam", first_name="Sam", last_name="Reyes"),
        "other": staff_member("kim", first_name="Kim", last_name="Lee"),
        "manager": manager("boss", first_name="Magda", last_name="Brandt"),
    }


@pytest.fixture
def case(people):
    return open_case(owner=people["owner"], comment="Parcel late")


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_note_after_the_case_went_to_a_colleague_shows_who_has_it_and_keeps_the_text(
    client, people, case
):
    version = conflicts.case_version(case)
    workflow.case_assign(case=case, owner=people["other"], actor=people["manager"])
    client.force_login(people["owner"])
    response = client.post(operation(case, "note"), {"text": NOTE, "version": version})
    assert response.status_code == 404  # with a page that explains, not a bare one
    body = text(response)
    assert "was reassigned to Kim Lee" in body
    assert f">{NOTE}</textarea>" in body
    assert not case.events.filter(kind=CaseEvent.Kind.NOTE).exists()


def test_a_note_after_the_case_went_back_to_the_queue_rerenders_the_page_with_the_text(
    client, people, case
):
    version = conflicts.case_version(case)
    workflow.case_assign(case=case, owner=None, actor=people["manager"])
    client.force_login(people["owner"])
    response = client.post(operation(case, "note"), {"text": NOTE, "version": version})
    assert response.status_code == 200
    body = text(response)
    assert "This case was reassigned to nobody at" in body
    assert "what you typed is kept below" in body
    assert f">{NOTE}</textarea>" in body
    assert "Take this case" in body


def test_a_stale_status_change_keeps_the_summary_and_offers_the_current_choices(
    client, people, case
):
    cause = RootCause.objects.create(name="Courier")
    version = conflicts.case_version(case)
    workflow.case_transition(case=case, to_status="in_progress", actor=people["manager"])
    client.force_login(people["owner"])
    response = client.post(
        operation(case, "transition"),
        {
            "to_status": "resolved",
            "expected_status": "new",
            "root_cause": cause.pk,
            "resolution_summary": "Refund sent.",
            "version": version,
        },
    )
    assert response.status_code == 200
    body = text(response)
    assert "changed at" in body and "it is now In progress" in body
    assert "Refund sent.</textarea>" in body
    assert 'name="expected_status" value="in_progress"' in body
    case.refresh_from_db()
    assert case.status == "in_progress"


def test_a_refused_status_change_keeps_what_was_typed(client, people, case):
    client.force_login(people["owner"])
    response = client.post(
        operation(case, "transition"),
        {
            "to_status": "resolved",
            "expected_status": "new",
            "resolution_summary": "Refund sent.",
            "version": conflicts.case_version(case),
        },
    )
    assert response.status_code == 200
    body = text(response)
    assert "Choose the root cause" in body
    assert "Refund sent.</textarea>" in body


def test_an_operation_on_a_case_that_does_not_exist_explains_instead_of_404(client, people):
    client.force_login(people["owner"])
    response = client.post(
        reverse("admin:followups_followupcase_operation", args=[999999, "note"]), {"text": NOTE}
    )
    assert response.status_code == 404
    assert "is not one you can see" in text(response)
    assert NOTE in text(response)


def test_a_colleague_is_not_told_who_owns_a_case_they_never_had(client, people, case):
    workflow.case_assign(case=case, owner=people["manager"], actor=people["manager"])
    client.force_login(people["other"])
    response = client.post(operation(case, "note"), {"text": NOTE})
    assert "Magda" not in text(response)


def test_the_owner_logs_a_call_from_the_case_page(client, people):
    case = open_case(owner=people["owner"], phone="+48123456789")
    client.force_login(people["owner"])
    page = text(client.get(reverse("admin:followups_followupcase_change", args=[case.pk])))
    assert 'href="tel:+48123456789"' in page
    assert "closelink" not in page  # no Django "Close" button beside the case's statuses
    assert "<title>Case #" in page  # not Django's "Change follow-up case"
    response = client.post(
        operation(case, "call"),
        {"outcome": "reached", "note": "Agreed on a refund.", "version": "x"},
        follow=True,
    )
    assert "Call logged." in text(response)
    case.refresh_from_db()
    assert (case.status, case.first_contact_at is not None) == ("in_progress", True)
    event = case.events.get(kind=CaseEvent.Kind.CALL_LOGGED)
    assert (event.actor, event.data["outcome"]) == (people["owner"], "reached")


def test_a_call_without_an_outcome_is_refused_and_the_note_kept(client, people, case):
    client.force_login(people["owner"])
    response = client.post(operation(case, "call"), {"outcome": "", "note": "Rang at noon."})
    assert response.status_code == 200
    body = text(response)
    assert "Choose how the call went" in body
    assert "Rang at noon.</textarea>" in body


def test_the_list_shows_people_by_full_name_and_time_left_compactly(client, people, case):
    client.force_login(people["manager"])
    body = text(client.get(LIST))
    assert "Sam Reyes" in body
    assert ">sam<" not in body
    assert "23 h left" in body


def test_the_list_cuts_a_long_comment_and_keeps_it_whole_in_the_title(client, people):
    comment = "The parcel came a week late and the box was crushed, so I had to send it back."
    open_case(owner=people["owner"], comment=comment)
    client.force_login(people["manager"])
    body = text(client.get(LIST))
    assert f'title="{comment}"' in body
    assert comment[:39] + "…" in body


def test_a_contacted_case_counts_down_to_its_resolution_deadline(client, people, case):
    FollowUpCase.objects.filter(pk=case.pk).update(first_contact_at=case.created_at)
    client.force_login(people["manager"])
    assert '<span title="resolution">2 d left</span>' in text(client.get(LIST))
