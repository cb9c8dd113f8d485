"""Invitations: one customer asked one survey, by a channel, alone or in a wave of them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .customers import Customer, CustomerList, SavedFilter
from .surveys import Survey


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
        """The link's token: an HMAC of the nonce, computed once per nonce (a
        wave writes it into the hash, then into the email)."""
        known = self.__dict__.get("_token_of")
        if known is None or known[0] != self.nonce:
            known = self.__dict__["_token_of"] = (self.nonce, self.token_for_nonce(self.nonce))
        return known[1]

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
