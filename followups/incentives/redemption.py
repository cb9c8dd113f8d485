"""Redeeming offer and reward codes: the one way a code becomes redeemed, for
the shop's till (the API) and for staff (the admin action) alike, with the
same rules; and the periodic expiry of codes past their date.

A redemption locks the grant's row (``select_for_update``) and decides under
the lock, so of two tills redeeming one code at once exactly one wins; the
other waits, then sees the code redeemed. The same order again gets the first
redemption back (a till that retries after a timeout), a different order is
refused with when the code was redeemed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from followups.models import (
    BonusGrant,
    CaseEvent,
    FollowUpCase,
    Grant,
    GrantStatus,
    Offer,
    OfferGrant,
    RewardGrant,
)
from followups.webhooks.emit import grants_redeemed_report
from surveys.audit import Action, audit_record

GRANT_MODELS: tuple[type[Grant], ...] = (OfferGrant, RewardGrant, BonusGrant)
UNKNOWN = "unknown"
EXPIRE_CHUNK_SIZE = 1000


@dataclass(frozen=True)
class Redemption:
    """A redeemed grant; ``repeated`` when this order had redeemed it before."""

    grant: Grant
    repeated: bool


class RedemptionRefused(Exception):
    """Why a code cannot be redeemed: ``reason`` is ``unknown`` or a
    ``GrantStatus`` value (``redeemed``, ``revoked``, ``expired``)."""

    def __init__(self, reason: str, grant: Grant | None = None):
        self.reason = reason
        self.grant = grant
        super().__init__(self.message)

    @property
    def when(self) -> datetime | None:
        """When the code was redeemed, revoked or expires (None if unknown)."""
        grant = self.grant
        if grant is None:
            return None
        return {
            GrantStatus.REDEEMED: grant.redeemed_at,
            GrantStatus.REVOKED: grant.revoked_at,
        }.get(self.reason, grant.expires_at)  # type: ignore[call-overload]

    @property
    def message(self) -> str:
        if self.grant is None:
            return _("No offer or reward has this code.")
        when = _format_when(self.when)
        if self.reason == GrantStatus.REDEEMED:
            if self.grant.redeemed_order:
                return _("This code was already redeemed on %(when)s, for order %(order)s.") % {
                    "when": when,
                    "order": self.grant.redeemed_order,
                }
            return _("This code was already redeemed on %(when)s.") % {"when": when}
        if self.reason == GrantStatus.REVOKED:
            return _("This code was revoked on %(when)s.") % {"when": when}
        return _("This code expired on %(when)s.") % {"when": when}


def _format_when(when: datetime | None) -> str:
    if when is None:
        return "?"
    # Not DATETIME_FORMAT: English ends it with "a.m.", and the sentence's full
    # stop would double it.
    local = timezone.localtime(when)
    return f"{formats.date_format(local, 'DATE_FORMAT')}, {formats.date_format(local, 'H:i')}"


def code_normalize(code: str) -> str:
    """Codes are made in upper case (``models.new_code``); people type them in any."""
    return code.strip().upper()


def grant_kind(grant: Grant) -> str:
    """Offer or reward: a reminder's bonus is the kind of what it gives."""
    return "offer" if isinstance(grant.incentive, Offer) else "reward"


def _grants(model: type[Grant], *, lock: bool):
    # Each concrete grant has its response and incentive (a bonus, either
    # kind); the abstract base has neither.
    incentives = [f.name for f in model._meta.get_fields() if f.name in ("offer", "reward")]
    queryset = model._default_manager.select_related("customer", "response", *incentives)  # type: ignore[misc]
    # Only the grant's own row: the customer and the offer stay free for others.
    return queryset.select_for_update(of=("self",)) if lock else queryset


def grant_find(*, code: str, lock: bool = False) -> Grant | None:
    """The offer or reward grant with ``code`` (in any case), or None. Codes
    are unique per kind; an offer is looked for first."""
    code = code_normalize(code)
    if not code:
        return None
    for model in GRANT_MODELS:
        grant = _grants(model, lock=lock).filter(code=code).first()
        if grant is not None:
            return grant
    return None


def grant_redeem(*, code: str, order: str, actor, via: str) -> Redemption:
    """Redeem the code for the shop's ``order``; ``actor`` is who redeems it
    (a user, or an API key's label). Raises ``RedemptionRefused``."""
    with transaction.atomic():
        grant = grant_find(code=code, lock=True)
        if grant is None:
            raise RedemptionRefused(UNKNOWN)
        return _redeem_locked(grant, order=order.strip(), actor=actor, via=via)


def grant_redeem_by_hand(*, model: type[Grant], pk: int, actor, via: str) -> Redemption:
    """Staff mark one grant redeemed (no order): the till's rules, so an
    expired, revoked or already redeemed code is refused. A grant without a
    code (a thank-you note) has nothing to redeem and is refused as unknown."""
    with transaction.atomic():
        grant = _grants(model, lock=True).filter(pk=pk, code__isnull=False).first()
        if grant is None:
            raise RedemptionRefused(UNKNOWN)
        return _redeem_locked(grant, order="", actor=actor, via=via)


def _redeem_locked(grant: Grant, *, order: str, actor, via: str) -> Redemption:
    now = timezone.now()
    reason = grant.refusal(now)
    if reason == GrantStatus.REDEEMED and order and grant.redeemed_order == order:
        return Redemption(grant, repeated=True)
    if reason is not None:
        raise RedemptionRefused(reason, grant)
    grant.status = GrantStatus.REDEEMED
    grant.redeemed_at = now
    grant.redeemed_order = order
    grant.redeemed_by = (actor if isinstance(actor, str) else actor.get_username())[:150]
    grant.save(update_fields=["status", "redeemed_at", "redeemed_order", "redeemed_by"])
    _redemption_record(grant, at=now, actor=actor, via=via)
    return Redemption(grant, repeated=False)


def _redemption_record(grant: Grant, *, at: datetime, actor, via: str) -> None:
    """The redemption on the customer's cases' timelines, to the webhooks and
    in the audit trail, in the redemption's own transaction."""
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            kind=CaseEvent.Kind.REDEEMED,
            actor=None if isinstance(actor, str) else actor,
            created_at=at,
            data=_redemption_data(grant, via=via),
        )
        for case in redemption_cases(grant)
    )
    grants_redeemed_report([grant])
    audit_record(
        action=Action.GRANT_REDEEMED,
        actor=actor,
        via=via,
        object_type=grant._meta.label_lower,
        object_ids=[grant.pk],
        details={"order": grant.redeemed_order, "by_hand": not grant.redeemed_order},
    )


def _redemption_data(grant: Grant, *, via: str) -> dict:
    """What the timeline says of a redemption (``followups.cases.timeline``)."""
    incentive = grant.incentive
    return {
        "grant": grant_kind(grant),
        "grant_id": grant.pk,
        "via": via,
        "code": grant.code,
        "incentive": str(incentive),
        "order": grant.redeemed_order or "",
    }


def redemption_cases(grant: Grant):
    """The cases a redemption belongs on: the customer's open cases, and the
    case whose re-survey the answer that earned the code was given to."""
    mine = FollowUpCase.open_q()
    invitation_id = grant.response.invitation_id  # type: ignore[attr-defined]
    if invitation_id is not None:
        mine |= Q(resurvey_invitation_id=invitation_id)
    return FollowUpCase.objects.filter(mine, customer_id=grant.customer_id).order_by("pk")


def grant_revoke_by_hand(*, model: type[Grant], pk: int, actor, via: str) -> Grant:
    """Staff withdraw a code that has not been redeemed (given by mistake, or
    abused): the till refuses it from now on. Raises ``RedemptionRefused``
    for a code already redeemed, revoked or expired."""
    with transaction.atomic():
        grant = _grants(model, lock=True).filter(pk=pk).first()
        if grant is None:
            raise RedemptionRefused(UNKNOWN)
        reason = grant.refusal(timezone.now())
        if reason is not None:
            raise RedemptionRefused(reason, grant)
        grant.status = GrantStatus.REVOKED
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["status", "revoked_at"])
        audit_record(
            action=Action.GRANT_REVOKED,
            actor=actor,
            via=via,
            object_type=grant._meta.label_lower,
            object_ids=[grant.pk],
        )
        return grant


def grants_expire(*, now: datetime | None = None, chunk_size: int = EXPIRE_CHUNK_SIZE) -> int:
    """Mark open grants past their date expired, a chunk per statement (each
    its own short transaction); returns how many. Safe to run twice or
    alongside a redemption: the update checks the status again, and waits for
    a till holding the row."""
    now = now or timezone.now()
    expired = 0
    for model in GRANT_MODELS:
        due = model._default_manager.filter(status__in=GrantStatus.open(), expires_at__lte=now)
        while ids := list(due.order_by().values_list("pk", flat=True)[:chunk_size]):
            expired += due.filter(pk__in=ids).update(status=GrantStatus.EXPIRED)
    return expired
