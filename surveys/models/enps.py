"""Employee surveys' rows: who was asked, and answers anonymous by construction."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .. import stats
from ..fields import SingleLineCharField
from .invitations import hash_token
from .responses import Response
from .surveys import Survey


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
