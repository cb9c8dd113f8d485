"""Managers send surveys to audiences: they follow waves, keep saved filters
and read or delete uploaded lists. The data is frozen here, not read from
``followups.roles``, so later changes to the roles never change this step."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGERS = "Managers"
PERMISSIONS = (
    ("surveys", "view_wave"),
    ("surveys", "view_savedfilter"),
    ("surveys", "add_savedfilter"),
    ("surveys", "change_savedfilter"),
    ("surveys", "delete_savedfilter"),
    ("surveys", "view_customerlist"),
    ("surveys", "delete_customerlist"),
)


def _permissions(apps):
    permission = apps.get_model("auth", "Permission")
    return [
        permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in PERMISSIONS
    ]


def grant(apps, schema_editor):
    # Permissions of a model created in this run exist only after post_migrate.
    surveys = apps.get_app_config("surveys")
    surveys.models_module = True
    create_permissions(surveys, verbosity=0, apps=apps)
    surveys.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=MANAGERS)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=MANAGERS).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0021_mail_events"),
        ("surveys", "0018_audiences_lists_and_saved_filters"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
