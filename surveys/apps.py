"""Registration of the surveys app: its name, the signals that audit access
changes, those that forget the API keys kept in this process, and the array
writer each new database connection gets (``nps_project.db``)."""

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from django.contrib.auth.models import Group, Permission, User
        from django.db.backends.signals import connection_created

        # Registers the ``__any`` lookup the batch paths query with.
        import nps_project.db

        connection_created.connect(
            nps_project.db.arrays_dumped_fast, dispatch_uid="nps-arrays-dumped-fast"
        )
        connection_created.connect(
            nps_project.db.timestamps_loaded_fast, dispatch_uid="nps-timestamps-loaded-fast"
        )

        from . import audit
        from .api_keys import verified_keys_forget
        from .models import ApiKey

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

        # API keys kept in this process (surveys.api_keys) are forgotten on any
        # change that could make one unusable or change what it may do.
        for through in (
            User.groups.through,
            User.user_permissions.through,
            Group.permissions.through,
        ):
            m2m_changed.connect(
                verified_keys_forget, sender=through, dispatch_uid=f"api-keys-{through}"
            )
        for model in (ApiKey, User, Group, Permission):
            for signal in (post_save, post_delete):
                signal.connect(
                    verified_keys_forget, sender=model, dispatch_uid=f"api-keys-{model.__name__}"
                )
