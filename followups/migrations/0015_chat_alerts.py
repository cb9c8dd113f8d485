"""Slack alerts: alerts per survey to a chat's incoming webhook, a Slack
channel of the outbox (each delivery is an outbox row naming its alert), the
admin's delivery log, and managers managing them. The grants are frozen here,
not read from ``followups.roles``."""

import django.db.models.deletion
import django.utils.timezone
import followups.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

MANAGERS = "Managers"
PERMISSIONS = (
    "view_chatalert",
    "add_chatalert",
    "change_chatalert",
    "delete_chatalert",
    "view_chatalertdelivery",
    "resend_chatalertdelivery",
)


def _permissions(apps):
    permission = apps.get_model("auth", "Permission")
    return [
        permission.objects.get(content_type__app_label="followups", codename=codename)
        for codename in PERMISSIONS
    ]


def grant(apps, schema_editor):
    # Permissions of a model created in this run exist only after post_migrate.
    followups = apps.get_app_config("followups")
    followups.models_module = True
    create_permissions(followups, verbosity=0, apps=apps)
    followups.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=MANAGERS)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=MANAGERS).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0014_webhooks'),
        ('surveys', '0011_answer_imports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ChatAlertDelivery',
            fields=[
            ],
            options={
                'verbose_name': 'Slack alert delivery',
                'verbose_name_plural': 'Slack alert deliveries',
                'permissions': [('resend_chatalertdelivery', 'Can send Slack alert deliveries again')],
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('followups.outboundmessage',),
        ),
        migrations.AlterField(
            model_name='outboundmessage',
            name='channel',
            field=models.CharField(choices=[('email', 'Email'), ('webhook', 'Webhook'), ('slack', 'Slack')], default='email', max_length=20, verbose_name='channel'),
        ),
        migrations.CreateModel(
            name='ChatAlert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.URLField(max_length=2000, verbose_name='incoming-webhook URL')),
                ('description', models.CharField(blank=True, max_length=200, verbose_name='description')),
                ('categories', models.JSONField(default=followups.models.detractors_only, help_text='The categories of answers that are posted.', verbose_name='categories')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('disabled_at', models.DateTimeField(blank=True, null=True, verbose_name='disabled at')),
                ('disabled_reason', models.CharField(blank=True, max_length=300, verbose_name='why disabled')),
                ('failing_since', models.DateTimeField(blank=True, help_text='The first failed delivery since the last successful one.', null=True, verbose_name='failing since')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chat_alerts', to='surveys.survey', verbose_name='survey')),
            ],
            options={
                'verbose_name': 'Slack alert',
                'verbose_name_plural': 'Slack alerts',
                'ordering': ['-created_at'],
            },
        ),
        migrations.AddField(
            model_name='outboundmessage',
            name='chat_alert',
            field=models.ForeignKey(blank=True, help_text='For a Slack message: the alert it is posted for.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='followups.chatalert', verbose_name='Slack alert'),
        ),
        migrations.RunPython(grant, revoke),
    ]
