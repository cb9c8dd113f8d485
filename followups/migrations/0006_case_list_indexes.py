"""Indexes for the admin's case list, so its first page costs the same at any
number of cases: ``case_list_order`` has exactly the keys the list sorts by
(``FollowUpCaseAdmin.get_ordering``), so a page is read from the index instead
of sorting every case; ``case_created`` gives the date hierarchy its first and
last case without reading the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0005_grant_survey"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="followupcase",
            index=models.Index(
                models.Case(
                    models.When(status__in=["new", "in_progress", "waiting"], then=0),
                    default=1,
                    output_field=models.IntegerField(),
                ),
                models.F("due_at"),
                models.F("priority"),
                models.OrderBy(models.F("id"), descending=True),
                name="case_list_order",
            ),
        ),
        migrations.AddIndex(
            model_name="followupcase",
            index=models.Index(fields=["created_at"], name="case_created"),
        ),
    ]
