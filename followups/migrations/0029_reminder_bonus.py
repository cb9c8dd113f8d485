"""A bonus for non-responders: the survey's bonus, each reminder's arm (with
or without it) and the bonuses granted. Staff read the reminders' arms and
the grants (the dashboard links to both); managers also set the bonus and
redeem bonus codes by hand. The role grants are frozen here, not read from ``followups.roles``."""

import django.db.models.deletion
import django.utils.timezone
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GRANTS = {
    "Service staff": ("view_bonusgrant", "view_reminderbonusassignment"),
    "Managers": (
        "view_bonusgrant",
        "redeem_bonusgrant",
        "view_reminderbonus",
        "add_reminderbonus",
        "change_reminderbonus",
        "view_reminderbonusassignment",
    ),
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
        ('followups', '0028_comment_themes'),
        ('surveys', '0020_wave_confirm_token'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReminderBonusAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('arm', models.CharField(choices=[('with', 'With bonus'), ('without', 'Without bonus')], max_length=10, verbose_name='reminder')),
                ('reminded_at', models.DateTimeField(verbose_name='reminded at')),
                ('window_ends_at', models.DateTimeField(verbose_name='answer by')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.customer', verbose_name='customer')),
                ('invitation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='bonus_assignment', to='surveys.invitation', verbose_name='invitation')),
                ('offer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='followups.offer', verbose_name='offer')),
                ('response', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='bonus_assignment', to='surveys.response', verbose_name='answer')),
                ('reward', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='followups.reward', verbose_name='reward')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey', verbose_name='survey')),
                ('wave', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='surveys.wave', verbose_name='wave')),
            ],
            options={
                'verbose_name': 'reminder with or without a bonus',
                'verbose_name_plural': 'reminders with or without a bonus',
                'ordering': ['-reminded_at'],
            },
        ),
        migrations.CreateModel(
            name='BonusGrant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(blank=True, max_length=40, null=True, unique=True, verbose_name='code')),
                ('status', models.CharField(choices=[('issued', 'Issued'), ('sent', 'Sent'), ('redeemed', 'Redeemed'), ('expired', 'Expired'), ('revoked', 'Revoked')], default='issued', max_length=10, verbose_name='status')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('expires_at', models.DateTimeField(verbose_name='expires at')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                ('redeemed_at', models.DateTimeField(blank=True, null=True, verbose_name='redeemed at')),
                ('redeemed_order', models.CharField(blank=True, max_length=200, verbose_name='order')),
                ('redeemed_by', models.CharField(blank=True, max_length=150, verbose_name='redeemed by')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='surveys.customer', verbose_name='customer')),
                ('offer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='followups.offer', verbose_name='offer')),
                ('response', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='bonus_grant', to='surveys.response', verbose_name='response')),
                ('reward', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='followups.reward', verbose_name='reward')),
                ('survey', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='surveys.survey', verbose_name='survey')),
                ('assignment', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='grant', to='followups.reminderbonusassignment', verbose_name='reminder')),
            ],
            options={
                'verbose_name': 'bonus grant',
                'verbose_name_plural': 'bonus grants',
                'ordering': ['-created_at'],
                'permissions': [('redeem_bonusgrant', 'Can mark bonus codes redeemed by hand')],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='ReminderBonus',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('window_days', models.PositiveSmallIntegerField(default=7, help_text='Answers received this many days after the reminder earn the bonus.', verbose_name='answer within (days)')),
                ('share_percent', models.PositiveSmallIntegerField(default=50, help_text='The rest get the usual reminder, so that the report can compare the two. 100: every reminder carries the bonus (nothing to compare with).', verbose_name='share of reminders with the bonus (%)')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('offer', models.ForeignKey(blank=True, help_text='What the reminder promises: an offer or a reward, not both.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='followups.offer', verbose_name='offer')),
                ('reward', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='followups.reward', verbose_name='reward')),
                ('survey', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='reminder_bonus', to='surveys.survey', verbose_name='survey')),
            ],
            options={
                'verbose_name': 'bonus for non-responders',
                'verbose_name_plural': 'bonuses for non-responders',
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('offer__isnull', True), ('reward__isnull', False)), models.Q(('offer__isnull', False), ('reward__isnull', True)), _connector='OR'), name='reminderbonus_offer_or_reward', violation_error_message='Choose an offer or a reward, one of them.'), models.CheckConstraint(condition=models.Q(('share_percent__lte', 100)), name='reminderbonus_share_percent', violation_error_message='The share is a percentage, 0 to 100.'), models.CheckConstraint(condition=models.Q(('window_days__gte', 1)), name='reminderbonus_window_days', violation_error_message='The window is at least one day.')],
            },
        ),
        migrations.AddIndex(
            model_name='reminderbonusassignment',
            index=models.Index(condition=models.Q(('answered_at__isnull', True)), fields=['customer', 'survey', 'reminded_at'], name='bonusassignment_open'),
        ),
        migrations.AddIndex(
            model_name='reminderbonusassignment',
            index=models.Index(fields=['survey', 'reminded_at'], name='bonusassignment_report'),
        ),
        migrations.AddConstraint(
            model_name='reminderbonusassignment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('arm', 'without'), ('offer__isnull', True), ('reward__isnull', True)), models.Q(('arm', 'with'), ('offer__isnull', True), ('reward__isnull', False)), models.Q(('arm', 'with'), ('offer__isnull', False), ('reward__isnull', True)), _connector='OR'), name='bonusassignment_promise_by_arm'),
        ),
        migrations.AddIndex(
            model_name='bonusgrant',
            index=models.Index(fields=['status', 'expires_at'], name='bonusgrant_status_expiry'),
        ),
        migrations.AddIndex(
            model_name='bonusgrant',
            index=models.Index(fields=['survey', 'created_at', 'status'], name='bonusgrant_report'),
        ),
        migrations.RunPython(grant, revoke),
    ]
