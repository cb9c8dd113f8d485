"""Follow-up cases: the rules about one case, its timeline, and the staff who work cases."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from surveys.models import Customer, Response, Survey


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
