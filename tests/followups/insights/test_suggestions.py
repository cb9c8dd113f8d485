"""Root-cause suggestions: trained on the team's labelled cases in four
languages, suggested when cases open, never trusted below the minimums, and
retrained when new labels arrive."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone

from followups import publish
from followups.insights import suggestions
from followups.insights.suggestions import (
    cases_suggest,
    root_cause_model_train,
    suggestions_request,
    training_data,
)
from followups.models import FollowUpCase, RootCauseModel
from followups.routing import responses_route
from followups.sweep import lost_work_sweep
from surveys.services import customer_erase
from tests.factories import ResponseFactory, SurveyFactory
from tests.followups.cases import open_case
from tests.followups.insights.comments import CLEAR, LANGUAGES
from tests.followups.insights.conftest import labelled_case

pytestmark = pytest.mark.django_db


def suggested(case: FollowUpCase) -> FollowUpCase:
    cases_suggest(case_ids=[case.pk])
    return FollowUpCase.objects.select_related("suggested_root_cause").get(pk=case.pk)


# --- Training ----------------------------------------------------------------------


def test_training_learns_from_labelled_cases_in_four_languages(labelled, causes, settings):
    settings.NPS_SUGGESTION_MIN_QUALITY = 0.3
    model = root_cause_model_train(force=True)
    assert model is not None
    model.refresh_from_db()
    assert (model.version, model.training_size, model.is_active) == (1, 112, True)
    assert model.class_counts == {str(causes[name].pk): 16 for name in CLEAR}
    assert model.macro_f1 > 0.5 and model.top2_accuracy > model.macro_f1 - 0.1
    assert set(model.params) >= {"classifier__C"}
    assert len(bytes(model.pipeline)) > 1000


def test_fewer_labelled_cases_than_the_minimum_train_no_model(labelled, settings):
    settings.NPS_SUGGESTION_MIN_LABELS = 113
    assert root_cause_model_train(force=True) is None
    assert not RootCauseModel.objects.exists()


def test_a_model_below_the_minimum_quality_is_recorded_but_never_trusted(labelled, settings):
    settings.NPS_SUGGESTION_MIN_QUALITY = 0.99
    model = root_cause_model_train(force=True)
    assert model is not None and not model.is_active
    assert suggestions.active_version() is None
    case = open_case(comment="The courier was late again.")
    assert cases_suggest(case_ids=[case.pk]) == 0
    assert FollowUpCase.objects.get(pk=case.pk).suggested_at is None


def test_training_takes_only_detractor_cases_with_a_comment_and_a_root_cause(labelled, causes):
    survey = SurveyFactory()
    labelled_case(survey, "", causes["Price"])
    labelled_case(survey, "Great value, but the price went up.", causes["Price"], score=8)
    open_case(comment="No root cause yet: the delivery was late.")
    texts, _labels = training_data()
    assert len(texts) == len(labelled) == 112
    assert "" not in texts


def test_an_erased_customers_comment_is_left_out_of_the_next_training(labelled):
    erased = labelled[0]
    customer_erase(customer=erased.customer, actor=None)
    texts, _labels = training_data()
    assert len(texts) == 111


def test_retraining_waits_for_enough_new_labels_then_makes_the_next_version(
    labelled, causes, settings
):
    settings.NPS_SUGGESTION_MIN_QUALITY = 0.3
    settings.NPS_SUGGESTION_RETRAIN_AFTER = 5
    first = root_cause_model_train(force=True)
    assert root_cause_model_train() is None  # nothing new since
    survey = SurveyFactory()
    for comment in CLEAR["Price"].values():
        labelled_case(survey, comment, causes["Price"])
    assert root_cause_model_train() is None  # four new labels: not yet
    labelled_case(survey, "Too expensive for a small team.", causes["Price"])
    second = root_cause_model_train()
    assert second is not None
    first.refresh_from_db()
    assert (second.version, second.training_size, second.is_active) == (2, 117, True)
    assert first.is_active is False  # kept as the record of what was trained
    assert list(RootCauseModel.objects.values_list("version", flat=True)) == [2, 1]
    assert suggestions.active_version() == 2


def test_the_periodic_job_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["train-root-causes"]
    assert entry["task"] == "followups.train_root_causes"


def test_the_command_trains_and_reports_the_quality(labelled, settings):
    settings.NPS_SUGGESTION_MIN_QUALITY = 0.3
    out = StringIO()
    call_command("train_root_causes", stdout=out)
    assert "Model v1: 112 cases" in out.getvalue() and "active" in out.getvalue()
    out = StringIO()
    call_command("train_root_causes", "--if-due", stdout=out)
    assert out.getvalue().startswith("No model trained")
    assert RootCauseModel.objects.count() == 1


# --- Suggesting ---------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_clear_comments_get_their_root_cause_in_each_language(active_model, settings, language):
    settings.NPS_SUGGESTION_MIN_CONFIDENCE = 0.2
    for cause, comments in CLEAR.items():
        case = suggested(open_case(comment=comments[language]))
        assert case.suggested_root_cause is not None, comments[language]
        assert case.suggested_root_cause.name == cause, comments[language]
        assert case.suggestion_model_version == active_model.version
        assert 0.2 <= case.suggestion_confidence <= 1
        assert case.suggestion_words, comments[language]
        assert all(word in comments[language].lower() for word in case.suggestion_words)


def test_below_the_confidence_threshold_there_is_no_suggestion(active_model, settings):
    # Two causes in one comment: a confidence well below certainty.
    comment = "Too expensive, and on top of that the parcel arrived late."
    settings.NPS_SUGGESTION_MIN_CONFIDENCE = 0.0
    confidence = suggested(open_case(comment=comment)).suggestion_confidence
    assert 0 < confidence < 0.99
    settings.NPS_SUGGESTION_MIN_CONFIDENCE = confidence + 0.0001
    case = suggested(open_case(comment=comment))
    assert case.suggested_root_cause is None
    assert case.suggestion_words == []
    assert case.suggested_at is not None  # looked at: the sweeper leaves it
    assert case.suggestion_model_version == active_model.version
    assert case.suggestion_confidence == confidence


def test_suggesting_twice_changes_nothing_and_a_set_root_cause_is_left_alone(
    active_model, causes, settings
):
    settings.NPS_SUGGESTION_MIN_CONFIDENCE = 0.2
    case = suggested(open_case(comment=CLEAR["Price"]["en"]))
    assert cases_suggest(case_ids=[case.pk]) == 0
    decided = open_case(comment=CLEAR["Price"]["pl"])
    FollowUpCase.objects.filter(pk=decided.pk).update(root_cause=causes["Onboarding"])
    assert cases_suggest(case_ids=[decided.pk]) == 0


def test_routing_asks_once_per_run_and_the_new_cases_get_suggestions(active_model, settings):
    settings.NPS_SUGGESTION_MIN_CONFIDENCE = 0.2
    survey = SurveyFactory()
    responses = [
        ResponseFactory(survey=survey, score=2, comment=CLEAR[cause]["ru"])
        for cause in ("Price", "Billing error", "Slow delivery")
    ]
    published = []
    real = publish.task_publish
    with (
        mock.patch.object(
            publish,
            "task_publish",
            side_effect=lambda name, *a, **k: (published.append(name), real(name, *a, **k)),
        ),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        responses_route(response_ids=[r.pk for r in responses])
    assert published.count(suggestions.SUGGEST_ROOT_CAUSES) == 1
    cases = FollowUpCase.objects.filter(response__in=responses).select_related(
        "suggested_root_cause", "response"
    )
    assert {c.response.comment: c.suggested_root_cause.name for c in cases} == {
        CLEAR[cause]["ru"]: cause for cause in ("Price", "Billing error", "Slow delivery")
    }


def test_without_a_model_routing_publishes_no_suggestion_task(causes):
    response = ResponseFactory(score=2, comment="Too expensive.")
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        suggestions_request(case_ids=[1, 2])
    assert callbacks == []
    with TestCase.captureOnCommitCallbacks(execute=True):
        responses_route(response_ids=[response.pk])
    assert FollowUpCase.objects.get(response=response).suggested_at is None


def test_the_sweeper_suggests_for_cases_whose_task_was_lost(active_model, settings):
    settings.NPS_SUGGESTION_MIN_CONFIDENCE = 0.2
    old = timezone.now() - timedelta(hours=1)
    lost = open_case(comment=CLEAR["Onboarding"]["zh-hans"], created_at=old)
    fresh = open_case(comment=CLEAR["Onboarding"]["en"])
    result = lost_work_sweep()
    assert result.suggestions == 1
    lost = FollowUpCase.objects.select_related("suggested_root_cause").get(pk=lost.pk)
    assert lost.suggested_root_cause.name == "Onboarding"
    assert FollowUpCase.objects.get(pk=fresh.pk).suggested_at is None  # within the grace time
    assert lost_work_sweep().suggestions == 0


def test_turned_off_nothing_is_trained_suggested_or_shown(labelled, active_model, settings):
    settings.NPS_SUGGESTION_MIN_CONFIDENCE = 0.2
    case = suggested(open_case(comment=CLEAR["Price"]["en"]))
    assert case.suggestion is not None
    settings.NPS_SUGGESTIONS_ENABLED = False
    suggestions._Active.forget()
    assert case.suggestion is None
    assert root_cause_model_train(force=True) is None
    assert suggestions.active_version() is None
    other = open_case(comment=CLEAR["Price"]["pl"])
    assert cases_suggest(case_ids=[other.pk]) == 0
    assert lost_work_sweep().suggestions == 0
    with pytest.raises(CommandError):
        call_command("train_root_causes")
