"""Registration of the surveys app: its name, and the signals that audit access changes."""

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, pre_save
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from django.contrib.auth.models import Group, User

        # Registers the ``__any`` lookup the batch paths query with.
        import nps_project.db  # noqa: F401

        from . import audit

        # Who may do what is itself audited, whichever page or shell changed it.
        for through in (
            User.groups.through,
            User.user_permissions.through,
            Group.permissions.through,
        ):
            m2m_changed.connect(
                audit.access_m2m_changed, sender=through, dispatch_uid=f"audit-{through}"
            )
        pre_save.connect(audit.user_flags_changing, sender=User, dispatch_uid="audit-user-flags")
