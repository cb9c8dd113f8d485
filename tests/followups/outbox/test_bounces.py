"""Bounces and spam complaints posted to /api/v1/mail/events/, as a mail
server writes them (RFC 3464 DSNs from Postfix and Exchange, an RFC 5965
abuse report) and in the documented JSON shape: the address stops getting
email, once, whatever a provider retries; bad input changes nothing."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import timezone

from followups.cases import workflow
from followups.invitations.requests import invitation_request
from followups.invitations.waves import wave_plan
from followups.models import MailEvent, OutboundMessage
from followups.outbox.messages import email_queue
from followups.routing import responses_route
from surveys.models import ApiScope, Customer, Invitation
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory, manager
from tests.followups.cases import open_case
from tests.followups.webhooks import Receiver, endpoint_for, payloads
from tests.surveys.api.conftest import client_with, make_token

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
URL = "/api/v1/mail/events/"


@pytest.fixture
def provider(db):
    return client_with(make_token("mail-provider", [ApiScope.MAIL_EVENTS]))


def report(name: str, message: OutboundMessage | None = None) -> bytes:
    message_id = message.message_id if message else "<someone-else@elsewhere.example>"
    return (DATA / name).read_bytes().replace(b"{MESSAGE_ID}", message_id.encode())


def queue_email(customer, key="offer-1"):
    return email_queue(
        template="offer",
        dedupe_key=key,
        recipient=customer.email,
        language="en",
        context={"customer_name": "Ana", "score": 7, "offer": "1", "code": "C", "expires": "x"},
        customer=customer,
    )


def post_raw(client, body: bytes, content_type="message/rfc822"):
    with TestCase.captureOnCommitCallbacks(execute=False):
        return client.generic("POST", URL, body, content_type=content_type)


def post_json(client, data):
    return client.post(URL, data, format="json")


def bounce(email="gone.away@customer.example", **fields):
    return {
        "type": "bounce",
        "email": email,
        "bounce_type": "permanent",
        "status": "5.1.1",
        "diagnostic": "550 5.1.1 User unknown",
        "occurred_at": "2026-12-01T08:14:05Z",
        **fields,
    }


# --- Raw reports -----------------------------------------------------------------


def test_a_postfix_dsn_marks_the_address_bounced_and_names_the_email(provider):
    endpoint = endpoint_for(Receiver(port=1), ["invitation.bounced"])
    customer = CustomerFactory(email="gone.away@customer.example")
    email = queue_email(customer)
    OutboundMessage.objects.filter(pk=email.pk).update(status=OutboundMessage.Status.SENT)
    answer = post_raw(provider, report("postfix_dsn.eml", email))
    assert answer.status_code == 200, answer.content
    assert answer.json()["recorded"] == 1
    customer.refresh_from_db()
    assert customer.email_bounced_at == datetime(2026, 12, 1, 8, 14, 5, tzinfo=UTC)
    assert "User unknown" in customer.email_problem
    assert customer.email_problem.startswith("5.1.1")
    event = MailEvent.objects.get()
    assert (event.kind, event.bounce_type, event.status_code) == ("bounce", "permanent", "5.1.1")
    assert event.source == MailEvent.Source.DSN
    assert event.outbound_message == email
    assert event.stopped_mail
    assert "Final-Recipient" in event.raw
    assert len(event.raw) < 4000  # the report's fields, not the returned email
    [webhook] = payloads(endpoint)
    assert webhook["type"] == "invitation.bounced"


def test_an_exchange_dsn_posted_as_its_mime_body_tells_hard_from_soft(provider):
    hard = CustomerFactory(email="pat.quill@partner.example")
    soft = CustomerFactory(email="still.here@partner.example")
    raw = report("exchange_dsn.eml")
    body = raw.partition(b"\n\n")[2]
    content_type = (
        "multipart/report; report-type=delivery-status; "
        'boundary="e4d1c6a5-0b8f-4a54-bb7d-2f55c1e0c7de"'
    )
    answer = post_raw(provider, body, content_type=content_type)
    assert answer.status_code == 200, answer.content
    assert [r["bounce_type"] for r in answer.json()["results"]] == ["permanent", "transient"]
    hard.refresh_from_db()
    soft.refresh_from_db()
    assert hard.email_bounced_at is not None
    assert "RecipientNotFound" in hard.email_problem
    # Recorded, but a transient failure stops nothing.
    assert soft.email_bounced_at is None and soft.is_reachable
    assert MailEvent.objects.get(customer=soft).stopped_mail is False


def test_an_abuse_report_marks_the_customer_as_complaining(provider):
    endpoint = endpoint_for(Receiver(port=1), ["customer.complained", "invitation.bounced"])
    customer = CustomerFactory(email="annoyed@customer.example")
    answer = post_raw(provider, report("arf_complaint.eml", queue_email(customer)))
    assert answer.status_code == 200, answer.content
    customer.refresh_from_db()
    assert customer.email_complained_at is not None
    assert customer.email_bounced_at is None
    assert not Customer.objects.reachable().filter(pk=customer.pk).exists()
    assert MailEvent.objects.get().kind == MailEvent.Kind.COMPLAINT
    assert [p["type"] for p in payloads(endpoint)] == ["customer.complained"]
    skipped = invitation_request(survey=SurveyFactory(), customer=customer).invitation
    assert skipped.skip_reason == Invitation.SkipReason.COMPLAINED


def test_the_same_dsn_posted_twice_is_recorded_and_reported_once(provider):
    endpoint = endpoint_for(Receiver(port=1), ["invitation.bounced"])
    CustomerFactory(email="gone.away@customer.example")
    raw = report("postfix_dsn.eml")
    first = post_raw(provider, raw).json()
    again = post_raw(provider, raw).json()
    assert (first["recorded"], again["recorded"], again["duplicate"]) == (1, 0, 1)
    assert MailEvent.objects.count() == 1
    assert len(payloads(endpoint)) == 1


def test_a_report_that_is_no_report_is_refused_with_why(provider):
    customer = CustomerFactory(email="gone.away@customer.example")
    answer = post_raw(provider, b"From: a@b.example\nSubject: hello\n\nJust a letter.\n")
    assert answer.status_code == 400
    assert "multipart/report" in answer.json()["error"]["fields"]["report"][0]
    broken = report("postfix_dsn.eml").replace(b"Status: 5.1.1", b"Status: soon")
    answer = post_raw(provider, broken)
    assert answer.status_code == 400
    assert "Status 'soon'" in answer.json()["error"]["fields"]["report"][0]
    customer.refresh_from_db()
    assert customer.email_bounced_at is None
    assert not MailEvent.objects.exists()


def test_an_empty_or_unknown_body_is_refused(provider):
    assert post_raw(provider, b"").status_code == 400
    assert post_raw(provider, b"x", content_type="text/plain").status_code == 415


# --- The JSON shape ----------------------------------------------------------------


def test_a_json_hard_bounce_found_by_our_message_id_marks_that_customer(provider):
    customer = CustomerFactory(email="gone.away@customer.example")
    email = queue_email(customer)
    answer = post_json(provider, bounce(message_id=email.message_id))
    assert answer.status_code == 200, answer.content
    assert answer.json()["results"] == [
        {
            "type": "bounce",
            "email": "gone.away@customer.example",
            "bounce_type": "permanent",
            "outcome": "recorded",
        }
    ]
    customer.refresh_from_db()
    assert customer.email_bounced_at is not None
    assert MailEvent.objects.get().outbound_message == email
    # The email still waiting for that address is never sent.
    email.refresh_from_db()
    assert email.status == OutboundMessage.Status.CANCELLED
    assert "bounced" in email.last_error


def test_a_list_of_events_is_recorded_each_and_counted(provider):
    CustomerFactory(email="one@customer.example")
    CustomerFactory(email="two@customer.example")
    answer = post_json(
        provider,
        [
            bounce("one@customer.example"),
            {"type": "complaint", "email": "TWO@customer.example", "occurred_at": "2026-12-01"},
            bounce("nobody@customer.example"),
        ],
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["recorded"], body["unknown"], body["duplicate"]) == (2, 1, 0)
    assert Customer.objects.get(email="two@customer.example").email_complained_at is not None
    # An address no customer has: counted, nothing kept about it.
    assert not MailEvent.objects.filter(email="nobody@customer.example").exists()


def test_a_retried_json_event_changes_nothing_the_second_time(provider):
    customer = CustomerFactory(email="gone.away@customer.example")
    post_json(provider, bounce())
    customer.refresh_from_db()
    marked_at = customer.email_bounced_at
    again = post_json(provider, bounce())
    assert again.json()["duplicate"] == 1
    customer.refresh_from_db()
    assert customer.email_bounced_at == marked_at
    assert MailEvent.objects.count() == 1


def test_a_second_different_bounce_is_recorded_but_the_mark_stays_the_first(provider):
    customer = CustomerFactory(email="gone.away@customer.example")
    post_json(provider, bounce())
    post_json(provider, bounce(occurred_at="2026-12-02T08:00:00Z", diagnostic="550 no"))
    customer.refresh_from_db()
    assert customer.email_bounced_at == datetime(2026, 12, 1, 8, 14, 5, tzinfo=UTC)
    assert list(MailEvent.objects.order_by("pk").values_list("stopped_mail", flat=True)) == [
        True,
        False,
    ]


def test_a_soft_json_bounce_is_recorded_and_stops_nothing(provider):
    customer = CustomerFactory(email="gone.away@customer.example")
    email = queue_email(customer)
    post_json(provider, bounce(bounce_type="transient", status="4.2.2"))
    customer.refresh_from_db()
    email.refresh_from_db()
    assert customer.is_reachable
    assert email.status == OutboundMessage.Status.QUEUED
    assert MailEvent.objects.get().bounce_type == "transient"


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({**bounce(), "bounce_type": ""}, "bounce_type"),
        ({k: v for k, v in bounce().items() if k != "bounce_type"}, "bounce_type"),
        ({**bounce(), "type": "complaint"}, "bounce_type"),
        ({**bounce(), "type": "unsubscribe"}, "type"),
        ({**bounce(), "email": "not an address"}, "email"),
        ({**bounce(), "occurred_at": "yesterday"}, "occurred_at"),
        ({k: v for k, v in bounce().items() if k != "occurred_at"}, "occurred_at"),
        ({**bounce(), "status": "550"}, "status"),
        ({**bounce(), "diagnostic": "x" * 1001}, "diagnostic"),
    ],
)
def test_an_invalid_event_is_refused_naming_the_field(provider, event, field):
    CustomerFactory(email="gone.away@customer.example")
    answer = post_json(provider, event)
    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]
    assert not MailEvent.objects.exists()


def test_one_invalid_event_in_a_list_refuses_the_whole_list(provider):
    customer = CustomerFactory(email="gone.away@customer.example")
    answer = post_json(provider, [bounce(), {**bounce(), "email": "broken"}])
    assert answer.status_code == 400
    assert "events.1.email" in answer.json()["error"]["fields"]
    customer.refresh_from_db()
    assert customer.email_bounced_at is None
    assert not MailEvent.objects.exists()


@pytest.mark.parametrize("body", [[], "bounce", [1, 2], [bounce()] * 1001])
def test_a_body_that_is_no_event_list_is_refused(provider, body):
    answer = post_json(provider, body)
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]


# --- Who may post --------------------------------------------------------------------


def test_a_key_without_the_mail_scope_is_refused_and_changes_nothing():
    customer = CustomerFactory(email="gone.away@customer.example")
    answer = post_json(client_with(make_token("crm", "both")), bounce())
    assert answer.status_code == 403
    assert "mail:events" in answer.json()["error"]["message"]
    assert Customer.objects.get(pk=customer.pk).email_bounced_at is None


def test_a_provider_may_send_the_key_as_the_basic_auth_password(client):
    CustomerFactory(email="gone.away@customer.example")
    key = make_token("ses", [ApiScope.MAIL_EVENTS])
    basic = base64.b64encode(f"anything:{key}".encode()).decode()
    answer = client.post(
        URL, bounce(), content_type="application/json", HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert answer.status_code == 200, answer.content
    wrong = base64.b64encode(b"anything:not-a-key").decode()
    refused = client.post(
        URL, bounce(), content_type="application/json", HTTP_AUTHORIZATION=f"Basic {wrong}"
    )
    assert refused.status_code == 401


# --- What a bounce stops ---------------------------------------------------------------


def test_after_a_bounce_a_new_invitation_is_skipped_and_no_email_is_queued(provider):
    customer = CustomerFactory(email="gone.away@customer.example")
    survey = SurveyFactory()
    post_raw(provider, report("postfix_dsn.eml"))
    invite = client_with(make_token("shop", [ApiScope.INVITATIONS_WRITE]))
    answer = invite.post(
        "/api/v1/invitations/",
        {"survey": survey.slug, "customer": {"email": "gone.away@customer.example"}},
        format="json",
    )
    assert answer.status_code in (200, 201), answer.content
    assert answer.json()["skip_reason"] == "bounced"
    assert not OutboundMessage.objects.filter(customer=customer).exists()
    plan = wave_plan(survey=survey)
    assert customer.pk not in plan.to_send
    assert plan.skipped["bounced"] == 1


def test_a_complaint_cancels_every_email_still_waiting_for_the_customer(provider):
    customer = CustomerFactory(email="annoyed@customer.example")
    waiting = [queue_email(customer, key) for key in ("offer-1", "reward-1")]
    sent = queue_email(customer, "case-1")
    OutboundMessage.objects.filter(pk=sent.pk).update(
        status=OutboundMessage.Status.SENT, sent_at=timezone.now()
    )
    post_json(
        provider,
        {"type": "complaint", "email": customer.email, "occurred_at": "2026-12-01T10:00:00Z"},
    )
    statuses = dict(
        OutboundMessage.objects.filter(customer=customer).values_list("dedupe_key", "status")
    )
    assert statuses == {"offer-1": "cancelled", "reward-1": "cancelled", "case-1": "sent"}
    assert len(waiting) == 2


@pytest.mark.parametrize(("score", "template"), [(8, "offer"), (10, "reward"), (2, "apology")])
def test_after_a_complaint_an_answer_gets_its_outcome_but_no_email(provider, score, template):
    customer = CustomerFactory(email="annoyed@customer.example")
    post_raw(provider, report("arf_complaint.eml"))
    response = ResponseFactory(customer=customer, score=score)
    with TestCase.captureOnCommitCallbacks(execute=True):
        responses_route(response_ids=[response.pk])
    response.refresh_from_db()
    assert response.routed_at is not None
    assert not OutboundMessage.objects.filter(customer=customer, template=template).exists()


def test_staff_cannot_email_a_bounced_customer_from_their_case(provider):
    case = open_case()
    customer = case.customer
    post_json(provider, bounce(customer.email))
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="address bounced"):
        workflow.case_email_customer(
            case=case, actor=manager(), subject="Sorry", body="We will call.", draft_id="d1"
        )
    assert not OutboundMessage.objects.filter(customer=customer, template="case_message").exists()


def test_a_provider_past_the_write_rate_is_throttled_and_changes_nothing(provider, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "ingest": "1/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    customer = CustomerFactory(email="gone.away@customer.example")
    assert post_json(provider, bounce("nobody@customer.example")).status_code == 200
    refused = post_json(provider, bounce())
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert Customer.objects.get(pk=customer.pk).email_bounced_at is None
