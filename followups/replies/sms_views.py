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
from followups.outbox.transports.sms import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sms_signature_valid,
)
from followups.replies.sms import sms_receive
from nps_project.api import json_error

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_BODY_BYTES = 64 * 1024


def _too_large(request: HttpRequest) -> bool:
    return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    if _too_large(request):
        return json_error(413, "too_large", "An inbound SMS post is at most 64 KB.")
    token = settings.NPS_SMS_TWILIO_AUTH_TOKEN
    url = settings.PUBLIC_BASE_URL + request.get_full_path()
    params = {key: request.POST.get(key) for key in request.POST}
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not RequestValidator(token).validate(url, params, signature):
        return json_error(403, "bad_signature", "The X-Twilio-Signature does not match.")
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
    body = request.body
    if not sms_signature_valid(
        secret=settings.NPS_SMS_HTTP_SECRET,
        timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
        body=body,
        signature=request.headers.get(SIGNATURE_HEADER, ""),
    ):
        return json_error(
            403, "bad_signature", f"The {SIGNATURE_HEADER} does not match, or is too old."
        )
    try:
        data = json.loads(body)
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
