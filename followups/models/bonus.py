"""A bonus for non-responders: its offer or reward, each reminder's arm, the grant earned."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from surveys.models import Customer, Response, Survey

from .grants import Grant
from .incentives import Offer, Reward


class ReminderBonus(models.Model):
    """A survey's bonus for non-responders: an offer or reward from the
    catalogue, promised in the reminders of a share of its unanswered
    invitations (chosen at random when each reminder goes out, so that the
    others are a fair comparison), granted once when the customer answers
    within ``window_days`` of that reminder."""

    survey = models.OneToOneField(
        Survey, on_delete=models.CASCADE, related_name="reminder_bonus", verbose_name=_("survey")
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offer"),
        help_text=_("What the reminder promises: an offer or a reward, not both."),
    )
    reward = models.ForeignKey(
        Reward,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reward"),
    )
    window_days = models.PositiveSmallIntegerField(
        _("answer within (days)"),
        default=7,
        help_text=_("Answers received this many days after the reminder earn the bonus."),
    )
    share_percent = models.PositiveSmallIntegerField(
        _("share of reminders with the bonus (%)"),
        default=50,
        help_text=_(
            "The rest get the usual reminder, so that the report can compare the two. "
            "100: every reminder carries the bonus (nothing to compare with)."
        ),
    )
    is_active = models.BooleanField(pgettext_lazy("in use", "active"), default=True)

    class Meta:
        verbose_name = _("bonus for non-responders")
        verbose_name_plural = _("bonuses for non-responders")
        constraints = [
            models.CheckConstraint(
                condition=Q(offer__isnull=True, reward__isnull=False)
                | Q(offer__isnull=False, reward__isnull=True),
                name="reminderbonus_offer_or_reward",
                violation_error_message=_("Choose an offer or a reward, one of them."),
            ),
            models.CheckConstraint(
                condition=Q(share_percent__lte=100),
                name="reminderbonus_share_percent",
                violation_error_message=_("The share is a percentage, 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(window_days__gte=1),
                name="reminderbonus_window_days",
                violation_error_message=_("The window is at least one day."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.incentive or "")

    def clean(self) -> None:
        """An employee survey's answers are anonymous and its reminders are
        not a customer's: no answer could ever earn the bonus. One switched
        off (stored before this rule) is left alone: it does nothing, and the
        admin keeps bonuses rather than deleting them."""
        super().clean()
        try:
            # The admin's inline gives it the survey as edited, unsaved when new.
            survey = self.survey
        except Survey.DoesNotExist:
            return  # without a survey, saving fails on its own
        if self.is_active and survey.is_employee:
            raise ValidationError(
                _(
                    "An employee survey cannot have a bonus for non-responders: its answers "
                    "are anonymous, so none could earn it. Untick “active”."
                ),
                code="employee_survey",
            )

    @property
    def incentive(self) -> Offer | Reward | None:
        return self.offer or self.reward


class BonusArm(models.TextChoices):
    WITH = "with", _("With bonus")
    WITHOUT = "without", _("Without bonus")


class ReminderBonusAssignment(models.Model):
    """One reminder of a survey with a bonus: which arm it fell in, the
    incentive it promised (none without), until when, and the first answer
    that came after it. One per invitation; the report counts these rows."""

    invitation = models.OneToOneField(
        "surveys.Invitation",
        on_delete=models.CASCADE,
        related_name="bonus_assignment",
        verbose_name=_("invitation"),
    )
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="+", verbose_name=_("survey")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    wave = models.ForeignKey(
        "surveys.Wave",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("wave"),
    )
    arm = models.CharField(_("reminder"), max_length=10, choices=BonusArm)
    offer = models.ForeignKey(
        Offer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offer"),
    )
    reward = models.ForeignKey(
        Reward,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reward"),
    )
    reminded_at = models.DateTimeField(_("reminded at"))
    window_ends_at = models.DateTimeField(_("answer by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    response = models.OneToOneField(
        Response,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bonus_assignment",
        verbose_name=_("answer"),
    )

    class Meta:
        verbose_name = _("reminder with or without a bonus")
        verbose_name_plural = _("reminders with or without a bonus")
        ordering = ["-reminded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(arm="without", offer__isnull=True, reward__isnull=True)
                | Q(arm="with", offer__isnull=True, reward__isnull=False)
                | Q(arm="with", offer__isnull=False, reward__isnull=True),
                name="bonusassignment_promise_by_arm",
            ),
        ]
        indexes = [
            # An answer finds its customer's open reminder of the survey.
            models.Index(
                fields=["customer", "survey", "reminded_at"],
                condition=Q(answered_at__isnull=True),
                name="bonusassignment_open",
            ),
            models.Index(fields=["survey", "reminded_at"], name="bonusassignment_report"),
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id} · {self.get_arm_display()}"

    @property
    def incentive(self) -> Offer | Reward | None:
        return self.offer or self.reward

    @staticmethod
    def answered_in_window_q() -> Q:
        """Answered after the reminder and by the end of its window: what the
        report counts as answered (an answer given before the reminder, which
        raced it, is no answer to it)."""
        return Q(
            answered_at__isnull=False,
            answered_at__gte=F("reminded_at"),
            answered_at__lte=F("window_ends_at"),
        )

    def earns_bonus(self, submitted_at: datetime) -> bool:
        """An answer at ``submitted_at`` earns the promised bonus."""
        return self.arm == BonusArm.WITH and self.reminded_at <= submitted_at <= self.window_ends_at


class BonusGrant(Grant):
    """The bonus a reminder promised, granted to the first answer within its
    window: one per reminder (the invitation's), by constraint. A grant apart
    from the routing's offer or reward: an answer may earn both."""

    assignment = models.OneToOneField(
        ReminderBonusAssignment,
        on_delete=models.CASCADE,
        related_name="grant",
        verbose_name=_("reminder"),
    )
    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="bonus_grant", verbose_name=_("response")
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offer"),
    )
    reward = models.ForeignKey(
        Reward,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reward"),
    )

    class Meta(Grant.Meta):
        verbose_name = _("bonus grant")
        verbose_name_plural = _("bonus grants")
        permissions = [("redeem_bonusgrant", _("Can mark bonus codes redeemed by hand"))]

    def __str__(self) -> str:
        return f"{self.incentive} · {self.code or '-'}"

    @property
    def incentive(self) -> Offer | Reward | None:
        return self.offer or self.reward
