"""The one registry of webhook events: each one's name, what it means, and
the serializer of its ``data``. The admin, ``webhook_add``, the OpenAPI
schema, the payloads and the tests all read it from here.

A payload is versioned (``version``) and follows the Standard Webhooks
layout: ``{"type", "timestamp", "data", "version"}``. Ids and facts go to
every endpoint; personal data (``PERSONAL_KEYS``: a customer's email address
and name, an answer's comment) only to endpoints that opted in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from followups.models import Offer

PAYLOAD_VERSION = 1
PERSONAL_KEYS = frozenset({"email", "name", "comment"})
PERSONAL_NOTE = "Only sent to endpoints that receive personal data."


class WebhookCustomer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField(
        allow_null=True, help_text="The customer's id in your CRM or shop, if any."
    )
    segment = serializers.CharField()
    email = serializers.EmailField(allow_null=True, required=False, help_text=PERSONAL_NOTE)
    name = serializers.CharField(required=False, help_text=PERSONAL_NOTE)


class WebhookErasedCustomer(serializers.Serializer):
    id = serializers.IntegerField()


class WebhookResponse(serializers.Serializer):
    id = serializers.IntegerField()
    survey = serializers.SlugField(source="survey.slug")
    score = serializers.IntegerField(min_value=0, max_value=10)
    category = serializers.CharField(help_text="detractor, passive or promoter.")
    channel = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    comment = serializers.CharField(required=False, help_text=PERSONAL_NOTE)
    driver = serializers.CharField(
        source="driver.key",
        allow_null=True,
        default=None,
        help_text="The key of the driver (main reason) choice the customer chose; null: none.",
    )
    driver_label = serializers.CharField(
        source="driver.label",
        allow_null=True,
        default=None,
        help_text="That choice's label, in English.",
    )


class WebhookUser(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(source="get_username")


class WebhookSuggestion(serializers.Serializer):
    name = serializers.CharField()
    confidence = serializers.FloatField()
    model_version = serializers.IntegerField()


class WebhookCase(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    priority = serializers.IntegerField()
    owner = WebhookUser(allow_null=True)
    created_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    root_cause = serializers.CharField(source="root_cause.name", allow_null=True, default=None)
    suggested_root_cause = WebhookSuggestion(
        source="suggestion",
        allow_null=True,
        help_text="The root cause the model suggested (null: no confident suggestion).",
    )
    response_id = serializers.IntegerField()


class WebhookGrant(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.SerializerMethodField(help_text="offer or reward.")
    incentive = serializers.SerializerMethodField()
    code = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    expires_at = serializers.DateTimeField()
    redeemed_at = serializers.DateTimeField(allow_null=True)
    response_id = serializers.IntegerField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_kind(self, grant) -> str:
        return "offer" if isinstance(grant.incentive, Offer) else "reward"

    @extend_schema_field(OpenApiTypes.STR)
    def get_incentive(self, grant) -> str:
        return grant.incentive.name


class ResponseRecordedData(serializers.Serializer):
    response = WebhookResponse()
    customer = WebhookCustomer()


class CaseOpenedData(serializers.Serializer):
    case = WebhookCase()
    response = WebhookResponse()
    customer = WebhookCustomer()


class CaseAssignedData(serializers.Serializer):
    case = WebhookCase()
    previous_owner = WebhookUser(allow_null=True)


class CaseStatusChangedData(serializers.Serializer):
    case = WebhookCase()
    previous_status = serializers.CharField()


class CaseResolvedData(serializers.Serializer):
    case = WebhookCase()


class WebhookGrantEvent(serializers.Serializer):
    grant = WebhookGrant()
    customer = WebhookCustomer()


class CustomerUnsubscribedData(serializers.Serializer):
    customer = WebhookCustomer()
    unsubscribed_at = serializers.DateTimeField()


class CustomerErasedData(serializers.Serializer):
    customer = WebhookErasedCustomer()
    erased_at = serializers.DateTimeField()


class CustomerComplainedData(serializers.Serializer):
    customer = WebhookCustomer()
    complained_at = serializers.DateTimeField()


class InvitationBouncedData(serializers.Serializer):
    customer = WebhookCustomer()
    bounced_at = serializers.DateTimeField()


class WebhookThemePeriod(serializers.Serializer):
    kind = serializers.CharField(help_text="week or month.")
    # "code", not "name": keys called "name" are a person's and left out
    # for endpoints without personal data (PERSONAL_KEYS).
    code = serializers.CharField(
        source="name", help_text="2026-W09 (an ISO week) or 2026-03 (a month)."
    )
    start = serializers.DateField()
    end = serializers.DateField(help_text="The first day after the period.")


class WebhookThemeInterval(serializers.Serializer):
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)


class WebhookTheme(serializers.Serializer):
    id = serializers.IntegerField(help_text="The same across periods while the topic lasts.")
    title = serializers.CharField(
        source="name", allow_blank=True, help_text="Its name, given by a manager, or empty."
    )
    words = serializers.ListField(
        child=serializers.CharField(), help_text="Its characteristic words this period."
    )
    answers = serializers.IntegerField()
    share = serializers.FloatField(help_text="Percent of the period's answers with a comment.")
    nps = serializers.FloatField(allow_null=True)
    confidence_interval = WebhookThemeInterval(help_text="95%, adjusted-Wald.")
    new = serializers.BooleanField()
    growing = serializers.BooleanField()


class ThemesComputedData(serializers.Serializer):
    survey = serializers.SlugField(source="survey.slug")
    period = WebhookThemePeriod()
    themes = WebhookTheme(many=True)


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    data: type[serializers.Serializer]


EVENT_TYPES: dict[str, EventType] = {
    event.name: event
    for event in (
        EventType(
            "response.recorded",
            "An answer was recorded (sent once its outcome is decided: case, offer or reward).",
            ResponseRecordedData,
        ),
        EventType("case.opened", "A detractor's answer opened a follow-up case.", CaseOpenedData),
        EventType("case.assigned", "A case got a new owner (or none).", CaseAssignedData),
        EventType("case.status_changed", "A case moved along its workflow.", CaseStatusChangedData),
        EventType("case.resolved", "A case was resolved.", CaseResolvedData),
        EventType(
            "grant.issued", "An offer or a reward was granted with its code.", WebhookGrantEvent
        ),
        EventType("grant.redeemed", "An offer or reward code was redeemed.", WebhookGrantEvent),
        EventType(
            "customer.unsubscribed",
            "A customer asked for no more emails.",
            CustomerUnsubscribedData,
        ),
        EventType(
            "customer.erased",
            "A customer's personal data was erased (forget what you hold about them).",
            CustomerErasedData,
        ),
        EventType(
            "customer.complained",
            "A customer reported our email as spam; they get no more emails.",
            CustomerComplainedData,
        ),
        EventType(
            "invitation.bounced",
            "A customer's email address was refused for good; they are not invited again.",
            InvitationBouncedData,
        ),
        EventType(
            "themes.computed",
            "A period's comment themes were computed (each theme's words, share and NPS).",
            ThemesComputedData,
        ),
    )
}


def event_names() -> list[str]:
    return list(EVENT_TYPES)


def events_check(names) -> list[str]:
    """The event names given, checked against the registry, in its order;
    ValueError naming the unknown ones."""
    wanted = {str(name).strip() for name in names if str(name).strip()}
    unknown = sorted(wanted - set(EVENT_TYPES))
    if unknown:
        raise ValueError(
            f"Unknown event(s): {', '.join(unknown)}. Known: {', '.join(EVENT_TYPES)}."
        )
    if not wanted:
        raise ValueError(f"Name at least one event. Known: {', '.join(EVENT_TYPES)}.")
    return [name for name in EVENT_TYPES if name in wanted]


# Objects whose keys are facts whatever their names (a suggestion's "name" is
# a root cause's, not a person's).
FACT_KEYS = frozenset({"suggested_root_cause"})


def without_personal_data(value: Any) -> Any:
    """``value`` with every key in ``PERSONAL_KEYS`` left out, at any depth
    (but inside ``FACT_KEYS``)."""
    if isinstance(value, Mapping):
        return {
            k: v if k in FACT_KEYS else without_personal_data(v)
            for k, v in value.items()
            if k not in PERSONAL_KEYS
        }
    if isinstance(value, list):
        return [without_personal_data(item) for item in value]
    return value


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC, to the microsecond, with a Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def payload(name: str, *, occurred_at: datetime, objects: Mapping[str, Any]) -> dict:
    """The full payload (personal data included) of event ``name`` about
    ``objects`` (what its data serializer reads, by field name)."""
    data = EVENT_TYPES[name].data(objects).data
    return {
        "type": name,
        "timestamp": timestamp(occurred_at),
        "data": data,
        "version": PAYLOAD_VERSION,
    }
