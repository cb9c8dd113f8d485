"""The audit trail's one way in: ``audit_record`` for every sensitive action,
and the actor of the current request for changes made through signals."""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar

from django.apps import apps
from django.db import models
from django.db.models import Q

from .departments import RESTRICTED, RowsReach, departments_of, rows_reach
from .models import AuditEvent

Action = AuditEvent.Action

# Ids are kept for the first rows of a bulk action; the count says how many.
MAX_IDS = 1000

SYSTEM = "system"

_current_actor: ContextVar[object | None] = ContextVar("audit_actor", default=None)


def audit_record(
    *,
    action: str,
    actor=None,
    via: str = SYSTEM,
    objects: Iterable[models.Model] | models.QuerySet | None = None,
    object_type: str = "",
    object_ids: Iterable[int] = (),
    count: int | None = None,
    details: dict | None = None,
    rows: models.QuerySet | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` is a user, a label (an API key's name) or
    None for the current request's user, if any, else the system. Pass either
    ``objects`` (model instances or a queryset) or ``object_type`` and ids,
    or, for rows too many to list (an export), ``rows`` and ``count``: the
    rows decide which departments' readers see the event.
    ``details`` must hold no customer's personal data: reasons, formats,
    filters, counts."""
    if objects is not None:
        if isinstance(objects, models.QuerySet):
            object_type = object_type or objects.model._meta.label_lower
            ids = list(objects.values_list("pk", flat=True))
        else:
            listed = list(objects)
            if listed and not object_type:
                object_type = listed[0]._meta.label_lower
            ids = [row.pk for row in listed]
    else:
        ids = list(object_ids)
    reach = _reach(rows, object_type, ids)
    actor = actor if actor is not None else _current_actor.get()
    actor_id, actor_label = _actor_fields(actor)
    return AuditEvent.objects.create(
        action=action,
        actor_id=actor_id,
        actor_label=actor_label,
        via=via,
        object_type=object_type,
        object_ids=ids[:MAX_IDS],
        count=len(ids) if count is None else count,
        details=details or {},
        department_id=reach.department_id,
        shared=reach.shared,
    )


def _reach(rows: models.QuerySet | None, object_type: str, ids: list[int]) -> RowsReach:
    """Whose business the event's rows are: ``rows`` when given, else the
    rows of ``object_type`` with these ids (all of them, not only the ids kept)."""
    if rows is not None:
        return rows_reach(rows)
    if not object_type or not ids:
        return RESTRICTED
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return RESTRICTED
    return rows_reach(model._default_manager.filter(pk__in=ids))


def export_record(
    *,
    queryset: models.QuerySet,
    params,
    via: str,
    actor=None,
    hidden: Iterable[str] = (),
    format: str = "csv",
) -> AuditEvent:
    """One export (CSV unless ``format`` says otherwise): the rows' type and
    count (not their ids: an export may be a million rows) and the filters it
    was asked for, less the ``hidden`` ones (a free-text search may be a
    customer's name or email)."""
    hidden = set(hidden)
    filters = {key: value for key, value in params.items() if key not in hidden}
    return audit_record(
        action=Action.EXPORT,
        actor=actor,
        via=via,
        object_type=queryset.model._meta.label_lower,
        count=queryset.count(),
        rows=queryset,
        details={
            "format": format,
            "filters": filters,
            "searched": any(params.get(key) for key in hidden),
        },
    )


def events_seen(user, events: models.QuerySet) -> models.QuerySet:
    """The events of ``events`` that ``user`` may read: every one for readers
    of every department; otherwise those about their departments' rows or
    shared surveys' rows, and those about nothing of one department (access
    changes, API keys, customers, exports across departments) that they made
    themselves. Filtered on the columns written with the event: no join."""
    scope = departments_of(user)
    if scope is None:
        return events
    return events.filter(
        Q(shared=True)
        | Q(department_id__in=sorted(scope))
        | Q(department_id__isnull=True, actor_id=user.pk)
    )


def _actor_fields(actor) -> tuple[int | None, str]:
    if actor is None:
        return None, SYSTEM
    if isinstance(actor, str):
        return None, actor[:150]
    if getattr(actor, "is_authenticated", False):
        return actor.pk, actor.get_username()[:150]
    return None, "anonymous"


def bind_request_actor(actor) -> None:
    """Name the current request's actor once it is known later than the
    middleware (an API key, authenticated in the view); the middleware
    restores the previous actor when the request ends."""
    _current_actor.set(actor)


class AuditActorMiddleware:
    """Remembers who is making the current request, so that changes recorded
    from signals (group and permission edits) name their actor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_actor.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            _current_actor.reset(token)


# --- Permission and group changes, however they are made --------------------

_RELATIONS = {
    # (the through model's owner, field name) -> what the ids in pk_set are
    ("user", "groups"): "groups",
    ("user", "user_permissions"): "permissions",
    ("group", "permissions"): "permissions",
}
_CHANGES = {"post_add": "added", "post_remove": "removed", "pre_clear": "cleared"}


def access_m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """Record a change of a user's groups or permissions, or of a group's
    permissions, from either side of the relation."""
    change = _CHANGES.get(action)
    if change is None:
        return
    if action == "pre_clear":
        pk_set = _cleared_ids(sender, instance, reverse)
    if not pk_set:
        return
    if reverse:
        # group.user_set.add(...) or permission.group_set.add(...): one event
        # per owner, so each user's or group's history is complete.
        for owner in model.objects.filter(pk__in=pk_set).order_by("pk"):
            _record_access_change(owner, [instance], change)
        return
    _record_access_change(instance, list(_access_targets(model).filter(pk__in=pk_set)), change)


def _access_targets(model) -> models.QuerySet:
    # A permission is named by its app label: one join, not a query per permission.
    if any(f.name == "content_type" for f in model._meta.get_fields()):
        return model.objects.select_related("content_type")
    return model.objects.all()


def _cleared_ids(sender, instance, reverse) -> set[int]:
    source, target = _through_columns(sender)
    if reverse:
        source, target = target, source
    return set(sender.objects.filter(**{source: instance.pk}).values_list(target, flat=True))


def _through_columns(through) -> tuple[str, str]:
    fks = [f for f in through._meta.get_fields() if f.many_to_one]
    return f"{fks[0].name}_id", f"{fks[1].name}_id"


def _record_access_change(owner, targets: list, change: str) -> None:
    audit_record(
        action=Action.PERMISSIONS_CHANGED,
        via=_signal_via(),
        objects=[owner],
        details={
            "change": change,
            "of": type(targets[0]).__name__.lower(),
            "names": sorted(_access_name(target) for target in targets),
        },
    )


def _access_name(target) -> str:
    if hasattr(target, "codename"):
        return f"{target.content_type.app_label}.{target.codename}"
    return str(target)


def _signal_via() -> str:
    return "web" if _current_actor.get() is not None else SYSTEM


_ACCESS_FLAGS = ("is_active", "is_staff", "is_superuser")


def user_flags_changing(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Record a user becoming (or no longer being) staff, superuser or active."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(_ACCESS_FLAGS):
        return
    before = sender.objects.filter(pk=instance.pk).values(*_ACCESS_FLAGS).first()
    if before is None:
        return
    changed = {
        flag: getattr(instance, flag)
        for flag in _ACCESS_FLAGS
        if before[flag] != getattr(instance, flag)
    }
    if changed:
        audit_record(
            action=Action.PERMISSIONS_CHANGED,
            via=_signal_via(),
            objects=[instance],
            details={"change": "flags", "flags": changed},
        )
