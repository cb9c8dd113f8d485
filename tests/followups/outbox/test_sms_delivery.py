"""Delivery reports of texts: Twilio's StatusCallback and the generic
gateway's signed status post mark the text's outbox row delivered,
undelivered or failed (with the provider's error code, shown in the admin),
once, and only when signed."""

from __future__ import annotations

import json
import time

import pytest
from twilio.request_validator import RequestValidator

from followups.models import OutboundMessage
from followups.outbox.sms import sms_queue
from followups.outbox.transports.sms import SIGNATURE_HEADER, TIMESTAMP_HEADER, sms_signature
from tests.factories import CustomerFactory
from tests.followups.sms_provider import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    GATEWAY_SECRET,
)

pytestmark = pytest.mark.django_db

TWILIO_URL = "/sms/status/twilio/"
HTTP_URL = "/sms/status/http/"
DELIVERY_FIELDS = ("delivery", "delivery_error")


def texted(django_capture_on_commit_callbacks) -> OutboundMessage:
    customer = CustomerFactory(phone="+48601234567")
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_queue(
            template="invitation_sms",
            dedupe_key="test:sms",
            customer=customer,
            language="en",
            text="How likely are you to recommend us?",
        )
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    return message


def twilio_report(client, settings, *, sid, status, error_code="", token=AUTH_TOKEN):
    params = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "MessageStatus": status}
    if error_code:
        params["ErrorCode"] = error_code
    signature = RequestValidator(token).compute_signature(
        settings.PUBLIC_BASE_URL + TWILIO_URL, params
    )
    return client.post(TWILIO_URL, params, HTTP_X_TWILIO_SIGNATURE=signature)


def gateway_report(client, data, *, direction="status", secret=GATEWAY_SECRET):
    body = json.dumps(data).encode()
    timestamp = str(int(time.time()))
    signature = sms_signature(secret=secret, direction=direction, timestamp=timestamp, body=body)
    return client.post(
        HTTP_URL,
        body,
        content_type="application/json",
        headers={TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature},
    )


def delivery_of(message: OutboundMessage) -> tuple[str, str]:
    message.refresh_from_db()
    return (message.delivery, message.delivery_error)


def test_a_text_sent_through_twilio_asks_for_its_reports_and_keeps_its_sid(
    twilio, settings, django_capture_on_commit_callbacks
):
    message = texted(django_capture_on_commit_callbacks)

    [sent] = twilio.sent
    assert sent["StatusCallback"] == settings.PUBLIC_BASE_URL + TWILIO_URL
    assert message.provider_message_id == f"SM{0:032d}"


def test_twilio_reports_an_undelivered_text_with_its_error_code_once(
    twilio, client, settings, django_capture_on_commit_callbacks
):
    message = texted(django_capture_on_commit_callbacks)
    sid = message.provider_message_id

    on_its_way = twilio_report(client, settings, sid=sid, status="sent")
    undelivered = twilio_report(client, settings, sid=sid, status="undelivered", error_code="30003")
    again = twilio_report(client, settings, sid=sid, status="undelivered", error_code="30003")
    late = twilio_report(client, settings, sid=sid, status="delivered")

    assert [r.status_code for r in (on_its_way, undelivered, again, late)] == [200] * 4
    assert [r.json()["recorded"] for r in (on_its_way, undelivered, again, late)] == [
        False,
        True,
        False,
        False,
    ]
    assert delivery_of(message) == ("undelivered", "30003")
    assert message.delivery_reported_at is not None
    assert message.status == OutboundMessage.Status.SENT  # handed over: that stands


def test_a_twilio_report_with_a_bad_signature_is_refused_and_records_nothing(
    twilio, client, settings, django_capture_on_commit_callbacks
):
    message = texted(django_capture_on_commit_callbacks)

    forged = twilio_report(
        client, settings, sid=message.provider_message_id, status="failed", token="not-it"
    )

    assert forged.status_code == 403
    assert delivery_of(message) == ("", "")


def test_the_gateway_reports_a_delivered_text_by_the_id_we_gave_it(
    gateway, client, django_capture_on_commit_callbacks
):
    message = texted(django_capture_on_commit_callbacks)
    [sent] = gateway.sent

    reply = gateway_report(client, {"id": sent["id"], "status": "delivered"})

    assert (reply.status_code, reply.json()) == (200, {"recorded": True})
    assert message.provider_message_id == sent["id"] == f"nps-sms-{message.pk}"
    assert delivery_of(message) == ("delivered", "")


def test_the_gateway_report_must_be_signed_as_a_report(
    gateway, client, django_capture_on_commit_callbacks
):
    message = texted(django_capture_on_commit_callbacks)
    report = {"id": message.provider_message_id, "status": "failed", "error_code": 21}

    as_a_text = gateway_report(client, report, direction="inbound")
    wrong_secret = gateway_report(client, report, secret="not-it")

    assert (as_a_text.status_code, wrong_secret.status_code) == (403, 403)
    assert delivery_of(message) == ("", "")
    assert gateway_report(client, report).json() == {"recorded": True}
    assert delivery_of(message) == ("failed", "21")


@pytest.mark.parametrize(
    "data",
    [{"id": "nps-sms-1", "status": "lost in space"}, {"id": "nps-sms-1"}, ["delivered"]],
)
def test_a_gateway_report_that_says_no_known_status_is_a_clear_400(gateway, client, data):
    reply = gateway_report(client, data)

    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "invalid"


def test_a_report_of_a_text_we_do_not_know_records_nothing(gateway, client):
    reply = gateway_report(client, {"id": "nps-sms-999999", "status": "failed"})

    assert (reply.status_code, reply.json()) == (200, {"recorded": False})


def test_the_outbox_admin_shows_the_delivery_and_its_error_code(
    twilio, client, settings, admin_client, django_capture_on_commit_callbacks
):
    message = texted(django_capture_on_commit_callbacks)
    twilio_report(
        client, settings, sid=message.provider_message_id, status="undelivered", error_code="30005"
    )

    listed = admin_client.get("/admin/followups/outboundmessage/", {"delivery": "undelivered"})
    page = admin_client.get(f"/admin/followups/outboundmessage/{message.pk}/change/")

    assert listed.status_code == page.status_code == 200
    assert "30005" in listed.content.decode()
    assert "30005" in page.content.decode()
    assert message.provider_message_id in page.content.decode()
