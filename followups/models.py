"""What answers lead to: follow-up cases, offers, rewards, and the email outbox."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from surveys.models import (
    Customer,
    Invitation,
    Response,
    Survey,
    missing_locales,
    translated_text,
)
from surveys.quiet_hours import sms_allowed_at

# Codes avoid look-alike characters (0/O, 1/I/L) because people type them.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code(prefix: str = "", length: int = 12) -> str:
    """A code customers type: 12 symbols of 31, about 59 bits, unguessable."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    grouped = "-".join(body[i : i + 4] for i in range(0, length, 4))
    return f"{prefix.upper()}-{grouped}" if prefix else grouped


# --- Catalogues -------------------------------------------------------------


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


# --- Grants -----------------------------------------------------------------


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


# --- Cases ------------------------------------------------------------------


class StaffProfile(models.Model):
    """Per-person settings of service staff: away, and the round-robin turn."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    is_away = models.BooleanField(
        _("away"), default=False, help_text=_("Away people get no new cases automatically.")
    )
    last_assigned_at = models.DateTimeField(_("last case assigned at"), null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("For emails to this person, such as the weekly digest."),
    )
    wants_digest = models.BooleanField(_("weekly digest"), default=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)


class RootCause(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(pgettext_lazy("in use", "active"), default=True)

    class Meta:
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FollowUpCaseQuerySet(models.QuerySet):
    """The case rules as queries: the same rules as the model's methods, for
    lists, filters and counts (``Count(filter=FollowUpCase.overdue_q(now))``)."""

    def open(self) -> FollowUpCaseQuerySet:
        return self.filter(FollowUpCase.open_q())

    def overdue(self, now: datetime) -> FollowUpCaseQuerySet:
        return self.filter(FollowUpCase.overdue_q(now))

    def due_soon(self, now: datetime) -> FollowUpCaseQuerySet:
        return self.filter(FollowUpCase.due_soon_q(now))


class FollowUpCase(models.Model):
    class Status(models.TextChoices):
        # A context of their own: Django's admin has "New", "Close" and
        # "Change" buttons whose translations differ from a case's status.
        NEW = "new", pgettext_lazy("case status", "New")
        IN_PROGRESS = "in_progress", pgettext_lazy("case status", "In progress")
        WAITING = "waiting", pgettext_lazy("case status", "Waiting on customer")
        RESOLVED = "resolved", pgettext_lazy("case status", "Resolved")
        CLOSED = "closed", pgettext_lazy("case status", "Closed")

    class Priority(models.IntegerChoices):
        HIGH = 1, _("High")
        NORMAL = 2, _("Normal")

    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING)
    # Due soon: within the last quarter of the SLA (the time from opening to due).
    DUE_SOON_PARTS = 4

    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="case", verbose_name=_("response")
    )
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, verbose_name=_("survey"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, verbose_name=_("customer"))
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority, default=Priority.NORMAL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_at = models.DateTimeField(
        _("first contact due at"),
        help_text=_("The customer must be called or emailed by this time."),
    )
    resolution_due_at = models.DateTimeField(
        _("resolution due at"),
        null=True,
        blank=True,
        help_text=_("The case must be resolved by this time."),
    )
    first_contact_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    # ``deadline`` stored by the database, which computes it on every write
    # whoever the writer (the workflow, the admin, an import, raw SQL): the
    # overdue and due-soon counts compare one column, as a hand-written query
    # would, instead of choosing between two deadlines on every row.
    current_deadline = models.GeneratedField(
        expression=models.Case(
            models.When(
                first_contact_at__isnull=False,
                resolution_due_at__isnull=False,
                then=models.F("resolution_due_at"),
            ),
            default=models.F("due_at"),
        ),
        output_field=models.DateTimeField(),
        db_persist=True,
        verbose_name=_("current deadline"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    root_cause = models.ForeignKey(
        RootCause, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("root cause")
    )
    resolution_summary = models.TextField(_("resolution summary"), blank=True)
    # Root-cause suggestion (followups.insights.suggestions): what the active
    # model proposed when the case opened. ``suggested_at`` is set whenever the
    # model looked at the case, with or without a suggestion (null cause: its
    # confidence was below NPS_SUGGESTION_MIN_CONFIDENCE), so the sweeper
    # knows which cases a lost task never reached.
    suggested_root_cause = models.ForeignKey(
        RootCause,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggested_cases",
        verbose_name=_("suggested root cause"),
    )
    suggestion_confidence = models.FloatField(_("suggestion confidence"), null=True, blank=True)
    suggestion_words = models.JSONField(_("suggestion top words"), default=list, blank=True)
    suggestion_model_version = models.PositiveIntegerField(
        _("suggestion model version"), null=True, blank=True
    )
    suggested_at = models.DateTimeField(_("suggested at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # The deadline (``deadline_kind``) the last escalation was for: the
    # highest level caps the repeats for one deadline, so the level counts
    # again from the start when the case escalates for another one.
    escalation_phase = models.CharField(_("escalated for"), max_length=10, blank=True, default="")
    resurvey_invitation = models.OneToOneField(
        "surveys.Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resurveyed_case",
        verbose_name=_("re-survey"),
        help_text=_("The short survey sent when the case was closed."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FollowUpCaseQuerySet.as_manager()

    # The workflow: which status may follow which. Reopening goes back to work.
    # Any open case may be resolved straight away (a first call can settle it).
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.NEW: (Status.IN_PROGRESS, Status.RESOLVED),
        Status.IN_PROGRESS: (Status.WAITING, Status.RESOLVED),
        Status.WAITING: (Status.IN_PROGRESS, Status.RESOLVED),
        Status.RESOLVED: (Status.CLOSED, Status.IN_PROGRESS),
        Status.CLOSED: (Status.IN_PROGRESS,),
    }

    class Meta:
        verbose_name = _("follow-up case")
        verbose_name_plural = _("follow-up cases")
        ordering = ["priority", "due_at"]
        permissions = [
            ("assign_followupcase", _("Can assign and reassign cases to anyone")),
            ("export_followupcase", _("Can export the cases one may see to a file")),
        ]
        indexes = [
            # Overdue and due soon: the open cases by the deadline they work towards.
            models.Index(
                fields=["current_deadline"],
                condition=Q(status__in=["new", "in_progress", "waiting"]),
                name="case_open_deadline",
            ),
            models.Index(fields=["owner", "status"], name="case_owner_status"),
            # The admin's case list reads its page from here instead of sorting
            # every case: exactly the keys of FollowUpCaseAdmin.get_ordering
            # (open first, due time, priority, newest id).
            models.Index(
                models.Case(
                    models.When(status__in=["new", "in_progress", "waiting"], then=0),
                    default=1,
                    output_field=models.IntegerField(),
                ),
                "due_at",
                "priority",
                models.F("id").desc(),
                name="case_list_order",
            ),
            # The list's date hierarchy starts from the first and last case.
            models.Index(fields=["created_at"], name="case_created"),
        ]

    def __str__(self) -> str:
        return _("Case #%(id)s") % {"id": self.pk}

    @staticmethod
    def priority_for_score(score: int) -> int:
        """0-3 is a customer at risk of leaving: high; 4-6 normal."""
        return FollowUpCase.Priority.HIGH if score <= 3 else FollowUpCase.Priority.NORMAL

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def allowed_transitions(self) -> tuple[str, ...]:
        return self.TRANSITIONS.get(self.status, ())

    def can_transition_to(self, status: str) -> bool:
        return status in self.allowed_transitions()

    # Open (``is_open`` above), overdue and due soon each come twice, for one
    # case and as a query (``*_q``, used by ``FollowUpCaseQuerySet`` and by
    # counts): change them together (tests/followups/test_case_rules.py).

    @classmethod
    def open_q(cls) -> Q:
        return Q(status__in=cls.OPEN_STATUSES)

    @property
    def deadline(self) -> datetime:
        """The deadline the case works towards now: first contact until the
        customer is reached, then resolution (cases opened before resolution
        deadlines existed keep their one due time)."""
        if self.first_contact_at is None or self.resolution_due_at is None:
            return self.due_at
        return self.resolution_due_at

    @property
    def deadline_kind(self) -> str:
        """ "contact" or "resolution": which deadline ``deadline`` is."""
        if self.first_contact_at is None or self.resolution_due_at is None:
            return "contact"
        return "resolution"

    def is_overdue(self, now=None) -> bool:
        return self.is_open and (now or timezone.now()) >= self.deadline

    @classmethod
    def overdue_q(cls, now: datetime) -> Q:
        return cls.open_q() & Q(current_deadline__lte=now)

    def is_due_soon(self, now: datetime) -> bool:
        """Open, not yet overdue, and within the last quarter of the time
        towards its current deadline."""
        if not self.is_open or now >= self.deadline:
            return False
        return self.deadline - now <= (self.deadline - self.created_at) / self.DUE_SOON_PARTS

    @classmethod
    def due_soon_q(cls, now: datetime) -> Q:
        sla = F("current_deadline") - F("created_at")
        return cls.open_q() & Q(
            current_deadline__gt=now,
            current_deadline__lte=Value(now) + sla / cls.DUE_SOON_PARTS,
        )

    def time_left(self, now=None) -> timedelta:
        return self.deadline - (now or timezone.now())

    @property
    def suggestion(self) -> dict | None:
        """The suggested root cause as the API and webhooks give it: name,
        confidence, model version; None without one, or with suggestions off."""
        if self.suggested_root_cause_id is None or not settings.NPS_SUGGESTIONS_ENABLED:
            return None
        return {
            "name": self.suggested_root_cause.name,  # type: ignore[union-attr]
            "confidence": self.suggestion_confidence,
            "model_version": self.suggestion_model_version,
        }


class CaseEvent(models.Model):
    """The case's timeline: one row per thing that happened to it."""

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("case event", "Created")
        ASSIGNED = "assigned", _("Assigned")
        STATUS_CHANGED = "status_changed", _("Status changed")
        NOTE = "note", _("Note")
        EMAIL_SENT = "email_sent", _("Email sent")
        CALL_LOGGED = "call_logged", _("Call logged")
        ESCALATED = "escalated", _("Escalated")
        RESURVEYED = "resurveyed", _("Re-surveyed")
        REDEEMED = "redeemed", _("Code redeemed")
        CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
        ROOT_CAUSE_SET = "root_cause_set", _("Root cause set")

    class CallOutcome(models.TextChoices):
        """How a logged call went (kept in the event's data). Only a call that
        reached the customer is first contact; the rest are attempts."""

        REACHED = "reached", _("Reached the customer")
        VOICEMAIL = "voicemail", _("Left a voicemail")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    case = models.ForeignKey(
        FollowUpCase, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at.isoformat(timespec='minutes')}"


# --- Outbox -----------------------------------------------------------------


class OutboundMessageQuerySet(models.QuerySet):
    def cancel_unsent(self, reason: str) -> int:
        """Cancel those not sent yet: queued, or claimed by a sender but not yet
        accepted by the far end. The sender records its outcome only on a row
        still "sending", so a send that fails now is never tried again (one in
        flight at this very moment may still arrive). Returns how many."""
        return self.filter(
            Q(status=OutboundMessage.Status.QUEUED)
            | Q(status=OutboundMessage.Status.SENDING, sent_at__isnull=True)
        ).update(status=OutboundMessage.Status.CANCELLED, last_error=reason, claimed_at=None)


class OutboundMessage(models.Model):
    """Every message out, on any channel, is a row before it is sent: the audit
    trail, and the guard against sending twice (``dedupe_key`` is unique, and a
    sender must claim a queued row before its channel's transport is called)."""

    class Channel(models.TextChoices):
        EMAIL = "email", pgettext_lazy("outbox channel", "Email")
        WEBHOOK = "webhook", pgettext_lazy("outbox channel", "Webhook")
        SLACK = "slack", pgettext_lazy("outbox channel", "Slack")
        SMS = "sms", pgettext_lazy("outbox channel", "SMS")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Never to be sent (its recipient was erased first, or may no longer
        # receive it); never retried.
        CANCELLED = "cancelled", _("Cancelled")

    class Delivery(models.TextChoices):
        """A text's fate as its provider reports it, once it is final."""

        DELIVERED = "delivered", _("Delivered")
        UNDELIVERED = "undelivered", _("Undelivered")
        FAILED = "failed", _("Failed")

    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    template = models.CharField(_("template"), max_length=50)
    language = models.CharField(_("language"), max_length=10)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel, default=Channel.EMAIL)
    # What the channel's transport delivers to (an email address for email);
    # each transport checks its own kind of recipient.
    recipient = models.CharField(_("to"), max_length=254)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("customer"),
    )
    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("response"),
        help_text=_("The answer this email follows up, if any."),
    )
    case = models.ForeignKey(
        FollowUpCase,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,  # a partial index in Meta: most rows have none
        related_name="emails",
        verbose_name=_("case"),
    )
    # The survey the message is about (its answer's, case's, invitation's or
    # alert's), stored when it is queued: its department decides who reads it
    # in the admin, in one join whatever the message's kind. Empty: about no
    # survey (digests, staff notices, webhook notices).
    survey = models.ForeignKey(
        Survey,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("survey"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,  # a partial index in Meta: most rows have none
        related_name="+",
        verbose_name=_("written by"),
        help_text=_("The person who wrote it; empty for automatic emails."),
    )
    from_name = models.CharField(
        _("sender's name"),
        max_length=200,
        blank=True,
        help_text=_("The display name on the shared sender address; empty: the sender's own."),
    )
    reply_to = models.CharField(
        _("reply to"),
        max_length=254,
        blank=True,
        help_text=_("The case's reply address: the customer's answer lands on its timeline."),
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body_text = models.TextField(_("plain-text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    # Not indexed as such: the pending and the failed rows are (Meta).
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(
        _("claim expires at"),
        null=True,
        blank=True,
        help_text=_("A sender that has not finished by then is taken for dead."),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # What the SMS provider later reports of a text it accepted (its status
    # callback): ``status`` says we handed it over, this whether it arrived.
    provider_message_id = models.CharField(
        _("provider's message id"),
        max_length=100,
        blank=True,
        help_text=_("For a text: the id its provider gave it, which its delivery reports name."),
    )
    delivery = models.CharField(
        _("delivery"),
        max_length=12,
        choices=Delivery,
        blank=True,
        help_text=_("For a text: whether its provider reported it delivered, or why not."),
    )
    delivery_error = models.CharField(
        _("delivery error code"),
        max_length=100,
        blank=True,
        help_text=_("The provider's error code for a text it could not deliver."),
    )
    delivery_reported_at = models.DateTimeField(_("delivery reported at"), null=True, blank=True)
    webhook_endpoint = models.ForeignKey(
        "WebhookEndpoint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,  # a partial index in Meta: most rows have none
        related_name="deliveries",
        verbose_name=_("webhook endpoint"),
        help_text=_("For a webhook: the endpoint it is delivered to."),
    )
    chat_alert = models.ForeignKey(
        "ChatAlert",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,  # a partial index in Meta: most rows have none
        related_name="deliveries",
        verbose_name=_("Slack alert"),
        help_text=_("For a Slack message: the alert it is posted for."),
    )

    objects = OutboundMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at"]
        permissions = [("retry_outboundmessage", _("Can send failed messages again"))]
        # Every row is written four times on its way out (queued, claimed,
        # accepted, sent), and each write touches every index: only the ones
        # a query needs, and a column most rows leave empty only where set.
        indexes = [
            # The sweeper looks only at rows still to be sent.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="outbox_pending",
            ),
            # The admin's list of failed messages, newest first.
            models.Index(
                fields=["-created_at"], condition=Q(status="failed"), name="outbox_failed"
            ),
            *(
                models.Index(
                    fields=[column], condition=Q(**{f"{column}__isnull": False}), name=name
                )
                for column, name in (
                    ("case", "outbox_case"),
                    ("created_by", "outbox_created_by"),
                    ("webhook_endpoint", "outbox_webhook_endpoint"),
                    ("chat_alert", "outbox_chat_alert"),
                )
            ),
            # A delivery report finds its text by the provider's id.
            models.Index(
                fields=["provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="outbox_provider_message_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient} ({self.status})"

    def due_at(self, when: datetime) -> datetime:
        """When it may go, at ``when`` or later: a text to a customer waits
        for the end of their quiet hours (a retry and one queued again too)."""
        if self.channel == self.Channel.SMS and self.customer is not None:
            return sms_allowed_at(customer=self.customer, when=when)
        return when

    @property
    def message_id(self) -> str:
        """Stable across retries, so a receiver can drop a rare duplicate."""
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
        return f"<nps-{self.pk}@{domain}>"

    @classmethod
    def pk_from_message_id(cls, message_id: str) -> int | None:
        """The row an email's Message-ID (as ``message_id`` makes it) names,
        whatever domain it carries; None for one this product did not make."""
        match = re.fullmatch(r"\s*<?nps-(\d{1,18})@[^>\s]*>?\s*", message_id or "")
        return int(match.group(1)) if match else None

    @property
    def webhook_id(self) -> str:
        """A webhook's ``webhook-id``: stable across retries and resends, so a
        receiver can drop a rare duplicate."""
        return f"msg_nps_{self.pk}"


class MailEvent(models.Model):
    """A bounce or spam complaint a mail server or provider reported. Kept for
    the admin and reports, and so a provider that posts the same report twice
    changes nothing the second time (``dedupe_key``). Erasing the customer
    deletes their rows: the address and the server's words name them."""

    class Kind(models.TextChoices):
        BOUNCE = "bounce", _("Bounce")
        COMPLAINT = "complaint", _("Spam complaint")

    class BounceType(models.TextChoices):
        PERMANENT = "permanent", _("Permanent")
        TRANSIENT = "transient", _("Transient")

    class Source(models.TextChoices):
        JSON = "json", _("JSON")
        DSN = "dsn", _("Delivery status notification")
        ARF = "arf", _("Abuse report")
        SMTP = "smtp", _("Refused while sending")

    dedupe_key = models.CharField(_("dedupe key"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    bounce_type = models.CharField(_("bounce type"), max_length=10, choices=BounceType, blank=True)
    email = models.CharField(_("address"), max_length=254)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="mail_events",
        verbose_name=_("customer"),
    )
    outbound_message = models.ForeignKey(
        OutboundMessage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mail_events",
        verbose_name=_("email"),
        help_text=_("The email that bounced, when the report named its Message-ID."),
    )
    status_code = models.CharField(_("status code"), max_length=16, blank=True)
    diagnostic = models.CharField(_("diagnostic"), max_length=1000, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source)
    # The machine-readable part of the report, cut short: enough to see what
    # the server said, never a whole email.
    raw = models.TextField(_("report"), blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    stopped_mail = models.BooleanField(
        _("stopped mail"),
        default=False,
        help_text=_("Whether this report marked the address and stopped its email."),
    )

    class Meta:
        verbose_name = _("bounce or complaint")
        verbose_name_plural = _("bounces and complaints")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.status_code or self.bounce_type} ({self.pk})"


class InboundReply(models.Model):
    """An email a customer sent to a case's reply address, as received once:
    the guard against recording a message twice (mail providers and IMAP
    deliver at least once). What the customer wrote is on the case's timeline
    (``event``); this row holds no personal data, only a digest of the
    Message-ID."""

    class Source(models.TextChoices):
        API = "api", _("Inbound webhook")
        IMAP = "imap", _("IMAP mailbox")

    message_key = models.CharField(_("Message-ID digest"), max_length=64, unique=True)
    case = models.ForeignKey(
        FollowUpCase, on_delete=models.CASCADE, related_name="replies", verbose_name=_("case")
    )
    event = models.OneToOneField(
        CaseEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reply",
        verbose_name=_("timeline entry"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer reply")
        verbose_name_plural = _("customer replies")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} · case {self.case_id}"


# --- Webhooks -----------------------------------------------------------------


class HttpTargetQuerySet(models.QuerySet):
    """The rules about one receiver the outbox posts to over HTTP: whether it
    still gets deliveries, and when its failures disable it. Conditional
    updates, so concurrent deliveries agree on one outcome."""

    def active(self) -> Self:
        return self.filter(is_active=True)

    def disable(self, pk: int, *, reason: str, now: datetime | None = None) -> bool:
        """Stop delivering to the receiver. Returns whether this call disabled
        it (a concurrent failure may have first)."""
        return bool(
            self.filter(pk=pk, is_active=True).update(
                is_active=False, disabled_at=now or timezone.now(), disabled_reason=reason[:300]
            )
        )

    def note_success(self, pk: int) -> None:
        self.filter(pk=pk, failing_since__isnull=False).update(failing_since=None)

    def note_failure(self, pk: int, *, now: datetime | None = None) -> bool:
        """Note a failed delivery. A receiver that has failed every delivery
        for NPS_WEBHOOK_DISABLE_AFTER_DAYS is disabled: True when this call did."""
        now = now or timezone.now()
        days = settings.NPS_WEBHOOK_DISABLE_AFTER_DAYS
        with transaction.atomic():
            self.filter(pk=pk, failing_since__isnull=True).update(failing_since=now)
            limit = now - timedelta(days=days)
            if not self.filter(pk=pk, is_active=True, failing_since__lte=limit).exists():
                return False
            return self.disable(pk, reason=f"Every delivery failed for {days:g} days.", now=now)


class HttpTarget(models.Model):
    """A receiver the outbox posts to over HTTP (a webhook endpoint, a Slack
    alert): its URL, and whether it still gets deliveries (disabled by hand,
    by a receiver that says it is gone, or after failing for days)."""

    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(pgettext_lazy("in use", "active"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)
    failing_since = models.DateTimeField(
        _("failing since"),
        null=True,
        blank=True,
        help_text=_("The first failed delivery since the last successful one."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = HttpTargetQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def active_set(self, active: bool, *, by: str) -> None:
        """Enabled or disabled by hand (unsaved): enabled again, its failures so
        far no longer count."""
        if active:
            self.disabled_at, self.disabled_reason, self.failing_since = None, "", None
        else:
            self.disabled_at = timezone.now()
            self.disabled_reason = f"Disabled in the admin by {by}."
        self.is_active = active


class WebhookEndpoint(HttpTarget):
    """A receiver of signed events (Standard Webhooks): where they go, which
    ones it wants, the secret they are signed with, and whether it still gets
    them. Each event it wants becomes one outbox row per endpoint."""

    events = models.JSONField(
        _("events"), default=list, help_text=_("The names of the events it receives.")
    )
    # Needed in clear to sign; shown once, when the endpoint is created.
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    personal_data = models.BooleanField(
        _("receives personal data"),
        default=False,
        help_text=_("Customers' email addresses, names and comments are sent only if set."),
    )

    class Meta(HttpTarget.Meta):
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return self.is_active and event in self.events


class ChannelManager(models.Manager):
    """The outbox rows of one channel: the manager of a channel's delivery log
    (a proxy of ``OutboundMessage``)."""

    def __init__(self, channel: str) -> None:
        super().__init__()
        self.channel = channel

    def get_queryset(self):
        return super().get_queryset().filter(channel=self.channel)


class WebhookDelivery(OutboundMessage):
    """The outbox's webhook rows, as the admin's delivery log shows them."""

    objects = ChannelManager(OutboundMessage.Channel.WEBHOOK)  # type: ignore[misc,assignment]  # narrower, on purpose

    class Meta:
        proxy = True
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        permissions = [("resend_webhookdelivery", _("Can send webhook deliveries again"))]


class WebhookAttempt(models.Model):
    """One HTTP request of a webhook delivery, and what came of it."""

    message = models.ForeignKey(
        OutboundMessage,
        on_delete=models.CASCADE,
        related_name="webhook_attempts",
        verbose_name=_("message"),
    )
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.message_id} @ {self.started_at:%Y-%m-%d %H:%M:%S}: {self.status_code}"


# --- Chat alerts (Slack incoming webhooks) -------------------------------------


def detractors_only() -> list[str]:
    return ["detractor"]


def url_masked(url: str) -> str:
    """An incoming-webhook URL as lists and pages show it: its host and the
    last four characters; the rest is the secret that lets anyone post."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…{url[-4:]}" if rest else "…"


class ChatAlert(HttpTarget):
    """A chat channel told about one survey's answers of chosen categories
    (detractors unless said otherwise), through the incoming-webhook URL of
    Slack or of a chat that takes Slack's messages. Each alert is one outbox
    row, delivered and retried like a webhook."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="chat_alerts", verbose_name=_("survey")
    )
    # Anyone holding the URL can post to the channel: shown masked once saved.
    url = models.URLField(_("incoming-webhook URL"), max_length=2000)
    categories = models.JSONField(
        _("categories"),
        default=detractors_only,
        help_text=_("The categories of answers that are posted."),
    )

    class Meta(HttpTarget.Meta):
        verbose_name = _("Slack alert")
        verbose_name_plural = _("Slack alerts")

    def __str__(self) -> str:
        return self.url_masked

    @property
    def url_masked(self) -> str:
        return url_masked(self.url)

    def wants(self, category: str) -> bool:
        return self.is_active and category in self.categories


class ChatAlertDelivery(OutboundMessage):
    """The outbox's Slack rows, as the admin's delivery log shows them."""

    objects = ChannelManager(OutboundMessage.Channel.SLACK)  # type: ignore[misc,assignment]  # narrower, on purpose

    class Meta:
        proxy = True
        verbose_name = _("Slack alert delivery")
        verbose_name_plural = _("Slack alert deliveries")
        permissions = [("resend_chatalertdelivery", _("Can send Slack alert deliveries again"))]


class ImprovementAction(models.Model):
    """The outer loop: a change a manager owns because a root cause keeps
    coming back, with its effect on NPS before and after it took effect."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    class Priority(models.IntegerChoices):
        HIGH = 1, _("High")
        NORMAL = 2, _("Normal")
        LOW = 3, _("Low")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, verbose_name=_("survey"))
    root_cause = models.ForeignKey(
        RootCause, on_delete=models.PROTECT, related_name="actions", verbose_name=_("root cause")
    )
    cases = models.ManyToManyField(
        FollowUpCase, blank=True, related_name="improvement_actions", verbose_name=_("cases")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="improvement_actions",
        verbose_name=_("owner"),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority, default=Priority.NORMAL
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.PLANNED)
    target_segment = models.CharField(
        _("target segment"), max_length=100, blank=True, help_text=_("Empty: every segment.")
    )
    effective_from = models.DateTimeField(
        _("in effect from"),
        null=True,
        blank=True,
        help_text=_("When the change reached customers: NPS before and after is split here."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["priority", "-created_at"]

    def __str__(self) -> str:
        return self.title


# --- Root-cause suggestion models ---------------------------------------------


class RootCauseModel(models.Model):
    """One training of the root-cause suggestion model on the team's own
    labelled cases (``followups.insights.suggestions``): its version, what it
    learned from and how well it did by cross-validation. At most one is
    active, the one suggestions come from; older ones stay as the record."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    trained_at = models.DateTimeField(_("trained at"), default=timezone.now)
    training_size = models.PositiveIntegerField(_("training size"))
    class_counts = models.JSONField(_("cases per root cause"), default=dict)
    macro_f1 = models.FloatField(_("macro-F1"), null=True, blank=True)
    top2_accuracy = models.FloatField(_("top-2 accuracy"), null=True, blank=True)
    params = models.JSONField(_("parameters"), default=dict)
    # The fitted scikit-learn pipeline, pickled (joblib). Unpickling runs code,
    # so this is safe only because the bytes come from this product's own
    # training and its own database, which is trusted like its code: no
    # upload or API ever writes this column.
    # Emptied when an erasure takes the comments it learned from out of use
    # (an inactive model's), or when it cannot be loaded any more.
    pipeline = models.BinaryField(_("pipeline"))
    # HMAC-SHA256 of ``pipeline`` under a key derived from SECRET_KEY: bytes
    # without it, or that do not match it, are never unpickled.
    pipeline_signature = models.CharField(_("pipeline signature"), max_length=64, blank=True)
    # The scikit-learn, joblib and NumPy versions that wrote the pipeline: a
    # process with others does not load it (the next training replaces it).
    library_versions = models.JSONField(_("library versions"), default=dict, blank=True)
    # Set when the comments it learned from changed (erasure) or it could not
    # be loaded: the next run of the training job trains a new model.
    needs_retraining = models.BooleanField(_("needs retraining"), default=False)
    load_error = models.TextField(_("load error"), blank=True)
    is_active = models.BooleanField(pgettext_lazy("in use", "active"), default=False)

    class Meta:
        verbose_name = _("root-cause model")
        verbose_name_plural = _("root-cause models")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="one_active_root_cause_model",
            )
        ]

    def __str__(self) -> str:
        return _("Root-cause model v%(version)s") % {"version": self.version}


class RootCauseTraining(models.Model):
    """The state of the root-cause training job, one row (pk 1): when an
    attempt started and how many attempts in a row did not finish (failed,
    or killed at the time limit). The job waits longer after each one instead
    of trying again at every run."""

    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("root-cause training")
        verbose_name_plural = _("root-cause trainings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class Theme(models.Model):
    """What a group of comments is about, the same across periods: each
    period's cluster joins the theme whose recent centroid it resembles
    (``followups.insights.themes``). A manager may name it; unnamed, it is
    shown by its latest characteristic words."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="+", verbose_name=_("survey")
    )
    name = models.CharField(
        _("name"),
        max_length=80,
        blank=True,
        help_text=_("Given by a manager; empty: shown by its characteristic words."),
    )
    words = models.JSONField(
        _("characteristic words"), default=list, blank=True, editable=False
    )  # of its latest period, so a list shows it without reading periods
    # Its first words as one text, so exports show a theme in their one query.
    words_label = models.CharField(_("shown as"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment theme")
        verbose_name_plural = _("comment themes")
        ordering = ["survey", "pk"]
        permissions = [("rename_theme", _("Can name comment themes"))]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or self.words_label or _("theme #%(id)s") % {"id": self.pk}

    @staticmethod
    def label_of(words: list[str]) -> str:
        return ", ".join(words[:5])[:200]


class ThemePeriod(models.Model):
    """One theme in one period: its centroid, words and figures, and flags."""

    class Kind(models.TextChoices):
        WEEK = "week", pgettext_lazy("theme period", "week")
        MONTH = "month", pgettext_lazy("theme period", "month")

    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="periods", verbose_name=_("theme")
    )
    kind = models.CharField(_("period"), max_length=5, choices=Kind)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), help_text=_("The first day after the period."))
    # The largest components of the hashed centroid: {"i": [...], "v": [...]}.
    centroid = models.JSONField(_("centroid"), default=dict, editable=False)
    words = models.JSONField(_("characteristic words"), default=list)
    answers = models.PositiveIntegerField(_("answers"))
    share = models.FloatField(_("share of answers (%)"))
    promoters = models.PositiveIntegerField(_("promoters"))
    passives = models.PositiveIntegerField(_("passives"))
    detractors = models.PositiveIntegerField(_("detractors"))
    is_new = models.BooleanField(_("new"), default=False)
    is_growing = models.BooleanField(_("growing"), default=False)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("theme period")
        verbose_name_plural = _("theme periods")
        ordering = ["-start", "-share"]
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "kind", "start"], name="theme_period_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="theme_period_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["kind", "start"], name="theme_period_kind_start")]

    def __str__(self) -> str:
        return f"{self.theme} ({self.start:%Y-%m-%d})"


class ThemeComputation(models.Model):
    """That a survey's period had its themes computed, even when too few
    comments made no theme: the daily job does not compute it again, and
    its ``themes.computed`` webhook is sent once."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="theme_computations")
    kind = models.CharField(_("period"), max_length=5, choices=ThemePeriod.Kind)
    start = models.DateField(_("from"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    comments = models.PositiveIntegerField(_("comments"), default=0)
    # An erasure took answers out of this period: its words were scrubbed
    # and the next daily run computes it again (without a second webhook).
    stale = models.BooleanField(_("to compute again"), default=False)

    class Meta:
        verbose_name = _("theme computation")
        verbose_name_plural = _("theme computations")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "kind", "start"], name="theme_computation_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.kind} {self.start:%Y-%m-%d}"


class ResponseTheme(models.Model):
    """The theme an answer's comment was put in, by the latest computation
    that included it."""

    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="theme_assignment"
    )
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="assignments")
    period = models.ForeignKey(ThemePeriod, on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        verbose_name = _("answer's theme")
        verbose_name_plural = _("answers' themes")

    def __str__(self) -> str:
        return f"{self.response_id} -> {self.theme_id}"


# --- A bonus for non-responders -----------------------------------------------


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


# --- SMS ------------------------------------------------------------------------


class InboundSms(models.Model):
    """A text message a customer sent us, as the SMS provider delivered it,
    once: the provider's message id is unique (providers deliver at least
    once), and the row keeps what was written whatever became of it."""

    class Provider(models.TextChoices):
        TWILIO = "twilio", "Twilio"
        HTTP = "http", _("HTTP gateway")

    class Outcome(models.TextChoices):
        SCORE = "score", _("Score recorded")
        COMMENT = "comment", _("Comment recorded")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        UNMATCHED = "unmatched", _("No customer or open SMS invitation")
        IGNORED = "ignored", _("Kept, nothing to do")

    provider = models.CharField(_("provider"), max_length=10, choices=Provider)
    provider_message_id = models.CharField(_("provider's message id"), max_length=100)
    sender = models.CharField(_("from"), max_length=40, blank=True)
    body = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome)
    note = models.CharField(_("note"), max_length=300, blank=True)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_sms",
        verbose_name=_("customer"),
    )
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_sms",
        verbose_name=_("invitation"),
    )
    response = models.ForeignKey(
        Response,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_sms",
        verbose_name=_("response"),
    )

    class Meta:
        verbose_name = _("inbound SMS")
        verbose_name_plural = _("inbound SMS messages")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_message_id"], name="inbound_sms_once_per_provider_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.provider_message_id} ({self.outcome})"
