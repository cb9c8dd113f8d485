"""The followups admin: each part registers its own pages; importing them here
is what Django's admin autodiscovery finds."""

from followups.branding import admin as branding_admin
from followups.cases import admin as cases_admin
from followups.chat import admin as chat_admin
from followups.incentives import admin as incentives_admin
from followups.insights import themes_admin
from followups.invitations import admin as invitations_admin
from followups.outbox import admin as outbox_admin
from followups.replies import admin as replies_admin
from followups.webhooks import admin as webhooks_admin

__all__ = [
    "branding_admin",
    "cases_admin",
    "chat_admin",
    "incentives_admin",
    "invitations_admin",
    "outbox_admin",
    "replies_admin",
    "themes_admin",
    "webhooks_admin",
]
