"""Each event is written into the outbox in the transaction of its fact, once
per endpoint wanting it, with personal data only for endpoints that opted in."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory, TestCase

from followups.cases.workflow import case_assign, case_transition
from followups.models import FollowUpCase, OfferGrant, OutboundMessage, RewardGrant, RootCause
from followups.outbox.messages import email_queue
from followups.outbox.sending import messages_send
from followups.routing import responses_route
from followups.webhooks.emit import Event, WebhookEmitter
from followups.webhooks.events import EVENT_TYPES, PAYLOAD_VERSION
from surveys.models import DriverChoice
from surveys.services import customer_erase, customer_unsubscribe
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory, UserFactory, manager
from tests.followups.webhooks import Receiver, endpoint_for, payloads

pytestmark = pytest.mark.django_db

ALL = list(EVENT_TYPES)


def routed(**fields):
    response = ResponseFactory(**fields)
    with TestCase.captureOnCommitCallbacks(execute=True):
        responses_route(response_ids=[response.pk])
    return response


def test_routing_reports_the_answer_and_its_case_once_per_endpoint_wanting_them():
    wants_all = endpoint_for(Receiver(port=1), ALL)
    wants_cases = endpoint_for(Receiver(port=2), ["case.opened"])
    response = routed(score=3, comment="Slow support")
    case = FollowUpCase.objects.get(response=response)
    assert [p["type"] for p in payloads(wants_all)] == ["response.recorded", "case.opened"]
    [opened] = payloads(wants_cases)
    assert opened["version"] == PAYLOAD_VERSION
    assert opened["data"]["case"]["id"] == case.pk
    assert opened["data"]["case"]["status"] == "new"
    assert opened["data"]["response"] == {
        "id": response.pk,
        "survey": response.survey.slug,
        "score": 3,
        "category": "detractor",
        "channel": response.channel,
        "submitted_at": opened["data"]["response"]["submitted_at"],
        "driver": None,
        "driver_label": None,
    }
    assert opened["timestamp"].endswith("Z")
    # Routing the answer again (a duplicate task) reports nothing twice.
    responses_route(response_ids=[response.pk])
    assert wants_all.deliveries.count() == 2


def test_personal_data_goes_only_to_endpoints_that_opted_in():
    plain = endpoint_for(Receiver(port=1), ["response.recorded"])
    personal = endpoint_for(Receiver(port=2), ["response.recorded"], personal_data=True)
    customer = CustomerFactory(email="ada@example.com", name="Ada Lovelace", external_id="crm-7")
    routed(customer=customer, score=9, comment="Lovely people")
    [without] = payloads(plain)
    [with_personal] = payloads(personal)
    assert without["data"]["customer"] == {
        "id": customer.pk,
        "external_id": "crm-7",
        "segment": customer.segment,
    }
    assert "comment" not in without["data"]["response"]
    assert "ada@example.com" not in plain.deliveries.get().body_text
    assert with_personal["data"]["customer"]["email"] == "ada@example.com"
    assert with_personal["data"]["customer"]["name"] == "Ada Lovelace"
    assert with_personal["data"]["response"]["comment"] == "Lovely people"


def test_the_answer_reports_the_driver_chosen_or_null():
    endpoint = endpoint_for(Receiver(port=1), ["response.recorded"])
    survey = SurveyFactory(driver_question="What mattered most?")
    choice = DriverChoice.objects.create(survey=survey, key="support", label="Support")
    routed(survey=survey, score=9, driver=choice)
    routed(survey=survey, score=8)

    first, second = payloads(endpoint)

    assert (first["data"]["response"]["driver"], first["data"]["response"]["driver_label"]) == (
        "support",
        "Support",
    )
    assert (second["data"]["response"]["driver"], second["data"]["response"]["driver_label"]) == (
        None,
        None,
    )


def test_grants_are_reported_issued_with_their_code():
    endpoint = endpoint_for(Receiver(port=1), ["grant.issued"])
    offer = OfferGrant.objects.get(response=routed(score=7))
    reward = RewardGrant.objects.get(response=routed(score=10))
    issued = [p["data"]["grant"] for p in payloads(endpoint)]
    assert [(g["kind"], g["id"], g["code"]) for g in issued] == [
        ("offer", offer.pk, offer.code),
        ("reward", reward.pk, reward.code),
    ]


def test_nothing_is_written_when_no_endpoint_wants_the_event():
    endpoint_for(Receiver(port=1), ["customer.erased"])
    routed(score=2)
    assert not OutboundMessage.objects.filter(channel="webhook").exists()


def test_a_disabled_endpoint_gets_no_new_events():
    endpoint = endpoint_for(Receiver(port=1), ALL)
    endpoint.is_active = False
    endpoint.save()
    routed(score=2)
    assert not endpoint.deliveries.exists()


def test_case_changes_are_reported_assigned_changed_and_resolved():
    endpoint = endpoint_for(
        Receiver(port=1), ["case.assigned", "case.status_changed", "case.resolved"]
    )
    boss = manager("boss")
    case = FollowUpCase.objects.get(response=routed(score=1))
    case_assign(case=case, owner=boss, actor=boss)
    case_transition(case=case, to_status="in_progress", actor=boss)
    case_transition(
        case=case,
        to_status="resolved",
        actor=boss,
        root_cause=RootCause.objects.create(name="Slow delivery"),
        resolution_summary="Called back.",
    )
    sent = payloads(endpoint)
    assert [p["type"] for p in sent] == [
        "case.assigned",
        "case.status_changed",
        "case.status_changed",
        "case.resolved",
    ]
    assert sent[0]["data"]["case"]["owner"] == {"id": boss.pk, "username": "boss"}
    assert sent[0]["data"]["previous_owner"] is None
    assert sent[2]["data"]["previous_status"] == "in_progress"
    assert sent[3]["data"]["case"]["root_cause"] == "Slow delivery"
    assert sent[3]["data"]["case"]["resolved_at"] is not None
    assert all(row.case_id == case.pk for row in endpoint.deliveries.all())


def test_a_code_redeemed_in_the_admin_is_reported_redeemed_once():
    endpoint = endpoint_for(Receiver(port=1), ["grant.redeemed"])
    grant = OfferGrant.objects.get(response=routed(score=8))
    request = RequestFactory().post("/")
    request.user = UserFactory(is_superuser=True)
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    model_admin = site._registry[OfferGrant]
    for _ in range(2):  # the second time it is already redeemed: nothing new
        model_admin.mark_redeemed(request, OfferGrant.objects.filter(pk=grant.pk))
    [redeemed] = payloads(endpoint)
    assert redeemed["type"] == "grant.redeemed"
    assert redeemed["data"]["grant"]["id"] == grant.pk
    assert redeemed["data"]["grant"]["status"] == "redeemed"


def test_unsubscribing_is_reported_once():
    endpoint = endpoint_for(Receiver(port=1), ["customer.unsubscribed"], personal_data=True)
    customer = CustomerFactory(email="bo@example.com")
    assert customer_unsubscribe(customer=customer)
    assert not customer_unsubscribe(customer=customer)
    [unsubscribed] = payloads(endpoint)
    assert unsubscribed["data"]["customer"]["id"] == customer.pk
    assert unsubscribed["data"]["customer"]["email"] == "bo@example.com"


def test_erasure_is_reported_and_scrubs_what_webhooks_said_about_the_customer():
    endpoint = endpoint_for(Receiver(port=1), ALL, personal_data=True)
    customer = CustomerFactory(email="cy@example.com", name="Cyrus Zebulon")
    routed(customer=customer, score=2, comment="Quetzalcoatl was rude")
    customer_unsubscribe(customer=customer)
    customer_erase(customer=customer)
    sent = payloads(endpoint)
    assert sent[-1]["type"] == "customer.erased"
    assert sent[-1]["data"]["customer"] == {"id": customer.pk}
    for row in endpoint.deliveries.all():
        assert "cy@example.com" not in row.body_text
        assert "Zebulon" not in row.body_text
        assert "Quetzalcoatl" not in row.body_text


def test_an_unknown_event_is_refused():
    with pytest.raises(ValueError, match="Unknown webhook event"):
        WebhookEmitter(endpoints=[]).add(Event("case.vanished", "x", None, {}))


def test_a_hard_bounce_is_reported_once_with_when(smtp):
    endpoint = endpoint_for(Receiver(port=1), ["invitation.bounced"], personal_data=True)
    customer = CustomerFactory(email="gone@example.com")
    smtp.handler.refused_recipients.add("gone@example.com")
    for key in ("first", "second"):  # the second refusal finds it bounced already
        email = email_queue(
            template="offer",
            dedupe_key=key,
            recipient=customer.email,
            language="en",
            context={"customer_name": "A", "score": 7, "offer": "1", "code": "C", "expires": "x"},
            customer=customer,
        )
        messages_send(message_ids=[email.pk])
    customer.refresh_from_db()
    [bounced] = payloads(endpoint)
    assert bounced["type"] == "invitation.bounced"
    assert bounced["data"]["customer"]["email"] == "gone@example.com"
    assert bounced["data"]["bounced_at"].startswith(customer.email_bounced_at.date().isoformat())


def test_a_delivered_case_webhook_is_not_put_on_the_case_timeline(receiver):
    endpoint = endpoint_for(receiver, ["case.opened"])
    case = FollowUpCase.objects.get(response=routed(score=0))
    assert endpoint.deliveries.get().status == "sent"
    assert receiver.events() == ["case.opened"]
    # Only the apology email to the customer is on it.
    sent = case.events.filter(kind="email_sent")
    assert [event.data["template"] for event in sent] == ["apology"]


def test_an_unsubscribe_brought_by_an_answer_import_is_reported_too(tmp_path):
    from django.core.management import call_command

    from tests.factories import SurveyFactory

    endpoint = endpoint_for(Receiver(port=1), ["customer.unsubscribed"])
    SurveyFactory(slug="imported")
    export = tmp_path / "export.csv"
    export.write_text(
        "Response ID,Email,Score,Created At,Unsubscribed\n"
        "r-1,cy@example.com,9,2025-03-01 10:00:00 UTC,true\n",
        encoding="utf-8",
    )
    call_command("import_answers", str(export), "--format", "delighted", "--survey", "imported")
    [unsubscribed] = payloads(endpoint)
    assert unsubscribed["type"] == "customer.unsubscribed"
