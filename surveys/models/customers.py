"""Customers, whether they may be emailed or texted, and the filters and lists choosing them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from ..fields import SingleLineCharField
from ..phones import phone_normalize
from ..time_zones import time_zone_for_phone, validate_time_zone
from .languages import Locale

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
