"""The SMS providers' inbound webhooks: each text a customer sends to our
number is posted here, checked for the provider's signature, and handed to
``replies.sms.sms_receive``. Authenticated by that signature alone (a
provider holds no API key), so they live outside /api/.

- ``POST /sms/inbound/twilio/``: Twilio's form post (MessageSid, From, Body),
  signed with X-Twilio-Signature over PUBLIC_BASE_URL and the path; answered
  with empty TwiML (any answer is queued in the outbox).
- ``POST /sms/inbound/http/``: the generic gateway's JSON
  ``{"id": ..., "from": "+48...", "text": ...}``, signed as what we post to it
  (X-NPS-Timestamp, X-NPS-Signature: ``v1=`` HMAC-SHA256 of
  "inbound.<timestamp>.<body>" under NPS_SMS_HTTP_SECRET; ``outbound`` on
  our posts to it, so one of ours cannot be replayed here).

And their delivery reports (``followups.outbox.sms.sms_delivery_record``),
signed as the texts are:

- ``POST /sms/status/twilio/``: Twilio's StatusCallback (MessageSid,
  MessageStatus, ErrorCode), which each text we send asks for;
- ``POST /sms/status/http/``: the generic gateway's JSON
  ``{"id": "nps-sms-<row>", "status": "delivered", "error_code": "..."}``,
  signed with the direction ``status``.

A bad or missing signature is a 403 and records nothing; a delivery seen
before is answered as the first was; whatever the text says (an unknown
number, no invitation), the provider gets its 200.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from followups.models import InboundSms
from followups.outbox.sms import UnknownDeliveryStatus, sms_delivery_record
from followups.outbox.transports.sms import (
    INBOUND,
    SIGNATURE_HEADER,
    STATUS,
    TIMESTAMP_HEADER,
    sms_signature_valid,
)
from followups.replies.sms import sms_receive
from nps_project.api import json_error

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_BODY_BYTES = 64 * 1024


def _too_large(request: HttpRequest) -> bool:
    return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES


def _twilio_params(request: HttpRequest) -> dict[str, str] | None:
    """The form Twilio posted, when it carries Twilio's signature over
    PUBLIC_BASE_URL and the path; else None."""
    token = settings.NPS_SMS_TWILIO_AUTH_TOKEN
    url = settings.PUBLIC_BASE_URL + request.get_full_path()
    params = {key: request.POST.get(key) or "" for key in request.POST}
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not RequestValidator(token).validate(url, params, signature):
        return None
    return params


def _gateway_signed(request: HttpRequest, direction: str) -> bool:
    return sms_signature_valid(
        secret=settings.NPS_SMS_HTTP_SECRET,
        timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
        body=request.body,
        signature=request.headers.get(SIGNATURE_HEADER, ""),
        direction=direction,
    )


def _bad_twilio_signature() -> HttpResponse:
    return json_error(403, "bad_signature", "The X-Twilio-Signature does not match.")


def _bad_gateway_signature() -> HttpResponse:
    return json_error(
        403, "bad_signature", f"The {SIGNATURE_HEADER} does not match, or is too old."
    )


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    if _too_large(request):
        return json_error(413, "too_large", "An inbound SMS post is at most 64 KB.")
    params = _twilio_params(request)
    if params is None:
        return _bad_twilio_signature()
    message_id, sender = params.get("MessageSid") or "", params.get("From") or ""
    if not message_id or not sender:
        return json_error(400, "invalid", "A Twilio message has a MessageSid and a From.")
    sms_receive(
        provider=InboundSms.Provider.TWILIO,
        message_id=message_id,
        sender=sender,
        body=params.get("Body") or "",
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_POST
def http_inbound(request: HttpRequest) -> HttpResponse:
    if _too_large(request):
        return json_error(413, "too_large", "An inbound SMS post is at most 64 KB.")
    if not _gateway_signed(request, INBOUND):
        return _bad_gateway_signature()
    try:
        data = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        return json_error(400, "invalid", "The body is not JSON.")
    fields = {name: data.get(name) if isinstance(data, dict) else None for name in ("id", "from")}
    text = data.get("text") if isinstance(data, dict) else None
    if not all(isinstance(value, str) and value for value in fields.values()) or not isinstance(
        text, str | None
    ):
        return json_error(
            400, "invalid", 'Post {"id": "...", "from": "+48...", "text": "..."}, as strings.'
        )
    _inbound, created = sms_receive(
        provider=InboundSms.Provider.HTTP,
        message_id=fields["id"],  # type: ignore[arg-type]  # checked above
        sender=fields["from"],  # type: ignore[arg-type]
        body=text or "",
    )
    return HttpResponse(
        json.dumps({"accepted": True, "duplicate": not created}),
        content_type="application/json",
    )


def _delivery_recorded(*, message_id: str, status: str, error_code: str) -> HttpResponse:
    try:
        recorded = sms_delivery_record(
            provider_message_id=message_id, status=status, error_code=error_code
        )
    except UnknownDeliveryStatus:
        return json_error(
            400,
            "invalid",
            "The status is one of delivered, read, undelivered, failed, or a status of a "
            "text on its way (queued, sent, ...).",
        )
    return HttpResponse(json.dumps({"recorded": recorded}), content_type="application/json")


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    if _too_large(request):
        return json_error(413, "too_large", "A delivery report is at most 64 KB.")
    params = _twilio_params(request)
    if params is None:
        return _bad_twilio_signature()
    message_id, status = params.get("MessageSid", ""), params.get("MessageStatus", "")
    if not message_id or not status:
        return json_error(400, "invalid", "A Twilio status has a MessageSid and a MessageStatus.")
    return _delivery_recorded(
        message_id=message_id, status=status, error_code=params.get("ErrorCode", "")
    )


@csrf_exempt
@require_POST
def http_status(request: HttpRequest) -> HttpResponse:
    if _too_large(request):
        return json_error(413, "too_large", "A delivery report is at most 64 KB.")
    if not _gateway_signed(request, STATUS):
        return _bad_gateway_signature()
    try:
        data = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        return json_error(400, "invalid", "The body is not JSON.")
    data = data if isinstance(data, dict) else {}
    message_id, status = data.get("id"), data.get("status")
    error_code = data.get("error_code") or ""
    if not (isinstance(message_id, str) and message_id and isinstance(status, str) and status):
        return json_error(
            400,
            "invalid",
            'Post {"id": "nps-sms-...", "status": "delivered", "error_code": "..."}, as strings.',
        )
    if not isinstance(error_code, str | int):
        return json_error(400, "invalid", "The error_code is a string or a number.")
    return _delivery_recorded(message_id=message_id, status=status, error_code=str(error_code))
