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
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from followups.insights import suggest_model
from followups.models import FollowUpCase, RootCause, RootCauseModel, RootCauseTraining
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
    """The latest NPS_SUGGESTION_MAX_TRAINING_CASES labelled examples (a
    training's time grows with its size), labelled by root cause id: a
    renamed cause keeps what was learned about it."""
    latest = training_cases().values_list("response__comment", "root_cause_id").order_by("-pk")
    rows = list(latest[: settings.NPS_SUGGESTION_MAX_TRAINING_CASES])[::-1]
    return [comment for comment, _ in rows], [str(cause_id) for _, cause_id in rows]


# --- Training ------------------------------------------------------------------


def new_labels_count() -> int:
    """Labelled cases beyond what there were when the last model was trained."""
    last = RootCauseModel.objects.order_by("-version").values("params", "training_size").first()
    if last is None:
        return training_cases().count()
    before = last["params"].get("labelled_total", last["training_size"])
    return training_cases().count() - before


def _needs_retraining() -> bool:
    return RootCauseModel.objects.filter(needs_retraining=True).exists()


def _backoff_seconds(failures: int) -> float:
    """How long after a failed attempt's start the next may start: the
    training interval, doubled per failure in a row, at most a week."""
    base = settings.NPS_SUGGESTION_TRAIN_INTERVAL_SECONDS
    return min(base * 2 ** (failures - 1), 7 * 24 * 3600.0) if failures else 0.0


def _attempt_start(*, now: datetime, wait: bool = True) -> bool:
    """Record that a training starts, counted as failed until it finishes
    (a worker killed at the time limit cannot say so); False: the last
    attempt failed too recently, or one is running."""
    with transaction.atomic():
        RootCauseTraining.objects.get_or_create(pk=1)
        state = RootCauseTraining.objects.select_for_update().get(pk=1)
        if wait and state.failures and state.started_at is not None:
            wait_until = state.started_at + timedelta(seconds=_backoff_seconds(state.failures))
            if now < wait_until:
                logger.info(
                    "Root causes: %d training attempt(s) in a row did not finish; next after %s.",
                    state.failures,
                    wait_until.isoformat(),
                )
                return False
        state.started_at, state.failures = now, state.failures + 1
        state.save(update_fields=["started_at", "failures"])
    return True


def _attempt_end(*, error: str = "") -> None:
    """A finished attempt resets the count; a failed one keeps it and says why."""
    if error:
        RootCauseTraining.objects.filter(pk=1).update(last_error=error[:2000])
    else:
        RootCauseTraining.objects.filter(pk=1).update(failures=0, last_error="")


def root_cause_model_train(
    *, force: bool = False, now: datetime | None = None
) -> RootCauseModel | None:
    """Train a new model version if enabled and there are enough labelled
    cases (and, unless ``force``, enough new ones since the last model, or
    the last model needs retraining). The new model is made active when its
    measured quality is good enough; the previous one stays recorded either
    way. None: nothing trained. An attempt that fails (or is killed) makes
    the next periodic ones wait longer (``RootCauseTraining``)."""
    if not enabled():
        return None
    if (
        not force
        and RootCauseModel.objects.exists()
        and not _needs_retraining()
        and new_labels_count() < settings.NPS_SUGGESTION_RETRAIN_AFTER
    ):
        return None
    labelled_total = training_cases().count()
    if labelled_total < settings.NPS_SUGGESTION_MIN_LABELS:
        logger.info(
            "Root causes: %d labelled case(s), fewer than the %d a model needs.",
            labelled_total,
            settings.NPS_SUGGESTION_MIN_LABELS,
        )
        return None
    # By hand (``force``), a person asks now: no waiting after failures.
    if not _attempt_start(now=now or timezone.now(), wait=not force):
        return None
    try:
        model = _train(labelled_total=labelled_total)
    except BaseException as exc:  # the soft time limit too: recorded, then raised
        _attempt_end(error=repr(exc) or type(exc).__name__)
        raise
    _attempt_end()
    return model


def _train(*, labelled_total: int) -> RootCauseModel | None:
    texts, labels = training_data()
    started = time.monotonic()
    try:
        fitted = suggest_model.model_fit(texts, labels)
    except ValueError as exc:
        logger.info("Root causes: no model trained: %s", exc)
        return None
    trusted = (fitted.macro_f1 or 0.0) >= settings.NPS_SUGGESTION_MIN_QUALITY
    pipeline = suggest_model.pipeline_dump(fitted.pipeline)
    fields = {
        "training_size": len(texts),
        "class_counts": fitted.class_counts,
        "macro_f1": fitted.macro_f1,
        "top2_accuracy": fitted.top2_accuracy,
        "params": {
            **fitted.params,
            "left_out": fitted.left_out,
            "labelled_total": labelled_total,
            "seconds": round(time.monotonic() - started, 1),
        },
        "pipeline": pipeline,
        "pipeline_signature": suggest_model.pipeline_signature(pipeline),
        "library_versions": suggest_model.library_versions(),
        "is_active": trusted,
    }
    for attempt in range(3):
        try:
            with transaction.atomic():
                # The version counter: a transaction-scoped advisory lock makes
                # concurrent trainings (even the first two, on an empty table)
                # take turns; the unique version is the last word.
                _version_lock()
                version = (RootCauseModel.objects.aggregate(top=Max("version"))["top"] or 0) + 1
                if trusted:
                    RootCauseModel.objects.filter(is_active=True).update(is_active=False)
                # A model marked for retraining (it learned from comments since
                # erased, or cannot be loaded) is replaced now, trusted or not:
                # it leaves use and its pickle goes (its figures stay).
                RootCauseModel.objects.filter(needs_retraining=True).update(
                    needs_retraining=False, is_active=False, pipeline=b"", pipeline_signature=""
                )
                model = RootCauseModel.objects.create(version=version, **fields)
            break
        except IntegrityError:
            if attempt == 2:
                raise
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


VERSION_LOCK = 0x6E70735F726376  # "nps_rcv": the advisory lock of the version counter


def _version_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [VERSION_LOCK])
    else:
        RootCauseModel.objects.select_for_update().order_by("-version").first()


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
    """The active model's version and pipeline, unpickled once per model. A
    model that cannot be loaded (signature, library versions, bad bytes) is
    taken out of use and marked for retraining, and said once: None then."""
    row = (
        RootCauseModel.objects.filter(is_active=True)
        .values_list("pk", "version", "pipeline_signature", "library_versions")
        .first()
    )
    if row is None:
        return None
    pk, version, signature, versions = row
    loaded = _Active.loaded
    if loaded is None or loaded[0] != pk:
        data = RootCauseModel.objects.values_list("pipeline", flat=True).get(pk=pk)
        try:
            pipeline = suggest_model.pipeline_load(data, signature=signature, versions=versions)
        except suggest_model.PipelineRefused as exc:
            _model_refuse(pk=pk, version=version, reason=str(exc))
            return None
        loaded = _Active.loaded = (pk, pipeline)
    return version, loaded[1]


def _model_refuse(*, pk: int, version: int, reason: str) -> None:
    """Take a model that cannot be loaded out of use (once, whichever process
    finds it first logs it); the next training run replaces it."""
    refused = RootCauseModel.objects.filter(pk=pk, is_active=True).update(
        is_active=False, needs_retraining=True, load_error=reason[:2000]
    )
    _Active.forget()
    if refused:
        logger.error(
            "Root causes: model v%d taken out of use, it cannot be loaded: %s. "
            "No suggestions until the next training replaces it.",
            version,
            reason,
        )


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
    causes = {
        str(pk) for pk in RootCause.objects.filter(is_active=True).values_list("pk", flat=True)
    }
    looked = 0
    for case, comment, suggestion in zip(cases, comments, made, strict=True):
        label = suggestion.root_cause or ""
        cause_id = int(label) if comment.strip() and label in causes else None
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
