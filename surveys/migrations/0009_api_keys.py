"""API keys stored as SHA-256 digests, idempotency keys per API client, and
the DRF authtoken tokens carried over: each becomes a key (same secret, so
running clients keep working) with the scopes its user's permissions gave,
and the table of clear-text tokens is dropped."""

import hashlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


# Frozen here: what each scope needed of a token's user before keys had scopes.
SCOPES_FROM_PERMISSIONS = (
    ("ingest", {"surveys.add_response"}),
    ("reports:read", {"surveys.view_response", "surveys.view_survey"}),
    ("customers:read", {"surveys.view_customer"}),
    ("customers:write", {"surveys.add_customer", "surveys.change_customer"}),
    ("cases:read", {"followups.view_followupcase"}),
    ("cases:write", {"followups.view_followupcase"}),
)
ALL_SCOPES = [
    "ingest",
    "reports:read",
    "customers:read",
    "customers:write",
    "customers:erase",
    "cases:read",
    "cases:write",
]
DRF_TOKENS = "authtoken_token"


def copy_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if DRF_TOKENS not in connection.introspection.table_names():
        return
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    permission_model = apps.get_model("auth", "Permission")
    api_key_model = apps.get_model("surveys", "ApiKey")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {DRF_TOKENS}")  # noqa: S608
        tokens = cursor.fetchall()
    for key, user_id, created in tokens:
        user = user_model.objects.get(pk=user_id)
        if user.is_superuser:
            scopes = ALL_SCOPES
        else:
            held = {
                f"{app}.{codename}"
                for app, codename in permission_model.objects.filter(
                    models.Q(group__user=user) | models.Q(user=user)
                ).values_list("content_type__app_label", "codename")
            }
            scopes = [scope for scope, needs in SCOPES_FROM_PERMISSIONS if needs <= held]
        api_key_model.objects.create(
            name=f"{user.get_username()} (DRF token)",
            user=user,
            prefix=key[:8],
            digest=hashlib.sha256(key.encode()).hexdigest(),
            scopes=scopes,
            created_at=created,
        )
    schema_editor.execute(f"DROP TABLE {DRF_TOKENS}")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0008_customer_unsubscribe_key_single_line_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "prefix",
                    models.CharField(
                        db_index=True, editable=False, max_length=16, verbose_name="prefix"
                    ),
                ),
                (
                    "digest",
                    models.CharField(
                        editable=False, max_length=64, unique=True, verbose_name="digest"
                    ),
                ),
                ("scopes", models.JSONField(blank=True, default=list, verbose_name="scopes")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                (
                    "last_used_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="last used"
                    ),
                ),
                (
                    "expires_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="expires at"),
                ),
                (
                    "revoked_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="revoked at"
                    ),
                ),
            ],
            options={
                "verbose_name": "API key",
                "verbose_name_plural": "API keys",
                "ordering": ["-created_at", "-pk"],
                "permissions": [("revoke_apikey", "Can revoke API keys")],
            },
        ),
        migrations.AddField(
            model_name="response",
            name="api_client",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="API client",
            ),
        ),
        migrations.AlterField(
            model_name="response",
            name="idempotency_key",
            field=models.CharField(
                blank=True, max_length=200, null=True, verbose_name="idempotency key"
            ),
        ),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("api_client__isnull", False), ("idempotency_key__isnull", False)
                ),
                fields=("api_client", "idempotency_key"),
                name="response_idempotency_key_per_client",
            ),
        ),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("api_client__isnull", True), ("idempotency_key__isnull", False)
                ),
                fields=("idempotency_key",),
                name="response_idempotency_key_without_client",
            ),
        ),
        migrations.AddField(
            model_name="apikey",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="created by",
            ),
        ),
        migrations.AddField(
            model_name="apikey",
            name="replaces",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="replaced_by",
                to="surveys.apikey",
                verbose_name="replaces",
            ),
        ),
        migrations.AddField(
            model_name="apikey",
            name="user",
            field=models.ForeignKey(
                help_text="The API client: idempotency keys are per client, and the cases API applies this user's access.",
                on_delete=django.db.models.deletion.CASCADE,
                related_name="api_keys",
                to=settings.AUTH_USER_MODEL,
                verbose_name="acts as",
            ),
        ),
        migrations.RunPython(copy_drf_tokens, migrations.RunPython.noop),
    ]
