"""Root-cause suggestions learned from the team's own resolved cases.

What is learned from what: each detractor case whose root cause a person set
(on resolving it, or by confirming or changing a suggestion) and whose answer
has a comment is one example, the comment and that root cause. Comments of
erased customers are blanked by the erasure, so the next training leaves them
out (a model trained before keeps what it learned until it is replaced).

A training is a ``RootCauseModel`` row: version, size, cases per cause,
cross-validated quality, the pickled pipeline. It becomes the active model
only from NPS_SUGGESTION_MIN_LABELS labelled cases up and with a macro-F1 of
NPS_SUGGESTION_MIN_QUALITY or more. When detractor cases open, routing asks
for one batched suggestion task (``suggestions_request``); the task writes
the suggestion, its confidence, top words and the model's version on each
case. NPS_SUGGESTIONS_ENABLED off: nothing is trained, suggested or shown.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from followups.insights import suggest_model
from followups.models import FollowUpCase, RootCause, RootCauseModel
from followups.publish import tasks_publish_on_commit
from surveys.models import Survey

logger = logging.getLogger(__name__)

SUGGEST_ROOT_CAUSES = "followups.suggest_root_causes"
# How long a process trusts its answer to "is there an active model, and
# which version": routing asks on every run, and must not pay a query for it.
ACTIVE_CHECK_SECONDS = 10.0


def enabled() -> bool:
    return bool(settings.NPS_SUGGESTIONS_ENABLED)


def training_cases() -> QuerySet[FollowUpCase]:
    """The labelled examples: detractor cases with a root cause a person set
    and a comment (erasure blanks comments, so erased customers' drop out)."""
    return (
        FollowUpCase.objects.filter(
            root_cause__isnull=False, response__score__lte=6, survey__kind=Survey.Kind.CUSTOMER
        )
        .exclude(response__comment="")
        .filter(customer__erased_at__isnull=True)
    )


def training_data() -> tuple[list[str], list[str]]:
    rows = training_cases().values_list("response__comment", "root_cause__name").order_by("pk")
    return [comment for comment, _ in rows], [name for _, name in rows]


# --- Training ------------------------------------------------------------------


def new_labels_count() -> int:
    """Labelled cases beyond what the last model was trained on."""
    last = RootCauseModel.objects.order_by("-version").values_list("training_size", flat=True)
    return training_cases().count() - (last.first() or 0)


def root_cause_model_train(*, force: bool = False) -> RootCauseModel | None:
    """Train a new model version if enabled and there are enough labelled
    cases (and, unless ``force``, enough new ones since the last model).
    The new model is made active when its measured quality is good enough;
    the previous one stays recorded either way. None: nothing trained."""
    if not enabled():
        return None
    if (
        not force
        and RootCauseModel.objects.exists()
        and new_labels_count() < settings.NPS_SUGGESTION_RETRAIN_AFTER
    ):
        return None
    texts, labels = training_data()
    if len(texts) < settings.NPS_SUGGESTION_MIN_LABELS:
        logger.info(
            "Root causes: %d labelled case(s), fewer than the %d a model needs.",
            len(texts),
            settings.NPS_SUGGESTION_MIN_LABELS,
        )
        return None
    try:
        fitted = suggest_model.model_fit(texts, labels)
    except ValueError as exc:
        logger.info("Root causes: no model trained: %s", exc)
        return None
    trusted = (fitted.macro_f1 or 0.0) >= settings.NPS_SUGGESTION_MIN_QUALITY
    with transaction.atomic():
        # The version counter: one training at a time writes the next number.
        RootCauseModel.objects.select_for_update().order_by("-version").first()
        version = (RootCauseModel.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        if trusted:
            RootCauseModel.objects.filter(is_active=True).update(is_active=False)
        model = RootCauseModel.objects.create(
            version=version,
            training_size=len(texts),
            class_counts=fitted.class_counts,
            macro_f1=fitted.macro_f1,
            top2_accuracy=fitted.top2_accuracy,
            params={**fitted.params, "left_out": fitted.left_out},
            pipeline=suggest_model.pipeline_dump(fitted.pipeline),
            is_active=trusted,
        )
    _Active.forget()
    logger.info(
        "Root causes: model v%d from %d cases, macro-F1 %.3f, top-2 %.3f, %s.",
        model.version,
        model.training_size,
        model.macro_f1 or 0.0,
        model.top2_accuracy or 0.0,
        "active" if trusted else "not trusted (below NPS_SUGGESTION_MIN_QUALITY)",
    )
    return model


# --- The active model, once per process per version -----------------------------


class _Active:
    lock = threading.Lock()
    checked_at = -1e9
    version: int | None = None
    loaded: tuple[int, object] | None = None  # (model pk, pipeline)

    @classmethod
    def forget(cls) -> None:
        with cls.lock:
            cls.checked_at = -1e9


def active_version() -> int | None:
    """The active model's version, asked of the database at most once per
    ACTIVE_CHECK_SECONDS per process (None: no model, or suggestions off)."""
    if not enabled():
        return None
    now = time.monotonic()
    with _Active.lock:
        if now - _Active.checked_at < ACTIVE_CHECK_SECONDS:
            return _Active.version
    version = (
        RootCauseModel.objects.filter(is_active=True).values_list("version", flat=True).first()
    )
    with _Active.lock:
        _Active.version, _Active.checked_at = version, now
    return version


def _active_pipeline() -> tuple[int, object] | None:
    """The active model's version and pipeline, unpickled once per model."""
    row = RootCauseModel.objects.filter(is_active=True).values_list("pk", "version").first()
    if row is None:
        return None
    pk, version = row
    loaded = _Active.loaded
    if loaded is None or loaded[0] != pk:
        data = RootCauseModel.objects.values_list("pipeline", flat=True).get(pk=pk)
        loaded = _Active.loaded = (pk, suggest_model.pipeline_load(data))
    return version, loaded[1]


# --- Suggesting -------------------------------------------------------------------


def suggestions_request(*, case_ids: Sequence[int]) -> None:
    """After the current transaction commits, publish one task that suggests
    root causes for these new cases, if an active model exists (a cached
    check: routing pays nothing while there is none)."""
    if case_ids and active_version() is not None:
        tasks_publish_on_commit(
            SUGGEST_ROOT_CAUSES, [(list(case_ids),)], what="root-cause suggestion task(s)"
        )


def cases_suggest(*, case_ids: Sequence[int], now: datetime | None = None) -> int:
    """Suggest root causes for these cases with the active model; returns how
    many it looked at. A case that has a root cause or was already looked at
    is left alone, so running twice changes nothing."""
    if not enabled():
        return 0
    active = _active_pipeline()
    if active is None:
        return 0
    version, pipeline = active
    now = now or timezone.now()
    cases = list(
        FollowUpCase.objects.filter(
            pk__in=list(case_ids), root_cause__isnull=True, suggested_at__isnull=True
        )
        .select_related("response")
        .order_by("pk")
    )
    comments = [case.response.comment for case in cases]
    made = suggest_model.suggestions_make(
        pipeline,
        comments,
        min_confidence=settings.NPS_SUGGESTION_MIN_CONFIDENCE,
    )
    causes = {cause.name: cause.pk for cause in RootCause.objects.filter(is_active=True)}
    looked = 0
    for case, comment, suggestion in zip(cases, comments, made, strict=True):
        cause_id = causes.get(suggestion.root_cause or "") if comment.strip() else None
        looked += FollowUpCase.objects.filter(
            pk=case.pk, root_cause__isnull=True, suggested_at__isnull=True
        ).update(
            suggested_root_cause_id=cause_id,
            suggestion_confidence=round(suggestion.confidence, 4) if comment.strip() else None,
            suggestion_words=suggestion.words if cause_id else [],
            suggestion_model_version=version,
            suggested_at=now,
        )
    # Cases without a comment have nothing to learn from: looked at, no suggestion.
    return looked


def unsuggested_cases(*, now: datetime, grace: timedelta, limit: int) -> list[int]:
    """Open cases opened past the grace time that the active model never
    looked at (their task was lost): for the sweeper. Empty without a model."""
    if active_version() is None:
        return []
    return list(
        FollowUpCase.objects.open()
        .filter(
            root_cause__isnull=True,
            suggested_at__isnull=True,
            created_at__lt=now - grace,
            response__score__lte=6,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
