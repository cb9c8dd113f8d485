"""The webhooks in the OpenAPI 3.1 schema (``webhooks``), one per event of
the registry, each with its payload's shape (SPECTACULAR_SETTINGS["WEBHOOKS"])."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, OpenApiWebhook, extend_schema
from rest_framework import serializers

from followups.webhooks.events import EVENT_TYPES, PAYLOAD_VERSION, EventType

SIGNED = (
    "Sent as a POST of JSON, signed per the Standard Webhooks specification: "
    "`webhook-id` (the same for every retry of one event: drop duplicates by it), "
    "`webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,` and the base64 "
    "HMAC-SHA256 of `<id>.<timestamp>.<body>`, keyed with the base64-decoded part of "
    "the endpoint's `whsec_` secret). Answer 2xx to accept it; 410 disables the "
    "endpoint; another 4xx but 408 and 429 refuses this event for good; anything else "
    "(or no answer within 10 s) is retried with backoff."
)


def _envelope(event: EventType) -> type[serializers.Serializer]:
    name = "".join(part.title() for part in event.name.replace("_", ".").split("."))
    return type(
        f"{name}Webhook",
        (serializers.Serializer,),
        {
            "__module__": __name__,
            "__doc__": event.description,
            "type": serializers.ChoiceField(choices=[event.name]),
            "timestamp": serializers.DateTimeField(help_text="When it happened (UTC)."),
            "data": event.data(),
            "version": serializers.ChoiceField(
                choices=[PAYLOAD_VERSION], help_text="The payload's version."
            ),
        },
    )


WEBHOOKS = [
    OpenApiWebhook(
        name=event.name,
        decorator=extend_schema(
            summary=event.description,
            description=SIGNED,
            request=_envelope(event),
            responses={200: OpenApiResponse(description="Accepted (any 2xx).")},
        ),
    )
    for event in EVENT_TYPES.values()
]
