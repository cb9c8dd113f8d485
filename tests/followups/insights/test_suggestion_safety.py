"""The root-cause model's costs and safety: a bounded training that backs
off after failures and runs on the default queue; a stored model loaded only
when signed with this installation's key and written by the same library
versions (else taken out of use once); causes learned by id; scikit-learn
imported only by the processes that fit or predict."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from followups.insights import suggest_model
from followups.insights.suggestions import cases_suggest, root_cause_model_train, training_data
from followups.models import FollowUpCase, RootCauseModel, RootCauseTraining
from followups.sweep import lost_work_sweep
from tests.followups.cases import open_case
from tests.followups.insights.comments import CLEAR

pytestmark = pytest.mark.django_db


# --- Cost of a training -----------------------------------------------------------


def test_a_training_learns_from_the_latest_cases_only(labelled, settings):
    settings.NPS_SUGGESTION_MAX_TRAINING_CASES = 50
    texts, labels = training_data()
    latest = sorted(labelled, key=lambda case: case.pk)[-50:]
    assert texts == [case.response.comment for case in latest]
    assert labels == [str(case.root_cause_id) for case in latest]


def test_a_failed_training_waits_longer_each_time_instead_of_every_hour(labelled, settings):
    settings.NPS_SUGGESTION_TRAIN_INTERVAL_SECONDS = 3600
    start = timezone.now()
    with mock.patch.object(suggest_model, "model_fit", side_effect=RuntimeError("boom")) as fit:
        with pytest.raises(RuntimeError):
            root_cause_model_train(now=start)
        state = RootCauseTraining.objects.get()
        assert (state.failures, "boom" in state.last_error) == (1, True)
        # The next hourly runs within the back-off do not even try.
        assert root_cause_model_train(now=start + timedelta(minutes=59)) is None
        assert fit.call_count == 1
        with pytest.raises(RuntimeError):
            root_cause_model_train(now=start + timedelta(minutes=61))
        assert fit.call_count == 2
        later = start + timedelta(minutes=61)
        assert root_cause_model_train(now=later + timedelta(minutes=119)) is None
        assert fit.call_count == 2
    settings.NPS_SUGGESTION_MIN_QUALITY = 0.3
    # By hand, a person asks now: no waiting.
    with (
        mock.patch.object(suggest_model, "model_fit", side_effect=RuntimeError("again")),
        pytest.raises(RuntimeError),
    ):
        root_cause_model_train(force=True, now=later + timedelta(minutes=1))
    model = root_cause_model_train(now=later + timedelta(minutes=1) + timedelta(hours=4, minutes=1))
    assert model is not None
    assert RootCauseTraining.objects.get().failures == 0


def test_a_training_killed_at_its_time_limit_counts_as_failed(labelled, settings):
    """A hard kill cannot record anything: an attempt counts as failed until it finishes."""
    start = timezone.now()
    RootCauseTraining.objects.create(pk=1, started_at=start, failures=1)
    with mock.patch.object(suggest_model, "model_fit") as fit:
        assert root_cause_model_train(now=start + timedelta(minutes=30)) is None
    assert fit.call_count == 0


def test_learning_runs_on_the_default_queue():
    routes = django_settings.CELERY_TASK_ROUTES
    for name in (
        "followups.train_root_causes",
        "followups.compute_themes",
        "followups.compute_survey_themes",
    ):
        assert routes[name] == {"queue": "default"}


# --- Loading a stored model ----------------------------------------------------------


def _open_price_case() -> FollowUpCase:
    return open_case(comment=CLEAR["Price"]["en"])


def test_a_model_with_a_bad_signature_is_never_unpickled_and_leaves_use_once(
    active_model, settings, caplog
):
    settings.NPS_SUGGESTION_MIN_CONFIDENCE = 0.2
    RootCauseModel.objects.filter(pk=active_model.pk).update(pipeline_signature="0" * 64)
    old = timezone.now() - timedelta(hours=1)
    lost = open_case(comment=CLEAR["Price"]["en"], created_at=old)
    with (
        mock.patch("joblib.load") as load,
        caplog.at_level(logging.ERROR, logger="followups.insights.suggestions"),
    ):
        assert cases_suggest(case_ids=[lost.pk]) == 0
        assert cases_suggest(case_ids=[lost.pk]) == 0
    assert load.call_count == 0
    active_model.refresh_from_db()
    assert (active_model.is_active, active_model.needs_retraining) == (False, True)
    assert "signature" in active_model.load_error
    assert len([r for r in caplog.records if "taken out of use" in r.getMessage()]) == 1
    # The sweeper finds nothing to republish: there is no model any more.
    assert lost_work_sweep().suggestions == 0


def test_an_unsigned_model_is_refused(active_model):
    RootCauseModel.objects.filter(pk=active_model.pk).update(pipeline_signature="")
    assert cases_suggest(case_ids=[_open_price_case().pk]) == 0
    assert not RootCauseModel.objects.filter(is_active=True).exists()


def test_a_model_of_other_library_versions_is_refused(active_model):
    versions = {**active_model.library_versions, "sklearn": "0.1"}
    RootCauseModel.objects.filter(pk=active_model.pk).update(library_versions=versions)
    assert cases_suggest(case_ids=[_open_price_case().pk]) == 0
    active_model.refresh_from_db()
    assert "0.1" in active_model.load_error and active_model.needs_retraining


def test_a_model_of_the_previous_format_is_refused_with_a_clear_line_and_retrained(
    labelled, active_model, settings, caplog
):
    settings.NPS_SUGGESTION_MIN_QUALITY = 0.3
    before_format = {k: v for k, v in active_model.library_versions.items() if k != "format"}
    RootCauseModel.objects.filter(pk=active_model.pk).update(library_versions=before_format)
    with (
        mock.patch("joblib.load") as load,
        caplog.at_level(logging.ERROR, logger="followups.insights.suggestions"),
    ):
        assert cases_suggest(case_ids=[_open_price_case().pk]) == 0
    assert load.call_count == 0
    [line] = [r.getMessage() for r in caplog.records if "taken out of use" in r.getMessage()]
    assert "model format 1" in line and f"format {suggest_model.MODEL_FORMAT}" in line
    new = root_cause_model_train()
    assert new is not None and new.is_active
    assert new.library_versions["format"] == suggest_model.MODEL_FORMAT


def test_a_refused_model_is_retrained_at_the_next_run(labelled, active_model, settings):
    settings.NPS_SUGGESTION_MIN_QUALITY = 0.3
    RootCauseModel.objects.filter(pk=active_model.pk).update(pipeline_signature="")
    cases_suggest(case_ids=[_open_price_case().pk])
    new = root_cause_model_train()  # no new labels, but the refused model asks for it
    assert new is not None and new.is_active
    active_model.refresh_from_db()
    assert (active_model.needs_retraining, bytes(active_model.pipeline)) == (False, b"")
    assert active_model.macro_f1 is not None  # its figures stay


def test_a_trained_model_is_signed_with_its_library_versions(labelled, settings):
    settings.NPS_SUGGESTION_MIN_QUALITY = 0.3
    model = root_cause_model_train(force=True)
    model.refresh_from_db()
    assert model.pipeline_signature == suggest_model.pipeline_signature(model.pipeline)
    assert model.library_versions == suggest_model.library_versions()
    assert set(model.library_versions) == {"format", "sklearn", "joblib", "numpy"}


# --- Causes learned by id ---------------------------------------------------------------


def test_a_renamed_cause_is_still_suggested(active_model, causes, settings):
    settings.NPS_SUGGESTION_MIN_CONFIDENCE = 0.2
    causes["Price"].name = "Pricing"
    causes["Price"].save()
    case = _open_price_case()
    cases_suggest(case_ids=[case.pk])
    case.refresh_from_db()
    assert case.suggested_root_cause_id == causes["Price"].pk


def test_an_inactive_cause_is_not_suggested(active_model, causes, settings):
    settings.NPS_SUGGESTION_MIN_CONFIDENCE = 0.2
    causes["Price"].is_active = False
    causes["Price"].save()
    case = _open_price_case()
    cases_suggest(case_ids=[case.pk])
    case.refresh_from_db()
    assert case.suggested_root_cause_id is None and case.suggested_at is not None


# --- Versions -------------------------------------------------------------------------------


def test_a_version_taken_meanwhile_is_not_reused(labelled, settings):
    """Two first trainings at once: the second takes the next number."""
    settings.NPS_SUGGESTION_MIN_QUALITY = 0.99  # neither active: only the numbers matter
    real_fit = suggest_model.model_fit

    def fit_and_race(texts, labels, **kwargs):
        fitted = real_fit(texts, labels, **kwargs)
        if not RootCauseModel.objects.exists():  # the other training stores version 1 first
            RootCauseModel.objects.create(version=1, training_size=1, pipeline=b"")
        return fitted

    with mock.patch.object(suggest_model, "model_fit", side_effect=fit_and_race):
        model = root_cause_model_train(force=True)
    assert model.version == 2


# --- Imports --------------------------------------------------------------------------------


def test_routing_and_the_web_do_not_import_scikit_learn():
    code = (
        "import sys, django; django.setup()\n"
        "import followups.routing, followups.tasks, followups.reporting.digest\n"
        "import followups.insights.themes, followups.insights.suggestions, nps_project.urls\n"
        "loaded = sorted(m for m in ('sklearn', 'joblib', 'scipy') if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    env = {"DJANGO_SETTINGS_MODULE": "nps_project.settings.test", "PATH": "/usr/bin:/bin"}
    import os

    env = {**os.environ, **env}
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "", done.stdout
