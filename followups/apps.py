"""The followups app's registration; at start it registers the Celery tasks."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Follow-ups")

    def ready(self) -> None:
        # Registers the tasks with Celery in every process, so that
        # ``followups.publish`` finds them by name (and runs them in place
        # when no broker is configured). Nothing else imports the module.
        from followups import tasks  # noqa: F401
