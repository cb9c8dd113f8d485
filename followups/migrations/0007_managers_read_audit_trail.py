"""Managers read the audit trail. The data is frozen here, not read from
``followups.roles``, so later changes to the roles never change this step."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGERS = "Managers"
PERMISSION = ("surveys", "view_auditevent")


def grant(apps, schema_editor):
    # Permissions of a model created in this run exist only after post_migrate.
    surveys = apps.get_app_config("surveys")
    surveys.models_module = True
    create_permissions(surveys, verbosity=0, apps=apps)
    surveys.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=MANAGERS)
    permission = apps.get_model("auth", "Permission").objects.get(
        content_type__app_label=PERMISSION[0], codename=PERMISSION[1]
    )
    group.permissions.add(permission)


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=MANAGERS).first()
    if group is not None:
        group.permissions.remove(
            *group.permissions.filter(
                content_type__app_label=PERMISSION[0], codename=PERMISSION[1]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0006_case_list_indexes"),
        ("surveys", "0004_audit_trail"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
