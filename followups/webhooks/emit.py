"""Events into the outbox: one row per endpoint that wants an event, written
in the transaction of the fact it reports (so the event exists exactly when
the fact does, and the sweeper republishes it if the broker lost it), and
published for delivery after that transaction commits."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from followups.models import OutboundMessage, WebhookEndpoint
from followups.publish import messages_enqueue
from followups.webhooks.events import EVENT_TYPES, payload, without_personal_data


@dataclass(frozen=True)
class Event:
    """One fact to report. ``key`` names the fact (unique among events of its
    type: "case:12", "caseevent:345"), so it is reported once per endpoint.
    ``survey_id``: the survey the fact is about, stored on each delivery so
    that it belongs to that survey's department (a theme report names no
    answer); None for facts about a customer alone, which are shared."""

    name: str
    key: str
    occurred_at: datetime
    objects: Mapping[str, Any]
    response_id: int | None = None
    case_id: int | None = None
    survey_id: int | None = None


def body(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass
class WebhookEmitter:
    """The events of one transaction, for the endpoints active when it is
    created (read once: a batch of a thousand facts costs one query when no
    endpoint wants them)."""

    endpoints: list[WebhookEndpoint] = field(
        default_factory=lambda: list(WebhookEndpoint.objects.active())
    )
    rows: list[OutboundMessage] = field(default_factory=list)

    def wants(self, name: str) -> bool:
        return any(endpoint.wants(name) for endpoint in self.endpoints)

    def add(self, event: Event) -> None:
        if event.name not in EVENT_TYPES:
            raise ValueError(f"Unknown webhook event {event.name!r}.")
        wanting = [endpoint for endpoint in self.endpoints if endpoint.wants(event.name)]
        if not wanting:
            return
        full = payload(event.name, occurred_at=event.occurred_at, objects=event.objects)
        bodies = {True: body(full), False: body(without_personal_data(full))}
        for endpoint in wanting:
            self.rows.append(
                OutboundMessage(
                    channel=OutboundMessage.Channel.WEBHOOK,
                    webhook_endpoint=endpoint,
                    dedupe_key=f"webhook:{endpoint.pk}:{event.name}:{event.key}",
                    template=event.name,
                    language="",
                    recipient=endpoint.url[:254],
                    body_text=bodies[endpoint.personal_data],
                    response_id=event.response_id,
                    case_id=event.case_id,
                    survey_id=event.survey_id,
                    created_at=event.occurred_at,
                    next_attempt_at=event.occurred_at,
                )
            )

    def save(self) -> list[int]:
        """Write the rows (in the caller's transaction) and publish them after
        it commits. Returns their ids."""
        if not self.rows:
            return []
        OutboundMessage.objects.bulk_create(self.rows)
        ids = [row.pk for row in self.rows]
        self.rows = []
        messages_enqueue(message_ids=ids)
        return ids


def webhook_event_emit(event: Event) -> list[int]:
    """Report one fact to the endpoints that want it (see ``WebhookEmitter``)."""
    emitter = WebhookEmitter()
    emitter.add(event)
    return emitter.save()


def grants_redeemed_report(grants) -> list[int]:
    """``grant.redeemed`` for each grant given (redeemed in the caller's transaction)."""
    emitter = WebhookEmitter()
    if not emitter.wants("grant.redeemed"):
        return []
    for grant in grants:
        emitter.add(
            Event(
                "grant.redeemed",
                f"{grant._meta.model_name}:{grant.pk}",
                grant.redeemed_at,
                {"grant": grant, "customer": grant.customer},
                response_id=grant.response_id,
                survey_id=grant.survey_id,
            )
        )
    return emitter.save()
