"""Customers, surveys, invitations and responses: the answers and who gave them."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Lower, Now
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from . import stats
from .branding import (
    DEFAULT_TEXTS,
    TEXT_PARTS,
    EmailKind,
    placeholders_validate,
    validate_brand_colour,
)
from .fields import SingleLineCharField
from .phones import phone_normalize
from .time_zones import time_zone_for_phone, validate_time_zone


class Locale(models.TextChoices):
    ENGLISH = "en", _("English")
    CHINESE = "zh-hans", _("Simplified Chinese")
    POLISH = "pl", _("Polish")
    RUSSIAN = "ru", _("Russian")


# The languages a survey, offer or reward is worded in besides English, its own
# wording; a text left empty in one of them falls back to English.
TRANSLATED_LOCALES = (Locale.POLISH, Locale.RUSSIAN, Locale.CHINESE)


def translated_field_name(field: str, locale: str) -> str:
    """The column holding ``field`` in ``locale``: question_pl, question_zh_hans."""
    return f"{field}_{locale.replace('-', '_')}"


def translated_text(obj: models.Model, field: str, language: str) -> str:
    """``obj.<field>`` in ``language`` (a Locale value), falling back to English."""
    if language in TRANSLATED_LOCALES:
        localized = getattr(obj, translated_field_name(field, language))
        if localized:
            return localized
    return getattr(obj, field)


def missing_locales(obj: models.Model, field: str) -> list[str]:
    """The translated languages ``obj.<field>`` has no text in."""
    return [
        locale
        for locale in TRANSLATED_LOCALES
        if not getattr(obj, translated_field_name(field, locale))
    ]


# Why a customer may not be emailed, in the order they are told apart (an
# erased customer is reported as erased, whatever else holds), with the column
# that says so: ``reachable()``, a single invitation's skip reason and a
# wave's preview all read this one table.
MAIL_BLOCKS = (
    ("erased", "erased_at"),
    ("unsubscribed", "unsubscribed_at"),
    ("complained", "email_complained_at"),
    ("bounced", "email_bounced_at"),
)


# Why a customer may not be texted, in the order they are told apart, with
# the column that says so; then ``NO_PHONE`` when they have no phone number.
# ``Customer.sms_block``, ``textable()`` and an SMS wave's preview read it.
SMS_BLOCKS = (
    ("erased", "erased_at"),
    ("unsubscribed", "unsubscribed_at"),  # an email's link or a STOP alike
)
NO_PHONE = "no_phone"
WITHOUT_PHONE = Q(phone__isnull=True) | Q(phone="")


class CustomerQuerySet(models.QuerySet):
    def reachable(self):
        """Customers we may email: not unsubscribed, not erased, whose address
        has not bounced for good, and who never marked our email as spam."""
        return self.filter(**{f"{column}__isnull": True for _, column in MAIL_BLOCKS})

    def textable(self):
        """Customers we may text: not erased, not unsubscribed, with a phone."""
        return self.filter(**{f"{column}__isnull": True for _, column in SMS_BLOCKS}).exclude(
            WITHOUT_PHONE
        )

    def in_audience(
        self,
        *,
        segment: str = "",
        customer_list_id: int | None = None,
        saved_filter: SavedFilter | None = None,
    ):
        """The customers a survey is sent to: of a segment, on an uploaded
        list, matching a saved filter (all that are given), reachable or not."""
        customers = self
        if segment:
            customers = customers.filter(segment=segment)
        if customer_list_id is not None:
            members = CustomerListMember.objects.filter(customer_list_id=customer_list_id)
            customers = customers.filter(pk__in=members.values("customer_id"))
        if saved_filter is not None:
            customers = customers.filter(saved_filter.condition())
        return customers

    def with_phone(self, phone: str):
        """Customers with this phone number (E.164, as stored)."""
        return self.filter(phone=phone)

    def with_email(self, email: str):
        """Customers with this email in any case, matched on the unique index's
        own expression, ``LOWER(email)`` (``email__iexact`` compares ``UPPER()``,
        which no index has, and so reads every customer)."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=Lower(Value(email)))


def new_unsubscribe_key() -> str:
    """256 random bits: what a customer's unsubscribe link carries (signed)."""
    return secrets.token_urlsafe(32)


class Customer(models.Model):
    # NULL, not "", where a value is absent: unique constraints ignore NULLs.
    email = models.EmailField(_("email"), max_length=254, null=True, blank=True)  # noqa: DJ001
    name = SingleLineCharField(_("name"), max_length=200, blank=True)
    external_id = models.CharField(  # noqa: DJ001
        _("external id"),
        max_length=100,
        null=True,
        blank=True,
        help_text=_("The customer's id in your CRM or shop, if any."),
    )
    # E.164 (+48123456789), normalized by surveys.phones.phone_normalize; NULL when unknown.
    phone = models.CharField(_("phone"), max_length=20, null=True, blank=True)  # noqa: DJ001
    segment = SingleLineCharField(_("segment"), max_length=100, blank=True, db_index=True)
    locale = models.CharField(_("language"), max_length=10, choices=Locale, blank=True)
    # An IANA name, checked in clean(); empty: NPS_SMS_DEFAULT_TIME_ZONE.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("IANA name, e.g. Europe/Warsaw: no SMS reaches them in their quiet hours."),
    )
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    email_bounced_at = models.DateTimeField(
        _("email bounced at"),
        null=True,
        blank=True,
        help_text=_("The mail server refused this address for good; no email is sent to it."),
    )
    # Its own column, not an unsubscribe: reports tell the two apart. It stops
    # mail the same way, and a new address does not clear it.
    email_complained_at = models.DateTimeField(
        _("marked as spam at"),
        null=True,
        blank=True,
        help_text=_("The customer reported our email as spam; no email is sent to them."),
    )
    email_problem = models.CharField(
        _("mail problem"),
        max_length=500,
        blank=True,
        help_text=_("What the mail server or provider said about the last bounce or complaint."),
    )
    # Unsubscribe links carry this, never the id: an id counts customers and
    # names the next one (surveys.links). Indexed, not unique: 256 random bits
    # do not collide, and a unique field would cost every customer saved
    # through full_clean() one more query.
    unsubscribe_key = models.CharField(
        max_length=64, db_index=True, default=new_unsubscribe_key, editable=False
    )
    erased_at = models.DateTimeField(
        _("erased at"),
        null=True,
        blank=True,
        help_text=_("Personal data removed on request; answers kept anonymously."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at"]
        permissions = [
            ("erase_customer", _("Can erase a customer's personal data")),
            ("import_customer", _("Can import customers from a file")),
            ("export_customer", _("Can export customers to a file")),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="customer_email_ci_unique",
                violation_error_message=_("A customer with this email already exists."),
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                name="customer_external_id_unique",
                violation_error_message=_("A customer with this external id already exists."),
            ),
            models.UniqueConstraint(
                fields=["phone"],
                name="customer_phone_unique",
                violation_error_message=_("A customer with this phone number already exists."),
            ),
            # Only an erased customer may be without an email address.
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(erased_at__isnull=False),
                name="customer_email_required_unless_erased",
                violation_error_message=_("A customer needs an email address."),
            ),
        ]

    def __str__(self) -> str:
        if self.is_erased:
            return f"erased customer #{self.pk}"
        return f"{self.name} <{self.email}>" if self.name else str(self.email)

    def save(self, *args, **kwargs):
        if self.email:
            self.email = self.email.strip()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        try:
            self.phone = phone_normalize(self.phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None
        self.time_zone = (self.time_zone or "").strip()
        try:
            validate_time_zone(self.time_zone)
        except ValidationError as exc:
            raise ValidationError({"time_zone": exc.messages}) from None
        self.time_zone_infer()

    def time_zone_infer(self) -> bool:
        """No time zone of their own: the one their phone number lies in, when
        it lies in one only. Returns whether it set one."""
        if self.time_zone or not self.phone:
            return False
        self.time_zone = time_zone_for_phone(self.phone)
        return bool(self.time_zone)

    @property
    def sms_block(self) -> str:
        """Why this customer may not be texted ("" when they may): erased,
        unsubscribed (an email link or an SMS STOP alike) or without a phone:
        the first of ``SMS_BLOCKS`` that holds, else ``NO_PHONE``."""
        blocked = next((reason for reason, column in SMS_BLOCKS if getattr(self, column)), "")
        return blocked or ("" if self.phone else NO_PHONE)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def bounce_cleared_by(self, email: str | None) -> bool:
        """Whether changing the address to ``email`` clears a bounce: a new
        address (not the same in another case) has not bounced."""
        return (
            self.email_bounced_at is not None
            and (self.email or "").lower() != (email or "").lower()
        )

    @property
    def mail_block(self) -> str:
        """Why this customer may not be emailed ("" when they may): the
        first of ``MAIL_BLOCKS`` that holds."""
        return next((reason for reason, column in MAIL_BLOCKS if getattr(self, column)), "")

    @property
    def is_reachable(self) -> bool:
        return not self.mail_block


class SavedFilter(models.Model):
    """A named choice of customers, made of the customer list's own filters
    (segment, language, joined between two dates), that a survey can be sent
    to again and again: each wave reads who matches when it is sent."""

    name = SingleLineCharField(_("name"), max_length=100, unique=True)
    segment = SingleLineCharField(_("segment"), max_length=100, blank=True)
    locale = models.CharField(_("language"), max_length=10, choices=Locale, blank=True)
    joined_from = models.DateField(
        _("joined on or after"), null=True, blank=True, help_text=_("The customer's creation date.")
    )
    joined_until = models.DateField(_("joined on or before"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.joined_from and self.joined_until and self.joined_from > self.joined_until:
            raise ValidationError(
                {"joined_until": _("The last day comes before the first: swap the two dates.")}
            )

    def changelist_params(self) -> dict[str, str]:
        """The customer list's URL parameters that show the same customers."""
        params = {"segment__exact": self.segment, "locale__exact": self.locale}
        if self.joined_from:
            params["created_at__date__gte"] = self.joined_from.isoformat()
        if self.joined_until:
            params["created_at__date__lte"] = self.joined_until.isoformat()
        return {key: value for key, value in params.items() if value}

    def criteria(self) -> dict[str, str]:
        """The customers this filter chooses, as lookups on Customer (plain
        strings: a wave keeps a copy, ``Wave.audience_criteria``)."""
        return {
            key.removesuffix("__exact"): value for key, value in self.changelist_params().items()
        }

    def condition(self) -> Q:
        """The customers this filter chooses, as a condition on Customer."""
        return Q(**self.criteria())


class CustomerList(models.Model):
    """Customers named in an uploaded file (by email or external id), kept so
    a survey is sent to exactly them. Lines naming nobody we know, or someone
    named before, are counted by line number (not by address: a person who is
    no customer leaves no personal data here)."""

    name = SingleLineCharField(_("name"), max_length=200)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    lines = models.PositiveIntegerField(_("lines"), default=0)
    unknown_lines = models.JSONField(
        _("lines naming no customer"), default=list, blank=True, editable=False
    )
    repeated_lines = models.JSONField(
        _("lines naming a customer again"), default=list, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer list")
        verbose_name_plural = _("customer lists")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class CustomerListMember(models.Model):
    customer_list = models.ForeignKey(
        CustomerList, on_delete=models.CASCADE, related_name="members"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    line = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("customer list member")
        verbose_name_plural = _("customer list members")
        constraints = [
            models.UniqueConstraint(
                fields=["customer_list", "customer"], name="customerlist_member_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_list} #{self.line}"


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


class Channel(models.TextChoices):
    EMAIL = "email", pgettext_lazy("channel", "Email")
    LINK = "link", _("Link")
    SMS = "sms", _("SMS")
    API = "api", _("API")
    IMPORT = "import", _("CSV import")


# What a wave is sent by: an email or a text to each customer.
WAVE_CHANNELS = (Channel.EMAIL, Channel.SMS)


class Wave(models.Model):
    """One sending of a survey to everyone due, done in chunks of customers by
    primary-key range (``WaveChunk``). The rows, not the broker, say what is
    left: a chunk without ``done_at`` is work the sweeper publishes again, and
    one invitation per customer per wave is a constraint, so a chunk run twice
    invites nobody twice."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="waves", verbose_name=_("survey")
    )
    segment = models.CharField(_("segment"), max_length=100, blank=True)
    # The audience beyond a segment: an uploaded list, a saved filter (or none:
    # every customer). Kept while a wave names them.
    customer_list = models.ForeignKey(
        CustomerList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waves",
        verbose_name=_("customer list"),
    )
    saved_filter = models.ForeignKey(
        SavedFilter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waves",
        verbose_name=_("saved filter"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    scheduled_at = models.DateTimeField(
        _("chunks made at"), null=True, blank=True, help_text=_("Empty until it is split.")
    )
    progressed_at = models.DateTimeField(
        _("last progress at"),
        default=timezone.now,
        help_text=_("When a chunk last finished, or the sweeper last published the rest."),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    chunk_size = models.PositiveIntegerField(_("customers per chunk"), default=2000)
    chunk_count = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    invited = models.PositiveIntegerField(_("customers invited"), default=0)
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=[(channel.value, channel.label) for channel in WAVE_CHANNELS],
        default=Channel.EMAIL,
        help_text=_("Email, or a text to each customer's phone."),
    )
    # The saved filter's criteria when the wave started: editing the filter
    # later does not change whom a wave under way reaches. Null: no filter.
    audience_criteria = models.JSONField(_("audience criteria"), null=True, blank=True)
    # The preview's one-time token: a second "Send now" of the same preview
    # (a double click) finds this wave instead of starting another.
    confirm_token = models.CharField(
        _("confirmation token"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=[channel.value for channel in WAVE_CHANNELS]),
                name="wave_channel_email_or_sms",
            ),
        ]
        indexes = [
            # The sweeper looks only at waves still under way.
            models.Index(
                fields=["progressed_at"],
                condition=Q(finished_at__isnull=True),
                name="wave_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} ({self.started_at:%Y-%m-%d %H:%M})"

    def customers(self):
        """Everyone this wave is sent to, reachable or not (by the saved
        filter's criteria as they were when the wave started)."""
        frozen = self.audience_criteria is not None
        customers = Customer.objects.in_audience(
            segment=self.segment,
            customer_list_id=self.customer_list_id,
            saved_filter=None if frozen else self.saved_filter,
        )
        return customers.filter(**self.audience_criteria) if frozen else customers


class WaveChunk(models.Model):
    """The customers of a wave with primary keys from ``first_customer_id`` to
    ``last_customer_id``, both included; invited by one small task."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    first_customer_id = models.BigIntegerField()
    last_customer_id = models.BigIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)
    invited = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("wave chunk")
        verbose_name_plural = _("wave chunks")
        constraints = [
            models.UniqueConstraint(fields=["wave", "number"], name="wavechunk_number"),
        ]
        indexes = [
            models.Index(
                fields=["wave"], condition=Q(done_at__isnull=True), name="wavechunk_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave} #{self.number}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    REMINDED = "reminded", _("Reminded")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    SKIPPED = "skipped", pgettext_lazy("invitation status", "Skipped")


class InvitationQuerySet(models.QuerySet):
    def with_status(self, now=None):
        """Annotated with ``status_value``, an ``InvitationStatus`` worked out
        by the database the way ``Invitation.status`` works it out in Python
        (``now``: when "expired" is judged; the database's clock if None)."""
        moment = Now() if now is None else Value(now)
        return self.annotate(
            status_value=Case(
                When(cancelled_at__isnull=False, then=Value(InvitationStatus.CANCELLED)),
                When(~Q(skip_reason=""), then=Value(InvitationStatus.SKIPPED)),
                When(responded_at__isnull=False, then=Value(InvitationStatus.ANSWERED)),
                When(sent_at__isnull=True, then=Value(InvitationStatus.SCHEDULED)),
                When(expires_at__lte=moment, then=Value(InvitationStatus.EXPIRED)),
                When(reminded_at__isnull=False, then=Value(InvitationStatus.REMINDED)),
                default=Value(InvitationStatus.SENT),
                output_field=models.CharField(max_length=10),
            )
        )

    def with_status_value(self, status: str, now=None):
        return self.with_status(now).filter(status_value=status)

    def due(self, now):
        """Scheduled invitations whose time has come (not sent, cancelled or skipped)."""
        return self.filter(
            scheduled_at__lte=now, sent_at__isnull=True, cancelled_at__isnull=True, skip_reason=""
        )

    def pending(self):
        """Scheduled invitations not sent yet, nor cancelled or skipped."""
        return self.filter(
            scheduled_at__isnull=False,
            sent_at__isnull=True,
            cancelled_at__isnull=True,
            skip_reason="",
        )


class Invitation(models.Model):
    """One customer asked one survey. The link token is never stored: it is an
    HMAC of a random nonce under SECRET_KEY, so only the server can produce it
    (for the first email and the reminder), and only its hash is looked up.

    An invitation asked for through the API is stored first with the time it is
    due (``scheduled_at``), and sent by a periodic task then; one that will not
    be sent says why (``skip_reason``)."""

    Status = InvitationStatus

    class SkipReason(models.TextChoices):
        NOT_SKIPPED = "", _("Not skipped")
        THROTTLED = "throttled", _("Asked or answered within the survey's throttle days")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Email address bounced")
        COMPLAINED = "complained", _("Marked our email as spam")
        ERASED = "erased", _("Erased")
        NO_PHONE = "no_phone", _("No phone number for an SMS")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("survey")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("customer")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel, default=Channel.EMAIL)
    wave = models.ForeignKey(
        Wave,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("wave"),
    )
    nonce = models.CharField(max_length=43, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # An SMS invitation's short link (``/i/<code>/``): its code is derived
    # from the nonce too, and only its hash is kept. None for other channels.
    short_code_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    scheduled_at = models.DateTimeField(
        _("scheduled for"),
        null=True,
        blank=True,
        help_text=_("When an invitation asked for through the API is due (empty for waves)."),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    skip_reason = models.CharField(
        _("not sent because"), max_length=20, choices=SkipReason, default="", blank=True
    )
    properties = models.JSONField(
        _("properties"),
        default=dict,
        blank=True,
        help_text=_("Free-form details from the caller (plan, order ...), copied to the answer."),
    )
    api_client = models.ForeignKey(
        "surveys.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("API key"),
    )
    # NULL, not "": invitations without a key stay out of the unique constraint.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("idempotency key"), max_length=200, null=True, blank=True
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # What makes a wave's chunk safe to run twice, even concurrently.
            models.UniqueConstraint(fields=["wave", "customer"], name="invitation_once_per_wave"),
            # Idempotency keys are per API client, as for answers.
            models.UniqueConstraint(
                fields=["api_client", "idempotency_key"],
                condition=Q(api_client__isnull=False, idempotency_key__isnull=False),
                name="invitation_idempotency_key_per_client",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="invitation_customer_recent"),
            # The sending task: only invitations still waiting, so it stays tiny.
            models.Index(
                fields=["scheduled_at"],
                condition=Q(
                    scheduled_at__isnull=False,
                    sent_at__isnull=True,
                    cancelled_at__isnull=True,
                    skip_reason="",
                ),
                name="invitation_due",
            ),
            models.Index(
                fields=["sent_at"],
                condition=Q(responded_at__isnull=True, reminded_at__isnull=True),
                name="invitation_awaiting_reminder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.customer}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:answer", args=[self.token])

    _TOKEN_SALT = "surveys.Invitation.token"  # noqa: S105 - an HMAC salt, not a secret

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(32)

    @classmethod
    def token_for_nonce(cls, nonce: str) -> str:
        return salted_hmac(cls._TOKEN_SALT, nonce, algorithm="sha256").hexdigest()[:43]

    # Crockford's base32 in lower case: no i, l, o or u, so nothing reads as
    # another character; 12 of them are 60 bits.
    SHORT_CODE_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
    SHORT_CODE_LENGTH = 12
    _SHORT_CODE_SALT = "surveys.Invitation.short_code"  # an HMAC salt, not a secret

    def prepare_token(self, *, now=None) -> None:
        """Give a new (unsaved) invitation its nonce, token hash and expiry,
        and an SMS invitation the hash of its short link's code."""
        now = now or self.created_at or timezone.now()
        self.nonce = self.new_nonce()
        self.token_hash = hash_token(self.token)
        self.short_code_hash = hash_token(self.short_code) if self.channel == Channel.SMS else None
        if not self.expires_at:
            self.expires_at = now + timedelta(days=self.survey.invitation_lifetime_days)

    @property
    def token(self) -> str:
        return self.token_for_nonce(self.nonce)

    def public_url(self, score: int | None = None) -> str:
        url = settings.PUBLIC_BASE_URL + self.get_absolute_url()
        return url if score is None else f"{url}?score={score}"

    @property
    def short_code(self) -> str:
        """The code of the short link: the first 60 bits of an HMAC of the
        nonce under its own salt, in ``SHORT_CODE_ALPHABET``."""
        digest = salted_hmac(self._SHORT_CODE_SALT, self.nonce, algorithm="sha256").digest()
        number = int.from_bytes(digest[:8]) >> (64 - 5 * self.SHORT_CODE_LENGTH)
        return "".join(
            self.SHORT_CODE_ALPHABET[(number >> (5 * i)) & 31]
            for i in reversed(range(self.SHORT_CODE_LENGTH))
        )

    def sms_url(self) -> str:
        """The link a text carries: the short one, or the full one for an
        invitation made before short links (or not for SMS)."""
        if not self.short_code_hash:
            return self.public_url()
        return settings.PUBLIC_BASE_URL + reverse("surveys:short", args=[self.short_code])

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    def status_at(self, now=None) -> str:
        """An ``InvitationStatus``, as ``with_status`` works it out."""
        if self.cancelled_at is not None:
            return InvitationStatus.CANCELLED
        if self.skip_reason:
            return InvitationStatus.SKIPPED
        if self.responded_at is not None:
            return InvitationStatus.ANSWERED
        if self.sent_at is None:
            return InvitationStatus.SCHEDULED
        if self.is_expired(now):
            return InvitationStatus.EXPIRED
        if self.reminded_at is not None:
            return InvitationStatus.REMINDED
        return InvitationStatus.SENT

    @property
    def status(self) -> str:
        """The annotated ``status_value`` when the row was read with
        ``with_status()``, else worked out now."""
        annotated = getattr(self, "status_value", None)
        return annotated if annotated is not None else self.status_at()


class ResponseQuerySet(models.QuerySet):
    def counted(self):
        """Answers that count in statistics."""
        return self.filter(exclusion_reason="")

    def keys_visible_to(self, api_client):
        """Answers whose idempotency keys a client's retry may hit: its own,
        and those stored before keys were per client (no ``api_client``), so
        that a retry across that upgrade does not record the answer twice."""
        return self.filter(Q(api_client=api_client) | Q(api_client__isnull=True))

    def unrouted(self):
        return self.filter(routed_at__isnull=True, is_historical=False)

    def routable(self, now):
        """Unrouted answers the customer may no longer change: the routing
        queue. One recorded as the survey page opened waits for its customer
        to finish, or for its time to change it to run out."""
        return self.unrouted().filter(
            Q(changeable_until__isnull=True) | Q(changeable_until__lte=now)
        )

    def nps_summary(self, min_sample: int | None = None) -> stats.NpsSummary:
        """One aggregate query over counted answers. It counts ``category`` (never
        NULL) rather than the id, so PostgreSQL answers from the reporting
        index alone, without reading the table."""
        counts = self.counted().aggregate(
            promoters=models.Count("category", filter=Q(category=stats.PROMOTER)),
            passives=models.Count("category", filter=Q(category=stats.PASSIVE)),
            detractors=models.Count("category", filter=Q(category=stats.DETRACTOR)),
        )
        if min_sample is None:
            min_sample = settings.NPS_MIN_SAMPLE
        return stats.NpsSummary(**counts, min_sample=min_sample)


class Response(models.Model):
    class Category(models.TextChoices):
        DETRACTOR = stats.DETRACTOR, _("Detractor")
        PASSIVE = stats.PASSIVE, _("Passive")
        PROMOTER = stats.PROMOTER, _("Promoter")

    class Source(models.TextChoices):
        HERE = "", _("Collected here")
        DELIGHTED = "delighted", _("Delighted export")
        CSV = "csv", _("Answers CSV")

    class ExclusionReason(models.TextChoices):
        INCLUDED = "", _("Counted")
        TEST = "test", _("Test")
        SPAM = "spam", _("Spam")
        DUPLICATE = "duplicate", _("Duplicate")

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="responses", verbose_name=_("customer")
    )
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
        verbose_name=_("invitation"),
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    category = models.CharField(_("category"), max_length=10, choices=Category, editable=False)
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    # The answer to the survey's driver question. PROTECT: a choice with
    # answers is deactivated, not deleted. That it belongs to the answer's
    # survey is checked where it is set (services.driver_choice_find).
    driver = models.ForeignKey(
        DriverChoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("main reason"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel, default=Channel.LINK)
    properties = models.JSONField(
        _("properties"),
        default=dict,
        blank=True,
        help_text=_("Free-form details of the answer (from its invitation, or an import)."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    segment = SingleLineCharField(
        _("segment"), max_length=100, blank=True, help_text=_("The customer's segment then.")
    )
    locale = models.CharField(_("language"), max_length=10, blank=True)
    # NULL, not "": answers without a key stay out of the unique constraints.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("idempotency key"), max_length=200, null=True, blank=True
    )
    # Whose idempotency key it is: the account an API key acts for (every key
    # of one account, rotated ones too, shares its keys); empty for answers
    # that came another way. PROTECT: the answers name the client that sent them.
    api_client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API client"),
    )
    exclusion_reason = models.CharField(
        _("excluded from statistics"),
        max_length=10,
        choices=ExclusionReason,
        default=ExclusionReason.INCLUDED,
        blank=True,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    routed_at = models.DateTimeField(
        _("routed at"), null=True, blank=True, help_text=_("Empty until its follow-up exists.")
    )
    changeable_until = models.DateTimeField(
        _("changeable until"),
        null=True,
        blank=True,
        help_text=_(
            "Recorded as the survey page opened: the customer may change the score "
            "until then, and it is routed after it (or once they send the page)."
        ),
    )
    # Answers imported from another tool happened months ago: they count in
    # reports and trends, and are stored already routed so that nothing (no
    # case, grant or email) ever follows them (a constraint below).
    is_historical = models.BooleanField(
        _("historical"),
        default=False,
        help_text=_(
            "Imported from another tool: counted in reports, never routed "
            "(no case, offer, reward or email)."
        ),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source, default=Source.HERE, blank=True
    )
    source_id = models.CharField(  # noqa: DJ001 - NULL stays out of the unique constraint
        _("source response id"), max_length=100, null=True, blank=True
    )

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-submitted_at"]
        permissions = [
            ("exclude_response", _("Can exclude answers from statistics")),
            ("export_response", _("Can export answers to a file")),
            ("import_response", _("Can import past answers from a file")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=10),
                name="response_score_0_to_10",
                violation_error_message=_("The score must be a whole number from 0 to 10."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(score__lte=6, category=stats.DETRACTOR)
                    | Q(score__in=[7, 8], category=stats.PASSIVE)
                    | Q(score__gte=9, category=stats.PROMOTER)
                ),
                name="response_category_matches_score",
                violation_error_message=_("The category does not match the score."),
            ),
            # An idempotency key is unique per API client: two clients may use
            # the same key without seeing each other's answers.
            models.UniqueConstraint(
                fields=["api_client", "idempotency_key"],
                condition=Q(api_client__isnull=False, idempotency_key__isnull=False),
                name="response_idempotency_key_per_client",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(api_client__isnull=True, idempotency_key__isnull=False),
                name="response_idempotency_key_without_client",
            ),
            # What makes importing the same export twice change nothing.
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=Q(source_id__isnull=False),
                name="response_source_id_unique",
            ),
            # A historical answer is born routed: the routing queue and the
            # sweeper (both ``routed_at IS NULL``) never see it.
            models.CheckConstraint(
                condition=Q(is_historical=False) | Q(routed_at__isnull=False),
                name="response_historical_never_routed",
                violation_error_message=_("A historical answer is never routed."),
            ),
        ]
        indexes = [
            # Reporting: counted answers of a survey over time. Score and
            # segment ride along (trailing keys, not INCLUDE, which SQLite
            # lacks) so the score distribution and NPS by segment are read from
            # the index alone, as NPS and its trend are: a period's rows are a
            # tenth of their table pages and the same few thousand index pages.
            models.Index(
                fields=["survey", "submitted_at", "category", "score", "segment"],
                condition=Q(exclusion_reason=""),
                name="response_report",
            ),
            # The same for one segment (the dashboard's segment filter, the
            # improvement actions aimed at one): NPS and trend from the index.
            models.Index(
                fields=["survey", "segment", "submitted_at", "category"],
                condition=Q(exclusion_reason=""),
                name="response_report_segment",
            ),
            # The driver report: answers that chose a reason, by choice and
            # category, from the index alone (only those rows are in it).
            models.Index(
                fields=["survey", "submitted_at", "driver", "category"],
                condition=Q(exclusion_reason="", driver__isnull=False),
                name="response_report_driver",
            ),
            # The routing sweeper: only rows still waiting, so it stays tiny.
            models.Index(
                fields=["created_at"],
                condition=Q(routed_at__isnull=True),
                name="response_unrouted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score} ({self.get_category_display()}) · {self.survey}"

    def save(self, *args, **kwargs):
        self.category = stats.classify(self.score)
        super().save(*args, **kwargs)

    @property
    def is_excluded(self) -> bool:
        return bool(self.exclusion_reason)

    def is_changeable(self, now) -> bool:
        """The customer may still change the score: recorded as the page
        opened, not yet routed, and its time to change it not over."""
        return (
            self.routed_at is None
            and self.changeable_until is not None
            and self.changeable_until > now
        )


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit trail is append-only.")

    def delete(self):
        raise TypeError("The audit trail is append-only.")


class AuditEvent(models.Model):
    """One sensitive action: who did it, when, to which rows. Append-only, and
    free of customers' personal data by construction (ids and counts, never an
    email or a name), so an erasure has nothing to remove from it."""

    class Action(models.TextChoices):
        CUSTOMER_ERASED = "customer.erased", _("Customer erased")
        RESPONSES_EXCLUDED = "responses.excluded", _("Answers excluded from statistics")
        RESPONSES_INCLUDED = "responses.included", _("Answers counted again")
        GRANT_REDEEMED = "grant.redeemed", _("Code redeemed")
        GRANT_REVOKED = "grant.revoked", _("Code revoked")
        EXPORT = "data.exported", _("Data exported")
        IMPORT = "data.imported", _("Data imported")
        CASES_ASSIGNED = "cases.assigned", _("Cases assigned")
        MESSAGES_RETRIED = "messages.retried", _("Messages retried")
        PERMISSIONS_CHANGED = "permissions.changed", _("Permissions or groups changed")
        API_KEY_CREATED = "api_key.created", _("API key created")
        API_KEY_REVOKED = "api_key.revoked", _("API key revoked")
        MAIL_FLAGS_CLEARED = "customers.mail_cleared", _("Bounce or spam flag cleared")
        BRANDING_CHANGED = "branding.changed", _("Branding or email texts changed")
        TEST_EMAIL_SENT = "branding.test_sent", _("Test email sent")
        THEME_RENAMED = "theme.renamed", _("Comment theme named")
        SURVEY_SENT = "survey.sent", _("Survey sent to customers")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=40, choices=Action, db_index=True)
    # The actor's id and name as they were: no foreign key, so deleting a user
    # never rewrites (or blocks on) the trail.
    actor_id = models.PositiveIntegerField(_("actor id"), null=True, blank=True)
    actor_label = models.CharField(_("who"), max_length=150)
    via = models.CharField(_("via"), max_length=20)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_ids = models.JSONField(_("object ids"), default=list, blank=True)
    count = models.PositiveIntegerField(_("rows"), default=0)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # Whose business the rows are, decided once when the event is written
    # (surveys.departments.rows_reach), so that the trail is scoped by one
    # indexed column: the department of the rows (an id, like the actor's: no
    # foreign key, deleting a department never rewrites the trail), or
    # ``shared`` for rows of surveys of no department. Neither: rows of no
    # survey or of several departments, read by readers of every department
    # and by the event's actor.
    department_id = models.PositiveIntegerField(
        _("department id"), null=True, blank=True, db_index=True
    )
    shared = models.BooleanField(_("about shared surveys"), default=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.actor_label} · {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit trail is append-only.")


class ImportJob(models.Model):
    """One CSV file imported in the background (or by a ``manage.py`` command):
    what every kind of import keeps. The file is checked before anything is
    written, then written in chunks, each chunk one transaction that also
    advances ``rows_processed``, so progress shows and a killed run carries on
    from the last chunk that committed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Checking every row")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file_name = models.CharField(_("file"), max_length=255)
    # The uploaded bytes live in the database because the worker may run on
    # another host; they hold personal data, so they are emptied once the run
    # is over (only the counts and the line-numbered report stay).
    data = models.BinaryField(_("data"), editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_processed = models.PositiveIntegerField(_("rows imported"), default=0)
    # [{"line": 3, "message": "email: Enter a valid email address."}, ...];
    # "line" is null for what concerns the whole file.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last progress at"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return self.rows_processed * 100 // self.rows_total if self.rows_total else 0


class CustomerImport(ImportJob):
    """One CSV file of customers. The file is checked in full first; only a
    file without a single bad line is written."""

    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)

    class Meta:
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")
        ordering = ["-created_at"]

    @property
    def summary(self) -> str:
        """The outcome in one sentence; counts only for rows that committed."""
        counts = {
            "created": self.created_count,
            "updated": self.updated_count,
            "unchanged": self.unchanged_count,
        }
        if self.status == self.Status.DONE:
            return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % counts
        if self.status != self.Status.FAILED:
            return _("%(done)d of %(total)d rows imported so far.") % {
                "done": self.rows_processed,
                "total": self.rows_total,
            }
        if self.rows_processed:
            return _(
                "Stopped after %(done)d of %(total)d rows: those were imported (%(created)d "
                "created, %(updated)d updated, %(unchanged)d unchanged), the rest was not."
            ) % {"done": self.rows_processed, "total": self.rows_total, **counts}
        lines = {error["line"] for error in self.errors if error.get("line")}
        if not lines:
            whole = "; ".join(error["message"] for error in self.errors)
            return _("Nothing was imported: %(reason)s") % {"reason": whole}
        return ngettext(
            "Nothing was imported: %(count)d line has errors.",
            "Nothing was imported: %(count)d lines have errors.",
            len(lines),
        ) % {"count": len(lines)}


class AnswerImport(ImportJob):
    """One CSV file of past answers (a Delighted export, or the answers CSV
    described in the README). Unlike a customer import, a bad line does not
    stop the others: it is reported with its number and left out. Answers are
    stored as historical (``Response.is_historical``): counted in reports,
    never routed. ``confirmed_at`` is empty while the upload waits on its
    preview page; only a confirmed job runs."""

    class Format(models.TextChoices):
        DELIGHTED = "delighted", _("Delighted export")
        GENERIC = "generic", _("Answers CSV")

    format = models.CharField(_("format"), max_length=10, choices=Format)
    survey = models.ForeignKey(
        Survey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("survey"),
        help_text=_("For the rows that name no survey (every row of a Delighted export)."),
    )
    # The surveys the file's rows name by slug, read at upload and again as
    # each chunk is written: who may read the job (its lines, its report)
    # depends on their departments (surveys.answer_imports.answer_imports_seen).
    named_surveys = models.ManyToManyField(
        Survey, related_name="+", blank=True, editable=False, verbose_name=_("surveys named")
    )
    dry_run = models.BooleanField(
        _("dry run"), default=False, help_text=_("Check every row; save nothing.")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    answers_created = models.PositiveIntegerField(_("answers imported"), default=0)
    answers_unchanged = models.PositiveIntegerField(_("answers already there"), default=0)
    customers_created = models.PositiveIntegerField(_("customers created"), default=0)
    customers_unsubscribed = models.PositiveIntegerField(_("customers unsubscribed"), default=0)
    rows_refused = models.PositiveIntegerField(_("lines refused"), default=0)

    class Meta:
        verbose_name = _("answer import")
        verbose_name_plural = _("answer imports")
        ordering = ["-created_at"]

    @property
    def summary(self) -> str:
        """The outcome in one sentence; counts only for rows that committed."""
        counts = {
            "created": self.answers_created,
            "unchanged": self.answers_unchanged,
            "customers": self.customers_created,
            "unsubscribed": self.customers_unsubscribed,
            "refused": self.rows_refused,
        }
        if self.status == self.Status.DONE and self.dry_run:
            return (
                _(
                    "Dry run, nothing saved: %(created)d answers would be imported, %(unchanged)d "
                    "are already there, %(customers)d customers would be created, %(refused)d "
                    "lines have errors."
                )
                % counts
            )
        if self.status == self.Status.DONE:
            return (
                _(
                    "%(created)d answers imported, %(unchanged)d already there, %(customers)d "
                    "customers created, %(unsubscribed)d unsubscribed, %(refused)d lines with "
                    "errors left out."
                )
                % counts
            )
        if self.status != self.Status.FAILED:
            return _("%(done)d of %(total)d rows imported so far.") % {
                "done": self.rows_processed,
                "total": self.rows_total,
            }
        whole = "; ".join(error["message"] for error in self.errors if not error.get("line"))
        return _("Stopped after %(done)d of %(total)d rows (those stay imported): %(reason)s") % {
            "done": self.rows_processed,
            "total": self.rows_total,
            "reason": whole,
        }


class ApiScope(models.TextChoices):
    """What an API key may do. Each API view names the scope each of its
    methods needs (``required_scopes``)."""

    INGEST = "ingest", _("Record answers")
    REPORTS_READ = "reports:read", _("Read answers, surveys and reports")
    CUSTOMERS_READ = "customers:read", _("Read customers")
    CUSTOMERS_WRITE = "customers:write", _("Create, change and unsubscribe customers")
    CUSTOMERS_ERASE = "customers:erase", _("Erase customers' personal data")
    CASES_READ = "cases:read", _("Read follow-up cases (as the key's user may)")
    CASES_WRITE = "cases:write", _("Work follow-up cases (as the key's user may)")
    INVITATIONS_READ = "invitations:read", _("Read invitations")
    INVITATIONS_WRITE = "invitations:write", _("Invite customers, and cancel invitations")
    GRANTS_READ = "grants:read", _("Check offer and reward codes")
    GRANTS_REDEEM = "grants:redeem", _("Redeem offer and reward codes at checkout")
    REFERRALS_WRITE = "referrals:write", _("Report orders placed with referral codes")
    MAIL_EVENTS = "mail:events", _("Report bounces and spam complaints")
    MAIL_REPLIES = "mail:replies", _("Deliver customers' email replies to their cases")


# What the user a key acts as must hold for the key to use each scope (checked
# when the key is made and on every request; a superuser holds them all). The
# read scopes are also what a signed-in staff member needs to read the API.
SCOPE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    ApiScope.INGEST: ("surveys.add_response",),
    ApiScope.REPORTS_READ: ("surveys.view_response", "surveys.view_survey"),
    ApiScope.CUSTOMERS_READ: ("surveys.view_customer",),
    ApiScope.CUSTOMERS_WRITE: ("surveys.add_customer", "surveys.change_customer"),
    ApiScope.CUSTOMERS_ERASE: ("surveys.erase_customer",),
    ApiScope.CASES_READ: ("followups.view_followupcase",),
    ApiScope.CASES_WRITE: ("followups.view_followupcase", "followups.change_followupcase"),
    ApiScope.INVITATIONS_READ: ("surveys.view_invitation",),
    ApiScope.INVITATIONS_WRITE: ("surveys.add_invitation", "surveys.change_invitation"),
    ApiScope.GRANTS_READ: ("followups.view_offergrant", "followups.view_rewardgrant"),
    ApiScope.GRANTS_REDEEM: ("followups.redeem_offergrant", "followups.redeem_rewardgrant"),
    ApiScope.REFERRALS_WRITE: ("followups.add_referraluse",),
    # A bounce or complaint changes the customer: no more email to them.
    ApiScope.MAIL_EVENTS: ("surveys.change_customer",),
    # A reply is added to a case's timeline (and may move its status).
    ApiScope.MAIL_REPLIES: ("followups.add_inboundreply",),
}


class ApiKeyQuerySet(models.QuerySet):
    def usable(self, now):
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiKey(models.Model):
    """A REST API key. Only the SHA-256 digest of the secret is stored (the
    secret has 256 random bits, so a fast hash looked up by its index is safe);
    the prefix is shown to tell keys apart."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("acts as"),
        help_text=_(
            "The API client: idempotency keys are per client, and the cases API "
            "applies this user's access."
        ),
    )
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True, editable=False)
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
        editable=False,
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-pk"]
        permissions = [("revoke_apikey", _("Can revoke API keys"))]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def label(self) -> str:
        """Who this key is in the audit trail."""
        return f"api:{self.name}"

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class Brand(models.Model):
    """The company customers see on survey pages and in every email to them:
    one per installation, the row with id 1 (``Brand.current``)."""

    SINGLE_ID = 1

    company_name = SingleLineCharField(
        _("company name"),
        max_length=100,
        blank=True,
        help_text=_("Shown at the top of survey pages and emails. Empty: no name is shown."),
    )
    logo = models.BinaryField(_("logo"), blank=True, default=b"", editable=False)
    logo_content_type = models.CharField(_("logo type"), max_length=20, blank=True, editable=False)
    logo_digest = models.CharField(_("logo digest"), max_length=16, blank=True, editable=False)
    primary_colour = models.CharField(
        _("primary colour"),
        max_length=7,
        default="#0969da",
        help_text=_("Headers and buttons, under white text (#rrggbb)."),
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        default="#1a7f37",
        help_text=_("Codes, links and the reward button in emails (#rrggbb)."),
    )
    sender_name = SingleLineCharField(
        _("sender name"),
        max_length=100,
        blank=True,
        help_text=_(
            'Who emails come from, and their signature. Empty: "Customer care" in the '
            "customer's language."
        ),
    )
    sender_address = models.EmailField(
        _("sender address"),
        blank=True,
        help_text=_("The From address of every email. Empty: the server's DEFAULT_FROM_EMAIL."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brand")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="brand_single_row"),
        ]

    def __str__(self) -> str:
        return self.company_name or str(_("Brand"))

    def clean(self) -> None:
        super().clean()
        errors = {}
        for field in ("primary_colour", "accent_colour"):
            try:
                validate_brand_colour(getattr(self, field))
            except ValidationError as error:
                errors[field] = error
        if errors:
            raise ValidationError(errors)

    @classmethod
    def current(cls) -> Brand:
        """The installation's brand, or (nothing saved yet) the defaults, unsaved."""
        return cls.objects.filter(pk=cls.SINGLE_ID).first() or cls(pk=cls.SINGLE_ID)

    def set_logo(self, data: bytes, content_type: str) -> None:
        self.logo = data
        self.logo_content_type = content_type if data else ""
        self.logo_digest = hashlib.sha256(data).hexdigest()[:16] if data else ""

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_digest)

    @property
    def style_version(self) -> str:
        """Changes with the colours: the survey pages' brand stylesheet URL
        carries it, so a browser never keeps yesterday's colours."""
        colours = f"{self.primary_colour}{self.accent_colour}".lower()
        return hashlib.sha256(colours.encode()).hexdigest()[:12]

    def stylesheet(self) -> str:
        """The survey pages' colours: the brand's, in the light scheme only
        (white text on them is what their contrast was checked against)."""
        colour = self.primary_colour
        return (
            f":root {{ --brand: {colour}; }}\n"
            "@media (prefers-color-scheme: light) {\n"
            f"  :root {{ --accent: {colour}; --accent-strong: {colour}; }}\n"
            "}\n"
        )


class EmailTextQuerySet(models.QuerySet["EmailText"]):
    def wording(self, kind: str) -> EmailText:
        """The texts of ``kind``'s emails: the saved row, or an empty one (defaults)."""
        return self.filter(kind=kind).first() or EmailText(kind=kind)


def _email_text_field(part: str, language: Locale | None = None):
    label = {"subject": _("subject"), "intro": _("opening"), "outro": _("closing")}[part]
    verbose = format_lazy("{} ({})", label, language.label) if language else label
    if part == "subject":
        return models.CharField(verbose, max_length=200, blank=True)
    return models.TextField(verbose, max_length=2000, blank=True)


class EmailText(models.Model):
    """The subject, opening and closing of one kind of customer email, in each
    language. Empty: the shipped text, translated, for that language."""

    kind = models.CharField(_("email"), max_length=20, choices=EmailKind, unique=True)
    subject = _email_text_field("subject")
    intro = _email_text_field("intro")
    outro = _email_text_field("outro")
    subject_pl = _email_text_field("subject", Locale.POLISH)
    intro_pl = _email_text_field("intro", Locale.POLISH)
    outro_pl = _email_text_field("outro", Locale.POLISH)
    subject_ru = _email_text_field("subject", Locale.RUSSIAN)
    intro_ru = _email_text_field("intro", Locale.RUSSIAN)
    outro_ru = _email_text_field("outro", Locale.RUSSIAN)
    subject_zh_hans = _email_text_field("subject", Locale.CHINESE)
    intro_zh_hans = _email_text_field("intro", Locale.CHINESE)
    outro_zh_hans = _email_text_field("outro", Locale.CHINESE)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EmailTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("email text")
        verbose_name_plural = _("email texts")
        ordering = ["kind"]

    def __str__(self) -> str:
        return str(EmailKind(self.kind).label)

    @staticmethod
    def column(part: str, language: str) -> str:
        """The field holding ``part`` in ``language``: intro, intro_pl, intro_zh_hans."""
        return translated_field_name(part, language) if language in TRANSLATED_LOCALES else part

    def clean(self) -> None:
        super().clean()
        errors = {}
        for part in TEXT_PARTS:
            for language in (Locale.ENGLISH, *TRANSLATED_LOCALES):
                column = self.column(part, language)
                try:
                    placeholders_validate(getattr(self, column), self.kind)
                except ValidationError as error:
                    errors[column] = error
        if errors:
            raise ValidationError(errors)

    def text(self, part: str, language: str) -> str:
        """``part`` as written for ``language``, or else the shipped default in
        the active language (call it under ``translation.override``)."""
        written = getattr(self, self.column(part, language), "")
        return written or str(DEFAULT_TEXTS[EmailKind(self.kind)][part])


def week_of(day: date) -> date:
    """The Monday of ``day``'s week: the only time an anonymous answer keeps."""
    return day - timedelta(days=day.weekday())


class EmployeeInvitation(models.Model):
    """One employee asked by an employee survey: who was asked, for reminders and
    "already answered", and nothing else. No key, token, id or time links it to
    the ``EmployeeAnswer`` it leads to: only a yes/no ``answered``."""

    survey = models.ForeignKey(
        Survey,
        on_delete=models.CASCADE,
        related_name="employee_invitations",
        verbose_name=_("survey"),
        limit_choices_to={"kind": Survey.Kind.EMPLOYEE},
    )
    email = models.EmailField(_("email"), max_length=254)
    team = SingleLineCharField(_("team"), max_length=100)
    nonce = models.CharField(max_length=43, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    answered = models.BooleanField(_("answered"), default=False)

    class Meta:
        verbose_name = _("employee invitation")
        verbose_name_plural = _("employee invitations")
        constraints = [
            models.UniqueConstraint(
                "survey", Lower("email"), name="employeeinvitation_one_per_employee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.team}"

    _TOKEN_SALT = "surveys.EmployeeInvitation.token"  # noqa: S105 - an HMAC salt

    def get_absolute_url(self) -> str:
        return reverse("surveys:employee-answer", args=[self.token])

    def prepare_token(self) -> None:
        self.nonce = secrets.token_urlsafe(32)
        self.token_hash = hash_token(self.token)

    @property
    def token(self) -> str:
        return salted_hmac(self._TOKEN_SALT, self.nonce, algorithm="sha256").hexdigest()[:43]

    def public_url(self) -> str:
        return settings.PUBLIC_BASE_URL + self.get_absolute_url()

    # The outbox never keeps an employee's working link: whoever may read the
    # outbox could answer for a colleague with it. Its emails hold this
    # redacted link instead, and the real one is put in as the email is handed
    # to the mail server (``followups/outbox/transports/email.py``), found
    # from the invitation id in the email's dedupe key.
    LINK_PLACEHOLDER = "link-added-when-sent"
    OUTBOX_KEY_PREFIX = "employee-invitation"

    @classmethod
    def redacted_url(cls) -> str:
        return settings.PUBLIC_BASE_URL + reverse(
            "surveys:employee-answer", args=[cls.LINK_PLACEHOLDER]
        )

    def outbox_key(self, *, reminder: bool) -> str:
        return f"{self.OUTBOX_KEY_PREFIX}:{self.pk}:{'reminder' if reminder else 'first'}"

    @classmethod
    def id_from_outbox_key(cls, key: str) -> int | None:
        prefix, _sep, rest = (key or "").partition(":")
        pk = rest.partition(":")[0]
        return int(pk) if prefix == cls.OUTBOX_KEY_PREFIX and pk.isdigit() else None


class EmployeeAnswer(models.Model):
    """An employee's answer, anonymous by construction: the team and the week,
    never the person, the invitation, the exact time or an increasing id (a
    random key, so no order of arrival can be read from it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey,
        on_delete=models.PROTECT,
        related_name="employee_answers",
        verbose_name=_("survey"),
    )
    team = SingleLineCharField(_("team"), max_length=100)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    category = models.CharField(
        _("category"), max_length=10, choices=Response.Category, editable=False
    )
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    week = models.DateField(_("week"), help_text=_("The Monday of the week it was given."))

    class Meta:
        verbose_name = _("employee answer")
        verbose_name_plural = _("employee answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=10), name="employeeanswer_score_0_10"
            ),
        ]
        indexes = [models.Index(fields=["survey", "team", "week"])]

    def __str__(self) -> str:
        return str(_("anonymous answer"))

    def save(self, *args, **kwargs) -> None:
        self.category = stats.classify(self.score)
        super().save(*args, **kwargs)
