"""Asking customers: waves with throttling, the invitation email, reminders,
repeating surveys and the re-survey of a closed case."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone

from followups.cases import workflow
from followups.invitations.emails import _context_for
from followups.invitations.reminders import reminders_send
from followups.invitations.waves import due_waves_start, wave_plan, wave_send
from followups.models import CaseEvent, FollowUpCase, OutboundMessage, RootCause
from followups.outbox.messages import render
from surveys import services as survey_services
from surveys.models import Invitation, Response, Wave, hash_token
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory, staff_member
from tests.followups.cases import open_case

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def send(slug, *args):
    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_survey", slug, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def survey():
    return SurveyFactory(slug="nps", throttle_days=30, reminder_after_days=7)


def test_dry_run_counts_who_would_be_invited_and_why_others_are_skipped(survey):
    CustomerFactory.create_batch(3)
    CustomerFactory(unsubscribed_at=timezone.now())
    survey_services.customer_erase(customer=CustomerFactory())
    recently_answered = CustomerFactory()
    ResponseFactory(customer=recently_answered, submitted_at=timezone.now() - timedelta(days=3))
    output = send("nps", "--dry-run")
    assert "3 to invite" in output
    assert "1 skipped: unsubscribed" in output
    assert "1 skipped: erased" in output
    assert "1 skipped: asked or answered within 30 days" in output
    assert not Invitation.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_sending_creates_invitations_and_emails_them_with_progress(survey, mailoutbox):
    CustomerFactory.create_batch(4, segment="smb")
    CustomerFactory(segment="enterprise")
    output = send("nps", "--segment", "smb")
    assert "4/4" in output and "4 invitations queued" in output
    assert Invitation.objects.count() == 4
    assert OutboundMessage.objects.filter(template="invitation", status="sent").count() == 4
    assert len(mailoutbox) == 4


def test_limit_caps_a_wave(survey):
    CustomerFactory.create_batch(5)
    send("nps", "--limit", "2")
    assert Invitation.objects.count() == 2


def test_unknown_and_inactive_surveys_are_refused_clearly():
    SurveyFactory(slug="draft-one", status="draft")
    with pytest.raises(CommandError, match=re.escape("No survey 'nope'. Known surveys: draft-one")):
        send("nope")
    with pytest.raises(CommandError, match="activate it"):
        send("draft-one")


def test_invitation_email_has_eleven_one_click_scores_and_unsubscribe_in_the_language(
    survey, mailoutbox
):
    survey.translations = {"pl": {"question": "Czy polecisz nas znajomym?"}}
    survey.save()
    customer = CustomerFactory(locale="pl", name="Zoë")
    send("nps")
    [message] = mailoutbox
    invitation = Invitation.objects.get(customer=customer)
    assert message.subject == "Czy polecisz nas znajomym?"
    for score in range(11):
        assert f"{invitation.public_url(score)}\n" in message.body + "\n"
    assert "Dzień dobry, Zoë" in message.body
    assert "/u/" in message.body  # the unsubscribe link
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert html.count('href="http') >= 12
    token = invitation.public_url().rstrip("/").rsplit("/", 1)[-1]
    assert Invitation.objects.get(token_hash=hash_token(token)) == invitation


def rendered_in_full(invitation):
    """The invitation email as rendering its templates for this one invitation makes it."""
    language, context = _context_for(invitation, reminder=False)
    return render("invitation", language, context)


def test_every_wave_email_is_exactly_its_own_rendering_in_its_language(survey, caplog):
    survey.translations = {"pl": {"question": "Czy polecisz nas znajomym?"}}
    survey.save()
    CustomerFactory(locale="pl", name="Zoë")
    CustomerFactory(locale="ru", name="")
    CustomerFactory(locale="", name='O\'Brien & <Sons> "Ltd"')
    CustomerFactory(locale="en", name="Ann  Lee")
    CustomerFactory(locale="zh-hans", name="李雷")
    # Frozen: an unsubscribe link is signed with the time, to the second.
    with time_machine.travel(T0, tick=False):
        send("nps")
        invited = Invitation.objects.select_related("customer", "survey")
        assert len(invited) == 5
        for invitation in invited:
            email = OutboundMessage.objects.get(dedupe_key=f"invitation:{invitation.pk}:first")
            expected = rendered_in_full(invitation)
            assert email.recipient == invitation.customer.email
            assert email.language == (invitation.customer.locale or "en")
            assert (email.subject, email.body_text, email.body_html) == (
                expected.subject,
                expected.body_text,
                expected.body_html,
            )
    assert "cannot be merged" not in caplog.text  # rendered once per language, not per email


def test_a_template_the_wave_cannot_merge_is_rendered_in_full_for_each_email(
    survey, settings, caplog
):
    shouting = (
        "{% autoescape off %}Dear {{ customer_name|upper }},\n"
        "{% for score, url in score_links %}{{ url }}\n{% endfor %}{% endautoescape %}"
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [
        {
            **engine,
            "APP_DIRS": False,
            "OPTIONS": {
                **engine["OPTIONS"],
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {"followups/email/invitation.txt": shouting},
                    ),
                    "django.template.loaders.filesystem.Loader",
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]
    zoe, ann = CustomerFactory(name="Zoë"), CustomerFactory(name="Ann")
    send("nps")
    for customer in (zoe, ann):
        invitation = Invitation.objects.get(customer=customer)
        email = OutboundMessage.objects.get(customer=customer)
        assert email.body_text == rendered_in_full(invitation).body_text
        assert f"Dear {customer.name.upper()}," in email.body_text
        assert f"{invitation.public_url(10)}\n" in email.body_text
    assert "cannot be merged" in caplog.text


def test_a_wave_in_several_batches_invites_and_emails_everyone_once(survey, mailoutbox):
    customers = CustomerFactory.create_batch(5)
    plan = wave_plan(survey=survey)
    batches = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert wave_send(plan, batch_size=2, progress=batches.append) == 5
    assert batches == [2, 2, 1]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(c.email for c in customers)
    assert Invitation.objects.values("customer").distinct().count() == 5


def test_a_customer_who_unsubscribes_after_the_plan_is_not_invited(survey, mailoutbox):
    staying, leaving = CustomerFactory.create_batch(2)
    plan = wave_plan(survey=survey)
    leaving.unsubscribed_at = timezone.now()
    leaving.save()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert wave_send(plan) == 1
    assert list(Invitation.objects.values_list("customer", flat=True)) == [staying.pk]
    assert [m.to for m in mailoutbox] == [[staying.email]]


def test_throttling_skips_customers_asked_within_the_throttle_days(survey):
    customer = CustomerFactory()
    with time_machine.travel(T0, tick=False):
        send("nps")
    with time_machine.travel(T0 + timedelta(days=29), tick=False):
        assert "0 to invite" in send("nps")
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        send("nps")
    assert Invitation.objects.filter(customer=customer).count() == 2


def test_one_reminder_after_the_reminder_days_and_never_twice(survey, mailoutbox):
    waiting, answered, gone = CustomerFactory.create_batch(3)
    with time_machine.travel(T0, tick=False):
        send("nps")
    Invitation.objects.filter(customer=answered).update(responded_at=T0 + timedelta(days=1))
    gone.unsubscribed_at = T0 + timedelta(days=2)
    gone.save()
    mailoutbox.clear()
    with time_machine.travel(T0 + timedelta(days=6), tick=False):
        assert reminders_send() == 0
    for _ in range(2):
        with (
            time_machine.travel(T0 + timedelta(days=8), tick=False),
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            reminders_send()
    assert [m.to for m in mailoutbox] == [[waiting.email]]
    assert mailoutbox[0].subject.startswith("Reminder:")
    assert Invitation.objects.get(customer=waiting).reminded_at == T0 + timedelta(days=8)


def test_no_reminder_once_the_invitation_expired(survey):
    CustomerFactory()
    survey.invitation_lifetime_days = 5
    survey.save()
    with time_machine.travel(T0, tick=False):
        send("nps")
    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        assert reminders_send() == 0


def test_a_monthly_survey_sends_each_wave_to_those_due_respecting_throttling():
    survey = SurveyFactory(slug="monthly", recurrence="monthly", throttle_days=30)
    regular = CustomerFactory()
    with time_machine.travel(T0, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        first = due_waves_start()["monthly"]
    newcomer = CustomerFactory()
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        assert due_waves_start() == {}
    with (
        time_machine.travel(T0 + timedelta(days=31), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        second = due_waves_start()["monthly"]
    waves = Wave.objects.in_bulk([first, second])
    assert [(waves[pk].invited, waves[pk].finished_at is not None) for pk in (first, second)] == [
        (1, True),
        (2, True),
    ]
    assert Invitation.objects.filter(customer=regular).count() == 2
    assert Invitation.objects.filter(customer=newcomer).count() == 1
    survey.refresh_from_db()
    assert survey.last_wave_at == T0 + timedelta(days=31)


def test_a_survey_that_does_not_repeat_sends_no_waves(survey):
    CustomerFactory()
    assert due_waves_start() == {}


def test_closing_a_case_with_a_resurvey_links_the_answer_back_to_it(mailoutbox):
    owner = staff_member("owner")
    cause = RootCause.objects.create(name="Carrier")
    case = open_case(owner=owner, email="ana@example.com")
    workflow.case_transition(case=case, to_status="in_progress", actor=owner)
    workflow.case_transition(
        case=case, to_status="resolved", actor=owner, root_cause=cause, resolution_summary="ok"
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.case_transition(case=case, to_status="closed", actor=owner, resurvey=True)
    case.refresh_from_db()
    invitation = case.resurvey_invitation
    assert invitation is not None and invitation.customer == case.customer
    assert any(
        m.to == ["ana@example.com"] and invitation.public_url(9) in m.body for m in mailoutbox
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        survey_services.response_record(
            survey=invitation.survey, customer=invitation.customer, score=9, invitation=invitation
        )
    event = case.events.filter(kind=CaseEvent.Kind.RESURVEYED).last()
    assert event.data["score"] == 9
    assert Response.objects.get(invitation=invitation).score == 9
    assert FollowUpCase.objects.count() == 1  # a 9 opens no new case


def test_admin_action_shows_the_plan_then_sends_on_confirmation(client, survey, mailoutbox):
    from tests.factories import UserFactory

    CustomerFactory.create_batch(2)
    client.force_login(UserFactory(username="root", is_superuser=True))
    url = "/admin/surveys/survey/"
    preview = client.post(url, {"action": "send_wave", "_selected_action": [survey.pk]})
    assert "2 to invite" in preview.content.decode()
    assert not Invitation.objects.exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url, {"action": "send_wave", "_selected_action": [survey.pk], "confirm": "1"})
    assert Invitation.objects.count() == 2
    assert len(mailoutbox) == 2


# What followups.invitations.waves._WaveEmails fills in per customer, by the names the
# invitation templates give them.
MERGED = ("customer_name", "expires", "unsubscribe_url", "url")


@pytest.mark.parametrize("suffix", ["subject.txt", "txt", "html"])
def test_the_invitation_templates_print_the_merged_values_as_they_are(suffix):
    """A wave fills each customer's values into one rendering per language;
    that is exact only while the templates print them unchanged (no filter)
    and test the name for emptiness only."""
    from pathlib import Path

    import followups

    source = (
        Path(followups.__file__).parent / "templates/followups/email" / f"invitation.{suffix}"
    ).read_text()
    tags = re.findall(r"{{(.*?)}}|{%(.*?)%}", source)
    for printed, tag in tags:
        words = re.findall(r"[\w.|]+", printed or tag)
        for word in words:
            name, *filters = word.split("|")
            if name in MERGED:
                assert not filters, f"invitation.{suffix}: {word!r} filters a merged value"
        if tag.strip().startswith(("if ", "elif ")):
            condition = tag.strip().split(None, 1)[1]
            used = [name for name in MERGED if re.search(rf"\b{name}\b", condition)]
            assert used in ([], ["customer_name"]), condition
            if used:
                assert condition.strip() in ("customer_name", "not customer_name"), condition
