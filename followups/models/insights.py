"""Insights: the trained root-cause suggestion models and the comment themes of each period."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from surveys.models import Response, Survey


class RootCauseModel(models.Model):
    """One training of the root-cause suggestion model on the team's own
    labelled cases (``followups.insights.suggestions``): its version, what it
    learned from and how well it did by cross-validation. At most one is
    active, the one suggestions come from; older ones stay as the record."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    trained_at = models.DateTimeField(_("trained at"), default=timezone.now)
    training_size = models.PositiveIntegerField(_("training size"))
    class_counts = models.JSONField(_("cases per root cause"), default=dict)
    macro_f1 = models.FloatField(_("macro-F1"), null=True, blank=True)
    top2_accuracy = models.FloatField(_("top-2 accuracy"), null=True, blank=True)
    params = models.JSONField(_("parameters"), default=dict)
    # The fitted scikit-learn pipeline, pickled (joblib). Unpickling runs code,
    # so this is safe only because the bytes come from this product's own
    # training and its own database, which is trusted like its code: no
    # upload or API ever writes this column.
    # Emptied when an erasure takes the comments it learned from out of use
    # (an inactive model's), or when it cannot be loaded any more.
    pipeline = models.BinaryField(_("pipeline"))
    # HMAC-SHA256 of ``pipeline`` under a key derived from SECRET_KEY: bytes
    # without it, or that do not match it, are never unpickled.
    pipeline_signature = models.CharField(_("pipeline signature"), max_length=64, blank=True)
    # The scikit-learn, joblib and NumPy versions that wrote the pipeline: a
    # process with others does not load it (the next training replaces it).
    library_versions = models.JSONField(_("library versions"), default=dict, blank=True)
    # Set when the comments it learned from changed (erasure) or it could not
    # be loaded: the next run of the training job trains a new model.
    needs_retraining = models.BooleanField(_("needs retraining"), default=False)
    load_error = models.TextField(_("load error"), blank=True)
    is_active = models.BooleanField(pgettext_lazy("in use", "active"), default=False)

    class Meta:
        verbose_name = _("root-cause model")
        verbose_name_plural = _("root-cause models")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="one_active_root_cause_model",
            )
        ]

    def __str__(self) -> str:
        return _("Root-cause model v%(version)s") % {"version": self.version}


class RootCauseTraining(models.Model):
    """The state of the root-cause training job, one row (pk 1): when an
    attempt started and how many attempts in a row did not finish (failed,
    or killed at the time limit). The job waits longer after each one instead
    of trying again at every run."""

    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("root-cause training")
        verbose_name_plural = _("root-cause trainings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class Theme(models.Model):
    """What a group of comments is about, the same across periods: each
    period's cluster joins the theme whose recent centroid it resembles
    (``followups.insights.themes``). A manager may name it; unnamed, it is
    shown by its latest characteristic words."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="+", verbose_name=_("survey")
    )
    name = models.CharField(
        _("name"),
        max_length=80,
        blank=True,
        help_text=_("Given by a manager; empty: shown by its characteristic words."),
    )
    words = models.JSONField(
        _("characteristic words"), default=list, blank=True, editable=False
    )  # of its latest period, so a list shows it without reading periods
    # Its first words as one text, so exports show a theme in their one query.
    words_label = models.CharField(_("shown as"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment theme")
        verbose_name_plural = _("comment themes")
        ordering = ["survey", "pk"]
        permissions = [("rename_theme", _("Can name comment themes"))]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or self.words_label or _("theme #%(id)s") % {"id": self.pk}

    @staticmethod
    def label_of(words: list[str]) -> str:
        return ", ".join(words[:5])[:200]


class ThemePeriod(models.Model):
    """One theme in one period: its centroid, words and figures, and flags."""

    class Kind(models.TextChoices):
        WEEK = "week", pgettext_lazy("theme period", "week")
        MONTH = "month", pgettext_lazy("theme period", "month")

    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="periods", verbose_name=_("theme")
    )
    kind = models.CharField(_("period"), max_length=5, choices=Kind)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), help_text=_("The first day after the period."))
    # The largest components of the hashed centroid: {"i": [...], "v": [...]}.
    centroid = models.JSONField(_("centroid"), default=dict, editable=False)
    words = models.JSONField(_("characteristic words"), default=list)
    answers = models.PositiveIntegerField(_("answers"))
    share = models.FloatField(_("share of answers (%)"))
    promoters = models.PositiveIntegerField(_("promoters"))
    passives = models.PositiveIntegerField(_("passives"))
    detractors = models.PositiveIntegerField(_("detractors"))
    is_new = models.BooleanField(_("new"), default=False)
    is_growing = models.BooleanField(_("growing"), default=False)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("theme period")
        verbose_name_plural = _("theme periods")
        ordering = ["-start", "-share"]
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "kind", "start"], name="theme_period_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="theme_period_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["kind", "start"], name="theme_period_kind_start")]

    def __str__(self) -> str:
        return f"{self.theme} ({self.start:%Y-%m-%d})"


class ThemeComputation(models.Model):
    """That a survey's period had its themes computed, even when too few
    comments made no theme: the daily job does not compute it again, and
    its ``themes.computed`` webhook is sent once."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="theme_computations")
    kind = models.CharField(_("period"), max_length=5, choices=ThemePeriod.Kind)
    start = models.DateField(_("from"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    comments = models.PositiveIntegerField(_("comments"), default=0)
    # An erasure took answers out of this period: its words were scrubbed
    # and the next daily run computes it again (without a second webhook).
    stale = models.BooleanField(_("to compute again"), default=False)

    class Meta:
        verbose_name = _("theme computation")
        verbose_name_plural = _("theme computations")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "kind", "start"], name="theme_computation_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.kind} {self.start:%Y-%m-%d}"


class ResponseTheme(models.Model):
    """The theme an answer's comment was put in, by the latest computation
    that included it."""

    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="theme_assignment"
    )
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="assignments")
    period = models.ForeignKey(ThemePeriod, on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        verbose_name = _("answer's theme")
        verbose_name_plural = _("answers' themes")

    def __str__(self) -> str:
        return f"{self.response_id} -> {self.theme_id}"
