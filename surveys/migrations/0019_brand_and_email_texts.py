"""The brand customers see (company name, logo, colours, sender) and the
editable texts of each customer email per language; managers edit both. The
grants are frozen here, not read from ``followups.roles``."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

MANAGERS = "Managers"
PERMISSIONS = (
    "view_brand",
    "change_brand",
    "view_emailtext",
    "change_emailtext",
)
# The customer emails with editable texts, as this migration knows them.
EMAIL_KINDS = ("invitation", "reminder", "offer", "reward", "apology")


def _permissions(apps):
    permission = apps.get_model("auth", "Permission")
    return [
        permission.objects.get(content_type__app_label="surveys", codename=codename)
        for codename in PERMISSIONS
    ]


def grant(apps, schema_editor):
    # Permissions of a model created in this run exist only after post_migrate.
    surveys = apps.get_app_config("surveys")
    surveys.models_module = True
    create_permissions(surveys, verbosity=0, apps=apps)
    surveys.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=MANAGERS)
    group.permissions.add(*_permissions(apps))


def create_rows(apps, schema_editor):
    """The one brand and a row per email kind, all empty: the shipped defaults."""
    apps.get_model("surveys", "Brand").objects.get_or_create(pk=1)
    email_text = apps.get_model("surveys", "EmailText")
    for kind in EMAIL_KINDS:
        email_text.objects.get_or_create(kind=kind)


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=MANAGERS).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0018_audiences_lists_and_saved_filters'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='EmailText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('invitation', 'Survey invitation'), ('reminder', 'Survey reminder'), ('offer', 'Offer for a passive'), ('reward', 'Reward for a promoter'), ('apology', 'Apology to a detractor')], max_length=20, unique=True, verbose_name='email')),
                ('subject', models.CharField(blank=True, max_length=200, verbose_name='subject')),
                ('intro', models.TextField(blank=True, max_length=2000, verbose_name='opening')),
                ('outro', models.TextField(blank=True, max_length=2000, verbose_name='closing')),
                ('subject_pl', models.CharField(blank=True, max_length=200, verbose_name='subject (Polish)')),
                ('intro_pl', models.TextField(blank=True, max_length=2000, verbose_name='opening (Polish)')),
                ('outro_pl', models.TextField(blank=True, max_length=2000, verbose_name='closing (Polish)')),
                ('subject_ru', models.CharField(blank=True, max_length=200, verbose_name='subject (Russian)')),
                ('intro_ru', models.TextField(blank=True, max_length=2000, verbose_name='opening (Russian)')),
                ('outro_ru', models.TextField(blank=True, max_length=2000, verbose_name='closing (Russian)')),
                ('subject_zh_hans', models.CharField(blank=True, max_length=200, verbose_name='subject (Simplified Chinese)')),
                ('intro_zh_hans', models.TextField(blank=True, max_length=2000, verbose_name='opening (Simplified Chinese)')),
                ('outro_zh_hans', models.TextField(blank=True, max_length=2000, verbose_name='closing (Simplified Chinese)')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
            ],
            options={
                'verbose_name': 'email text',
                'verbose_name_plural': 'email texts',
                'ordering': ['kind'],
            },
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('customer.erased', 'Customer erased'), ('responses.excluded', 'Answers excluded from statistics'), ('responses.included', 'Answers counted again'), ('grant.redeemed', 'Code redeemed'), ('grant.revoked', 'Code revoked'), ('data.exported', 'Data exported'), ('data.imported', 'Data imported'), ('cases.assigned', 'Cases assigned'), ('messages.retried', 'Messages retried'), ('permissions.changed', 'Permissions or groups changed'), ('api_key.created', 'API key created'), ('api_key.revoked', 'API key revoked'), ('customers.mail_cleared', 'Bounce or spam flag cleared'), ('branding.changed', 'Branding or email texts changed'), ('branding.test_sent', 'Test email sent')], db_index=True, max_length=40, verbose_name='action'),
        ),
        migrations.CreateModel(
            name='Brand',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('company_name', models.CharField(blank=True, help_text='Shown at the top of survey pages and emails. Empty: no name is shown.', max_length=100, verbose_name='company name')),
                ('logo', models.BinaryField(blank=True, default=b'', verbose_name='logo')),
                ('logo_content_type', models.CharField(blank=True, editable=False, max_length=20, verbose_name='logo type')),
                ('logo_digest', models.CharField(blank=True, editable=False, max_length=16, verbose_name='logo digest')),
                ('primary_colour', models.CharField(default='#0969da', help_text='Headers and buttons, under white text (#rrggbb).', max_length=7, verbose_name='primary colour')),
                ('accent_colour', models.CharField(default='#1a7f37', help_text='Codes, links and the reward button in emails (#rrggbb).', max_length=7, verbose_name='accent colour')),
                ('sender_name', models.CharField(blank=True, help_text='Who emails come from, and their signature. Empty: "Customer care" in the customer\'s language.', max_length=100, verbose_name='sender name')),
                ('sender_address', models.EmailField(blank=True, help_text="The From address of every email. Empty: the server's DEFAULT_FROM_EMAIL.", max_length=254, verbose_name='sender address')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
            ],
            options={
                'verbose_name': 'brand',
                'verbose_name_plural': 'brand',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='brand_single_row')],
            },
        ),
        migrations.RunPython(grant, revoke),
        migrations.RunPython(create_rows, migrations.RunPython.noop),
    ]
