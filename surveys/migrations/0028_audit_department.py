"""Each audit event says whose business its rows are (one department, shared
surveys, or neither), so that the trail is scoped by department like every
other list. The events already stored are filled by
followups 0039_audit_reach, once every model they name is known."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0027_wave_channel"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="department_id",
            field=models.PositiveIntegerField(
                blank=True, db_index=True, null=True, verbose_name="department id"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="shared",
            field=models.BooleanField(default=False, verbose_name="about shared surveys"),
        ),
    ]
