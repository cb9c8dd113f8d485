"""Every sensitive admin action, and every export, lands in the audit trail
with who did it, through what, and no customer's personal data."""

from __future__ import annotations

import importlib
import io
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from followups.models import GrantStatus, OfferGrant, OutboundMessage
from followups.routing import responses_route
from surveys.audit import Action
from surveys.models import AnswerImport, AuditEvent, Customer, Department, Response, Survey
from tests.factories import (
    CustomerFactory,
    OfferGrantFactory,
    ResponseFactory,
    RewardGrantFactory,
    SurveyFactory,
    manager,
    staff_member,
)
from tests.followups.cases import open_case

pytestmark = pytest.mark.django_db

PERSONAL = ("Ada", "Lovelace", "ada@example.com")


@pytest.fixture
def boss(client):
    user = manager("boss")
    client.force_login(user)
    return user


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def run_action(client, model, action, rows, **data):
    return client.post(
        changelist(model),
        {"action": action, ACTION_CHECKBOX_NAME: [row.pk for row in rows], **data},
    )


def only_event(action) -> AuditEvent:
    [event] = AuditEvent.objects.filter(action=action)
    stored = str(AuditEvent.objects.filter(pk=event.pk).values().get())
    assert not [word for word in PERSONAL if word in stored], stored
    return event


def routed(score: int) -> Response:
    response = ResponseFactory(score=score, customer=CustomerFactory(name="Ada Lovelace"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        responses_route(response_ids=[response.pk])
    return response


def test_erasing_customers_records_who_erased_which(client, boss):
    customers = CustomerFactory.create_batch(2, name="Ada Lovelace")
    kept = CustomerFactory()

    run_action(client, Customer, "erase_personal_data", customers)

    events = AuditEvent.objects.filter(action=Action.CUSTOMER_ERASED).order_by("id")
    assert [(e.actor_id, e.actor_label, e.via, e.object_type, e.count) for e in events] == [
        (boss.pk, "boss", "admin", "surveys.customer", 1)
    ] * 2
    assert sorted(e.object_ids[0] for e in events) == sorted(c.pk for c in customers)
    assert kept.pk not in [e.object_ids[0] for e in events]
    assert not [w for w in PERSONAL if w in str(list(events.values()))]


_erased_so_far = []


def erase_one_then_fail(personal):
    """A hand-off that breaks on the second erasure of a bulk action."""
    _erased_so_far.append(personal)
    if len(_erased_so_far) > 1:
        raise RuntimeError("the follow-up side is down")


def test_an_erasure_that_breaks_midway_leaves_every_committed_one_recorded(client, boss, settings):
    customers = CustomerFactory.create_batch(3, name="Ada Lovelace")
    settings.NPS_HANDOFF = {
        **settings.NPS_HANDOFF,
        "customer_erased": f"{__name__}.erase_one_then_fail",
    }
    _erased_so_far.clear()

    with pytest.raises(RuntimeError):
        run_action(client, Customer, "erase_personal_data", customers)

    erased = list(Customer.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    assert len(erased) == 1
    event = only_event(Action.CUSTOMER_ERASED)
    assert (event.object_ids, event.actor_label) == (erased, "boss")


def test_excluding_answers_records_the_reason_and_counting_them_again_is_recorded_too(client, boss):
    answers = [ResponseFactory(comment="Ada Lovelace was rude") for _ in range(2)]

    run_action(client, Response, "exclude_as_spam", answers)
    run_action(client, Response, "include_again", answers[:1])

    excluded = only_event(Action.RESPONSES_EXCLUDED)
    assert (excluded.actor_label, excluded.via) == ("boss", "admin")
    assert sorted(excluded.object_ids) == sorted(a.pk for a in answers)
    assert excluded.details == {"reason": "spam"}
    included = only_event(Action.RESPONSES_INCLUDED)
    assert included.object_ids == [answers[0].pk] and included.actor_id == boss.pk


def test_an_exclusion_that_changes_nothing_records_nothing(client, boss):
    answer = ResponseFactory(exclusion_reason=Response.ExclusionReason.SPAM)

    run_action(client, Response, "exclude_as_spam", [answer])

    assert not AuditEvent.objects.filter(action=Action.RESPONSES_EXCLUDED).exists()


@pytest.mark.parametrize("grant_factory", [OfferGrantFactory, RewardGrantFactory])
def test_redeeming_a_code_by_hand_records_who_did_it(client, boss, grant_factory):
    grant = grant_factory(response__customer__name="Ada Lovelace")
    model = type(grant)

    run_action(client, model, "mark_redeemed", [grant])

    event = only_event(Action.GRANT_REDEEMED)
    assert (event.actor_label, event.via) == ("boss", "admin")
    assert (event.object_type, event.object_ids, event.count) == (
        model._meta.label_lower,
        [grant.pk],
        1,
    )


def test_a_code_redeemed_at_the_till_before_is_not_named_as_redeemed_by_hand(client, boss):
    mine, theirs = OfferGrantFactory.create_batch(2, response__customer__name="Ada Lovelace")
    OfferGrant.objects.filter(pk=theirs.pk).update(
        status=GrantStatus.REDEEMED, redeemed_at=timezone.now() - timedelta(seconds=1)
    )

    run_action(client, OfferGrant, "mark_redeemed", [mine, theirs])

    event = only_event(Action.GRANT_REDEEMED)
    assert (event.object_ids, event.count) == ([mine.pk], 1)
    assert OfferGrant.objects.get(pk=mine.pk).status == GrantStatus.REDEEMED


def test_retrying_failed_emails_records_which(client, boss):
    email = OutboundMessage.objects.filter(response=routed(2)).first()
    OutboundMessage.objects.filter(pk=email.pk).update(status=OutboundMessage.Status.FAILED)

    run_action(client, OutboundMessage, "retry_now", [email])

    event = only_event(Action.MESSAGES_RETRIED)
    assert (event.actor_label, event.via, event.object_ids) == ("boss", "admin", [email.pk])


def test_importing_answers_records_who_imported_how_many_and_a_dry_run_nothing(client, boss):
    SurveyFactory(slug="nps")
    data = (
        b"survey,email,name,score,submitted_at,source_id\n"
        b"nps,ada@example.com,Ada Lovelace,9,2025-03-01T10:00:00Z,r-1\n"
        b"nps,,Nobody,7,2025-03-01T10:00:00Z,r-2\n"
    )
    for button in ("dry_run", "import"):
        upload = io.BytesIO(data)
        upload.name = "answers.csv"
        preview = client.post(
            reverse("admin:surveys_response_import"), {"file": upload, "format": "generic"}
        )
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(preview["Location"], {button: "1"})

    event = only_event(Action.IMPORT)
    job = AnswerImport.objects.get(dry_run=False)
    assert (event.actor_label, event.via, event.object_ids, event.count) == (
        "boss",
        "admin",
        [job.pk],
        1,
    )
    assert (event.details["answers_created"], event.details["lines_refused"]) == (1, 1)


def test_assigning_cases_in_bulk_records_the_new_owner(client, boss):
    from followups.models import FollowUpCase

    cases = [open_case(name="Ada Lovelace") for _ in range(2)]
    owner = staff_member("staff")

    run_action(client, FollowUpCase, "assign_cases", cases, apply="1", owner=owner.pk)

    event = only_event(Action.CASES_ASSIGNED)
    assert (event.actor_label, event.via) == ("boss", "admin")
    assert sorted(event.object_ids) == sorted(c.pk for c in cases)
    assert event.details == {"owner_id": owner.pk, "changed": 2}


@pytest.mark.parametrize(
    ("name", "filters"),
    [
        ("surveys_response", {"category__exact": "detractor"}),
        ("followups_followupcase", {"queue": "unassigned"}),
    ],
)
def test_a_csv_export_records_its_filters_but_not_the_search_text(client, boss, name, filters):
    open_case(name="Ada Lovelace")
    query = "&".join(f"{key}={value}" for key, value in filters.items())

    exported = client.get(f"{reverse(f'admin:{name}_export')}?{query}&q=ada@example.com")
    b"".join(exported.streaming_content)

    event = only_event(Action.EXPORT)
    assert (event.actor_label, event.via) == ("boss", "admin")
    assert event.object_type == name.replace("_", ".", 1)
    assert event.details == {"format": "csv", "filters": filters, "searched": True}


def test_exporting_customers_records_how_many_and_the_filters_but_not_the_search(client, boss):
    CustomerFactory.create_batch(2, name="Ada Lovelace", segment="vip")
    CustomerFactory(name="Ada Byron", email="ada@example.com", segment="smb")

    exported = client.post(
        f"{reverse('admin:surveys_customer_export')}?segment__exact=vip&q=Ada",
        {"resource": "0", "format": "0", "customerresource_name": "on"},
    )

    assert exported.status_code == 200 and exported.content.count(b"Ada Lovelace") == 2
    event = only_event(Action.EXPORT)
    assert (event.actor_label, event.via, event.object_type) == (
        "boss",
        "admin",
        "surveys.customer",
    )
    # A count, not ids: an export may be a million rows.
    assert (event.object_ids, event.count) == ([], 2)
    assert event.details == {
        "format": "csv",
        "filters": {"segment__exact": "vip"},
        "searched": True,
    }


def test_the_csv_report_command_records_an_export():
    survey = SurveyFactory(slug="checkout")

    call_command("nps_report", "checkout", "--csv", "--from", "2026-01-01", stdout=io.StringIO())

    event = only_event(Action.EXPORT)
    assert (event.actor_label, event.via) == ("system", "command")
    assert (event.object_type, event.object_ids) == ("surveys.survey", [survey.pk])
    assert event.details["command"] == "nps_report"
    assert event.details["from"] == "2026-01-01"


def test_the_report_as_a_table_is_no_export():
    SurveyFactory(slug="checkout")

    call_command("nps_report", "checkout", stdout=io.StringIO())

    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_events_stored_before_departments_were_recorded_are_given_theirs():
    """The migration fills the department of the events already stored, from
    the rows they name; an event naming no rows (an export) stays restricted."""
    fill = importlib.import_module("followups.migrations.0039_audit_reach").fill_reach
    sales = Department.objects.create(name="Sales")
    case = open_case()
    Survey.objects.filter(pk=case.survey_id).update(department=sales)
    old = {"action": Action.CASES_ASSIGNED, "actor_label": "system", "via": "admin"}
    about_case, about_survey, export = AuditEvent.objects.bulk_create(
        [
            AuditEvent(**old, object_type="followups.followupcase", object_ids=[case.pk]),
            AuditEvent(**old, object_type="surveys.survey", object_ids=[SurveyFactory().pk]),
            AuditEvent(**old, object_type="surveys.response", count=3),
        ]
    )

    with connection.schema_editor() as editor:
        fill(django_apps, editor)

    stored = {event.pk: (event.department_id, event.shared) for event in AuditEvent.objects.all()}
    assert stored[about_case.pk] == (sales.pk, False)
    assert stored[about_survey.pk] == (None, True)
    assert stored[export.pk] == (None, False)
    # The database refuses every change again once the fill is done.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.filter(pk=export.pk).update(shared=True)
