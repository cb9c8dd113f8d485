"""The inbound endpoint for bounces and spam complaints: a mail provider (or
your own MTA) posts what it learned about an address, in the documented JSON
shape or as the raw report message, and the address stops getting email.
The view only translates HTTP to ``followups.outbox.bounces`` and back."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from followups.models import MailEvent
from followups.outbox import dsn
from followups.outbox.bounces import OUTCOMES, MailReport, mail_reports_record
from surveys.api import ApiMixin, _errors
from surveys.api_access import ApiKeyAuthentication, ApiKeyBasicAuthentication
from surveys.models import ApiScope

MAX_EVENTS = 1000
MAX_REPORT_BYTES = dsn.MAX_REPORT_BYTES


@dataclass(frozen=True)
class RawReport:
    body: bytes
    content_type: str


class MailReportParser(BaseParser):
    """A whole report message as the body (message/rfc822)."""

    media_type = "message/rfc822"

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read(MAX_REPORT_BYTES + 1) if stream is not None else b""
        if len(body) > MAX_REPORT_BYTES:
            raise exceptions.ParseError(
                f"A report is at most {MAX_REPORT_BYTES // 1024} KiB; this one is larger."
            )
        if not body.strip():
            raise exceptions.ParseError("The body is empty: post the report message.")
        return RawReport(body=body, content_type=media_type or self.media_type)


class MultipartReportParser(MailReportParser):
    """A report's MIME body, its boundary in the request's Content-Type."""

    media_type = "multipart/report"


class MailEventInSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=MailEvent.Kind.choices)
    email = serializers.EmailField(max_length=254)
    bounce_type = serializers.ChoiceField(
        choices=MailEvent.BounceType.choices,
        required=False,
        help_text="Required for a bounce: permanent stops email, transient is only recorded.",
    )
    status = serializers.RegexField(
        r"^[245]\.\d{1,3}\.\d{1,3}$",
        required=False,
        allow_blank=True,
        help_text="The enhanced status code (RFC 3463), such as 5.1.1.",
    )
    diagnostic = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, trim_whitespace=True
    )
    occurred_at = serializers.DateTimeField(
        help_text="When the bounce or complaint happened (ISO 8601); with the other fields, "
        "what makes a retried post the same event."
    )
    message_id = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        help_text="The Message-ID of our email, if the provider reports it: it names "
        "the email, and so the customer, exactly.",
    )

    def validate(self, attrs):
        if attrs["type"] == MailEvent.Kind.BOUNCE and not attrs.get("bounce_type"):
            raise serializers.ValidationError(
                {"bounce_type": "A bounce needs its bounce_type: permanent or transient."}
            )
        if attrs["type"] == MailEvent.Kind.COMPLAINT and attrs.get("bounce_type"):
            raise serializers.ValidationError(
                {"bounce_type": "A complaint has no bounce_type; leave it out."}
            )
        return attrs

    def report(self, data: dict) -> MailReport:
        return MailReport(
            kind=data["type"],
            email=data["email"],
            bounce_type=data.get("bounce_type", ""),
            status_code=data.get("status", ""),
            diagnostic=" ".join(data.get("diagnostic", "").split()),
            occurred_at=data["occurred_at"],
            message_id=data.get("message_id", "").strip(),
            source=MailEvent.Source.JSON,
        )


class MailEventResultSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=MailEvent.Kind.choices)
    email = serializers.EmailField()
    bounce_type = serializers.CharField()
    outcome = serializers.ChoiceField(
        choices=OUTCOMES,
        help_text="recorded; duplicate (posted before: nothing changed); unknown (no "
        "customer has this address: nothing stored).",
    )


class MailEventsResultSerializer(serializers.Serializer):
    results = MailEventResultSerializer(many=True)
    recorded = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    unknown = serializers.IntegerField()
    ignored = serializers.IntegerField(
        help_text="Recipients a report names that did not bounce (delivered, relayed), "
        "and not-spam feedback."
    )


def _json_reports(data) -> list[MailReport]:
    many = isinstance(data, list)
    items = data if many else [data]
    if not items:
        raise exceptions.ValidationError({"events": ["Post one event, or a list of events."]})
    if len(items) > MAX_EVENTS:
        raise exceptions.ValidationError(
            {"events": [f"At most {MAX_EVENTS} events in one request; got {len(items)}."]}
        )
    if not all(isinstance(item, dict) for item in items):
        raise exceptions.ValidationError({"events": ["Each event must be a JSON object."]})
    checked = MailEventInSerializer(data=items, many=True)
    if not checked.is_valid():
        raise exceptions.ValidationError({"events": checked.errors} if many else checked.errors[0])
    one = MailEventInSerializer()
    return [one.report(item) for item in checked.validated_data]


def _raw_reports(raw: RawReport) -> tuple[list[MailReport], int]:
    try:
        return dsn.reports_from_message(raw.body, raw.content_type)
    except dsn.ReportInvalid as exc:
        raise exceptions.ValidationError({"report": [str(exc)]}) from None


JSON_EXAMPLE = {
    "type": "bounce",
    "email": "gone.away@customer.example",
    "bounce_type": "permanent",
    "status": "5.1.1",
    "diagnostic": "550 5.1.1 User unknown",
    "occurred_at": "2026-12-01T08:14:05Z",
    "message_id": "<nps-4711@shop.example>",
}


class MailEventsView(ApiMixin, APIView):
    required_scopes = {"POST": ApiScope.MAIL_EVENTS}
    authentication_classes = [
        ApiKeyAuthentication,
        ApiKeyBasicAuthentication,
        SessionAuthentication,
    ]
    parser_classes = [JSONParser, MailReportParser, MultipartReportParser]

    @extend_schema(
        operation_id="mail_events_create",
        summary="Report bounces and spam complaints",
        description=(
            "Post one event or a list of up to 1000 in this JSON shape, or a raw report "
            "message: an RFC 3464 bounce (delivery status notification) or an RFC 5965 "
            "abuse report, with Content-Type message/rfc822 (the whole message) or "
            "multipart/report (its body). A permanent bounce or a complaint stops all email "
            "to the customer with that address; a transient bounce is only recorded. "
            "Authenticate with Authorization: Token <key>, or HTTP Basic with the key as "
            "the password. All or nothing: an invalid event refuses the whole request. "
            "Posting the same event again changes nothing (outcome duplicate); an address "
            "no customer has is counted as unknown."
        ),
        tags=["mail"],
        request={
            "application/json": MailEventInSerializer,
            "message/rfc822": OpenApiTypes.BINARY,
            "multipart/report": OpenApiTypes.BINARY,
        },
        responses={
            200: OpenApiResponse(MailEventsResultSerializer),
            **_errors(400, 401, 403, 429),
            415: OpenApiResponse(description="Neither JSON nor a report message."),
        },
        examples=[OpenApiExample("A hard bounce", value=JSON_EXAMPLE, request_only=True)],
    )
    def post(self, request, *args, **kwargs):
        data = request.data
        if isinstance(data, RawReport):
            reports, ignored = _raw_reports(data)
        else:
            reports, ignored = _json_reports(data), 0
        outcomes = mail_reports_record(reports=reports)
        counts = Counter(outcomes)
        return Response(
            {
                "results": [
                    {
                        "type": report.kind,
                        "email": report.email,
                        "bounce_type": report.bounce_type,
                        "outcome": outcome,
                    }
                    for report, outcome in zip(reports, outcomes, strict=True)
                ],
                **{name: counts[name] for name in OUTCOMES},
                "ignored": ignored,
            }
        )
