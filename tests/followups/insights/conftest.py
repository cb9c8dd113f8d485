"""Labelled cases and a ready model for the suggestion tests."""

from __future__ import annotations

from functools import cache

import pytest
from django.utils import timezone

from followups.demo_history import ensure_root_causes
from followups.insights import suggest_model, suggestions
from followups.models import FollowUpCase, RootCause, RootCauseModel
from tests.factories import FollowUpCaseFactory, SurveyFactory
from tests.followups.insights.comments import training_pairs


@pytest.fixture(autouse=True)
def fresh_model_cache():
    """Each test asks the database which model is active, as a new process would."""
    suggestions._Active.forget()
    yield
    suggestions._Active.forget()


@pytest.fixture
def causes() -> dict[str, RootCause]:
    return {cause.name: cause for cause in ensure_root_causes()}


def labelled_case(survey, comment: str, cause: RootCause, *, score: int = 3) -> FollowUpCase:
    now = timezone.now()
    return FollowUpCaseFactory(
        response__survey=survey,
        response__score=score,
        response__comment=comment,
        status=FollowUpCase.Status.RESOLVED,
        resolved_at=now,
        root_cause=cause,
    )


@pytest.fixture
def labelled(causes) -> list[FollowUpCase]:
    """112 resolved cases: four comments per root cause in each of the four languages."""
    survey = SurveyFactory()
    return [labelled_case(survey, comment, causes[name]) for comment, name in training_pairs()]


@cache
def _fitted_by_name() -> suggest_model.Fitted:
    texts, labels = zip(*training_pairs(), strict=True)
    return suggest_model.model_fit(list(texts), list(labels))


def _fitted() -> suggest_model.Fitted:
    """The cached model, its classes relabelled from cause names to this
    database's cause ids (the labels a training stores)."""
    import copy

    import numpy

    fitted = copy.deepcopy(_fitted_by_name())
    ids = {cause.name: str(cause.pk) for cause in RootCause.objects.all()}
    classifier = fitted.pipeline.named_steps["classifier"]
    classifier.classes_ = numpy.array([ids[name] for name in classifier.classes_])
    fitted.class_counts = {ids[name]: count for name, count in fitted.class_counts.items()}
    return fitted


@pytest.fixture
def active_model(causes) -> RootCauseModel:
    """A model trained on the test comments (once per test run), active."""
    fitted = _fitted()
    version = (
        RootCauseModel.objects.order_by("-version").values_list("version", flat=True).first() or 0
    ) + 1
    return RootCauseModel.objects.create(
        version=version,
        training_size=len(training_pairs()),
        class_counts=fitted.class_counts,
        macro_f1=fitted.macro_f1,
        top2_accuracy=fitted.top2_accuracy,
        params=fitted.params,
        pipeline=(data := suggest_model.pipeline_dump(fitted.pipeline)),
        pipeline_signature=suggest_model.pipeline_signature(data),
        library_versions=suggest_model.library_versions(),
        is_active=True,
    )
