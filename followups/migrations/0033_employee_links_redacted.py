"""Employee survey emails already in the outbox lose their working link: the
row keeps ``/e/link-added-when-sent/`` and the email transport puts the
working link in as it sends (``surveys.models.EmployeeInvitation``). The
placeholder and the dedupe key's prefix are frozen here."""

import re

from django.db import migrations

PREFIX = "employee-invitation:"
LINK = re.compile(r"/e/[0-9a-f]{43}/")
PLACEHOLDER = "/e/link-added-when-sent/"


def redact(apps, schema_editor):
    message = apps.get_model("followups", "OutboundMessage")
    rows = list(message.objects.filter(dedupe_key__startswith=PREFIX))
    for row in rows:
        row.body_text = LINK.sub(PLACEHOLDER, row.body_text)
        row.body_html = LINK.sub(PLACEHOLDER, row.body_html)
    message.objects.bulk_update(rows, ["body_text", "body_html"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("followups", "0032_outbound_message_survey")]

    operations = [migrations.RunPython(redact, migrations.RunPython.noop, elidable=True)]
