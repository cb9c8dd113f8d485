"""Review and referral tracking: each reward grant's tracked link and
referral code, the link's clicks and the code's uses; staff read them and
managers may report uses (the ``referrals:write`` scope). The role grants are
frozen here, not read from ``followups.roles``."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GRANTS = {
    "Service staff": ("view_linkclick", "view_referraluse"),
    "Managers": ("view_linkclick", "view_referraluse", "add_referraluse"),
}


def _permissions(apps, codenames):
    permission = apps.get_model("auth", "Permission")
    return [
        permission.objects.get(content_type__app_label="followups", codename=codename)
        for codename in codenames
    ]


def grant(apps, schema_editor):
    # Permissions of a model created in this run exist only after post_migrate.
    followups = apps.get_app_config("followups")
    followups.models_module = True
    create_permissions(followups, verbosity=0, apps=apps)
    followups.models_module = None
    group_model = apps.get_model("auth", "Group")
    for name, codenames in GRANTS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, codenames))


def revoke(apps, schema_editor):
    for name, codenames in GRANTS.items():
        group = apps.get_model("auth", "Group").objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0015_chat_alerts"),
        ("surveys", "0011_answer_imports"),
    ]

    operations = [
        migrations.AddField(
            model_name="rewardgrant",
            name="first_clicked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="first clicked at"),
        ),
        migrations.AddField(
            model_name="rewardgrant",
            name="link_token",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=64,
                null=True,
                unique=True,
                verbose_name="link token",
            ),
        ),
        migrations.AddField(
            model_name="rewardgrant",
            name="referral_code",
            field=models.CharField(
                blank=True, max_length=40, null=True, unique=True, verbose_name="referral code"
            ),
        ),
        migrations.AlterField(
            model_name="reward",
            name="link",
            field=models.URLField(
                blank=True,
                help_text="Review page or referral programme, where it applies. Emails carry each customer's own tracked link to it.",
                validators=[django.core.validators.URLValidator(schemes=["http", "https"])],
                verbose_name="link",
            ),
        ),
        migrations.CreateModel(
            name="ReferralUse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("order", models.CharField(max_length=100, unique=True, verbose_name="order")),
                (
                    "used_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="used at"),
                ),
                (
                    "api_key",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="surveys.apikey",
                        verbose_name="reported by",
                    ),
                ),
                (
                    "grant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="referral_uses",
                        to="followups.rewardgrant",
                        verbose_name="reward grant",
                    ),
                ),
            ],
            options={
                "verbose_name": "referral use",
                "verbose_name_plural": "referral uses",
                "ordering": ["-used_at"],
            },
        ),
        migrations.CreateModel(
            name="LinkClick",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "clicked_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="at"),
                ),
                (
                    "agent",
                    models.CharField(
                        choices=[
                            ("desktop", "Desktop browser"),
                            ("mobile", "Mobile browser"),
                            ("scanner", "Scanner or preview"),
                            ("other", "Other"),
                        ],
                        max_length=10,
                        verbose_name="user agent class",
                    ),
                ),
                (
                    "prefetch",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("head", "HEAD request"),
                            ("scanner", "Known scanner or preview"),
                            ("no_agent", "No user agent"),
                            ("too_soon", "Seconds after sending"),
                        ],
                        help_text="Why it was not counted as a click; empty for a counted click.",
                        max_length=10,
                        verbose_name="prefetch",
                    ),
                ),
                (
                    "grant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clicks",
                        to="followups.rewardgrant",
                        verbose_name="reward grant",
                    ),
                ),
            ],
            options={
                "verbose_name": "link click",
                "verbose_name_plural": "link clicks",
                "ordering": ["-clicked_at"],
                "indexes": [models.Index(fields=["grant", "prefetch"], name="linkclick_grant")],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
