"""SMS: one outbox row is one text message to the customer's phone (E.164),
handed to the provider ``NPS_SMS_TRANSPORT`` names. Every provider is a
``SmsGateway`` behind the same three lines: the console (printed, the
default), a generic HTTP gateway (a JSON POST signed with HMAC-SHA256, see
``sms_signature``), and Twilio through its official library (its base URL
settable, so tests talk to a local server speaking its Messages API).

What the provider answers decides the row, as for webhooks: accepted, sent;
a refusal that cannot change (a 4xx but 408 and 429, a number it will not
text) fails it for good; the rest (and 401/403: our credentials, to be fixed)
is tried again later, a 429 no sooner than its Retry-After. The id the
provider's delivery reports will name is kept on the row
(``provider_message_id``; ``followups.outbox.sms.sms_delivery_record``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sys
from typing import ClassVar

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from followups.models import OutboundMessage
from followups.outbox.transports.base import MessageCancelled, Transport, TransportError
from followups.outbox.transports.webhook import is_permanent, retry_after_seconds
from nps_project.numbers import whole_number
from surveys.phones import phone_normalize

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-NPS-Signature"
TIMESTAMP_HEADER = "X-NPS-Timestamp"
USER_AGENT = "nps-loop-sms/1"
# The confirmation of a STOP: the one text that goes to an unsubscribed customer.
STOP_TEMPLATE = "stop_sms"


# Which way a post goes, signed into it: a post we made to the gateway
# cannot be replayed to our inbound webhook (the secret is the same), nor a
# delivery report to it, nor a text to the reports' hook.
OUTBOUND, INBOUND, STATUS = "outbound", "inbound", "status"


def sms_signature(*, secret: str, direction: str, timestamp: str, body: bytes) -> str:
    """The generic gateway's signature: ``v1=`` and the hex HMAC-SHA256,
    under the shared secret, of the direction (``outbound``: our post to
    the gateway; ``inbound``: its post to us), a dot, the timestamp (Unix
    seconds), a dot, and the raw body."""
    message = direction.encode() + b"." + timestamp.encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sms_signature_valid(
    *, secret: str, timestamp: str, body: bytes, signature: str, direction: str = INBOUND
) -> bool:
    """Whether a post of the gateway to us (``direction``: a text, or a
    delivery report) carries its signature, made within the allowed age."""
    sent_at = whole_number(timestamp or "")
    if not secret or sent_at is None:
        return False
    age = abs(timezone.now().timestamp() - sent_at)
    if age > settings.NPS_SMS_SIGNATURE_MAX_AGE_SECONDS:
        return False
    expected = sms_signature(secret=secret, direction=direction, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, signature or "")


class SmsGateway:
    """One provider: sends one text and returns the id its delivery reports
    will name ("" when it sends none), or raises ``TransportError``."""

    name: ClassVar[str]

    def send(self, message: OutboundMessage, *, to: str) -> str:
        raise NotImplementedError


class ConsoleGateway(SmsGateway):
    """Prints each text, as Django's console email backend prints mail."""

    name = "console"

    def send(self, message: OutboundMessage, *, to: str) -> str:
        sys.stdout.write(f"SMS to {to} (outbox #{message.pk}):\n{message.body_text}\n\n")
        sys.stdout.flush()
        return ""


class HttpGateway(SmsGateway):
    """A signed JSON POST per text to ``NPS_SMS_HTTP_URL``:
    ``{"id": "nps-sms-<row>", "to": "+48...", "from": "...", "text": "..."}``
    (the id is the same on every retry, so the gateway can drop a duplicate,
    and its delivery report names the text by it)."""

    name = "http"

    def send(self, message: OutboundMessage, *, to: str) -> str:
        url, secret = settings.NPS_SMS_HTTP_URL, settings.NPS_SMS_HTTP_SECRET
        if not url or not secret:
            raise TransportError("NPS_SMS_HTTP_URL and NPS_SMS_HTTP_SECRET must be set.")
        provider_id = f"nps-sms-{message.pk}"
        body = json.dumps(
            {
                "id": provider_id,
                "to": to,
                "from": settings.NPS_SMS_FROM,
                "text": message.body_text,
            },
            ensure_ascii=False,
        ).encode()
        timestamp = str(int(timezone.now().timestamp()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sms_signature(
                secret=secret, direction=OUTBOUND, timestamp=timestamp, body=body
            ),
        }
        try:
            reply = requests.post(
                url,
                data=body,
                headers=headers,
                timeout=settings.NPS_SMS_TIMEOUT,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if 200 <= reply.status_code < 300:
            return provider_id
        raise TransportError(
            f"The SMS gateway answered {reply.status_code} {reply.text[:200]}".strip(),
            permanent=_refused_for_good(reply.status_code),
            retry_after=retry_after_seconds(reply.headers.get("Retry-After"), now=timezone.now()),
        )


class TwilioGateway(SmsGateway):
    """Twilio's Messages API through its library (``twilio.rest.Client``)."""

    name = "twilio"

    def __init__(self) -> None:
        sid, token = settings.NPS_SMS_TWILIO_ACCOUNT_SID, settings.NPS_SMS_TWILIO_AUTH_TOKEN
        if not sid or not token or not settings.NPS_SMS_FROM:
            raise TransportError(
                "NPS_SMS_TWILIO_ACCOUNT_SID, NPS_SMS_TWILIO_AUTH_TOKEN and NPS_SMS_FROM "
                "must be set."
            )
        # Loaded by the process that sends through Twilio, not by every one.
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        self.client = Client(
            sid, token, http_client=TwilioHttpClient(timeout=settings.NPS_SMS_TIMEOUT)
        )
        self.client.api.base_url = settings.NPS_SMS_TWILIO_BASE_URL

    def send(self, message: OutboundMessage, *, to: str) -> str:
        from twilio.base.exceptions import TwilioRestException

        try:
            sent = self.client.messages.create(
                to=to,
                from_=settings.NPS_SMS_FROM,
                body=message.body_text,
                status_callback=settings.PUBLIC_BASE_URL + reverse("sms-status-twilio"),
            )
        except TwilioRestException as exc:
            raise TransportError(
                f"Twilio answered {exc.status} (error {exc.code}): {exc.msg}"[:500],
                permanent=_refused_for_good(exc.status),
            ) from exc
        except requests.RequestException as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        return sent.sid or ""


def _refused_for_good(status: int) -> bool:
    """A provider's refusal that sending again cannot change. Not 401 or 403:
    those are our credentials, wrong until someone fixes the setting, and
    the texts wait for that rather than fail."""
    return is_permanent(status) and status not in (401, 403)


GATEWAYS: dict[str, type[SmsGateway]] = {
    gateway.name: gateway for gateway in (ConsoleGateway, HttpGateway, TwilioGateway)
}


class SmsTransport(Transport):
    """Text messages through the configured provider."""

    channel = OutboundMessage.Channel.SMS
    noun = "SMS"

    def __init__(self) -> None:
        self.gateway: SmsGateway | None = None

    def open(self) -> None:
        # Read once a batch; a misconfiguration holds the texts until it is fixed.
        gateway = GATEWAYS.get(settings.NPS_SMS_TRANSPORT)
        if gateway is None:
            raise TransportError(
                f"NPS_SMS_TRANSPORT is {settings.NPS_SMS_TRANSPORT!r}: use one of "
                + ", ".join(sorted(GATEWAYS))
                + "."
            )
        self.gateway = gateway()

    def deliver(self, message: OutboundMessage) -> None:
        # Checked here too, not only when it was queued: a text held for the
        # quiet hours or a retry must not reach someone who texted STOP (or
        # was erased) meanwhile. The STOP confirmation alone still goes.
        customer = message.customer
        if customer is not None and message.template != STOP_TEMPLATE and customer.sms_block:
            raise MessageCancelled(
                f"Cancelled: the customer may not be texted ({customer.sms_block})."
            )
        try:
            to = phone_normalize(message.recipient)
        except ValidationError:
            to = None
        if not to:
            raise TransportError("Not a phone number in E.164.", permanent=True)
        assert self.gateway is not None  # noqa: S101 - opened by the sender first
        provider_id = self.gateway.send(message, to=to)
        if provider_id:
            # Kept at once: the provider's report of its delivery names it.
            OutboundMessage.objects.filter(pk=message.pk).update(
                provider_message_id=provider_id[:100]
            )

    def message_seconds(self) -> float:
        # Connecting and the reply, each bounded by the timeout.
        return settings.NPS_SMS_TIMEOUT * 2
