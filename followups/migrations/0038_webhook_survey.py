"""Webhook deliveries name the survey they are about (0032 gave every stored
message its survey, but webhook rows queued since then had none): rows with
an answer or a case get that one's survey, and a theme report
(``themes.computed``, no answer) the survey its dedupe key names
(``webhook:<endpoint>:themes.computed:<survey>:<kind>:<period>``). Without it
a theme report was listed to readers of every department."""

from django.db import migrations, models

THEMES_PREFIX = "themes.computed:"


def backfill(apps, schema_editor):
    message = apps.get_model("followups", "OutboundMessage")
    survey = apps.get_model("surveys", "Survey")
    rows = message.objects.filter(channel="webhook", survey__isnull=True)
    for path in ("response", "case"):
        source = message._meta.get_field(path).related_model
        rows.filter(**{f"{path}__isnull": False}).update(
            survey_id=models.Subquery(
                source.objects.filter(pk=models.OuterRef(f"{path}_id")).values("survey_id")[:1]
            )
        )
    themed = rows.filter(template="themes.computed").values_list("pk", "dedupe_key")
    by_survey: dict[int, list[int]] = {}
    for pk, key in themed.iterator():
        _webhook, _endpoint, rest = key.split(":", 2)
        named = rest.removeprefix(THEMES_PREFIX).split(":", 1)[0]
        if named.isascii() and named.isdecimal():
            by_survey.setdefault(int(named), []).append(pk)
    existing = set(survey.objects.filter(pk__in=list(by_survey)).values_list("pk", flat=True))
    for survey_id, pks in by_survey.items():
        if survey_id in existing:
            message.objects.filter(pk__in=pks).update(survey_id=survey_id)


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0037_inbound_sms_plural"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
