"""The shape of an answer as integrations send it, read by DRF: one answer, a
bulk envelope, and each bulk item read exactly as a single answer is."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import UTC

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from nps_project.api import flatten_errors
from nps_project.api_reading import ShapeReader

from ..models import Customer, DriverChoice, Response, Survey
from ..scores import SCORE_INVALID, ScoreInvalid, score_parse
from ..text import single_line

MAX_BULK_ITEMS = 1000

# Field sizes of the ingestion payload (the model's, where there is one).
SURVEY_MAX_LENGTH = Survey._meta.get_field("slug").max_length
EMAIL_MAX_LENGTH = Customer._meta.get_field("email").max_length
NAME_MAX_LENGTH = Customer._meta.get_field("name").max_length
EXTERNAL_ID_MAX_LENGTH = Customer._meta.get_field("external_id").max_length
SEGMENT_MAX_LENGTH = Customer._meta.get_field("segment").max_length
LOCALE_MAX_LENGTH = 35  # a BCP 47 tag as a client may send it; normalized on the way in
COMMENT_MAX_LENGTH = Response._meta.get_field("comment").max_length
IDEMPOTENCY_KEY_MAX_LENGTH = Response._meta.get_field("idempotency_key").max_length
DRIVER_MAX_LENGTH = DriverChoice._meta.get_field("key").max_length

CUSTOMER_ID_REFUSED = "Answers name their customer by email or external_id, never by database id."


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 10})
class ScoreField(serializers.Field):
    """0..10 as ``surveys.scores.score_parse`` reads it (``8``, ``8.0``, ``"8"``)."""

    default_error_messages = {"invalid": SCORE_INVALID}

    def to_internal_value(self, data):
        try:
            return score_parse(data)
        except ScoreInvalid:
            self.fail("invalid")

    def to_representation(self, value):
        return value


class SingleLineField(serializers.CharField):
    """Text cleaned by ``surveys.text.single_line`` before it is validated:
    control characters (NUL included) are dropped, not refused."""

    def to_internal_value(self, data):
        return single_line(super().to_internal_value(data))


class RefusedField(serializers.Field):
    """A key that must not be sent: absent or null it is ignored, any value
    is refused with ``message``, which says why."""

    def __init__(self, message: str, **kwargs):
        super().__init__(
            required=False, write_only=True, error_messages={"refused": message}, **kwargs
        )

    def validate_empty_values(self, data):
        if data is empty or data is None:
            raise SkipField
        self.fail("refused")


def _optional_text(max_length: int | None, *, field=serializers.CharField, **kwargs):
    return field(required=False, allow_null=True, allow_blank=True, max_length=max_length, **kwargs)


class CustomerDetailsSerializer(serializers.Serializer):
    email = serializers.EmailField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=EMAIL_MAX_LENGTH,
        help_text="Matched case-insensitively; required to create a customer.",
    )
    name = _optional_text(NAME_MAX_LENGTH, field=SingleLineField)
    external_id = _optional_text(
        EXTERNAL_ID_MAX_LENGTH,
        help_text="The customer's id in your CRM or shop; matched before the email.",
    )
    segment = _optional_text(SEGMENT_MAX_LENGTH, field=SingleLineField)
    locale = _optional_text(
        LOCALE_MAX_LENGTH,
        help_text="A language tag (en, pl-PL, zh-Hans, ru ...); unsupported ones are ignored.",
    )


def time_zone_field() -> serializers.CharField:
    """A contact's time zone (checked by the service writing the contact)."""
    return serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=64,
        help_text="An IANA name (Europe/Warsaw): no SMS reaches them in their quiet hours. "
        "Not given: the phone number's zone, when the number lies in one only.",
    )


class CustomerContactSerializer(CustomerDetailsSerializer):
    """A customer's details as the customers API writes them."""

    time_zone = time_zone_field()


@extend_schema_serializer(exclude_fields=["id"])
class CustomerReferenceSerializer(CustomerDetailsSerializer):
    """Who answered, by their details: found by external id, else by email;
    created when neither matches; updated with the details given. Never by
    database id: that would let a key address customers it cannot read."""

    id = RefusedField(CUSTOMER_ID_REFUSED)


class ResponseInSerializer(serializers.Serializer):
    survey = serializers.CharField(
        max_length=SURVEY_MAX_LENGTH,
        help_text="The survey's slug; it must be active or paused.",
    )
    customer = CustomerReferenceSerializer()
    score = ScoreField(help_text="0-6 detractor, 7-8 passive, 9-10 promoter.")
    comment = _optional_text(COMMENT_MAX_LENGTH)
    driver = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=DRIVER_MAX_LENGTH,
        help_text="The answer to the survey's driver (main reason) question: the key of one "
        "of its active choices (e.g. price), as GET /api/v1/surveys/{slug}/ lists them; "
        "an id is accepted too. Optional.",
    )
    submitted_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default_timezone=UTC,
        help_text="When the customer answered (ISO 8601; UTC when no offset is given); "
        "now when absent. At most 5 minutes in the future.",
    )
    idempotency_key = _optional_text(
        IDEMPOTENCY_KEY_MAX_LENGTH,
        help_text="Send the same key again and you get the stored answer back (200), "
        "nothing is recorded twice.",
    )


@extend_schema_field(ResponseInSerializer(many=True))
class BulkItemsField(serializers.ListField):
    """The items as sent: each is read on its own (``answers_read``), so that
    an invalid one never hides the valid ones; the schema documents them as
    what they are."""


class ResponseBulkInSerializer(serializers.Serializer):
    responses = BulkItemsField(
        min_length=1,
        max_length=MAX_BULK_ITEMS,
        help_text="Up to 1000 answers. Each is checked on its own: an invalid item is "
        "reported in its result and never blocks the others.",
    )


def answer_read(data) -> dict:
    """One answer (a JSON object) as ``ResponseInSerializer`` reads it: the
    validated data, or DRF's ``ValidationError`` with the same detail. Read
    by the serializer's own fields (``ShapeReader``), walked once per process
    instead of copied for each answer."""
    return _answer_reader().read(data)


@functools.cache
def _answer_reader() -> ShapeReader:
    return ShapeReader(ResponseInSerializer, remember=False)


Read = tuple[Mapping | None, dict[str, list[str]] | None]


def answers_read(items: Sequence) -> list[Read]:
    """Each item as ``ResponseInSerializer`` reads one answer: ``(data, None)``,
    or ``(None, errors)`` with the messages by dotted path, as the API's error
    body has them for a single answer. Read by the serializer's own fields
    (``ShapeReader``), which judge a value repeated in the batch once."""
    reader = ShapeReader(ResponseInSerializer)
    read: list[Read] = []
    for raw in items:
        try:
            data = reader.read(raw)
        except serializers.ValidationError as exc:
            read.append((None, flatten_errors(exc.detail)))
        else:
            read.append((data, None))
    return read
