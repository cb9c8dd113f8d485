"""A wave by SMS: each invitation is an SMS invitation as the invitation API
makes one (a short link, a text of the sms channel through the provider,
held for the customer's quiet hours, reminded by text, answered and stopped
by text); the preview says who gets a text, who is skipped and why, and what
the texts cost in segments per language; a chunk run twice texts nobody
twice; ``send_survey --channel sms`` does the same in its own process."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from followups.invitations.reminders import reminders_send
from followups.invitations.wave_results import wave_results
from followups.invitations.waves import Audience, wave_chunk_send, wave_plan, wave_start
from followups.models import OutboundMessage
from followups.outbox.transports.sms import SIGNATURE_HEADER, TIMESTAMP_HEADER, sms_signature
from followups.sweep import lost_work_sweep
from surveys.audit import Action
from surveys.models import AuditEvent, Channel, Customer, Invitation, Response, Survey, Wave
from surveys.sms import sms_invitation_sample, sms_length
from tests.factories import CustomerFactory, InvitationFactory, SurveyFactory, manager
from tests.followups.sms_provider import GATEWAY_SECRET, FakeGateway

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return SurveyFactory(
        slug="delivery",
        name="Delivery",
        throttle_days=30,
        reminder_after_days=7,
        question="How likely are you to recommend our delivery?",
        question_pl="Jak chętnie polecisz naszą dostawę znajomym?",
    )


@pytest.fixture
def gateway(settings):
    server = FakeGateway().start()
    settings.NPS_SMS_TRANSPORT = "http"
    settings.NPS_SMS_HTTP_URL = server.base_url + "/send"
    settings.NPS_SMS_HTTP_SECRET = GATEWAY_SECRET
    settings.NPS_SMS_FROM = "SHOP"
    settings.NPS_SMS_QUIET_HOURS = "00:00-00:00"  # none: the test may run at any hour
    yield server
    server.stop()


_phones = iter(range(10_000))


def texted(**fields) -> Customer:
    """A customer with a phone number of their own (E.164)."""
    fields.setdefault("phone", f"+48601{next(_phones):06d}")
    fields.setdefault("time_zone", "Europe/Warsaw")
    return CustomerFactory(**fields)


def start_sms_wave(survey, **kwargs) -> Wave:
    with TestCase.captureOnCommitCallbacks(execute=True):
        wave = wave_start(survey=survey, channel=Channel.SMS, **kwargs)
    wave.refresh_from_db()
    return wave


def gateway_post(client, data):
    body = json.dumps(data).encode()
    timestamp = str(int(time.time()))
    signature = sms_signature(
        secret=GATEWAY_SECRET, direction="inbound", timestamp=timestamp, body=body
    )
    return client.post(
        "/sms/inbound/http/",
        body,
        content_type="application/json",
        headers={TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature},
    )


# --- The wave --------------------------------------------------------------------


def test_an_sms_wave_texts_each_due_customer_once_through_the_gateway(
    survey, gateway, settings, client
):
    settings.NPS_WAVE_CHUNK_SIZE = 2
    due = [texted() for _ in range(3)]
    # Reached by text whatever became of their email address.
    due.append(texted(email_bounced_at=timezone.now()))
    CustomerFactory(phone=None)

    wave = start_sms_wave(survey)

    assert (wave.channel, wave.invited, wave.chunks_done) == ("sms", 4, wave.chunk_count)
    invitations = Invitation.objects.filter(wave=wave).select_related("customer")
    assert sorted(i.customer_id for i in invitations) == sorted(c.pk for c in due)
    assert {i.channel for i in invitations} == {Channel.SMS}
    assert all(i.short_code_hash for i in invitations)
    texts = {sent["to"]: sent["text"] for sent in gateway.sent}
    assert len(gateway.sent) == 4
    for invitation in invitations:
        text = texts[invitation.customer.phone]
        assert text.startswith(survey.question)
        assert invitation.sms_url() in text and "STOP" in text
        assert invitation.public_url() not in text
    assert not OutboundMessage.objects.filter(channel=OutboundMessage.Channel.EMAIL).exists()

    # An answer by text is the wave's: the wave page counts it.
    first = invitations[0]
    reply = gateway_post(client, {"id": "gw-1", "from": first.customer.phone, "text": "9"})
    assert reply.status_code == 200
    assert Response.objects.get(invitation__wave=wave).score == 9
    numbers = wave_results(wave)["numbers"]
    assert {name: numbers[name]["value"] for name in ("invited", "sent", "answered")} == {
        "invited": 4,
        "sent": 4,
        "answered": 1,
    }


def test_the_wave_page_counts_texts_and_each_number_lists_as_many(survey, gateway, client):
    customers = [texted(segment="vip") for _ in range(3)]
    gateway.statuses = [(400, {})]  # the first number is refused for good
    wave = start_sms_wave(survey, audience=Audience(segment="vip"))
    client.force_login(manager("boss"))

    results = wave_results(wave)
    numbers = results["numbers"]

    assert results["channel"] == "sms"
    assert {name: numbers[name]["value"] for name in ("sent", "bounced", "waiting")} == {
        "sent": 2,
        "bounced": 1,
        "waiting": 0,
    }
    for name in ("sent", "bounced", "waiting"):
        listed = client.get(numbers[name]["url"]).context["cl"].queryset
        assert listed.count() == numbers[name]["value"], name
        assert set(listed.values_list("channel", flat=True)) <= {"sms"}
    page = client.get(reverse("admin:surveys_wave_change", args=[wave.pk])).content.decode()
    assert "Texts sent" in page and "By SMS." in page
    assert len(customers) == 3


def test_an_sms_wave_chunk_run_again_texts_nobody_twice(survey, settings):
    settings.NPS_WAVE_CHUNK_SIZE = 2
    settings.NPS_SMS_QUIET_HOURS = "00:00-00:00"
    for _ in range(3):
        texted()
    wave = start_sms_wave(survey)
    chunk = wave.chunks.order_by("number").first()

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert wave_chunk_send(chunk_id=chunk.pk) == 0
    # Even with its row reset, the throttle finds whom this wave already texted.
    type(chunk).objects.filter(pk=chunk.pk).update(done_at=None)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert wave_chunk_send(chunk_id=chunk.pk) == 0

    assert Invitation.objects.filter(wave=wave).count() == 3
    assert OutboundMessage.objects.filter(template="invitation_sms").count() == 3


NIGHT = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)  # 22:00 in Warsaw, 16:00 in New York
WARSAW_MORNING = datetime(2026, 6, 2, 7, 0, tzinfo=UTC)  # 09:00 in Warsaw


def test_an_sms_wave_at_night_holds_each_text_for_the_customers_own_morning(
    survey, gateway, settings
):
    settings.NPS_SMS_QUIET_HOURS = "21:00-09:00"
    warsaw = texted(time_zone="Europe/Warsaw")
    new_york = texted(phone="+12125550123", time_zone="America/New_York")

    with time_machine.travel(NIGHT, tick=False):
        start_sms_wave(survey)

    held = OutboundMessage.objects.get(customer=warsaw)
    assert (held.status, held.next_attempt_at) == ("queued", WARSAW_MORNING)
    assert OutboundMessage.objects.get(customer=new_york).status == "sent"
    assert [sent["to"] for sent in gateway.sent] == [new_york.phone]

    with time_machine.travel(WARSAW_MORNING + timedelta(minutes=10), tick=False):
        lost_work_sweep()

    held.refresh_from_db()
    assert held.status == "sent"
    assert [sent["to"] for sent in gateway.sent] == [new_york.phone, warsaw.phone]


def test_an_sms_wave_is_reminded_by_text_and_a_stop_ends_it(survey, gateway, client):
    reminded, stopped = texted(), texted()
    start_sms_wave(survey)
    gateway.sent.clear()

    with TestCase.captureOnCommitCallbacks(execute=True):
        gateway_post(client, {"id": "gw-stop", "from": stopped.phone, "text": "STOP"})
    week_later = timezone.now() + timedelta(days=8)
    with (
        time_machine.travel(week_later, tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert reminders_send(now=week_later) == 1

    stopped.refresh_from_db()
    assert stopped.unsubscribed_at is not None
    reminder = OutboundMessage.objects.get(dedupe_key__endswith=":sms:reminder")
    assert (reminder.channel, reminder.customer_id) == ("sms", reminded.pk)
    assert reminder.body_text.startswith("Reminder: ")
    # Only the confirmation of the STOP and the reminder went out.
    assert sorted(sent["to"] for sent in gateway.sent) == sorted([stopped.phone, reminded.phone])


# --- Who is skipped, and what it costs ------------------------------------------------


def test_an_sms_plan_skips_who_may_not_be_texted_each_once_with_the_reason(survey):
    now = timezone.now()
    for _ in range(2):
        texted()
    texted(email_bounced_at=now, email_complained_at=now)  # texted: mail blocks do not count
    CustomerFactory(phone=None)
    texted(unsubscribed_at=now)  # a STOP or an email's link alike
    texted(erased_at=now, unsubscribed_at=now)
    InvitationFactory(survey=survey, customer=texted())  # asked last week, by email

    plan = wave_plan(survey=survey, channel=Channel.SMS)

    assert len(plan.to_send) == 3
    assert dict(plan.skipped) == {
        "no_phone": 1,
        "unsubscribed": 1,
        "erased": 1,
        "throttled": 1,
    }
    assert plan.reason_text("no_phone") == "no phone number"
    # By email the same customers skip for the email's reasons.
    by_email = wave_plan(survey=survey)
    assert len(by_email.to_send) == 3
    assert dict(by_email.skipped) == {
        "complained": 1,
        "unsubscribed": 1,
        "erased": 1,
        "throttled": 1,
    }


def test_a_wave_goes_by_email_or_sms_only(survey):
    with pytest.raises(ValueError, match="the 'link' channel is not supported"):
        wave_plan(survey=survey, channel="link")
    with pytest.raises(ValueError, match="the 'link' channel is not supported"):
        wave_start(survey=survey, channel="link")
    assert not Wave.objects.exists()


def test_an_employee_survey_is_refused_by_sms_too(client):
    staff = SurveyFactory(slug="pulse", kind=Survey.Kind.EMPLOYEE)
    texted()

    with pytest.raises(ValueError, match="is an employee survey"):
        wave_start(survey=staff, channel=Channel.SMS)
    with pytest.raises(CommandError, match="is an employee survey"):
        call_command("send_survey", "pulse", "--channel", "sms", stdout=io.StringIO())
    client.force_login(manager("boss"))
    page = client.post(
        reverse("admin:surveys_survey_audience", args=[staff.pk]),
        {"kind": "segment", "segment": "retail", "channel": "sms", "preview": "1"},
        follow=True,
    )
    assert "is an employee survey" in page.content.decode()
    assert not Wave.objects.exists() and not Invitation.objects.exists()


# --- The admin -------------------------------------------------------------------


def audience_url(survey) -> str:
    return reverse("admin:surveys_survey_audience", args=[survey.pk])


PREVIEW = {"kind": "segment", "segment": "vip", "channel": "sms", "preview": "1"}


def test_the_sms_preview_says_who_gets_a_text_who_not_and_the_segments_per_language(survey, client):
    for _ in range(3):
        texted(segment="vip", locale="en")
    for _ in range(2):
        texted(segment="vip", locale="pl")
    CustomerFactory(segment="vip", phone=None, name="Nophone")
    texted(segment="vip", unsubscribed_at=timezone.now())
    client.force_login(manager("boss"))

    page = client.post(audience_url(survey), PREVIEW)

    assert page.status_code == 200
    text = page.content.decode()
    assert "5 customers will get a text." in text
    groups = {group["reason"]: group["count"] for group in page.context["groups"]}
    assert groups == {"no phone number": 1, "unsubscribed": 1}
    assert "Nophone" in text
    cost = {row.language: row for row in page.context["sms_cost"].languages}
    english = sms_length(sms_invitation_sample(survey=survey, language="en"))
    polish = sms_length(sms_invitation_sample(survey=survey, language="pl"))
    assert (cost["en"].customers, cost["en"].encoding) == (3, "GSM-7")
    assert (cost["pl"].customers, cost["pl"].encoding) == (2, "UCS-2")
    assert cost["en"].segments == 3 * english.segments
    assert cost["pl"].segments == 2 * polish.segments and polish.segments >= 2
    assert page.context["sms_cost"].segments == 3 * english.segments + 2 * polish.segments
    assert f'id="sms-segments">{page.context["sms_cost"].segments}<' in text
    assert 'name="channel" value="sms"' in text


def test_the_sms_preview_in_polish(survey, client):
    for _ in range(2):
        texted(segment="vip", locale="pl")
    CustomerFactory(segment="vip", phone=None)
    client.force_login(manager("boss"))

    page = client.post(audience_url(survey), PREVIEW, HTTP_ACCEPT_LANGUAGE="pl")

    text = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="pl"' in text
    with translation.override("pl"):
        expected = [
            ngettext(
                "%(counter)s customer will get a text.",
                "%(counter)s customers will get a text.",
                2,
            )
            % {"counter": 2},
            gettext("Estimated cost of the texts"),
            gettext("no phone number"),
            gettext("Segments"),
        ]
    for words in expected:
        assert words in text, words
    assert "Części" in text and "polski" in text  # already in the catalogue
    assert "UCS-2" in text


def confirm(survey, client, *, previewed, once="sms-preview-1", channel="sms"):
    data = {
        "segment": "vip",
        "channel": channel,
        "confirm_token": once,
        "previewed": previewed,
        "send": "1",
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(audience_url(survey), data)


def test_send_now_starts_an_sms_wave_and_the_audit_trail_says_so(survey, client, settings):
    settings.NPS_SMS_QUIET_HOURS = "00:00-00:00"
    vip = [texted(segment="vip") for _ in range(2)]
    CustomerFactory(segment="vip", phone=None)
    client.force_login(manager("boss"))

    answer = confirm(survey, client, previewed=2)

    wave = Wave.objects.get()
    assert answer["Location"] == reverse("admin:surveys_wave_change", args=[wave.pk])
    assert (wave.channel, wave.invited) == ("sms", 2)
    assert sorted(Invitation.objects.values_list("customer", flat=True)) == sorted(
        c.pk for c in vip
    )
    assert set(Invitation.objects.values_list("channel", flat=True)) == {"sms"}
    [event] = AuditEvent.objects.filter(action=Action.SURVEY_SENT)
    assert (event.actor_label, event.via, event.object_ids) == ("boss", "admin", [wave.pk])
    assert event.details == {"survey": "delivery", "channel": "sms", "segment": "vip"}
    # The same preview sent again starts nothing more.
    confirm(survey, client, previewed=2)
    assert Wave.objects.count() == 1


def test_an_sms_send_compares_with_the_sms_preview_count(survey, client):
    for _ in range(2):
        texted(segment="vip")
    for _ in range(8):
        CustomerFactory(segment="vip", phone=None)  # emailed, never texted
    client.force_login(manager("boss"))

    # Previewed by SMS (2), it is sent by SMS; an email count (10) would drift.
    assert confirm(survey, client, previewed=10, once="t1")["Location"].endswith("/audience/")
    assert not Wave.objects.exists()
    confirm(survey, client, previewed=2, once="t2")
    assert Wave.objects.get().channel == "sms"


def test_a_confirmation_without_a_channel_is_an_email_wave(survey, client):
    CustomerFactory(segment="vip")
    client.force_login(manager("boss"))

    data = {"segment": "vip", "confirm_token": "old-page", "previewed": 1, "send": "1"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(audience_url(survey), data)

    assert Wave.objects.get().channel == "email"
    assert AuditEvent.objects.get(action=Action.SURVEY_SENT).details["channel"] == "email"


def test_the_wave_list_shows_and_filters_the_channel(survey, client):
    Wave.objects.create(survey=survey, channel=Channel.SMS)
    Wave.objects.create(survey=survey)
    client.force_login(manager("boss"))
    url = reverse("admin:surveys_wave_changelist")

    assert client.get(url + "?channel__exact=sms").context["cl"].queryset.count() == 1
    assert "SMS" in client.get(url).content.decode()


# --- The command ---------------------------------------------------------------------


def send_survey(*args) -> str:
    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_survey", *args, stdout=out)
    return out.getvalue()


def test_send_survey_by_sms_texts_who_may_be_texted_and_says_what_it_costs(
    survey, gateway, settings
):
    texted(locale="en")
    texted(locale="pl")
    CustomerFactory(phone=None)

    dry = send_survey("delivery", "--channel", "sms", "--dry-run")
    assert "2 to invite; 1 skipped: no phone number" in dry
    assert "pl: 1 text(s), UCS-2" in dry and "en: 1 text(s), GSM-7" in dry
    assert not Invitation.objects.exists()

    out = send_survey("delivery", "--channel", "sms")

    assert "2 texts queued for sending." in out
    assert set(Invitation.objects.values_list("channel", flat=True)) == {"sms"}
    assert len(gateway.sent) == 2
    event = AuditEvent.objects.get(action=Action.SURVEY_SENT)
    assert (event.via, event.count, event.details["channel"]) == ("command", 2, "sms")


def test_send_survey_by_sms_with_a_limit_counts_only_the_texts_it_sends(survey, settings):
    settings.NPS_SMS_QUIET_HOURS = "00:00-00:00"
    for _ in range(3):
        texted(locale="pl")

    out = send_survey("delivery", "--channel", "sms", "--limit", "1", "--dry-run")

    assert "pl: 1 text(s)" in out


def test_send_survey_refuses_an_unknown_channel(survey):
    with pytest.raises(CommandError, match="invalid choice: 'fax'"):
        call_command("send_survey", "delivery", "--channel", "fax", stdout=io.StringIO())
