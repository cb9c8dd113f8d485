"""REST API keys, the scopes they may be given and the permissions each scope needs."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
