"""The audit trail: append-only, no customer's personal data, and every change
of who may do what recorded with its actor."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.urls import reverse

from followups import roles
from surveys.audit import Action, audit_record
from surveys.models import AuditEvent
from tests.factories import CustomerFactory, UserFactory, manager, staff_member

pytestmark = pytest.mark.django_db


def events_after(since: int):
    """Events recorded after event id ``since``: the suite's reference data
    (groups re-created after a transactional test's flush) writes some too."""
    return AuditEvent.objects.filter(id__gt=since).order_by("id")


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0


def test_a_queryset_is_recorded_as_its_ids_and_count_without_personal_data():
    customers = CustomerFactory.create_batch(3, name="Ada Lovelace")
    actor = manager()

    event = audit_record(
        action=Action.CUSTOMER_ERASED,
        actor=actor,
        via="admin",
        objects=type(customers[0]).objects.filter(pk__in=[c.pk for c in customers]),
    )

    event.refresh_from_db()
    assert event.object_type == "surveys.customer"
    assert sorted(event.object_ids) == sorted(c.pk for c in customers)
    assert event.count == 3
    assert (event.actor_id, event.actor_label, event.via) == (actor.pk, "manager", "admin")
    stored = str(AuditEvent.objects.filter(pk=event.pk).values().get())
    assert "Ada" not in stored and "@" not in stored


def test_a_bulk_action_keeps_the_first_thousand_ids_and_the_true_count():
    event = audit_record(
        action=Action.EXPORT, object_type="surveys.response", object_ids=range(5000)
    )

    assert len(event.object_ids) == 1000
    assert event.count == 5000
    assert event.actor_label == "system"


def test_an_event_cannot_be_changed_or_deleted_through_the_orm():
    event = audit_record(action=Action.EXPORT, object_type="surveys.response", count=10)

    event.count = 0
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(count=0)
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).count == 10


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    ["UPDATE surveys_auditevent SET count = 0", "DELETE FROM surveys_auditevent"],
)
def test_postgresql_itself_refuses_to_rewrite_the_trail(statement):
    event = audit_record(action=Action.EXPORT, object_type="surveys.response", count=10)

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.get(pk=event.pk).count == 10


def test_adding_a_user_to_a_group_in_the_admin_names_who_did_it(client):
    admin_user = UserFactory(username="root", is_superuser=True)
    member = staff_member("staff1")
    client.force_login(admin_user)
    managers = Group.objects.get(name=roles.MANAGERS)
    staff = Group.objects.get(name=roles.SERVICE_STAFF)
    since = last_event_id()

    response = client.post(
        reverse("admin:auth_user_change", args=[member.pk]),
        {
            "username": "staff1",
            "is_active": "on",
            "is_staff": "on",
            "groups": [staff.pk, managers.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "10:00:00",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    [event] = events_after(since)
    assert event.action == Action.PERMISSIONS_CHANGED
    assert (event.actor_label, event.via) == ("root", "web")
    assert event.object_type == "auth.user" and event.object_ids == [member.pk]
    assert event.details == {"change": "added", "of": "group", "names": [roles.MANAGERS]}


def test_group_changes_from_a_shell_are_recorded_per_user_and_as_the_system():
    first, second = UserFactory(username="a"), UserFactory(username="b")
    group = Group.objects.create(name="Auditors")
    since = last_event_id()

    group.user_set.add(first, second)
    group.user_set.clear()

    events = events_after(since)
    assert [(e.details["change"], e.object_ids, e.actor_label) for e in events] == [
        ("added", [first.pk], "system"),
        ("added", [second.pk], "system"),
        ("cleared", [first.pk], "system"),
        ("cleared", [second.pk], "system"),
    ]


def test_a_group_gaining_a_permission_is_recorded_by_its_codename():
    group = Group.objects.create(name="Auditors")
    permission = Permission.objects.get(codename="view_auditevent")
    since = last_event_id()

    group.permissions.add(permission)

    [event] = events_after(since)
    assert event.object_ids == [group.pk]
    assert event.details == {
        "change": "added",
        "of": "permission",
        "names": ["surveys.view_auditevent"],
    }


def test_becoming_superuser_is_recorded_but_a_login_is_not():
    user = UserFactory(username="someone")
    since = last_event_id()

    user.is_superuser = True
    user.save()
    user.save(update_fields=["last_login"])

    [event] = events_after(since)
    assert (event.action, event.object_ids) == (Action.PERMISSIONS_CHANGED, [user.pk])
    assert event.details == {"change": "flags", "flags": {"is_superuser": True}}


def test_managers_read_the_trail_and_nobody_edits_it(client):
    event = audit_record(action=Action.EXPORT, object_type="surveys.response", count=3)
    url = reverse("admin:surveys_auditevent_changelist")

    client.force_login(staff_member("staff1"))
    assert client.get(url).status_code == 403

    client.force_login(manager())
    page = client.get(url)
    assert page.status_code == 200
    assert str(event.get_action_display()) in page.content.decode()
    change = client.post(reverse("admin:surveys_auditevent_change", args=[event.pk]), {"count": 0})
    assert change.status_code == 403
    assert client.get(reverse("admin:surveys_auditevent_add")).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).count == 3


def test_an_events_details_read_as_labelled_rows_not_as_json(client):
    event = audit_record(
        action=Action.API_KEY_CREATED,
        object_type="surveys.apikey",
        object_ids=[7, 9],
        count=2,
        details={"name": "Shop <b>", "scopes": ["ingest", "reports"], "flags": {"staff": True}},
    )
    client.force_login(manager())

    page = client.get(reverse("admin:surveys_auditevent_change", args=[event.pk])).content.decode()

    assert '{"name"' not in page
    assert "[7, 9]" not in page
    assert '<div class="readonly">7, 9</div>' in page
    assert "<th>name</th><td>Shop &lt;b&gt;</td>" in page
    assert "<th>scopes</th><td>ingest, reports</td>" in page
    assert "<th>flags</th><td>staff: True</td>" in page


def test_recording_permissions_costs_the_same_queries_however_many_are_granted():
    from django.test.utils import CaptureQueriesContext

    one, many = Group.objects.create(name="One"), Group.objects.create(name="Many")
    permissions = list(Permission.objects.filter(content_type__app_label="surveys")[:5])
    assert len(permissions) == 5

    with CaptureQueriesContext(connection) as single:
        one.permissions.add(permissions[0])
    with CaptureQueriesContext(connection) as several:
        many.permissions.add(*permissions)

    assert len(several) == len(single)
    [event] = events_after(0).filter(object_ids=[many.pk])
    assert len(event.details["names"]) == 5


def test_an_erasure_records_its_event_in_its_own_transaction_once():
    from surveys.services import customer_erase

    customer = CustomerFactory(name="Ada Lovelace", email="ada@example.com")
    actor = manager()

    customer_erase(customer=customer, actor=actor, via="admin")
    customer_erase(customer=customer, actor=actor, via="admin")

    [event] = AuditEvent.objects.filter(action=Action.CUSTOMER_ERASED)
    assert (event.object_type, event.object_ids, event.count) == (
        "surveys.customer",
        [customer.pk],
        1,
    )
    assert (event.actor_id, event.via) == (actor.pk, "admin")
    assert "Ada" not in str(event.details)
