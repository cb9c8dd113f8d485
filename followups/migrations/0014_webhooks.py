"""Webhooks: endpoints, a webhook channel of the outbox (each delivery is an
outbox row naming its endpoint), the attempts' log, and the admin's view of it."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0013_managers_import_answers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='WebhookDelivery',
            fields=[
            ],
            options={
                'verbose_name': 'webhook delivery',
                'verbose_name_plural': 'webhook deliveries',
                'permissions': [('resend_webhookdelivery', 'Can send webhook deliveries again')],
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('followups.outboundmessage',),
        ),
        migrations.AlterField(
            model_name='outboundmessage',
            name='channel',
            field=models.CharField(choices=[('email', 'Email'), ('webhook', 'Webhook')], default='email', max_length=20, verbose_name='channel'),
        ),
        migrations.CreateModel(
            name='WebhookAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(verbose_name='started at')),
                ('duration_ms', models.PositiveIntegerField(verbose_name='duration (ms)')),
                ('status_code', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='response code')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('message', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_attempts', to='followups.outboundmessage', verbose_name='message')),
            ],
            options={
                'verbose_name': 'webhook attempt',
                'verbose_name_plural': 'webhook attempts',
                'ordering': ['-started_at'],
            },
        ),
        migrations.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.URLField(max_length=2000, verbose_name='URL')),
                ('description', models.CharField(blank=True, max_length=200, verbose_name='description')),
                ('events', models.JSONField(default=list, help_text='The names of the events it receives.', verbose_name='events')),
                ('secret', models.CharField(editable=False, max_length=100, verbose_name='signing secret')),
                ('personal_data', models.BooleanField(default=False, help_text="Customers' email addresses, names and comments are sent only if set.", verbose_name='receives personal data')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('disabled_at', models.DateTimeField(blank=True, null=True, verbose_name='disabled at')),
                ('disabled_reason', models.CharField(blank=True, max_length=300, verbose_name='why disabled')),
                ('failing_since', models.DateTimeField(blank=True, help_text='The first failed delivery since the last successful one.', null=True, verbose_name='failing since')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
            ],
            options={
                'verbose_name': 'webhook endpoint',
                'verbose_name_plural': 'webhook endpoints',
                'ordering': ['-created_at'],
            },
        ),
        migrations.AddField(
            model_name='outboundmessage',
            name='webhook_endpoint',
            field=models.ForeignKey(blank=True, help_text='For a webhook: the endpoint it is delivered to.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='followups.webhookendpoint', verbose_name='webhook endpoint'),
        ),
    ]
