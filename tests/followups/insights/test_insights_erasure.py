"""An erasure reaches what the learning kept of a customer's comments: the
root-cause models' pickles and the themes' words."""

from __future__ import annotations

import pytest

from followups.insights import themes
from followups.models import ResponseTheme, RootCauseModel, Theme, ThemeComputation, ThemePeriod
from surveys.models import Response
from surveys.services import customer_erase
from tests.factories import SurveyFactory
from tests.followups.insights import WEEK_1, WEEK_2, answers_in, language, moment

pytestmark = pytest.mark.django_db


def test_erasing_a_labelled_customer_drops_old_pickles_and_retrains_the_active_model(
    labelled, active_model
):
    old = RootCauseModel.objects.create(
        version=active_model.version + 1,
        training_size=3,
        macro_f1=0.5,
        pipeline=b"old pickle",
        pipeline_signature="x",
    )
    customer_erase(customer=labelled[0].customer, actor=None)
    old.refresh_from_db()
    active_model.refresh_from_db()
    assert (bytes(old.pipeline), old.pipeline_signature, old.macro_f1) == (b"", "", 0.5)
    assert active_model.needs_retraining and active_model.is_active


def test_erasing_a_customer_scrubs_the_words_of_their_periods_and_recomputes_them(
    django_capture_on_commit_callbacks,
):
    survey = SurveyFactory()
    made = answers_in(survey, WEEK_1, language("en"))
    themes.themes_compute(survey=survey, period=WEEK_1)
    erased = Response.objects.get(pk=next(iter(made)))
    row = ResponseTheme.objects.get(response=erased).period
    assert row.words
    customer_erase(customer=erased.customer, actor=None)
    row.refresh_from_db()
    assert row.words == []
    assert Theme.objects.get(pk=row.theme_id).words == []
    assert not ResponseTheme.objects.filter(response=erased).exists()
    assert ThemeComputation.objects.get(survey=survey, start=WEEK_1.start).stale
    # The next daily run computes the period again, without the erased answer.
    with django_capture_on_commit_callbacks(execute=True):
        assert themes.due_themes_compute(now=moment(WEEK_2.start, 60)) == 1
    assert not ThemeComputation.objects.get(survey=survey, start=WEEK_1.start).stale
    assert all(p.words for p in ThemePeriod.objects.filter(theme__survey=survey))
    assert ResponseTheme.objects.filter(period__theme__survey=survey).count() == len(made) - 1
