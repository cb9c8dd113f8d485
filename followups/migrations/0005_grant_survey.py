"""Grants name their survey, so reports count a survey's grants from the grant
tables alone instead of joining every answer of the survey.

The column is added empty, filled from each grant's response in one UPDATE per
table, then made NOT NULL; routing sets it from now on."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_survey_from_response(apps, schema_editor):
    Response = apps.get_model("surveys", "Response")
    survey_of_response = Subquery(
        Response.objects.filter(pk=OuterRef("response_id")).values("survey_id")[:1]
    )
    for name in ("OfferGrant", "RewardGrant"):
        grants = apps.get_model("followups", name).objects.using(schema_editor.connection.alias)
        grants.filter(survey__isnull=True).update(survey_id=survey_of_response)


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0004_outer_loop"),
        ("surveys", "0002_survey_waves"),
    ]

    operations = [
        migrations.AddField(
            model_name="offergrant",
            name="survey",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="surveys.survey",
                verbose_name="survey",
            ),
        ),
        migrations.AddField(
            model_name="rewardgrant",
            name="survey",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="surveys.survey",
                verbose_name="survey",
            ),
        ),
        migrations.RunPython(copy_survey_from_response, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="offergrant",
            name="survey",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="surveys.survey",
                verbose_name="survey",
            ),
        ),
        migrations.AlterField(
            model_name="rewardgrant",
            name="survey",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="surveys.survey",
                verbose_name="survey",
            ),
        ),
        migrations.AddIndex(
            model_name="offergrant",
            index=models.Index(fields=["survey", "created_at", "status"], name="offergrant_report"),
        ),
        migrations.AddIndex(
            model_name="rewardgrant",
            index=models.Index(
                fields=["survey", "created_at", "status"], name="rewardgrant_report"
            ),
        ),
    ]
