"""The invitation API's shapes: what a client sends to invite a customer, and
the invitation it gets back. Input is checked for type and size; the rules
(throttle, reachability, channels) are ``followups.invitations.requests``'."""

from __future__ import annotations

from datetime import UTC

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from surveys.ingestion.parsing import (
    MAX_BULK_ITEMS,
    SURVEY_MAX_LENGTH,
    CustomerReferenceSerializer,
    RefusedField,
    time_zone_field,
)
from surveys.models import Channel, Invitation

MAX_DELAY_SECONDS = 366 * 24 * 3600
MAX_PROPERTIES = 50
PROPERTY_NAME_MAX_LENGTH = 100
PROPERTY_VALUE_MAX_LENGTH = 500
IDEMPOTENCY_KEY_MAX_LENGTH: int = Invitation._meta.get_field("idempotency_key").max_length  # type: ignore[assignment]  # declared
PHONE_INPUT_MAX_LENGTH = 32  # as a client may write it; stored in E.164

SEND_AT_AND_DELAY = "Send either send_at or delay, not both."
PROPERTIES_TOO_MANY = f"At most {MAX_PROPERTIES} properties."
PROPERTY_NAME_INVALID = (
    f"A property name is text of 1 to {PROPERTY_NAME_MAX_LENGTH} characters without a colon."
)
PROPERTY_VALUE_INVALID = (
    f"A property value is text (at most {PROPERTY_VALUE_MAX_LENGTH} characters), "
    "a number, true, false or null."
)
# What a client may ask for; only email is sent for now (requests.CHANNELS).
INPUT_CHANNELS = (Channel.EMAIL.value, Channel.SMS.value)
CUSTOMER_ID_REFUSED = "Invitations name their customer by email, phone or external_id."


@extend_schema_serializer(exclude_fields=["id"])
class ContactSerializer(CustomerReferenceSerializer):
    """Who to invite, by their details: found by external id, email or phone
    (in that order) and created when none matches (which needs an email)."""

    id = RefusedField(CUSTOMER_ID_REFUSED)
    phone = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=PHONE_INPUT_MAX_LENGTH,
        help_text="With its country code (+48 601 234 567); stored as E.164.",
    )
    time_zone = time_zone_field()


@extend_schema_field(
    {
        "type": "object",
        "maxProperties": MAX_PROPERTIES,
        "additionalProperties": {
            "nullable": True,
            "oneOf": [
                {"type": "string", "maxLength": PROPERTY_VALUE_MAX_LENGTH},
                {"type": "number"},
                {"type": "boolean"},
            ],
        },
        "example": {"plan": "pro", "order_total": 129.5},
    }
)
class PropertiesField(serializers.Field):
    """Flat name -> value pairs (text, number, true/false, null): what reports
    and answer lists filter on (``?property=plan:pro``)."""

    default_error_messages = {
        "not_object": "Expected an object of name: value pairs.",
        "too_many": PROPERTIES_TOO_MANY,
        "name": PROPERTY_NAME_INVALID,
        "value": PROPERTY_VALUE_INVALID,
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_object")
        if len(data) > MAX_PROPERTIES:
            self.fail("too_many")
        for name, value in data.items():
            if not name or len(name) > PROPERTY_NAME_MAX_LENGTH or ":" in name or "\x00" in name:
                self.fail("name")
            if not _scalar(value):
                self.fail("value")
        return dict(data)

    def to_representation(self, value):
        return value


def _scalar(value) -> bool:
    if isinstance(value, str):
        return len(value) <= PROPERTY_VALUE_MAX_LENGTH and "\x00" not in value
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    return value is None or isinstance(value, bool | int)


class InvitationInSerializer(serializers.Serializer):
    survey = serializers.CharField(
        max_length=SURVEY_MAX_LENGTH, help_text="The survey's slug; it must be active."
    )
    customer = ContactSerializer()
    properties = PropertiesField(
        required=False,
        help_text="Kept on the invitation and copied to the answer; reports filter on them.",
    )
    send_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default_timezone=UTC,
        help_text="When to send (ISO 8601; UTC when no offset is given); now when absent or past.",
    )
    delay = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_DELAY_SECONDS,
        help_text="Send after this many seconds (instead of send_at).",
    )
    channel = serializers.ChoiceField(
        choices=INPUT_CHANNELS,
        required=False,
        default=Channel.EMAIL.value,
        help_text="email, or sms (to the customer's phone; skipped with no_phone without one).",
    )

    def validate(self, attrs):
        if attrs.get("send_at") is not None and attrs.get("delay") is not None:
            raise serializers.ValidationError({"delay": [SEND_AT_AND_DELAY]})
        return attrs


class InvitationBulkItemSerializer(InvitationInSerializer):
    idempotency_key = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=IDEMPOTENCY_KEY_MAX_LENGTH,
        help_text="As the Idempotency-Key header of a single invitation.",
    )


@extend_schema_field(InvitationBulkItemSerializer(many=True))
class BulkInvitationItemsField(serializers.ListField):
    """The items as sent: each is read on its own, so that an invalid one never
    hides the valid ones."""


class InvitationBulkInSerializer(serializers.Serializer):
    invitations = BulkInvitationItemsField(
        min_length=1,
        max_length=MAX_BULK_ITEMS,
        help_text="Up to 1000 invitations, each checked on its own: an invalid item is "
        "reported in its result and never blocks the others.",
    )


class InvitationSerializer(serializers.ModelSerializer):
    survey: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    customer: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    status = serializers.ChoiceField(
        choices=Invitation.Status.choices,
        read_only=True,
        help_text="scheduled, sent, reminded, answered, expired, cancelled or skipped.",
    )
    skip_reason = serializers.ChoiceField(
        choices=Invitation.SkipReason.choices,
        read_only=True,
        help_text="Why it will not be sent (empty unless skipped): throttled, "
        "unsubscribed, bounced, complained (marked our email as spam) or erased.",
    )
    properties = PropertiesField(read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "status",
            "skip_reason",
            "survey",
            "customer",
            "channel",
            "properties",
            "created_at",
            "scheduled_at",
            "sent_at",
            "reminded_at",
            "responded_at",
            "cancelled_at",
            "expires_at",
        ]
        read_only_fields = fields


class InvitationBulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "existing", "skipped", "invalid"])
    invitation = InvitationSerializer(allow_null=True)
    # Only documents the output, so shadowing ``Serializer.errors`` is harmless.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by field path within the item (customer.email, delay).",
    )


class InvitationBulkResultSerializer(serializers.Serializer):
    results = InvitationBulkItemResultSerializer(many=True)
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    skipped = serializers.IntegerField()
    invalid = serializers.IntegerField()
