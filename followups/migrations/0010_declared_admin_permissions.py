"""The admin's sensitive actions get their own permissions (erase, exclude,
redeem by hand, retry, import, export), held by Managers (who also read the
import jobs) and, for erasure and
exclusion, a new "Data protection" group. The data is frozen here, not read
from ``followups.roles``, so later changes to the roles never change this step."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Service staff": [("followups", "export_followupcase")],
    "Managers": [
        ("followups", "export_followupcase"),
        ("surveys", "erase_customer"),
        ("surveys", "import_customer"),
        ("surveys", "view_customerimport"),
        ("surveys", "export_customer"),
        ("surveys", "exclude_response"),
        ("surveys", "export_response"),
        ("followups", "redeem_offergrant"),
        ("followups", "redeem_rewardgrant"),
        ("followups", "retry_outboundemail"),
    ],
    "Data protection": [
        ("surveys", "view_customer"),
        ("surveys", "erase_customer"),
        ("surveys", "view_survey"),
        ("surveys", "view_response"),
        ("surveys", "exclude_response"),
        ("surveys", "view_auditevent"),
    ],
}
NEW_GROUPS = ("Data protection",)


def _permissions(apps, wanted):
    permission_model = apps.get_model("auth", "Permission")
    return [
        permission_model.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in wanted
    ]


def grant(apps, schema_editor):
    # Permissions declared in Meta exist only after post_migrate; create them now.
    for label in ("surveys", "followups"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    for name, wanted in GRANTS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, wanted))


def revoke(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    for name, wanted in GRANTS.items():
        group = group_model.objects.filter(name=name).first()
        if group is None:
            continue
        if name in NEW_GROUPS:
            group.delete()
        else:
            group.permissions.remove(*_permissions(apps, wanted))


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0009_email_lease"),
        ("surveys", "0007_declared_admin_permissions"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="followupcase",
            options={
                "ordering": ["priority", "due_at"],
                "permissions": [
                    ("assign_followupcase", "Can assign and reassign cases to anyone"),
                    ("export_followupcase", "Can export the cases one may see to a file"),
                ],
                "verbose_name": "follow-up case",
                "verbose_name_plural": "follow-up cases",
            },
        ),
        migrations.AlterModelOptions(
            name="offergrant",
            options={
                "ordering": ["-created_at"],
                "permissions": [("redeem_offergrant", "Can mark offer codes redeemed by hand")],
                "verbose_name": "offer grant",
                "verbose_name_plural": "offer grants",
            },
        ),
        migrations.AlterModelOptions(
            name="outboundemail",
            options={
                "ordering": ["-created_at"],
                "permissions": [("retry_outboundemail", "Can send failed emails again")],
                "verbose_name": "outbound email",
                "verbose_name_plural": "outbound emails",
            },
        ),
        migrations.AlterModelOptions(
            name="rewardgrant",
            options={
                "ordering": ["-created_at"],
                "permissions": [("redeem_rewardgrant", "Can mark reward codes redeemed by hand")],
                "verbose_name": "reward grant",
                "verbose_name_plural": "reward grants",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
