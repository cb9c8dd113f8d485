"""An answer import remembers the surveys its rows name, so that another
department's managers no longer read a job with no survey chosen. Stored
jobs start with none (their uploader and readers of every department read
them, the safe side); one still waiting or running adds the surveys of each
chunk it writes from now on. No fill from the stored files here: reading
them takes the import's own parser, and a migration runs on frozen code."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0028_audit_department"),
    ]

    operations = [
        migrations.AddField(
            model_name="answerimport",
            name="named_surveys",
            field=models.ManyToManyField(
                blank=True,
                editable=False,
                related_name="+",
                to="surveys.survey",
                verbose_name="surveys named",
            ),
        ),
    ]
