"""Up to a thousand invitations in one request, one result per item, under
the rules and messages of a single one (``requests.invitation_ask``).

Each item is read by the single invitation's serializer, so an invalid one is
reported with the same messages and never blocks the others. The surveys and
the idempotency keys already used are read once for the whole batch; each
valid item is then stored in a savepoint of its own, so that one refused by
the database loses nothing of the others, and the invitations due now are
published in one go when the request commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from followups.invitations.requests import InvitationRequest, invitation_ask
from followups.invitations.serializers import InvitationBulkItemSerializer, InvitationSerializer
from nps_project.api import field_errors, flatten_errors
from surveys.ingestion.parsing import MAX_BULK_ITEMS
from surveys.models import ApiKey, Invitation, Survey

CREATED, EXISTING, SKIPPED, INVALID = "created", "existing", "skipped", "invalid"
STATUSES = (CREATED, EXISTING, SKIPPED, INVALID)


@dataclass(frozen=True, slots=True)
class BulkResult:
    index: int
    status: str
    invitation: Invitation | None = None
    errors: Mapping[str, list[str]] | None = None

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "status": self.status,
            "invitation": (InvitationSerializer(self.invitation).data if self.invitation else None),
            "errors": self.errors or {},
        }

    @classmethod
    def of(cls, index: int, asked: InvitationRequest) -> BulkResult:
        if not asked.created:
            return cls(index, EXISTING, asked.invitation)
        return cls(index, SKIPPED if asked.skipped else CREATED, asked.invitation)


def _read(raw) -> tuple[Mapping | None, dict[str, list[str]] | None]:
    item = InvitationBulkItemSerializer(data=raw)
    if item.is_valid():
        return item.validated_data, None
    return None, flatten_errors(item.errors)


def invitations_ask(
    *, items: Sequence, api_client: ApiKey | None = None, update_customers: bool = False
) -> list[BulkResult]:
    """Store up to ``MAX_BULK_ITEMS`` invitations, each as ``invitation_ask``
    would, in one transaction; returns one result per item, in order."""
    if len(items) > MAX_BULK_ITEMS:
        raise ValueError(f"At most {MAX_BULK_ITEMS} items per call.")
    read = [_read(raw) for raw in items]
    slugs = {data["survey"] for data, _ in read if data is not None}
    surveys = {survey.slug: survey for survey in Survey.objects.filter(slug__in=slugs)}
    now = timezone.now()
    results = []
    with transaction.atomic():
        for index, (data, errors) in enumerate(read):
            if data is None:
                results.append(BulkResult(index, INVALID, errors=errors))
                continue
            results.append(
                _item_ask(
                    index,
                    data,
                    api_client=api_client,
                    update_customers=update_customers,
                    surveys=surveys,
                    now=now,
                )
            )
    return results


def _item_ask(index: int, data: Mapping, **context) -> BulkResult:
    try:
        with transaction.atomic():
            asked = invitation_ask(
                data=data, idempotency_key=data.get("idempotency_key"), **context
            )
    except ValidationError as exc:
        return BulkResult(index, INVALID, errors=field_errors(exc))
    return BulkResult.of(index, asked)
