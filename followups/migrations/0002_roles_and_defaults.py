"""The two roles as groups with their permissions, and a default offer and
reward so that passives and promoters are answered from the first day."""

from django.db import migrations

from followups.roles import ensure_reference_data


def create_reference_data(apps, schema_editor):
    ensure_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_reference_data, migrations.RunPython.noop),
    ]
