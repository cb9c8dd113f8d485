"""The outbox in the admin by department: a message about another
department's invitation (its working survey link), case or answer is not
listed to a reader of other departments, nor is anyone's weekly digest; a
reader of every department sees them all."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import TestCase

from followups.cases.workflow import case_reply_record
from followups.invitations.emails import invitation_send
from followups.models import FollowUpCase, OutboundMessage
from followups.reporting.digest import digest_send
from surveys.models import Survey
from tests.factories import CustomerFactory, SurveyFactory, department, manager, staff_member
from tests.followups.cases import open_case

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/followups/outboundmessage/"


@pytest.fixture
def messages():
    """An invitation email, a case notice (no answer on it) and a digest, of
    the Delivery department's survey."""
    delivery = department("Delivery")
    survey = SurveyFactory(department=delivery, status=Survey.Status.ACTIVE)
    owner = staff_member("owner", email="owner@example.com")
    delivery.members.add(owner)
    case = open_case(owner=owner)
    Survey.objects.filter(pk=case.survey_id).update(department=delivery)
    case = FollowUpCase.objects.select_related("customer", "response", "survey").get(pk=case.pk)
    boss = manager("boss", email="boss@example.com")
    with TestCase.captureOnCommitCallbacks(execute=False):
        invitation_send(survey=survey, customer=CustomerFactory())
        case_reply_record(case=case, text="Still broken.", attachments=[], source="api")
        digest_send()
    rows = {
        "invitation": OutboundMessage.objects.get(template="invitation"),
        "case notice": OutboundMessage.objects.get(template="case_reply", recipient=owner.email),
        "digest": OutboundMessage.objects.get(template="digest", recipient=boss.email),
    }
    assert rows["case notice"].response_id is None
    return rows


def listed(client, user) -> set[int]:
    user.user_permissions.add(Permission.objects.get(codename="view_outboundmessage"))
    client.force_login(get_user_model().objects.get(pk=user.pk))
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    return {row.pk for row in page.context["cl"].result_list}


@pytest.mark.parametrize("kind", ["staff", "manager"])
def test_another_departments_messages_and_digests_are_not_listed(client, messages, kind):
    reader = staff_member("reader") if kind == "staff" else manager("reader")
    department("Sales", reader)

    seen = listed(client, reader)

    shown = [name for name, row in messages.items() if row.pk in seen]
    assert shown == []
    for row in messages.values():
        opened = client.get(f"{CHANGELIST}{row.pk}/change/")
        assert opened.status_code != 200


def test_a_reader_of_the_department_sees_its_messages_but_no_digest(client, messages):
    reader = manager("reader")
    department("Delivery", reader)

    seen = listed(client, reader)

    assert messages["invitation"].pk in seen
    assert messages["case notice"].pk in seen
    assert messages["digest"].pk not in seen


def test_a_reader_of_every_department_sees_them_all(client, messages):
    seen = listed(client, manager("company"))

    assert {row.pk for row in messages.values()} <= seen
