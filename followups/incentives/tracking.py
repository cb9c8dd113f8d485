"""Review and referral tracking: a promoter's personal link to the reward's
page (``/r/<token>/``), the clicks on it, and the orders placed with their
referral code.

A click is counted only when a person is likely to have made it: mail
scanners and link previews fetch every link of an email, so HEAD requests,
known scanners' user agents, requests without one and requests in the first
seconds after the email was sent are recorded as prefetches (kept, flagged,
never counted). Nothing about an erased customer is recorded.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from followups.models import CODE_ALPHABET, LinkClick, ReferralUse, Reward, RewardGrant, new_code
from surveys.models import ApiKey
from surveys.scanners import PREFETCH_WINDOW, SCANNER_AGENTS

MOBILE_AGENTS = ("mobile", "android", "iphone", "ipad", "ipod")
DESKTOP_AGENTS = ("windows nt", "macintosh", "x11", "cros", "linux")

TOKEN_BYTES = 24  # 192 bits


def link_token_new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def tracked_url(grant: RewardGrant) -> str:
    """The link the email carries, in place of the reward's own."""
    return settings.PUBLIC_BASE_URL + reverse("reward-link", args=[grant.link_token])


def tracking_fields(reward: Reward) -> dict:
    """What a new grant of ``reward`` carries for tracking: a link token when
    the reward has a link, a referral code when it is a referral reward."""
    return {
        "link_token": link_token_new() if reward.link else None,
        "referral_code": new_code() if reward.kind == Reward.Kind.REFERRAL else None,
    }


# --- Clicks ---------------------------------------------------------------------


def agent_class(user_agent: str) -> str:
    agent = user_agent.lower()
    if not agent or any(fragment in agent for fragment in SCANNER_AGENTS):
        return LinkClick.Agent.SCANNER
    if any(fragment in agent for fragment in MOBILE_AGENTS):
        return LinkClick.Agent.MOBILE
    if any(fragment in agent for fragment in DESKTOP_AGENTS):
        return LinkClick.Agent.DESKTOP
    return LinkClick.Agent.OTHER


def prefetch_reason(*, method: str, user_agent: str, sent_at: datetime | None, now) -> str:
    """Why this request is not a person's click, or "" when it is one."""
    if method == "HEAD":
        return LinkClick.Prefetch.HEAD
    if not user_agent.strip():
        return LinkClick.Prefetch.NO_AGENT
    if agent_class(user_agent) == LinkClick.Agent.SCANNER:
        return LinkClick.Prefetch.SCANNER
    if sent_at is not None and now - sent_at < PREFETCH_WINDOW:
        return LinkClick.Prefetch.TOO_SOON
    return ""


def link_follow(*, token: str, method: str, user_agent: str, record: bool = True) -> str | None:
    """Record one request of the tracked link ``token`` (unless ``record`` is
    false: a client over its budget); the reward's own link to send the
    visitor to, or None when the token is unknown (or its reward has no link
    any more). An erased customer's link still leads to the page, and
    records nothing."""
    grant = (
        RewardGrant.objects.filter(link_token=token)
        .select_related("reward", "customer")
        .only("pk", "sent_at", "first_clicked_at", "reward__link", "customer__erased_at")
        .first()
    )
    if grant is None or not grant.reward.link:
        return None
    if grant.customer.is_erased or not record:
        return grant.reward.link
    now = timezone.now()
    reason = prefetch_reason(method=method, user_agent=user_agent, sent_at=grant.sent_at, now=now)
    LinkClick.objects.create(
        grant=grant, clicked_at=now, agent=agent_class(user_agent), prefetch=reason
    )
    if not reason:
        RewardGrant.objects.filter(pk=grant.pk, first_clicked_at__isnull=True).update(
            first_clicked_at=now
        )
    return grant.reward.link


# --- Referral codes ---------------------------------------------------------------

_NOT_CODE = re.compile(rf"[^{CODE_ALPHABET}]")


def referral_code_clean(code: str) -> str:
    """A code as typed (any case, spaces, with or without dashes) in its
    stored form, XXXX-XXXX-XXXX."""
    body = _NOT_CODE.sub("", code.upper())
    return "-".join(body[i : i + 4] for i in range(0, len(body), 4))


class UnknownReferralCode(Exception):
    """No referral code like it (or it belongs to an erased customer)."""


class OrderTaken(Exception):
    """The order was reported already, with another referral code."""


def referral_use_record(
    *, code: str, order: str, api_key: ApiKey | None = None
) -> tuple[ReferralUse, bool]:
    """Count ``order`` as placed with the referral ``code``: the use, and
    whether it is new (the same order again changes nothing)."""
    grant = (
        RewardGrant.objects.filter(
            referral_code=referral_code_clean(code), customer__erased_at__isnull=True
        )
        .only("pk", "referral_code")
        .first()
    )
    if grant is None:
        raise UnknownReferralCode(code)
    try:
        with transaction.atomic():
            return ReferralUse.objects.create(grant=grant, order=order, api_key=api_key), True
    except IntegrityError:
        use = ReferralUse.objects.select_related("grant").get(order=order)
    if use.grant_id != grant.pk:
        raise OrderTaken(order) from None
    return use, False


# --- Counts ---------------------------------------------------------------------


def _count(queryset: QuerySet, field: str = "pk") -> Coalesce:
    counted = queryset.order_by().values("grant__reward").annotate(n=Count(field)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def rewards_with_tracking(rewards: QuerySet, grants: QuerySet | None = None) -> QuerySet:
    """``rewards`` with their figures: ``grant_count``, ``clicked_count``
    (grants clicked at least once), ``click_count`` (clicks, prefetches not
    counted) and ``use_count`` (referral uses), over ``grants`` (default:
    all). One subquery each, so no join multiplies another's rows."""
    grants = RewardGrant.objects.all() if grants is None else grants
    ids = grants.values("pk")
    per_reward = {"grant__reward": OuterRef("pk"), "grant__in": ids}
    granted = grants.filter(reward=OuterRef("pk")).order_by().values("reward")
    return rewards.annotate(
        grant_count=Coalesce(
            Subquery(granted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            Value(0),
        ),
        clicked_count=Coalesce(
            Subquery(
                granted.filter(first_clicked_at__isnull=False).annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        click_count=_count(LinkClick.objects.filter(prefetch="", **per_reward)),
        prefetch_count=_count(LinkClick.objects.filter(~Q(prefetch=""), **per_reward)),
        use_count=_count(ReferralUse.objects.filter(**per_reward)),
    )
