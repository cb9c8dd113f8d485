"""The reporting indexes carry what the dashboard's panels read, so each panel
is an index-only range scan of its period: ``response_report`` gains ``score``
and ``segment`` (the score distribution and NPS by segment no longer read the
table: on 1,000,000 answers, a year of one survey went from a parallel scan of
the whole table to a scan of its part of the index), ``response_report_segment``
gains ``category`` (NPS, trend and improvement-action windows of one segment).
Trailing key columns rather than ``INCLUDE``, which SQLite does not have.

Each index is dropped and built again inside the migration's transaction, which
holds ``surveys_response`` locked (reads and writes wait) until both are built:
a few seconds per million answers."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_survey_waves"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="response", name="response_report"),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                condition=models.Q(("exclusion_reason", "")),
                fields=["survey", "submitted_at", "category", "score", "segment"],
                name="response_report",
            ),
        ),
        migrations.RemoveIndex(model_name="response", name="response_report_segment"),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                condition=models.Q(("exclusion_reason", "")),
                fields=["survey", "segment", "submitted_at", "category"],
                name="response_report_segment",
            ),
        ),
    ]
