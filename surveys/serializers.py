"""The REST API's output shapes and the customer update it takes; answers
and customer details come in through ``surveys.ingestion.parsing``. Input is
checked for type and size, every rule about the data is the services'."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from .customers import locale_normalize
from .ingestion import bulk
from .ingestion.parsing import (
    EMAIL_MAX_LENGTH,
    EXTERNAL_ID_MAX_LENGTH,
    LOCALE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    SEGMENT_MAX_LENGTH,
    SingleLineField,
)
from .models import Customer, DriverChoice, Locale, Response, Survey
from .time_zones import validate_time_zone

# --- Input (answers and customer details: ``surveys.ingestion.parsing``) -----


class CustomerUpdateSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
    external_id = serializers.CharField(
        max_length=EXTERNAL_ID_MAX_LENGTH,
        allow_null=True,
        allow_blank=True,
        required=False,
    )
    locale = serializers.CharField(max_length=LOCALE_MAX_LENGTH, allow_blank=True)
    name = SingleLineField(max_length=NAME_MAX_LENGTH, allow_blank=True, required=False)
    segment = SingleLineField(max_length=SEGMENT_MAX_LENGTH, allow_blank=True, required=False)
    time_zone = serializers.CharField(
        max_length=64,
        allow_blank=True,
        required=False,
        help_text="An IANA name (Europe/Warsaw); empty: the phone number's, when it has one.",
    )

    class Meta:
        model = Customer
        fields = ["email", "name", "external_id", "segment", "locale", "time_zone"]
        # Uniqueness is checked by the model itself, case-insensitively.
        validators: list = []

    def validate_external_id(self, value):
        return value or None

    def validate_time_zone(self, value):
        value = value.strip()
        try:
            validate_time_zone(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return value

    def validate_locale(self, value):
        locale = locale_normalize(value)
        if value and not locale:
            supported = ", ".join(choice.value for choice in Locale)
            raise serializers.ValidationError(f"Unsupported language; use one of: {supported}.")
        return locale


# --- Output -----------------------------------------------------------------


class ResponseSerializer(serializers.ModelSerializer):
    survey: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    customer: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    excluded = serializers.BooleanField(source="is_excluded", read_only=True)
    recorded_at = serializers.DateTimeField(source="created_at", read_only=True)
    driver: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="key",
        read_only=True,
        allow_null=True,
        help_text="The key of the driver (main reason) choice the customer chose; null: none.",
    )

    class Meta:
        model = Response
        fields = [
            "id",
            "survey",
            "customer",
            "score",
            "category",
            "comment",
            "driver",
            "channel",
            "submitted_at",
            "segment",
            "locale",
            "properties",
            "idempotency_key",
            "excluded",
            "exclusion_reason",
            "recorded_at",
            "routed_at",
        ]
        read_only_fields = fields


class ResponseWrittenSerializer(ResponseSerializer):
    """What recording an answer returns: the whole answer for a key that may
    read answers (reports:read), else only ``RECORDED_FIELDS``, so that an
    ingest-only key learns nothing of the customer it named (for the schema:
    the other fields are optional; the view picks which to send)."""

    RECORDED_FIELDS = ("id", "category", "recorded_at")

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if name not in self.RECORDED_FIELDS:
                field.read_only, field.required = False, False
        return fields


# As ResponseSerializer writes ``recorded_at`` (the setting's format, the current time zone).
_RECORDED_AT = serializers.DateTimeField(read_only=True)


def response_recorded_data(response: Response) -> dict:
    """``ResponseWrittenSerializer.RECORDED_FIELDS`` alone, as
    ``ResponseSerializer`` writes them: an ingest-only key's answer is three
    values, not a serializer built (its fields copied) for each answer."""
    return {
        "id": response.pk,
        "category": str(response.category),
        "recorded_at": _RECORDED_AT.to_representation(response.created_at),
    }


class CustomerSerializer(serializers.ModelSerializer):
    # Declared so the schema says "" (no language) is a possible value.
    locale = serializers.ChoiceField(choices=Locale.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "email",
            "name",
            "external_id",
            "phone",
            "segment",
            "locale",
            "time_zone",
            "unsubscribed_at",
            "email_bounced_at",
            "email_complained_at",
            "erased_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CustomerWrittenSerializer(CustomerSerializer):
    """What a customer write answers: the whole record for a key that may read
    customers (customers:read), else only the id. (For the schema: every field
    but id is optional; the views pick which to send.)"""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if name != "id":
                field.read_only, field.required = False, False
        return fields


class DriverChoiceSerializer(serializers.ModelSerializer):
    translations = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The label in each language it is worded in besides English, "
        'e.g. {"pl": "Cena"}.',
    )

    class Meta:
        model = DriverChoice
        fields = ["key", "label", "translations", "position", "active"]
        read_only_fields = fields


class SurveySerializer(serializers.ModelSerializer):
    drivers = serializers.SerializerMethodField(
        help_text="The choices of the driver (main reason) question, in order, inactive ones "
        "too (past answers may hold them; only active ones are accepted). Empty when the "
        "survey asks no driver question."
    )
    translations = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        read_only=True,
        help_text="The question, follow-up question and driver question in each language "
        'they are worded in besides English, e.g. {"pl": {"question": "...", '
        '"follow_up_question": "..."}}; '
        "a customer of a language not listed is asked in English.",
    )
    department: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="name",
        read_only=True,
        allow_null=True,
        help_text="The department its answers and cases belong to; null: shared by all.",
    )

    class Meta:
        model = Survey
        fields = [
            "slug",
            "name",
            "department",
            "status",
            "kind",
            "question",
            "follow_up_question",
            "driver_question",
            "drivers",
            "translations",
            "default_locale",
            "throttle_days",
            "reminder_after_days",
            "invitation_lifetime_days",
            "detractor_sla_hours",
            "recurrence",
            "benchmark_nps",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(DriverChoiceSerializer(many=True))
    def get_drivers(self, survey: Survey) -> list:
        if not survey.driver_question:
            return []
        return list(DriverChoiceSerializer(survey.drivers.all(), many=True).data)


class BulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in the request, from 0.")
    status = serializers.ChoiceField(choices=bulk.BULK_STATUSES)
    id = serializers.IntegerField(allow_null=True, help_text="The stored response's id.")
    category = serializers.ChoiceField(choices=Response.Category.choices, allow_null=True)
    # Only documents the output, so shadowing ``Serializer.errors`` is harmless.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Why an invalid item was refused, by field path (customer.email ...).",
    )


class BulkResultSerializer(serializers.Serializer):
    results = BulkItemResultSerializer(many=True)
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    invalid = serializers.IntegerField()


class NpsReportSerializer(serializers.Serializer):
    """Documents ``NpsSummary.as_dict()`` and what the endpoint adds to it."""

    survey = serializers.CharField(help_text="The survey's slug.")
    period = inline_serializer(
        name="NpsPeriod",
        fields={
            "from": serializers.CharField(allow_null=True),
            "to": serializers.CharField(allow_null=True),
            "segment": serializers.CharField(allow_null=True),
        },
        help_text="The selection, as understood: dates stay dates, date-times are in UTC.",
    )
    total = serializers.IntegerField()
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()
    promoter_pct = serializers.FloatField(allow_null=True)
    passive_pct = serializers.FloatField(allow_null=True)
    detractor_pct = serializers.FloatField(allow_null=True)
    nps = serializers.FloatField(allow_null=True, help_text="-100..100; null without answers.")
    confidence_interval = inline_serializer(
        name="NpsConfidenceInterval",
        fields={
            "level": serializers.FloatField(),
            "method": serializers.CharField(),
            "low": serializers.FloatField(allow_null=True),
            "high": serializers.FloatField(allow_null=True),
        },
        help_text="95% adjusted-Wald interval (Rocks 2016).",
    )
    wald_margin = serializers.FloatField(
        allow_null=True, help_text="Plain Wald 95% margin of error, in points."
    )
    sample_too_small = serializers.BooleanField()
    min_sample = serializers.IntegerField()
    warning = serializers.CharField(allow_null=True)
    benchmark_nps = serializers.IntegerField(allow_null=True)
    difference_from_benchmark = serializers.FloatField(allow_null=True)
    previous = inline_serializer(
        name="NpsPreviousPeriod",
        fields={
            "from": serializers.CharField(help_text="Its start (UTC)."),
            "until": serializers.CharField(help_text="Its end (UTC), not included."),
            "total": serializers.IntegerField(),
            "nps": serializers.FloatField(allow_null=True),
            "confidence_interval": serializers.DictField(),
        },
        allow_null=True,
        help_text="With both from and to: the period of the same length just before, "
        "under the same other filters. Null otherwise.",
    )
    change = serializers.FloatField(
        allow_null=True, help_text="NPS minus the previous period's; null if either has none."
    )
    change_is_significant = serializers.BooleanField(
        allow_null=True,
        help_text="Whether the change is larger than the noise: the 95% interval of the "
        "difference excludes zero. Null without a previous period.",
    )


class _IntervalSerializer(serializers.Serializer):
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)


class _DriverGroupSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many of the group chose it.")
    of = serializers.IntegerField(help_text="How many of the group answered the question.")
    share_pct = serializers.FloatField(allow_null=True)
    share_interval = _IntervalSerializer(help_text="95% adjusted-Wald (Agresti-Coull).")


class _DriverRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    # Only documents the output, so shadowing ``Field.label`` is harmless.
    label = serializers.CharField()  # type: ignore[assignment]
    active = serializers.BooleanField()
    count = serializers.IntegerField(help_text="Answers that chose it.")
    share_pct = serializers.FloatField(
        allow_null=True, help_text="Of every answer to the question."
    )
    detractors = _DriverGroupSerializer()
    passives = _DriverGroupSerializer()
    promoters = _DriverGroupSerializer()
    nps = serializers.FloatField(allow_null=True, help_text="NPS of those who chose it.")
    confidence_interval = inline_serializer(
        name="DriverNpsInterval",
        fields={
            "level": serializers.FloatField(),
            "method": serializers.CharField(),
            "low": serializers.FloatField(allow_null=True),
            "high": serializers.FloatField(allow_null=True),
        },
        help_text="95% adjusted-Wald interval of that NPS (Rocks 2016).",
    )
    sample_too_small = serializers.BooleanField()


class DriverReportSerializer(serializers.Serializer):
    survey = serializers.CharField(help_text="The survey's slug.")
    period = serializers.DictField()
    question = serializers.CharField(help_text="The driver question, in English.")
    answered = serializers.IntegerField(help_text="Counted answers that chose any choice.")
    drivers = _DriverRowSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    """The one shape of every API error (see nps_project/api.py)."""

    error = inline_serializer(
        name="ErrorDetail",
        fields={
            "status": serializers.IntegerField(),
            "code": serializers.CharField(),
            "message": serializers.CharField(),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                help_text="Messages by field path (customer.email, responses.3.score).",
            ),
        },
    )
