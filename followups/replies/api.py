"""The inbound endpoint for customers' replies: a mail provider's inbound
webhook (or your own MTA) posts each email received at the reply addresses,
as the raw message. The view only translates HTTP to ``replies.services``.

Whatever became of a message (recorded, a duplicate, or ignored because its
reply address is unknown, expired or forged) the answer is the same 202, so
the endpoint tells nobody which reply addresses exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from followups.models import InboundReply
from followups.replies.parsing import ReplyInvalid
from followups.replies.services import reply_receive
from nps_project.api import PayloadTooLarge
from surveys.api import ApiMixin, _errors
from surveys.api_access import ApiKeyAuthentication, ApiKeyBasicAuthentication
from surveys.models import ApiScope

# Form fields that may hold the raw message, as providers name them
# (Mailgun's "store and notify"/forward to a URL ending in "mime": body-mime).
RAW_FIELDS = ("email", "raw", "body-mime")
RECIPIENT_FIELDS = ("recipient", "to")


@dataclass(frozen=True)
class RawMessage:
    body: bytes


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(
        f"A reply is at most {settings.NPS_REPLY_MAX_BYTES // (1024 * 1024)} MB "
        "(NPS_REPLY_MAX_BYTES); this one is larger."
    )


class RawMessageParser(BaseParser):
    """A whole email message as the body (message/rfc822)."""

    media_type = "message/rfc822"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.NPS_REPLY_MAX_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise _too_large()
        return RawMessage(body=body)


def _form_message(data) -> tuple[bytes, tuple[str, ...]]:
    """The raw message and the recipients a form post carries. An uploaded
    file is taken before a text field: its bytes arrive as sent, while a text
    field is decoded as UTF-8 first (an 8-bit message in another charset
    loses its bytes there, so a text field must carry a 7-bit message)."""
    values = [data[name] for name in RAW_FIELDS if data.get(name)]
    value = next((v for v in values if isinstance(v, UploadedFile)), None) or next(
        iter(values), None
    )
    if value is None:
        raise exceptions.ValidationError(
            {"email": ["Post the raw message in the 'email' (or 'raw', 'body-mime') field."]}
        )
    if isinstance(value, UploadedFile):
        if value.size is not None and value.size > settings.NPS_REPLY_MAX_BYTES:
            raise _too_large()
        raw = value.read()
    else:
        raw = str(value).encode("utf-8", errors="surrogateescape")
    if len(raw) > settings.NPS_REPLY_MAX_BYTES:
        raise _too_large()
    recipients = tuple(str(data[name]) for name in RECIPIENT_FIELDS if data.get(name))
    return raw, recipients


class InboundReplyView(ApiMixin, APIView):
    required_scopes = {"POST": ApiScope.MAIL_REPLIES}
    authentication_classes = [
        ApiKeyAuthentication,
        ApiKeyBasicAuthentication,
        SessionAuthentication,
    ]
    parser_classes = [RawMessageParser, FormParser, MultiPartParser]

    @extend_schema(
        operation_id="mail_inbound_create",
        summary="Deliver a customer's email reply",
        description=(
            "Post one email received at a reply address (replies+<token>@...): the whole "
            "message with Content-Type message/rfc822, or a form (urlencoded or multipart) "
            "with the message in the field 'email' (or 'raw', or Mailgun's 'body-mime') and "
            "optionally the delivery's 'recipient' or 'to'. Send the message as a file part of "
            "a multipart form: a text field is decoded as UTF-8, so it must carry a 7-bit "
            "message (8-bit bytes in another charset are lost). The reply lands on the "
            "timeline of the case the address names, with quoted text stripped and "
            "attachments left out. The answer is 202 "
            "whatever became of it: recorded, a duplicate of a message posted before (same "
            "Message-ID), or ignored because its reply address is unknown, expired or forged. "
            "Authenticate with Authorization: Token <key>, or HTTP Basic with the key as "
            "the password."
        ),
        tags=["mail"],
        request={
            "message/rfc822": OpenApiTypes.BINARY,
            "application/x-www-form-urlencoded": OpenApiTypes.OBJECT,
            "multipart/form-data": OpenApiTypes.OBJECT,
        },
        responses={
            202: OpenApiResponse(
                inline_serializer("InboundReplyAccepted", {"accepted": serializers.BooleanField()})
            ),
            **_errors(400, 401, 403, 413, 429),
            415: OpenApiResponse(description="Neither a message nor a form."),
        },
    )
    def post(self, request, *args, **kwargs):
        data = request.data
        if isinstance(data, RawMessage):
            raw, recipients = data.body, ()
        else:
            raw, recipients = _form_message(data)
        try:
            reply_receive(raw=raw, source=InboundReply.Source.API, recipients=recipients)
        except ReplyInvalid as exc:
            raise exceptions.ValidationError({"email": [str(exc)]}) from None
        return Response({"accepted": True}, status=202)
