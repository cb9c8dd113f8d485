"""Managers and data protection see every department unless placed in some
(surveys.departments); managers may read the departments. The data is frozen
here, not read from ``followups.roles``."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Managers": (("surveys", "view_department"), ("surveys", "view_all_departments")),
    "Data protection": (("surveys", "view_all_departments"),),
}


def _permissions(apps, wanted):
    permission = apps.get_model("auth", "Permission")
    return [
        permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in wanted
    ]


def grant(apps, schema_editor):
    # Permissions of a model created in this run exist only after post_migrate.
    surveys = apps.get_app_config("surveys")
    surveys.models_module = True
    create_permissions(surveys, verbosity=0, apps=apps)
    surveys.models_module = None
    group_model = apps.get_model("auth", "Group")
    for name, wanted in GRANTS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, wanted))


def revoke(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    for name, wanted in GRANTS.items():
        group = group_model.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, wanted))


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0030_inbound_sms"),
        ("surveys", "0025_departments"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
