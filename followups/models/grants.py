"""Grants: an offer or reward given for one answer, with its code, link clicks and referrals."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.models import Customer, Response, Survey

from .incentives import Offer, Reward


class GrantStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    SENT = "sent", _("Sent")
    REDEEMED = "redeemed", _("Redeemed")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")

    @classmethod
    def open(cls) -> tuple[str, ...]:
        """The statuses of a code that can still be redeemed (until it expires)."""
        return (cls.ISSUED, cls.SENT)


class Grant(models.Model):
    """One offer or reward given for one response."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, verbose_name=_("customer"))
    # The response's survey, copied when routing grants it, so that reports
    # count a survey's grants from the grant table alone (the ``*grant_report``
    # index) instead of joining every answer of the survey. Not indexed on its
    # own: that index leads with it.
    survey = models.ForeignKey(
        Survey,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("survey"),
    )
    code = models.CharField(_("code"), max_length=40, null=True, blank=True, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=GrantStatus, default=GrantStatus.ISSUED
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    redeemed_at = models.DateTimeField(_("redeemed at"), null=True, blank=True)
    # The shop's order reference the code was redeemed for (empty when redeemed
    # by hand), and who redeemed it: an API key's label or a user's name.
    redeemed_order = models.CharField(_("order"), max_length=200, blank=True)
    redeemed_by = models.CharField(_("redeemed by"), max_length=150, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="%(class)s_status_expiry"),
            # Reporting: a survey's grants over time, counted from the index alone.
            models.Index(fields=["survey", "created_at", "status"], name="%(class)s_report"),
        ]

    @property
    def incentive(self) -> Offer | Reward | None:
        """The offer or reward this grant gives (each kind says which)."""
        raise NotImplementedError

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    def refusal(self, now: datetime) -> str | None:
        """Why this code cannot be redeemed now (a ``GrantStatus`` value:
        redeemed, revoked or expired), or None when it can. A code past its
        date is expired even before the beat task has marked it so."""
        if self.status in (GrantStatus.REDEEMED, GrantStatus.REVOKED, GrantStatus.EXPIRED):
            return self.status
        return GrantStatus.EXPIRED if self.is_expired(now) else None


class OfferGrant(Grant):
    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="offer_grant", verbose_name=_("response")
    )
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, verbose_name=_("offer"))

    class Meta(Grant.Meta):
        verbose_name = _("offer grant")
        verbose_name_plural = _("offer grants")
        permissions = [("redeem_offergrant", _("Can mark offer codes redeemed by hand"))]

    def __str__(self) -> str:
        return f"{self.offer} · {self.code}"

    @property
    def incentive(self) -> Offer:
        return self.offer


class RewardGrant(Grant):
    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="reward_grant", verbose_name=_("response")
    )
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, verbose_name=_("reward"))
    # A personal tracked link (``/r/<token>/``) when the reward has a link,
    # and a personal code friends quote when it is a referral reward.
    link_token = models.CharField(
        _("link token"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    referral_code = models.CharField(
        _("referral code"), max_length=40, null=True, blank=True, unique=True
    )
    first_clicked_at = models.DateTimeField(_("first clicked at"), null=True, blank=True)

    class Meta(Grant.Meta):
        verbose_name = _("reward grant")
        verbose_name_plural = _("reward grants")
        permissions = [("redeem_rewardgrant", _("Can mark reward codes redeemed by hand"))]

    def __str__(self) -> str:
        return f"{self.reward} · {self.code or '-'}"

    @property
    def incentive(self) -> Reward:
        return self.reward


class LinkClick(models.Model):
    """One request of a reward grant's tracked link. Prefetches (mail
    scanners, link previews, HEAD requests) are kept, flagged with why, so
    the counts can be audited; no address is stored."""

    class Agent(models.TextChoices):
        DESKTOP = "desktop", _("Desktop browser")
        MOBILE = "mobile", _("Mobile browser")
        SCANNER = "scanner", _("Scanner or preview")
        OTHER = "other", _("Other")

    class Prefetch(models.TextChoices):
        HEAD = "head", _("HEAD request")
        SCANNER = "scanner", _("Known scanner or preview")
        NO_AGENT = "no_agent", _("No user agent")
        TOO_SOON = "too_soon", _("Seconds after sending")

    grant = models.ForeignKey(
        RewardGrant, on_delete=models.CASCADE, related_name="clicks", verbose_name=_("reward grant")
    )
    clicked_at = models.DateTimeField(_("at"), default=timezone.now)
    agent = models.CharField(_("user agent class"), max_length=10, choices=Agent)
    prefetch = models.CharField(
        _("prefetch"),
        max_length=10,
        choices=Prefetch,
        blank=True,
        help_text=_("Why it was not counted as a click; empty for a counted click."),
    )

    class Meta:
        verbose_name = _("link click")
        verbose_name_plural = _("link clicks")
        ordering = ["-clicked_at"]
        indexes = [models.Index(fields=["grant", "prefetch"], name="linkclick_grant")]

    def __str__(self) -> str:
        return f"{self.grant_id} @ {self.clicked_at:%Y-%m-%d %H:%M:%S}"

    @property
    def counted(self) -> bool:
        return not self.prefetch


class ReferralUse(models.Model):
    """An order placed with a promoter's referral code. One per order: the
    shop may report the same order again and nothing is counted twice."""

    grant = models.ForeignKey(
        RewardGrant,
        on_delete=models.CASCADE,
        related_name="referral_uses",
        verbose_name=_("reward grant"),
    )
    order = models.CharField(_("order"), max_length=100, unique=True)
    used_at = models.DateTimeField(_("used at"), default=timezone.now)
    api_key = models.ForeignKey(
        "surveys.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )

    class Meta:
        verbose_name = _("referral use")
        verbose_name_plural = _("referral uses")
        ordering = ["-used_at"]

    def __str__(self) -> str:
        return f"{self.grant.referral_code} · {self.order}"
