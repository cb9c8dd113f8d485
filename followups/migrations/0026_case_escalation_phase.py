from django.db import migrations, models
from django.db.models import Case, Q, Value, When


def phases_fill(apps, schema_editor):
    """Cases escalated before: their levels count for the deadline they work
    towards now (first contact until reached, then resolution), so a case at
    the highest level stays there until its next deadline."""
    FollowUpCase = apps.get_model("followups", "FollowUpCase")
    resolution = Q(first_contact_at__isnull=False, resolution_due_at__isnull=False)
    FollowUpCase.objects.filter(escalation_level__gt=0).update(
        escalation_phase=Case(
            When(resolution, then=Value("resolution")), default=Value("contact")
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0025_case_current_deadline"),
    ]

    operations = [
        migrations.AddField(
            model_name="followupcase",
            name="escalation_phase",
            field=models.CharField(
                blank=True, default="", max_length=10, verbose_name="escalated for"
            ),
        ),
        migrations.RunPython(phases_fill, migrations.RunPython.noop),
    ]
