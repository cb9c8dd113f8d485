"""The department of every audit event stored before events recorded one
(surveys 0028_audit_department), read from the rows it names. Here,
not in surveys, because events name followups' rows too (cases, grants,
messages) and surveys' migrations know nothing of followups. An event that
names no rows (an export: its rows were never listed) stays for readers of
every department and its actor, the safe side."""

from django.db import migrations

# Frozen copies of surveys.departments' survey_path and rows_reach as they
# were when this migration was written: a migration never follows live code.
SURVEY_LABEL = "surveys.survey"
RESTRICTED = (None, False)


def survey_path(model, depth=3):
    """The first foreign-key path from ``model`` to Survey ("" for Survey,
    None when it belongs to none)."""
    if model._meta.label_lower == SURVEY_LABEL:
        return ""
    if depth == 0:
        return None
    forward = [
        field
        for field in model._meta.get_fields()
        if (field.many_to_one or (field.one_to_one and field.concrete)) and field.related_model
    ]
    for field in forward:
        if field.related_model._meta.label_lower == SURVEY_LABEL:
            return field.name
    for field in forward:
        found = survey_path(field.related_model, depth - 1)
        if found is not None:
            return f"{field.name}__{found}" if found else field.name
    return None


def rows_reach(rows):
    """(department id, shared) of ``rows`` through their survey, or
    RESTRICTED (rows of no survey or of several departments)."""
    path = survey_path(rows.model)
    if path is None:
        return RESTRICTED
    rows = rows.order_by()
    if path and rows.filter(**{f"{path}__isnull": True}).exists():
        return RESTRICTED
    field = f"{path}__department" if path else "department"
    found = list(rows.values_list(field, flat=True).distinct()[:3])
    named = {department for department in found if department is not None}
    if not found or len(named) > 1:
        return RESTRICTED
    return (named.pop(), False) if named else (None, True)


# The trail refuses every UPDATE (0004_audit_trail); this one fill is the
# exception, inside this migration's transaction.
PAUSE = "ALTER TABLE surveys_auditevent DISABLE TRIGGER surveys_auditevent_append_only"
RESUME = "ALTER TABLE surveys_auditevent ENABLE TRIGGER surveys_auditevent_append_only"
BATCH = 500


def _reach(apps, object_type, ids):
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return RESTRICTED
    return rows_reach(model._default_manager.filter(pk__in=ids))


def fill_reach(apps, schema_editor):
    AuditEvent = apps.get_model("surveys", "AuditEvent")
    # The base manager: a plain one, whatever manager the model declares.
    events = AuditEvent._base_manager.exclude(object_type="").exclude(object_ids=[])
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(PAUSE)
    known, changed = {}, []
    for event in events.order_by("pk").iterator(chunk_size=BATCH):
        key = (event.object_type, tuple(event.object_ids))
        if key not in known:
            known[key] = _reach(apps, event.object_type, event.object_ids)
        if known[key] != RESTRICTED:
            event.department_id, event.shared = known[key]
            changed.append(event)
        if len(changed) == BATCH:
            AuditEvent._base_manager.bulk_update(changed, ["department_id", "shared"])
            changed = []
    AuditEvent._base_manager.bulk_update(changed, ["department_id", "shared"])
    if postgres:
        schema_editor.execute(RESUME)


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0038_webhook_survey"),
        ("surveys", "0028_audit_department"),
    ]

    operations = [
        migrations.RunPython(fill_reach, migrations.RunPython.noop),
    ]
