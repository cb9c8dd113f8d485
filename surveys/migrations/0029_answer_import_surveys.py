"""An answer import remembers the surveys its rows name, so that another
department's managers no longer read a job with no survey chosen. A stored
job whose file is still there (waiting or running) is read now; a finished
one (its file emptied) names none: its uploader and readers of every
department read it, the safe side."""

from django.db import migrations, models

from surveys.answer_imports import file_check, named_slugs
from surveys.imports import ImportFileError


def fill_named_surveys(apps, schema_editor):
    AnswerImport = apps.get_model("surveys", "AnswerImport")
    Survey = apps.get_model("surveys", "Survey")
    for job in AnswerImport.objects.exclude(data=b"").iterator(chunk_size=10):
        data = bytes(job.data)
        try:
            slugs = named_slugs(data, file_check(data=data, fmt=job.format))
        except ImportFileError:
            continue
        job.named_surveys.set(Survey.objects.filter(slug__in=slugs))


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
        migrations.RunPython(fill_named_surveys, migrations.RunPython.noop),
    ]
