"""The demo data set: what `make run` shows a first-time user."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from followups.insights import themes
from followups.invitations.waves import THROTTLED, Audience, wave_plan
from followups.management.commands import seed_demo
from followups.models import ThemePeriod
from followups.roles import ensure_reference_data
from surveys import stats
from surveys.models import NO_PHONE, Customer, Invitation, Locale, Response, Survey

pytestmark = pytest.mark.django_db


def run_seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction rolled back at its end;
    each test runs in a savepoint of it (like TestCase.setUpTestData)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ensure_reference_data()
            yield run_seed()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "customers": Customer.objects.count(),
        "surveys": Survey.objects.count(),
        "invitations": Invitation.objects.count(),
        "responses": Response.objects.count(),
    }


def test_creates_the_demo_users_with_working_passwords_and_roles(seeded):
    users = {user.username: user for user in get_user_model().objects.all()}
    assert users["admin"].check_password(seed_demo.DEMO_ADMIN_PASSWORD)
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert users["manager"].check_password(seed_demo.DEMO_MANAGER_PASSWORD)
    for username in ("manager", "staff1", "staff2"):
        assert users[username].is_staff
        assert not users[username].is_superuser
    for username in ("staff1", "staff2"):
        assert users[username].check_password(seed_demo.DEMO_STAFF_PASSWORD)


def test_creates_both_surveys_with_their_settings_and_translations(seeded):
    relationship = Survey.objects.get(slug="relationship-nps")
    assert relationship.status == Survey.Status.ACTIVE
    assert relationship.recurrence == Survey.Recurrence.QUARTERLY
    assert relationship.auto_assign
    assert relationship.benchmark_nps == 32
    for language in (Locale.POLISH, Locale.RUSSIAN, Locale.CHINESE):
        question, follow_up = relationship.text_for(language)
        assert question != relationship.question
        assert follow_up != relationship.follow_up_question

    support = Survey.objects.get(slug="support-nps")
    assert support.status == Survey.Status.ACTIVE
    assert support.detractor_sla_hours == 8


def test_creates_a_few_hundred_customers_in_every_locale_and_several_segments(seeded):
    customers = Customer.objects.all()
    assert 250 <= customers.count() <= 400
    assert set(customers.values_list("locale", flat=True)) == {choice.value for choice in Locale}
    assert set(customers.values_list("segment", flat=True)) >= {"enterprise", "smb", "consumer"}
    emails = list(customers.values_list("email", flat=True))
    assert len(set(emails)) == len(emails)
    assert all(email.isascii() and email.endswith("@example.com") for email in emails)
    assert customers.filter(locale=Locale.CHINESE).exclude(name__regex=r"^[A-Za-z ]+$").exists()


def test_responses_span_six_months_with_every_category_and_comments(seeded):
    responses = Response.objects.all()
    # The two main surveys (the reminder-bonus waves add a few answers to
    # relationship-nps); the SMS and department surveys are counted in their tests.
    main = responses.filter(survey__slug__in=("relationship-nps", "support-nps"))
    assert 1200 <= main.count() <= 1800
    now = timezone.now()
    oldest = responses.order_by("submitted_at").first().submitted_at
    newest = responses.order_by("-submitted_at").first().submitted_at
    assert now - timedelta(days=181) <= oldest <= now - timedelta(days=150)
    assert now - timedelta(days=7) <= newest <= now
    assert set(responses.values_list("category", flat=True)) == {
        stats.DETRACTOR,
        stats.PASSIVE,
        stats.PROMOTER,
    }
    with_comment = responses.exclude(comment="").count()
    assert 0.35 * responses.count() <= with_comment <= 0.65 * responses.count()
    assert set(Survey.objects.filter(responses__isnull=False).values_list("slug", flat=True)) == {
        "relationship-nps",
        "support-nps",
        "delivery-sms",
        "delivery-nps",
    }


def test_score_mix_is_plausible_and_improves_over_time(seeded):
    summary = Response.objects.nps_summary()
    assert 35 <= summary.promoter_pct <= 55
    assert 15 <= summary.detractor_pct <= 35
    now = timezone.now()
    first_two_months = Response.objects.filter(submitted_at__lt=now - timedelta(days=120))
    last_two_months = Response.objects.filter(submitted_at__gte=now - timedelta(days=60))
    assert last_two_months.nps_summary().nps > first_two_months.nps_summary().nps


def test_responses_snapshot_the_customer(seeded):
    responses = Response.objects.select_related("customer")
    for response in responses:
        assert response.segment == response.customer.segment
        assert response.locale == response.customer.locale
        assert response.category == stats.classify(response.score)


def test_most_responses_come_from_an_answered_email_invitation(seeded):
    invited = Response.objects.filter(invitation__isnull=False).select_related("invitation")
    assert invited.count() >= 0.8 * Response.objects.count()
    for response in invited:
        invitation = response.invitation
        # The SMS survey's answers came by text.
        assert invitation.channel == ("sms" if response.survey.slug == "delivery-sms" else "email")
        assert invitation.customer_id == response.customer_id
        assert invitation.created_at <= response.submitted_at
        assert invitation.responded_at == response.submitted_at
        assert invitation.expires_at > invitation.created_at


def test_running_twice_creates_nothing_new(seeded):
    first = counts()

    output = run_seed()

    assert counts() == first
    assert "already seeded" in output


def test_second_run_fills_in_only_what_is_missing(seeded):
    first = counts()
    customer = Response.objects.get(idempotency_key="demo-1").customer
    removed = customer.responses.count()
    customer.responses.all().delete()
    customer.delete()

    output = run_seed()

    assert counts()["responses"] == first["responses"]
    assert counts()["customers"] == first["customers"]
    assert f"1 customers, {removed} responses" in output


def test_output_lists_the_demo_logins(seeded):
    output = seeded

    for username, password in (
        ("admin", seed_demo.DEMO_ADMIN_PASSWORD),
        ("manager", seed_demo.DEMO_MANAGER_PASSWORD),
        ("staff1", seed_demo.DEMO_STAFF_PASSWORD),
        ("staff2", seed_demo.DEMO_STAFF_PASSWORD),
    ):
        assert any(username in line and password in line for line in output.splitlines())


def test_every_demo_answer_has_its_outcome_dated_when_it_came_in(seeded):
    from followups.models import FollowUpCase, OfferGrant, OutboundMessage, RewardGrant

    assert not Response.objects.unrouted().exists()
    assert FollowUpCase.objects.count() == Response.objects.filter(category="detractor").count()
    assert OfferGrant.objects.count() == Response.objects.filter(category="passive").count()
    assert RewardGrant.objects.count() == Response.objects.filter(category="promoter").count()
    assert OutboundMessage.objects.exclude(status="sent").count() == 0
    for case in FollowUpCase.objects.select_related("response")[:50]:
        assert case.created_at >= case.response.submitted_at
        assert case.created_at - case.response.submitted_at < timedelta(hours=1)
    old_cases = FollowUpCase.objects.filter(created_at__lt=timezone.now() - timedelta(days=30))
    assert old_cases.exists()
    assert not old_cases.filter(status__in=FollowUpCase.OPEN_STATUSES).exists()
    assert not old_cases.filter(root_cause__isnull=True).exists()
    assert FollowUpCase.objects.filter(status__in=FollowUpCase.OPEN_STATUSES).exists()


def test_demo_staff_and_manager_belong_to_their_roles(seeded):
    users = {u.username: u for u in get_user_model().objects.prefetch_related("groups")}
    assert [g.name for g in users["staff1"].groups.all()] == ["Service staff"]
    assert [g.name for g in users["manager"].groups.all()] == ["Managers"]


def _queue(client, queue: str) -> str:
    from django.urls import reverse

    client.force_login(get_user_model().objects.get(username="manager"))
    reply = client.get(reverse("admin:followups_followupcase_changelist"), {"queue": queue})
    assert reply.status_code == 200
    return reply.content.decode()


def test_demo_has_unassigned_cases_behind_the_unassigned_link(seeded, client):
    from followups.models import FollowUpCase

    unassigned = FollowUpCase.objects.open().filter(owner__isnull=True)
    assert unassigned.count() >= 2
    page = _queue(client, "unassigned")
    for case in unassigned:
        assert f"/followups/followupcase/{case.pk}/change/" in page


def test_overdue_demo_cases_are_escalated_as_the_job_would_have(seeded, client):
    from followups.cases import sla
    from followups.models import CaseEvent, FollowUpCase

    now = timezone.now()
    overdue = FollowUpCase.objects.overdue(now)
    assert overdue.count() >= 5
    # Days overdue, yet no higher than the product's cap: the demo reads as
    # the product behaves.
    assert max(case.escalation_level for case in overdue) == settings.NPS_ESCALATION_MAX_LEVEL
    for case in overdue:
        # Every threshold passed was taken, one level each, dated then.
        assert 0 < case.escalation_level <= settings.NPS_ESCALATION_MAX_LEVEL
        assert not sla.should_escalate(case, now)
        events = case.events.filter(kind=CaseEvent.Kind.ESCALATED).order_by("created_at")
        assert [event.data["level"] for event in events] == list(
            range(1, case.escalation_level + 1)
        )
        assert events.last().created_at == case.escalated_at
    page = _queue(client, "escalated")
    for case in FollowUpCase.objects.open().filter(escalation_level__gt=0):
        assert f"/followups/followupcase/{case.pk}/change/" in page


def test_demo_has_cases_waiting_on_the_customer(seeded):
    from followups.models import FollowUpCase

    waiting = FollowUpCase.objects.filter(status=FollowUpCase.Status.WAITING)
    assert waiting.count() >= 2
    assert all(case.owner_id and case.first_contact_at for case in waiting)


def test_escalation_job_finds_nothing_more_to_do_in_fresh_demo_data(seeded):
    from followups.cases.workflow import due_cases_escalate

    assert due_cases_escalate() == 0


def test_the_demo_has_a_brand_with_a_logo_and_a_polish_offer_subject(seeded):
    from surveys.branding import EmailKind, logo_content_type
    from surveys.models import Brand, EmailText

    brand = Brand.current()
    assert brand.company_name == seed_demo.DEMO_BRAND["company_name"]
    brand.full_clean()  # colours readable under white text, a valid sender
    assert logo_content_type(bytes(brand.logo)) == "image/png"
    offer = EmailText.objects.get(kind=EmailKind.OFFER)
    assert offer.subject_pl == seed_demo.DEMO_OFFER_SUBJECT_PL
    offer.full_clean()


def test_a_second_seed_keeps_a_brand_someone_changed(seeded):
    from surveys.models import Brand

    Brand.objects.filter(pk=Brand.SINGLE_ID).update(company_name="Renamed Ltd")

    assert not seed_demo.ensure_demo_brand()
    assert Brand.current().company_name == "Renamed Ltd"


def test_the_demo_shows_comment_themes_of_recent_weeks(seeded):
    last = themes.last_closed_period(now=timezone.now())
    recent = ThemePeriod.objects.filter(start__gt=last.start - timedelta(weeks=8))
    assert recent.exists()
    assert all(row.answers >= settings.NPS_THEMES_MIN_ANSWERS for row in recent)
    assert "comment themes computed" in seeded


def test_demo_surveys_ask_a_driver_question_in_four_languages_answered_by_most(seeded):
    from followups.demo_drivers import CHOICES
    from surveys.models import DriverChoice

    asking = Survey.objects.exclude(driver_question="")
    assert set(asking.values_list("slug", flat=True)) == set(CHOICES)
    for survey in asking:
        assert not survey.missing_locales
        choices = DriverChoice.objects.filter(survey=survey)
        assert choices.count() >= 4
        assert all(c.label_pl and c.label_ru and c.label_zh_hans for c in choices)
        answers = Response.objects.filter(survey=survey)
        with_driver = answers.filter(driver__isnull=False).count()
        assert 0.6 * answers.count() < with_driver < 0.9 * answers.count()
        # Every choice is chosen, by every category.
        for choice in choices:
            categories = set(choice.responses.values_list("category", flat=True))
            assert categories == {stats.DETRACTOR, stats.PASSIVE, stats.PROMOTER}


def test_a_second_seed_changes_no_demo_answers_reason(seeded):
    before = dict(Response.objects.values_list("pk", "driver_id"))

    run_seed()

    assert dict(Response.objects.values_list("pk", "driver_id")) == before


def test_the_demo_dashboard_shows_the_driver_table(seeded, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="manager"))

    html = client.get("/admin/dashboard/?survey=relationship-nps").text

    assert 'id="panel-drivers"' in html
    assert 'data-driver="price"' in html
    assert "What mattered most to you?" in html


def test_the_demo_has_waves_whose_reminders_compare_a_bonus_on_the_dashboard(seeded, client):
    from followups.models import BonusArm, BonusGrant, ReminderBonusAssignment
    from tests.factories import manager

    arms = set(ReminderBonusAssignment.objects.values_list("wave_id", "arm"))
    waves = {wave for wave, _arm in arms}
    assert len(waves) == 2
    assert arms == {(w, arm) for w in waves for arm in (BonusArm.WITH, BonusArm.WITHOUT)}
    granted = BonusGrant.objects.select_related("assignment", "response")
    assert granted.exists()
    for grant in granted:
        assert grant.assignment.arm == BonusArm.WITH
        assert grant.response.submitted_at <= grant.assignment.window_ends_at
    client.force_login(manager("boss"))
    html = client.get("/admin/dashboard/?survey=relationship-nps").text
    assert 'id="panel-bonus"' in html
    assert all(f'data-bonus-wave="{wave}"' in html for wave in waves)


def test_the_demo_has_an_sms_survey_texted_and_answered_by_text(seeded, client):
    from followups.models import InboundSms, OutboundMessage

    survey = Survey.objects.get(slug="delivery-sms")
    invitations = Invitation.objects.filter(survey=survey)
    assert invitations.count() == len(seed_demo.SMS_CUSTOMERS)
    assert set(invitations.values_list("channel", flat=True)) == {"sms"}
    texts = OutboundMessage.objects.filter(channel="sms", template="invitation_sms")
    assert texts.count() == invitations.count()
    assert set(texts.values_list("status", flat=True)) == {"sent"}
    answers = Response.objects.filter(survey=survey)
    assert answers.count() == 9
    assert set(answers.values_list("channel", flat=True)) == {"sms"}
    assert answers.exclude(comment="").count() == 7
    assert not answers.filter(routed_at__isnull=True).exists()
    outcomes = set(InboundSms.objects.values_list("outcome", flat=True))
    assert outcomes == {"score", "comment", "unsubscribed"}
    assert Customer.objects.filter(email="sms06@example.com", unsubscribed_at__isnull=False)

    client.force_login(get_user_model().objects.get(username="manager"))
    page = client.get("/admin/dashboard/", {"survey": "delivery-sms"})
    assert page.status_code == 200
    assert "Delivery NPS (SMS)" in page.content.decode()


def test_the_demo_has_consumers_a_wave_by_sms_can_text(seeded):
    survey = Survey.objects.get(slug="support-nps")
    plan = wave_plan(survey=survey, audience=Audience(segment="consumer"), channel="sms")

    texted = Customer.objects.filter(pk__in=plan.to_send)
    assert texted.count() == len(seed_demo.SMS_WAVE_CUSTOMERS)
    assert set(texted.values_list("locale", flat=True)) == {choice.value for choice in Locale}
    # Besides them, the consumers without a phone, or asked lately, are skipped.
    assert plan.skipped[NO_PHONE] > 0 and plan.skipped[THROTTLED] > 0
    # Their email bounced: a wave by email (as the demo's server starts) skips them.
    emailed = wave_plan(survey=survey, audience=Audience(segment="consumer"))
    assert not texted.filter(pk__in=emailed.to_send).exists()


def test_seeds_an_employee_survey_whose_small_teams_the_dashboard_hides(seeded, client):
    survey = Survey.objects.get(slug="staff-pulse")
    assert survey.kind == Survey.Kind.EMPLOYEE
    client.force_login(get_user_model().objects.get(username="manager"))

    page = client.get(reverse("nps-dashboard"), {"survey": "staff-pulse"}).content.decode()

    assert '<tr data-team="Engineering">' in page
    assert re.search(r'<tr data-team="Legal">\s*<td>Legal</td>\s*<td [^>]*data-suppressed', page)
    assert "fewer than 5 answers" in page


def test_the_demo_has_departments_with_their_surveys_people_and_cases(seeded, client):
    from followups.cases import access
    from followups.models import FollowUpCase
    from surveys.departments import sees_department

    surveys = dict(
        Survey.objects.filter(department__isnull=False).values_list("slug", "department__name")
    )
    assert surveys == {
        "support-nps": "Support",
        "relationship-nps": "Sales",
        "delivery-nps": "Delivery",
    }
    users = {user.username: user for user in get_user_model().objects.all()}
    assert {d.name for d in users["staff3"].departments.all()} == {"Delivery"}
    assert {d.name for d in users["manager2"].departments.all()} == {"Sales", "Delivery"}
    owned = FollowUpCase.objects.filter(owner__isnull=False).select_related("owner", "survey")
    assert owned.filter(survey__slug="delivery-nps").exists()
    assert all(sees_department(case.owner, case.survey.department_id) for case in owned)
    assert not access.visible_cases(users["manager2"]).filter(survey__slug="support-nps").exists()

    client.force_login(users["manager"])
    page = client.get("/admin/dashboard/", {"survey": "*departments"}).content.decode()
    for name in ("Support", "Sales", "Delivery"):
        assert f">{name}</th>" in page


def test_output_lists_the_department_logins(seeded):
    for username in ("staff3", "manager2"):
        assert any(
            username in line and seed_demo.DEMO_STAFF_PASSWORD in line
            for line in seeded.splitlines()
        )
