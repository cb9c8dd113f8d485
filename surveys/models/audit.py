"""The audit trail: one append-only row per sensitive action."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
