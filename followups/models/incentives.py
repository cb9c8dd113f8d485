"""Offers and rewards: what passives and promoters are given, and the codes customers type."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from surveys.models import Survey, missing_locales, translated_text

# Codes avoid look-alike characters (0/O, 1/I/L) because people type them.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


# Random bytes below this map evenly onto the alphabet (248 = 8 x 31).
_EVEN_BYTES = 256 - 256 % len(CODE_ALPHABET)


def new_code(prefix: str = "", length: int = 12) -> str:
    """A code customers type: 12 symbols of 31, about 59 bits, unguessable."""
    body = "".join(_random_symbols(length))
    grouped = "-".join(body[i : i + 4] for i in range(0, length, 4))
    return f"{prefix.upper()}-{grouped}" if prefix else grouped


def _random_symbols(count: int) -> list[str]:
    """``count`` symbols of CODE_ALPHABET, each uniform and independent, from
    one read of the system's random source (``secrets.choice`` reads it once
    per symbol: a system call each, twelve a code, a grant per answer). A
    byte at or above ``_EVEN_BYTES`` is dropped, not folded, so no symbol is
    likelier than another."""
    symbols: list[str] = []
    while len(symbols) < count:
        for byte in secrets.token_bytes(count - len(symbols) + 4):
            if byte < _EVEN_BYTES:
                symbols.append(CODE_ALPHABET[byte % len(CODE_ALPHABET)])
                if len(symbols) == count:
                    break
    return symbols


class Incentive(models.Model):
    """What an answer earns: an offer for a passive, a reward for a promoter.

    Each kind words its own description, validity and default flag (their
    help texts differ), and keeps its own single-default constraint."""

    name = models.CharField(_("name"), max_length=200)
    code_prefix = models.CharField(_("code prefix"), max_length=10, blank=True)
    is_active = models.BooleanField(pgettext_lazy("in use", "active"), default=True)
    # Declared by each kind (see above); named here for the shared behaviour.
    valid_days: int
    is_default: bool
    objects: models.Manager

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def active_default(cls) -> Incentive | None:
        """The one for surveys that name none, if it is still in use."""
        return cls.objects.filter(is_default=True, is_active=True).first()

    @property
    def has_code(self) -> bool:
        return True

    def grant_code(self) -> str | None:
        """A fresh code for one grant; None when there is nothing to redeem."""
        return new_code(self.code_prefix) if self.has_code else None

    def grant_expires_at(self, granted_at: datetime) -> datetime:
        return granted_at + timedelta(days=self.valid_days)

    def survey_locales(self) -> set[str]:
        """The default languages of the surveys in use that give this: by
        name, or, for the default, those naming none or one no longer in use.
        A customer with no language of their own reads their survey's."""
        field = self._meta.model_name  # "offer" or "reward", as on SurveyIncentive
        gives = Q(**{f"incentive__{field}": self})
        if self.is_default and self.is_active:
            gives |= (
                Q(incentive__isnull=True)
                | Q(**{f"incentive__{field}__isnull": True})
                | Q(**{f"incentive__{field}__is_active": False})
            )
        surveys = Survey.objects.exclude(status=Survey.Status.ARCHIVED).filter(gives)
        return set(surveys.values_list("default_locale", flat=True).distinct())

    def description_in(self, language: str) -> str:
        """What the customer is told they get, in their language or English."""
        return translated_text(self, "description", language)

    @property
    def missing_locales(self) -> list[str]:
        return missing_locales(self, "description")


class Offer(Incentive):
    """What a passive is offered: an exclusive discount or an improvement."""

    description = models.TextField(
        _("description for the customer"),
        help_text=_("Shown in the email, e.g. '20% off your next renewal'."),
    )
    description_pl = models.TextField(_("description (Polish)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_zh_hans = models.TextField(_("description (Simplified Chinese)"), blank=True)
    valid_days = models.PositiveSmallIntegerField(_("valid for (days)"), default=30)
    is_default = models.BooleanField(
        _("default offer"), default=False, help_text=_("Used by surveys that name no offer.")
    )

    class Meta(Incentive.Meta):
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="offer_single_default",
                violation_error_message=_("Only one offer can be the default."),
            ),
        ]


class Reward(Incentive):
    """What a promoter gets as a thank-you."""

    class Kind(models.TextChoices):
        THANK_YOU = "thank_you", _("Thank-you note")
        COUPON = "coupon", _("Coupon")
        LOYALTY_POINTS = "loyalty_points", _("Loyalty points")
        GIFT = "gift", _("Gift")
        REVIEW_BONUS = "review_bonus", _("Bonus for a review")
        REFERRAL = "referral", _("Referral link")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.COUPON)
    description = models.TextField(
        _("description for the customer"),
        help_text=_("Shown in the email, e.g. '500 loyalty points' or '15% off'."),
    )
    description_pl = models.TextField(_("description (Polish)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_zh_hans = models.TextField(_("description (Simplified Chinese)"), blank=True)
    points = models.PositiveIntegerField(_("loyalty points"), null=True, blank=True)
    link = models.URLField(
        _("link"),
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_(
            "Review page or referral programme, where it applies. Emails carry each "
            "customer's own tracked link to it."
        ),
    )
    valid_days = models.PositiveSmallIntegerField(_("valid for (days)"), default=60)
    is_default = models.BooleanField(
        _("default reward"), default=False, help_text=_("Used by surveys that name no reward.")
    )

    class Meta(Incentive.Meta):
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="reward_single_default",
                violation_error_message=_("Only one reward can be the default."),
            ),
        ]

    @property
    def has_code(self) -> bool:
        """A thank-you note has nothing to redeem; every other kind does."""
        return self.kind != self.Kind.THANK_YOU


class SurveyIncentive(models.Model):
    """The offer and reward a survey's passives and promoters get. Kept on this
    side so that ``surveys`` knows nothing of follow-ups."""

    survey = models.OneToOneField(
        Survey, on_delete=models.CASCADE, related_name="incentive", verbose_name=_("survey")
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("offer")
    )
    reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("reward")
    )

    class Meta:
        verbose_name = _("offer and reward")
        verbose_name_plural = _("offers and rewards")

    def __str__(self) -> str:
        return str(self.survey)
