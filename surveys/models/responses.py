"""Responses: a customer's score, comment and reason, and the queries that count them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import stats
from ..fields import SingleLineCharField
from .customers import Customer
from .invitations import Channel, Invitation
from .surveys import DriverChoice, Survey


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
