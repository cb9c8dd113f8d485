"""The outbox holds messages of any channel: ``OutboundEmail`` becomes
``OutboundMessage``, with a channel (every existing row is an email) and a
recipient in place of the email address. The rows, and the groups' grants on
them, are kept: the permissions are renamed in place, so a group that could
view or retry emails can view or retry messages. The data is frozen here, not
read from ``followups.roles``, so later changes to the roles never change this
step."""

from django.db import migrations, models

OLD_MODEL, NEW_MODEL = "outboundemail", "outboundmessage"
# codename -> (new codename, new name); and back when unapplied.
RENAMED_PERMISSIONS = {
    "add_outboundemail": ("add_outboundmessage", "Can add outbound message"),
    "change_outboundemail": ("change_outboundmessage", "Can change outbound message"),
    "delete_outboundemail": ("delete_outboundmessage", "Can delete outbound message"),
    "view_outboundemail": ("view_outboundmessage", "Can view outbound message"),
    "retry_outboundemail": ("retry_outboundmessage", "Can send failed messages again"),
}
RESTORED_PERMISSIONS = {
    "add_outboundmessage": ("add_outboundemail", "Can add outbound email"),
    "change_outboundmessage": ("change_outboundemail", "Can change outbound email"),
    "delete_outboundmessage": ("delete_outboundemail", "Can delete outbound email"),
    "view_outboundmessage": ("view_outboundemail", "Can view outbound email"),
    "retry_outboundmessage": ("retry_outboundemail", "Can send failed emails again"),
}


def _content_type(apps, old: str, new: str):
    """The model's content type under its new name. ``migrate`` renames it
    itself after RenameModel; a migration run without that command's signals
    (the migration tests) leaves it to this step."""
    content_type = apps.get_model("contenttypes", "ContentType")
    current = content_type.objects.filter(app_label="followups", model=new).first()
    if current is not None:
        return current
    content_type.objects.filter(app_label="followups", model=old).update(model=new)
    return content_type.objects.filter(app_label="followups", model=new).first()


def _rename_permissions(apps, old_model: str, new_model: str, renamed: dict) -> None:
    content_type = _content_type(apps, old_model, new_model)
    if content_type is None:
        return  # an empty database: post_migrate creates the permissions later
    permission = apps.get_model("auth", "Permission")
    for old, (new, name) in renamed.items():
        before = permission.objects.filter(content_type=content_type, codename=old).first()
        if before is None:
            continue
        after = permission.objects.filter(content_type=content_type, codename=new).first()
        if after is None:
            before.codename, before.name = new, name
            before.save(update_fields=["codename", "name"])
            continue
        # Both exist (post_migrate ran in between): the grants move to the new one.
        after.group_set.add(*before.group_set.all())
        after.user_set.add(*before.user_set.all())
        before.delete()


def forwards(apps, schema_editor):
    _rename_permissions(apps, OLD_MODEL, NEW_MODEL, RENAMED_PERMISSIONS)


def backwards(apps, schema_editor):
    _rename_permissions(apps, NEW_MODEL, OLD_MODEL, RESTORED_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("followups", "0011_managers_revoke_api_keys"),
    ]

    operations = [
        migrations.RenameModel("OutboundEmail", "OutboundMessage"),
        migrations.RenameField("outboundmessage", "to_email", "recipient"),
        migrations.AlterField(
            model_name="outboundmessage",
            name="recipient",
            field=models.CharField(max_length=254, verbose_name="to"),
        ),
        migrations.AddField(
            model_name="outboundmessage",
            name="channel",
            field=models.CharField(
                choices=[("email", "Email")],
                default="email",
                max_length=20,
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="outboundmessage",
            name="subject",
            field=models.CharField(blank=True, max_length=255, verbose_name="subject"),
        ),
        migrations.RenameIndex(
            model_name="outboundmessage", new_name="outbox_pending", old_name="email_pending"
        ),
        migrations.AlterModelOptions(
            name="outboundmessage",
            options={
                "ordering": ["-created_at"],
                "permissions": [("retry_outboundmessage", "Can send failed messages again")],
                "verbose_name": "outbound message",
                "verbose_name_plural": "outbound messages",
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
