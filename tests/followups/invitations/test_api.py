"""The invitation API over HTTP: create (now, later, skipped, refused), the
Idempotency-Key per client, list and filters, cancel, and bulk."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.test import TestCase
from django.utils import timezone

from followups.models import OutboundMessage
from surveys.models import ApiScope, Customer, Invitation
from tests.factories import CustomerFactory, InvitationFactory, SurveyFactory
from tests.surveys.api.conftest import client_with, make_token

pytestmark = pytest.mark.django_db

URL = "/api/v1/invitations/"
WRITE = [ApiScope.INVITATIONS_WRITE, ApiScope.INVITATIONS_READ]


@pytest.fixture
def survey():
    return SurveyFactory(slug="support", throttle_days=30)


@pytest.fixture
def api():
    return client_with(make_token("helpdesk", WRITE))


def post(client, body, key=None, url=URL):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, body, format="json", **headers)


def test_an_invitation_in_an_hour_is_201_scheduled_with_its_properties(api, survey):
    reply = post(
        api,
        {
            "survey": "support",
            "customer": {"email": "ann@example.com", "phone": "+48 601 234 567", "name": "Ann"},
            "properties": {"plan": "pro", "seats": 12},
            "delay": 3600,
        },
    )
    assert reply.status_code == 201, reply.json()
    body = reply.json()
    assert body["status"] == "scheduled"
    assert body["skip_reason"] == ""
    assert body["survey"] == "support"
    assert body["channel"] == "email"
    assert body["properties"] == {"plan": "pro", "seats": 12}
    invitation = Invitation.objects.get(pk=body["id"])
    assert body["customer"] == invitation.customer_id
    assert Customer.objects.get(pk=body["customer"]).phone == "+48601234567"
    assert timedelta(minutes=59) < invitation.scheduled_at - timezone.now() <= timedelta(hours=1)
    assert reply["Location"].endswith(f"/api/v1/invitations/{invitation.pk}/")
    assert not OutboundMessage.objects.exists()


def test_an_invitation_without_a_time_is_sent_at_once(api, survey):
    reply = post(api, {"survey": "support", "customer": {"email": "ann@example.com"}})
    assert reply.status_code == 201
    invitation = Invitation.objects.get()
    assert invitation.sent_at is not None
    assert OutboundMessage.objects.get().recipient == "ann@example.com"
    detail = api.get(f"{URL}{invitation.pk}/").json()
    assert detail["status"] == "sent"


def test_an_unsubscribed_customer_is_200_skipped_with_the_reason(api, survey):
    CustomerFactory(email="gone@example.com", unsubscribed_at=timezone.now())
    reply = post(api, {"survey": "support", "customer": {"email": "gone@example.com"}})
    assert reply.status_code == 200
    assert (reply.json()["status"], reply.json()["skip_reason"]) == ("skipped", "unsubscribed")
    assert not OutboundMessage.objects.exists()


def test_asked_twice_within_the_throttle_window_the_second_is_skipped(api, survey):
    body = {"survey": "support", "customer": {"email": "ann@example.com"}}
    assert post(api, body).status_code == 201
    again = post(api, body)
    assert (again.status_code, again.json()["skip_reason"]) == (200, "throttled")


def test_an_sms_invitation_is_texted_to_the_customers_phone_at_once(api, survey):
    # At noon in Warsaw (a +48 number's zone): outside the quiet hours,
    # which would hold the text until morning.
    noon = datetime.combine(timezone.now().date() + timedelta(days=1), time(11), tzinfo=UTC)
    with time_machine.travel(noon, tick=True):
        _texted_at_once(api)


def _texted_at_once(api):
    reply = post(
        api,
        {
            "survey": "support",
            "customer": {"email": "a@example.com", "phone": "+48 601 234 567"},
            "channel": "sms",
        },
    )
    assert reply.status_code == 201, reply.json()
    assert reply.json()["channel"] == "sms"
    message = OutboundMessage.objects.get()
    assert (message.channel, message.recipient, message.status) == ("sms", "+48601234567", "sent")
    assert Invitation.objects.get().sms_url() in message.body_text


def test_an_sms_invitation_without_a_phone_is_skipped_with_the_reason(api, survey):
    reply = post(
        api, {"survey": "support", "customer": {"email": "a@example.com"}, "channel": "sms"}
    )
    assert reply.status_code == 200
    assert (reply.json()["status"], reply.json()["skip_reason"]) == ("skipped", "no_phone")
    assert not OutboundMessage.objects.exists()


def test_the_schema_says_an_sms_invitation_is_texted_not_refused(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    described = schema["paths"]["/api/v1/invitations/"]["post"]["description"]

    assert "refused (400) until SMS" not in described
    assert "channel sms texts the customer's phone" in described
    assert "no_phone" in described


def test_a_channel_invitations_are_not_sent_on_is_refused_with_a_clear_message(api, survey):
    reply = post(
        api, {"survey": "support", "customer": {"email": "a@example.com"}, "channel": "link"}
    )
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert "link" in error["fields"]["channel"][0]
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"survey": "nope", "customer": {"email": "a@example.com"}}, "survey"),
        ({"survey": "support", "customer": {"email": "nope"}}, "customer.email"),
        ({"survey": "support", "customer": {"email": "a@x.io", "phone": "12"}}, "customer.phone"),
        ({"survey": "support", "customer": {"name": "No identifier"}}, "customer.email"),
        ({"survey": "support", "customer": {"email": "a@x.io"}, "delay": -1}, "delay"),
        (
            {
                "survey": "support",
                "customer": {"email": "a@x.io"},
                "delay": 5,
                "send_at": "2030-01-01T00:00:00Z",
            },
            "delay",
        ),
        ({"survey": "support", "customer": {"email": "a@x.io"}, "properties": [1]}, "properties"),
        (
            {"survey": "support", "customer": {"email": "a@x.io"}, "properties": {"a": {"b": 1}}},
            "properties",
        ),
        ({"survey": "support", "customer": {"id": 1, "email": "a@x.io"}}, "customer.id"),
    ],
)
def test_bad_input_is_400_in_the_error_shape_and_stores_nothing(api, survey, body, field):
    reply = post(api, body)
    assert reply.status_code == 400, reply.json()
    error = reply.json()["error"]
    assert error["status"] == 400
    assert field in error["fields"]
    assert not Invitation.objects.exists()
    assert not Customer.objects.exists()


def test_the_same_key_twice_gives_the_same_invitation_with_200(api, survey):
    body = {"survey": "support", "customer": {"email": "ann@example.com"}, "delay": 60}
    first = post(api, body, key="ticket-1")
    again = post(api, {**body, "delay": 600}, key="ticket-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Invitation.objects.count() == 1


def test_the_same_key_from_two_clients_makes_two_invitations(api, survey):
    other = client_with(make_token("crm", WRITE))
    first = post(api, {"survey": "support", "customer": {"email": "a@example.com"}}, key="k")
    second = post(other, {"survey": "support", "customer": {"email": "b@example.com"}}, key="k")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]


def test_list_filters_by_customer_status_and_survey(api, survey):
    customer = CustomerFactory()
    waiting = InvitationFactory(
        survey=survey, customer=customer, sent_at=None, scheduled_at=timezone.now()
    )
    InvitationFactory(survey=survey, customer=customer)
    InvitationFactory(survey=SurveyFactory(slug="other"))
    listed = api.get(URL, {"customer": customer.pk, "status": "scheduled", "survey": "support"})
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [waiting.pk]
    assert api.get(URL, {"survey": "support"}).json()["count"] == 2
    assert api.get(URL, {"status": "nonsense"}).status_code == 400


def test_delete_cancels_a_scheduled_invitation_once(api, survey):
    created = post(
        api, {"survey": "support", "customer": {"email": "ann@example.com"}, "delay": 600}
    )
    url = f"{URL}{created.json()['id']}/"
    assert api.delete(url).status_code == 204
    assert api.get(url).json()["status"] == "cancelled"
    again = api.delete(url)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert "cancelled" in again.json()["error"]["message"]


def test_a_sent_invitation_cannot_be_deleted(api, survey):
    invitation = InvitationFactory(survey=survey)
    reply = api.delete(f"{URL}{invitation.pk}/")
    assert reply.status_code == 409
    assert "sent" in reply.json()["error"]["message"]
    assert Invitation.objects.get(pk=invitation.pk).cancelled_at is None


def test_read_scope_cannot_write(survey):
    reader = client_with(make_token("reader", [ApiScope.INVITATIONS_READ]))
    reply = post(reader, {"survey": "support", "customer": {"email": "a@example.com"}})
    assert reply.status_code == 403
    assert not Invitation.objects.exists()


def test_without_customers_write_a_stored_customer_is_not_changed(api, survey):
    stored = CustomerFactory(email="ann@example.com", name="Ann")
    post(api, {"survey": "support", "customer": {"email": "ann@example.com", "name": "Eve"}})
    assert Customer.objects.get(pk=stored.pk).name == "Ann"


def test_bulk_gives_a_result_per_item_in_order(api, survey):
    CustomerFactory(email="gone@example.com", unsubscribed_at=timezone.now())
    items = [
        {"survey": "support", "customer": {"email": "a@example.com"}, "delay": 60},
        {"survey": "support", "customer": {"email": "bad"}},
        {"survey": "support", "customer": {"email": "gone@example.com"}},
        {"survey": "support", "customer": {"email": "b@example.com"}, "idempotency_key": "x"},
        {"survey": "support", "customer": {"email": "c@example.com"}, "idempotency_key": "x"},
        {"survey": "nope", "customer": {"email": "d@example.com"}},
    ]
    reply = post(api, {"invitations": items}, url=f"{URL}bulk/")
    assert reply.status_code == 200, reply.json()
    body = reply.json()
    assert [r["status"] for r in body["results"]] == [
        "created",
        "invalid",
        "skipped",
        "created",
        "existing",
        "invalid",
    ]
    assert [r["index"] for r in body["results"]] == list(range(6))
    assert "customer.email" in body["results"][1]["errors"]
    assert "survey" in body["results"][5]["errors"]
    assert body["results"][2]["invitation"]["skip_reason"] == "unsubscribed"
    assert body["results"][4]["invitation"] == body["results"][3]["invitation"]
    assert (body["created"], body["skipped"], body["existing"], body["invalid"]) == (2, 1, 1, 2)
    assert Invitation.objects.count() == 3
    assert not Customer.objects.filter(email="d@example.com").exists()
    # The one due now went out; the one in a minute waits.
    assert OutboundMessage.objects.get().recipient == "b@example.com"


def test_bulk_over_1000_items_is_refused_whole(api, survey):
    items = [{"survey": "support", "customer": {"email": f"c{n}@example.com"}} for n in range(1001)]
    reply = post(api, {"invitations": items}, url=f"{URL}bulk/")
    assert reply.status_code == 400
    assert not Invitation.objects.exists()


def test_bulk_matches_items_in_order_as_single_requests_would(api, survey):
    CustomerFactory(email="known@example.com", phone="+48601234567", external_id="crm-1")
    items = [
        # Two items for one new customer: created once, the second throttled.
        {"survey": "support", "customer": {"email": "new@example.com", "phone": "+14155550123"}},
        {"survey": "support", "customer": {"email": "NEW@example.com"}},
        # Found by phone alone, then by external id; the same stored customer.
        {"survey": "support", "customer": {"phone": "+48 601 234 567"}},
        # A known external id with another email; a known email with another's phone.
        {"survey": "support", "customer": {"email": "x@example.com", "external_id": "crm-1"}},
        {"survey": "support", "customer": {"email": "known@example.com", "phone": "+14155550123"}},
    ]
    body = post(api, {"invitations": items}, url=f"{URL}bulk/").json()
    statuses = [(r["status"], (r["invitation"] or {}).get("skip_reason")) for r in body["results"]]
    assert statuses == [
        ("created", ""),
        ("skipped", "throttled"),
        ("created", ""),
        ("invalid", None),
        ("invalid", None),
    ]
    assert (
        body["results"][0]["invitation"]["customer"] == body["results"][1]["invitation"]["customer"]
    )
    assert "customer.external_id" in body["results"][3]["errors"]
    assert "customer.phone" in body["results"][4]["errors"]
    assert Customer.objects.filter(email__iexact="new@example.com").count() == 1
    assert not Customer.objects.filter(email="x@example.com").exists()


def test_bulk_takes_a_fixed_number_of_queries(api, survey, django_assert_max_num_queries):
    CustomerFactory.create_batch(3)
    small = [
        {"survey": "support", "customer": {"email": f"s{n}@example.com"}, "delay": 60}
        for n in range(5)
    ]
    large = [
        {"survey": "support", "customer": {"email": f"l{n}@example.com"}, "delay": 60}
        for n in range(200)
    ]
    with django_assert_max_num_queries(40) as small_queries:
        post(api, {"invitations": small}, url=f"{URL}bulk/")
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        reply = post(api, {"invitations": large}, url=f"{URL}bulk/")
    assert reply.json()["created"] == 200


def test_bulk_changes_stored_customers_only_with_customers_write(survey):
    CustomerFactory(email="ann@example.com", name="Ann")
    item = {"survey": "support", "customer": {"email": "ann@example.com", "name": "Annie"}}
    limited = client_with(make_token("limited", WRITE))
    post(limited, {"invitations": [item]}, url=f"{URL}bulk/")
    assert Customer.objects.get(email="ann@example.com").name == "Ann"
    writer = client_with(make_token("writer", [*WRITE, ApiScope.CUSTOMERS_WRITE]))
    Invitation.objects.all().delete()
    post(writer, {"invitations": [item]}, url=f"{URL}bulk/")
    assert Customer.objects.get(email="ann@example.com").name == "Annie"


def test_bulk_and_single_keys_are_the_same_keys(api, survey):
    first = post(api, {"survey": "support", "customer": {"email": "a@example.com"}}, key="k-1")
    item = {"survey": "support", "customer": {"email": "b@example.com"}, "idempotency_key": "k-1"}
    body = post(api, {"invitations": [item]}, url=f"{URL}bulk/").json()
    assert body["results"][0]["status"] == "existing"
    assert body["results"][0]["invitation"]["id"] == first.json()["id"]


def test_the_invitation_api_takes_the_customers_time_zone_or_refuses_a_bad_one(api):
    from surveys.models import Customer

    SurveyFactory(slug="tz-survey")
    good = post(
        api,
        {"survey": "tz-survey", "customer": {"email": "tz@example.com", "time_zone": "Asia/Tokyo"}},
    )
    bad = post(
        api,
        {"survey": "tz-survey", "customer": {"email": "tz2@example.com", "time_zone": "Nowhere"}},
    )

    assert good.status_code in (200, 201), good.json()
    assert Customer.objects.get(email="tz@example.com").time_zone == "Asia/Tokyo"
    assert bad.status_code == 400
    assert "customer.time_zone" in str(bad.json()) or "time_zone" in str(bad.json())
    assert not Customer.objects.filter(email="tz2@example.com").exists()


def test_a_property_name_with_a_nul_character_is_a_400_not_a_server_error(api, survey):
    # PostgreSQL's JSON cannot store U+0000: refused as a bad name, like ":".
    reply = post(
        api,
        {"survey": "support", "customer": {"email": "a@example.com"}, "properties": {"\x00a": 1}},
    )
    assert reply.status_code == 400
    assert "properties" in str(reply.json())
