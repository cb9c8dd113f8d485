"""An employee survey stores no setting that would do nothing: a driver
question (its anonymous answer page asks none) or an active bonus for
non-responders (no anonymous answer could earn it). The models refuse them,
and so does the survey's admin page, with the error on the field or row."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from followups.models import ReminderBonus
from surveys.models import Survey
from tests.factories import RewardFactory, SurveyFactory, UserFactory

pytestmark = pytest.mark.django_db

DRIVER_REFUSAL = "An employee survey asks no driver question"
BONUS_REFUSAL = "An employee survey cannot have a bonus for non-responders"
EMPLOYEE = Survey.Kind.EMPLOYEE
ADD_URL = "/admin/surveys/survey/add/"


@pytest.mark.parametrize(
    "field", ["driver_question", "driver_question_pl", "driver_question_zh_hans"]
)
def test_an_employee_survey_refuses_a_driver_question_in_any_language(field):
    survey = SurveyFactory.build(kind=EMPLOYEE, **{field: "What mattered most?"})

    with pytest.raises(ValidationError) as raised:
        survey.full_clean()

    assert list(raised.value.message_dict) == [field]
    assert DRIVER_REFUSAL in raised.value.message_dict[field][0]


def test_a_customer_survey_may_ask_a_driver_question():
    SurveyFactory.build(driver_question="What mattered most?").full_clean()


def test_an_employee_survey_refuses_an_active_bonus():
    bonus = ReminderBonus(survey=SurveyFactory(kind=EMPLOYEE), reward=RewardFactory())

    with pytest.raises(ValidationError, match=BONUS_REFUSAL):
        bonus.full_clean()


def test_a_switched_off_bonus_of_an_employee_survey_is_left_alone():
    # Stored before the rule: it does nothing, and the admin never deletes one.
    survey = SurveyFactory(kind=EMPLOYEE)
    ReminderBonus(survey=survey, reward=RewardFactory(), is_active=False).full_clean()


@pytest.fixture
def root(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def survey_form(client, url: str, **fields) -> dict:
    """The survey page's form as a browser posts it: ``fields`` over plain
    values, and each inline (incentive, driver choices, bonus) empty."""
    form = {
        "name": "Staff pulse",
        "slug": "staff-pulse",
        "kind": "customer",
        "status": "active",
        "recurrence": "",
        "default_locale": "en",
        "question": "How likely are you to recommend working here?",
        "follow_up_question": "Why?",
        "throttle_days": 30,
        "reminder_after_days": 7,
        "invitation_lifetime_days": 30,
        "detractor_sla_hours": 24,
        "detractor_resolution_hours": 72,
    }
    for prefix in re.findall(r'name="([\w-]+)-TOTAL_FORMS"', client.get(url).content.decode()):
        for count in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS"):
            form[f"{prefix}-{count}"] = 0
        form[f"{prefix}-MAX_NUM_FORMS"] = 1000
    return {**form, **fields}


def bonus_row(reward, *, active: bool = True, **row) -> dict:
    fields = {
        "reminder_bonus-TOTAL_FORMS": 1,
        "reminder_bonus-0-reward": reward.pk,
        "reminder_bonus-0-window_days": 7,
        "reminder_bonus-0-share_percent": 50,
        **{f"reminder_bonus-0-{name}": value for name, value in row.items()},
    }
    if active:
        fields["reminder_bonus-0-is_active"] = "on"
    return fields


def test_the_admin_refuses_a_new_employee_survey_with_a_driver_question_and_a_bonus(root):
    form = survey_form(
        root,
        ADD_URL,
        kind=EMPLOYEE,
        driver_question_pl="Co było najważniejsze?",
        **bonus_row(RewardFactory()),
    )

    page = root.post(ADD_URL, form)

    assert page.status_code == 200
    errors = page.context["adminform"].form.errors
    assert list(errors) == ["driver_question_pl"]
    assert DRIVER_REFUSAL in errors["driver_question_pl"][0]
    bonus_errors = [
        f for f in page.context["inline_admin_formsets"] if f.formset.prefix == "reminder_bonus"
    ]
    assert BONUS_REFUSAL in str(bonus_errors[0].formset.errors)
    assert not Survey.objects.filter(slug="staff-pulse").exists()
    assert not ReminderBonus.objects.exists()


def test_the_admin_adds_a_customer_survey_with_its_driver_question_and_bonus(root):
    reward = RewardFactory()
    form = survey_form(root, ADD_URL, driver_question="What mattered most?", **bonus_row(reward))

    page = root.post(ADD_URL, form)

    assert page.status_code == 302, page.context["errors"]
    survey = Survey.objects.get(slug="staff-pulse")
    assert survey.driver_question == "What mattered most?"
    assert ReminderBonus.objects.get().survey == survey


def test_an_employee_survey_with_a_bonus_from_before_is_saved_once_it_is_switched_off(root):
    survey = SurveyFactory(slug="staff-pulse", kind=EMPLOYEE)
    bonus = ReminderBonus.objects.create(survey=survey, reward=RewardFactory())
    url = f"/admin/surveys/survey/{survey.pk}/change/"
    form = survey_form(root, url, **bonus_row(bonus.reward, id=bonus.pk, survey=survey.pk))
    form["reminder_bonus-INITIAL_FORMS"] = 1
    del form["kind"]  # read-only once saved

    refused = root.post(url, form)
    del form["reminder_bonus-0-is_active"]
    switched_off = root.post(url, form)

    assert BONUS_REFUSAL in refused.content.decode()
    assert switched_off.status_code == 302
    bonus.refresh_from_db()
    assert bonus.is_active is False


def test_an_employee_survey_stored_with_a_recurrence_can_be_cleared_and_saved(root):
    # Stored before employee surveys refused one: the field is shown with the
    # model's error (not a server error) until it is cleared.
    survey = SurveyFactory(slug="staff-pulse", kind=EMPLOYEE)
    Survey.objects.filter(pk=survey.pk).update(recurrence=Survey.Recurrence.MONTHLY)
    url = f"/admin/surveys/survey/{survey.pk}/change/"
    form = survey_form(root, url, recurrence=Survey.Recurrence.MONTHLY)
    del form["kind"]  # read-only once saved

    page = root.post(url, form)

    assert page.status_code == 200
    assert "recurrence" in page.context["adminform"].form.errors
    assert root.post(url, {**form, "recurrence": ""}).status_code == 302
    survey.refresh_from_db()
    assert survey.recurrence == ""
