"""Each outbox message names the survey it is about, so that the admin reads
its department in one join whatever the message's kind (an invitation or a
case notice has no answer). Rows already stored get theirs from their answer,
case, alert, or the invitation or bonus their dedupe key names."""

import django.db.models.deletion
from django.db import migrations, models

# dedupe key prefix -> (app, model whose id follows it, its path to the survey id)
BY_KEY = {
    "invitation": ("surveys", "Invitation", "survey_id"),
    "employee-invitation": ("surveys", "EmployeeInvitation", "survey_id"),
    "bonus": ("followups", "ReminderBonusAssignment", "survey_id"),
}


def backfill(apps, schema_editor):
    message = apps.get_model("followups", "OutboundMessage")
    rows = message.objects.filter(survey__isnull=True)
    for path in ("response", "case", "chat_alert"):
        source = message._meta.get_field(path).related_model
        rows.filter(**{f"{path}__isnull": False}).update(
            survey_id=models.Subquery(
                source.objects.filter(pk=models.OuterRef(f"{path}_id")).values("survey_id")[:1]
            )
        )
    for prefix, (app, name, field) in BY_KEY.items():
        model = apps.get_model(app, name)
        by_survey: dict[int, list[int]] = {}
        keyed = message.objects.filter(survey__isnull=True, dedupe_key__startswith=f"{prefix}:")
        pairs = list(keyed.values_list("pk", "dedupe_key"))
        ids = {pk: key.split(":")[1] for pk, key in pairs}
        wanted = {int(value) for value in ids.values() if value.isdigit()}
        surveys = dict(model.objects.filter(pk__in=wanted).values_list("pk", field))
        for pk, value in ids.items():
            survey = surveys.get(int(value)) if value.isdigit() else None
            if survey is not None:
                by_survey.setdefault(survey, []).append(pk)
        for survey, pks in by_survey.items():
            for start in range(0, len(pks), 5000):
                message.objects.filter(pk__in=pks[start : start + 5000]).update(survey_id=survey)


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0031_department_grants"),
        ("surveys", "0025_departments"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundmessage",
            name="survey",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="surveys.survey",
                verbose_name="survey",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
