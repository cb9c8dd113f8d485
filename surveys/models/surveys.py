"""Surveys, the departments that own them, and the answers their driver question offers."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .languages import (
    TRANSLATED_LOCALES,
    Locale,
    missing_locales,
    translated_field_name,
    translated_text,
)


class Department(models.Model):
    """A part of the company that answers for its own surveys and cases
    (support, sales, delivery...). Its members see its surveys, answers and
    cases; rows of no department are shared by everyone. Who sees what is
    decided in ``surveys.departments``."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        verbose_name=_("members"),
        help_text=_(
            "Staff and managers of this department. People in no department see only "
            "shared surveys and cases, unless they may see every department."
        ),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        permissions = [("view_all_departments", _("Can see every department"))]

    def __str__(self) -> str:
        return self.name


class EmployeeSurveyRefused(ValidationError, ValueError):
    """An employee survey given to a path that asks or records customers (both
    a ValidationError, for forms and the API, and a ValueError, for waves)."""

    def __init__(self, survey: Survey) -> None:
        super().__init__(
            _(
                "“%(slug)s” is an employee survey: it is sent only to employees "
                "(manage.py enps_invite) and answered only through their anonymous links, "
                "never to or by customers."
            )
            % {"slug": survey.slug},
            code="employee_survey",
        )


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ARCHIVED = "archived", _("Archived")

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customers (NPS)")
        EMPLOYEE = "employee", _("Employees (eNPS, anonymous)")

    class Recurrence(models.TextChoices):
        NONE = "", _("Once")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    question = models.CharField(
        _("question"),
        max_length=300,
        default="How likely are you to recommend us to a friend or colleague?",
    )
    follow_up_question = models.CharField(
        _("follow-up question"),
        max_length=300,
        default="What is the main reason for your score?",
    )
    # The same two questions in each of TRANSLATED_LOCALES; empty: English.
    question_pl = models.CharField(_("question (Polish)"), max_length=300, blank=True)
    question_ru = models.CharField(_("question (Russian)"), max_length=300, blank=True)
    question_zh_hans = models.CharField(
        _("question (Simplified Chinese)"), max_length=300, blank=True
    )
    follow_up_question_pl = models.CharField(
        _("follow-up question (Polish)"), max_length=300, blank=True
    )
    follow_up_question_ru = models.CharField(
        _("follow-up question (Russian)"), max_length=300, blank=True
    )
    follow_up_question_zh_hans = models.CharField(
        _("follow-up question (Simplified Chinese)"), max_length=300, blank=True
    )
    # The optional "main reason" question, asked after the score with the
    # survey's DriverChoice rows as its answers; empty: not asked.
    driver_question = models.CharField(
        _("driver question"),
        max_length=300,
        blank=True,
        help_text=_(
            'A multiple-choice "main reason" question asked after the score, e.g. "What '
            'mattered most?"; its answers are the choices below. Empty: not asked.'
        ),
    )
    driver_question_pl = models.CharField(_("driver question (Polish)"), max_length=300, blank=True)
    driver_question_ru = models.CharField(
        _("driver question (Russian)"), max_length=300, blank=True
    )
    driver_question_zh_hans = models.CharField(
        _("driver question (Simplified Chinese)"), max_length=300, blank=True
    )
    default_locale = models.CharField(
        _("default language"), max_length=10, choices=Locale, default=Locale.ENGLISH
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    throttle_days = models.PositiveSmallIntegerField(
        _("throttle days"),
        default=30,
        help_text=_("Do not ask the same customer again within this many days."),
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        _("reminder after days"),
        default=7,
        help_text=_("Send one reminder if there is no answer after this many days (0: never)."),
    )
    invitation_lifetime_days = models.PositiveSmallIntegerField(
        _("invitation lifetime (days)"), default=30, validators=[MinValueValidator(1)]
    )
    detractor_sla_hours = models.PositiveSmallIntegerField(
        _("detractor SLA (hours)"),
        default=24,
        validators=[MinValueValidator(1)],
        help_text=_("A detractor must be contacted within this many hours."),
    )
    detractor_resolution_hours = models.PositiveSmallIntegerField(
        _("detractor resolution SLA (hours)"),
        default=72,
        validators=[MinValueValidator(1)],
        help_text=_("A detractor's case must be resolved within this many hours of the answer."),
    )
    sla_business_hours = models.BooleanField(
        _("count SLA hours in business hours"),
        default=False,
        help_text=_(
            "Count only working days and hours (NPS_BUSINESS_DAYS, NPS_BUSINESS_HOURS, "
            "NPS_BUSINESS_TIME_ZONE) towards the SLA: an answer on Friday evening is due on "
            "Monday."
        ),
    )
    auto_assign = models.BooleanField(
        _("assign cases automatically"),
        default=False,
        help_text=_("Give each new case an owner, round-robin among available service staff."),
    )
    recurrence = models.CharField(
        _("repeats"), max_length=10, choices=Recurrence, default=Recurrence.NONE, blank=True
    )
    last_wave_at = models.DateTimeField(
        _("last wave sent at"),
        null=True,
        blank=True,
        help_text=_("When a repeating survey last went out to everyone due."),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("department"),
        help_text=_(
            "Its answers and cases belong to this department; empty: shared by every department."
        ),
    )
    benchmark_nps = models.SmallIntegerField(
        _("benchmark NPS"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
        help_text=_("An industry or internal NPS to compare against."),
    )
    kind = models.CharField(
        _("asked of"),
        max_length=10,
        choices=Kind,
        default=Kind.CUSTOMER,
        help_text=_(
            "An employee survey is anonymous by construction: its answers are kept apart "
            "from who was asked, and shown only for groups of at least the minimum size."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(benchmark_nps__gte=-100, benchmark_nps__lte=100)
                | Q(benchmark_nps__isnull=True),
                name="survey_benchmark_nps_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.is_employee:
            self.employee_settings_check()
        if (
            self.detractor_resolution_hours is not None
            and self.detractor_sla_hours is not None
            and self.detractor_resolution_hours < self.detractor_sla_hours
        ):
            raise ValidationError(
                {
                    "detractor_resolution_hours": _(
                        "The resolution SLA cannot be shorter than the first-contact SLA "
                        "(%(hours)s hours): a case contacted on time would be overdue at once."
                    )
                    % {"hours": self.detractor_sla_hours}
                }
            )

    @property
    def is_employee(self) -> bool:
        return self.kind == self.Kind.EMPLOYEE

    def employee_settings_check(self) -> None:
        """Raise a ``ValidationError`` naming each setting an employee survey
        would store and never use: a recurrence (its employees are asked by
        ``enps_invite``, not by waves) or a driver question, in any language
        (its anonymous answer page asks none)."""
        errors: dict[str, ValidationError] = {}
        if self.recurrence:
            errors["recurrence"] = ValidationError(
                _(
                    "An employee survey does not repeat by waves: its employees are "
                    "asked with manage.py enps_invite."
                ),
                code="employee_survey",
            )
        translated = (translated_field_name("driver_question", lang) for lang in TRANSLATED_LOCALES)
        for field in ("driver_question", *translated):
            if getattr(self, field):
                errors[field] = ValidationError(
                    _(
                        "An employee survey asks no driver question: its anonymous answer "
                        "page shows none. Leave this empty."
                    ),
                    code="employee_survey",
                )
        if errors:
            raise ValidationError(errors)

    def for_customers_check(self) -> None:
        """Raise ``EmployeeSurveyRefused`` for an employee survey: waves,
        audiences, invitations, ingestion and the Delighted API ask customers,
        and an employee survey's answers are anonymous (``surveys/enps.py``)."""
        if self.is_employee:
            raise EmployeeSurveyRefused(self)

    @property
    def is_accepting_responses(self) -> bool:
        return self.status in (self.Status.ACTIVE, self.Status.PAUSED)

    @property
    def wave_interval(self) -> timedelta | None:
        """How long between waves of a repeating survey (None: it does not repeat)."""
        return {
            self.Recurrence.MONTHLY: timedelta(days=30),
            self.Recurrence.QUARTERLY: timedelta(days=91),
        }.get(self.recurrence)  # type: ignore[call-overload]  # choices hash as their values

    def driver_question_for(self, language: str) -> str:
        """The driver question in ``language``, falling back to English; empty
        when the survey asks none."""
        if not self.driver_question:
            return ""
        return translated_text(self, "driver_question", language)

    def drivers_offered(self):
        """The driver choices customers and integrations may give: the active
        ones, and none at all once the survey asks no driver question (its
        choices stay, for the answers that chose them)."""
        if not self.driver_question:
            return self.drivers.none()
        return self.drivers.active()

    def driver_offered(self, choice: DriverChoice) -> bool:
        """Whether an answer to this survey may give ``choice`` (as
        ``drivers_offered``, without a query)."""
        return bool(self.driver_question) and choice.survey_id == self.pk and choice.active

    def text_for(self, language: str) -> tuple[str, str]:
        """The question and follow-up question in ``language``, each falling back
        to the survey's own (English) wording."""
        return (
            translated_text(self, "question", language),
            translated_text(self, "follow_up_question", language),
        )

    @property
    def missing_locales(self) -> list[str]:
        """The languages this survey would ask in English: its question, or its
        follow-up question where it has one, has no text in them."""
        missing = set(missing_locales(self, "question"))
        if self.follow_up_question:
            missing |= set(missing_locales(self, "follow_up_question"))
        if self.driver_question:
            missing |= set(missing_locales(self, "driver_question"))
        return [locale for locale in TRANSLATED_LOCALES if locale in missing]

    @property
    def translations(self) -> dict[str, dict[str, str]]:
        """The worded languages as one mapping, {"pl": {"question": ...,
        "follow_up_question": ...}}: the shape the API publishes."""
        return {
            locale: texts
            for locale in TRANSLATED_LOCALES
            if (
                texts := {
                    field: value
                    for field in ("question", "follow_up_question", "driver_question")
                    if (value := getattr(self, translated_field_name(field, locale)))
                }
            )
        }

    @translations.setter
    def translations(self, value: dict[str, dict[str, str]]) -> None:
        for locale in TRANSLATED_LOCALES:
            texts = value.get(locale) or {}
            for field in ("question", "follow_up_question", "driver_question"):
                setattr(self, translated_field_name(field, locale), texts.get(field, ""))


class DriverChoiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def offered(self):
        """The active choices of surveys that ask a driver question."""
        return self.active().exclude(survey__driver_question="")


class DriverChoice(models.Model):
    """One answer to a survey's driver ("main reason") question, worded in
    each language like the survey's questions. ``key`` is what integrators
    send and read: stable while the label is reworded. A choice that has
    answers is deactivated, never deleted (PROTECT on the answers)."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="drivers", verbose_name=_("survey")
    )
    key = models.SlugField(
        _("key"),
        max_length=50,
        help_text=_("A stable name for integrations, e.g. price or delivery."),
    )
    label = models.CharField(_("label"), max_length=200)
    label_pl = models.CharField(_("label (Polish)"), max_length=200, blank=True)
    label_ru = models.CharField(_("label (Russian)"), max_length=200, blank=True)
    label_zh_hans = models.CharField(_("label (Simplified Chinese)"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(
        pgettext_lazy("driver choice", "active"),
        default=True,
        help_text=_("Only active choices are offered; past answers keep an inactive one."),
    )

    objects = DriverChoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("driver choice")
        verbose_name_plural = _("driver choices")
        ordering = ["survey", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "key"],
                name="driver_choice_key_per_survey",
                violation_error_message=_("This survey already has a choice with this key."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        """Once answers chose it, its key is what integrations already read
        (the exports, the webhooks, the API): changing it would rename the
        past under them. Rewording the label is fine; a new key is a new choice."""
        if self.pk is None:
            return
        stored = DriverChoice.objects.filter(pk=self.pk).values_list("key", flat=True).first()
        if stored is not None and stored != self.key and self.responses.exists():
            raise ValidationError(
                {
                    "key": _(
                        "Answers already chose this reason under the key “%(key)s”, which "
                        "integrations read: keep it (reword the label), or add a new choice "
                        "and untick this one."
                    )
                    % {"key": stored}
                }
            )

    def label_for(self, language: str) -> str:
        """The label in ``language``, falling back to English."""
        return translated_text(self, "label", language)

    @property
    def translations(self) -> dict[str, str]:
        """The worded languages, {"pl": "Cena"}: the shape the API publishes."""
        return {
            locale: value
            for locale in TRANSLATED_LOCALES
            if (value := getattr(self, translated_field_name("label", locale)))
        }
