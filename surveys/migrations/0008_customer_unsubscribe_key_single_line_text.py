"""Customer.unsubscribe_key: unsubscribe links carry a random key, not the id.
(Names and segments are SingleLineCharFields now, cleaned in Python; such a
field is recorded as a plain CharField, so the database does not change.)

Existing customers get a key each (the function is frozen here, as Django's
docs advise for data migrations); links already sent, which carry the signed
id, keep working (surveys.links).
"""

import secrets

from django.db import migrations, models

import surveys.models


def give_every_customer_a_key(apps, schema_editor):
    Customer = apps.get_model("surveys", "Customer")
    batch = []
    for customer in Customer.objects.filter(unsubscribe_key__isnull=True).only("pk").iterator(
        chunk_size=2000
    ):
        customer.unsubscribe_key = secrets.token_urlsafe(32)
        batch.append(customer)
        if len(batch) == 2000:
            Customer.objects.bulk_update(batch, ["unsubscribe_key"])
            batch = []
    Customer.objects.bulk_update(batch, ["unsubscribe_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0007_declared_admin_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="unsubscribe_key",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(give_every_customer_a_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="customer",
            name="unsubscribe_key",
            field=models.CharField(
                db_index=True,
                default=surveys.models.new_unsubscribe_key,
                editable=False,
                max_length=64,
            ),
        ),
    ]
