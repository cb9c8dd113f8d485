"""API invitations (scheduled, cancelled, skipped with a reason, with properties
and per-client idempotency keys), customers' phones and bounced addresses, and
properties on answers."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0009_api_keys'),
    ]

    operations = [
        migrations.AddField(
            model_name='customer',
            name='email_bounced_at',
            field=models.DateTimeField(blank=True, help_text='The mail server refused this address for good; no email is sent to it.', null=True, verbose_name='email bounced at'),
        ),
        migrations.AddField(
            model_name='customer',
            name='phone',
            field=models.CharField(blank=True, max_length=20, null=True, verbose_name='phone'),
        ),
        migrations.AddField(
            model_name='invitation',
            name='api_client',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invitations', to='surveys.apikey', verbose_name='API key'),
        ),
        migrations.AddField(
            model_name='invitation',
            name='cancelled_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='cancelled at'),
        ),
        migrations.AddField(
            model_name='invitation',
            name='idempotency_key',
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name='idempotency key'),
        ),
        migrations.AddField(
            model_name='invitation',
            name='properties',
            field=models.JSONField(blank=True, default=dict, help_text='Free-form details from the caller (plan, order ...), copied to the answer.', verbose_name='properties'),
        ),
        migrations.AddField(
            model_name='invitation',
            name='scheduled_at',
            field=models.DateTimeField(blank=True, help_text='When an invitation asked for through the API is due (empty for waves).', null=True, verbose_name='scheduled for'),
        ),
        migrations.AddField(
            model_name='invitation',
            name='skip_reason',
            field=models.CharField(blank=True, choices=[('', 'Not skipped'), ('throttled', "Asked or answered within the survey's throttle days"), ('unsubscribed', 'Unsubscribed'), ('bounced', 'Email address bounced'), ('erased', 'Erased')], default='', max_length=20, verbose_name='not sent because'),
        ),
        migrations.AddField(
            model_name='response',
            name='properties',
            field=models.JSONField(blank=True, default=dict, help_text='Free-form details of the answer (from its invitation, or an import).', verbose_name='properties'),
        ),
        migrations.AddIndex(
            model_name='invitation',
            index=models.Index(condition=models.Q(('cancelled_at__isnull', True), ('scheduled_at__isnull', False), ('sent_at__isnull', True), ('skip_reason', '')), fields=['scheduled_at'], name='invitation_due'),
        ),
        migrations.AddConstraint(
            model_name='customer',
            constraint=models.UniqueConstraint(fields=('phone',), name='customer_phone_unique', violation_error_message='A customer with this phone number already exists.'),
        ),
        migrations.AddConstraint(
            model_name='invitation',
            constraint=models.UniqueConstraint(condition=models.Q(('api_client__isnull', False), ('idempotency_key__isnull', False)), fields=('api_client', 'idempotency_key'), name='invitation_idempotency_key_per_client'),
        ),
    ]
