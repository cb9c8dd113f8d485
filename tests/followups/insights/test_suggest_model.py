"""The root-cause model without the database: NB-SVM scores turned into
probabilities by one temperature, the same suggestion whatever the comment's
Unicode form, two causes as well as seven, and words that explain the choice."""

from __future__ import annotations

from functools import cache

import numpy
import pytest

from followups.insights import suggest_model
from followups.insights.nb_svm import NaiveBayesSVM
from tests.followups.insights.comments import CLEAR, LANGUAGES, training_pairs


@cache
def _fitted() -> suggest_model.Fitted:
    texts, labels = zip(*training_pairs(), strict=True)
    return suggest_model.model_fit(list(texts), list(labels), measure=False)


def test_probabilities_sum_to_one_and_rank_causes_as_their_scores_do():
    pipeline = _fitted().pipeline
    comments = [comment for by_language in CLEAR.values() for comment in by_language.values()]
    probabilities = pipeline.predict_proba(comments)
    assert numpy.allclose(probabilities.sum(axis=1), 1.0)
    scores = pipeline.decision_function(comments)
    assert (probabilities.argmax(axis=1) == scores.argmax(axis=1)).all()


def test_the_temperature_is_fitted_on_out_of_fold_scores():
    classifier = _fitted().pipeline.named_steps["classifier"]
    assert isinstance(classifier, NaiveBayesSVM)
    assert classifier.temperature_ > 0.0 and classifier.temperature_ != 1.0


def test_with_a_single_example_of_a_cause_the_scores_are_kept_as_they_are():
    texts = ["late parcel", "parcel came late", "courier late", "too expensive"]
    labels = ["Slow delivery", "Slow delivery", "Slow delivery", "Price"]
    pipeline = suggest_model.pipeline_new().fit(texts, labels)
    assert pipeline.named_steps["classifier"].temperature_ == 1.0
    assert list(pipeline.predict(["late courier", "expensive"])) == ["Slow delivery", "Price"]


def test_full_width_and_upper_case_letters_get_the_same_suggestion():
    pipeline = _fitted().pipeline
    comment = CLEAR["Price"]["en"]
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in comment)
    plain, wide = suggest_model.suggestions_make(
        pipeline, [comment, full_width.upper()], min_confidence=0.0
    )
    assert wide.best == plain.best == "Price"
    assert wide.confidence == pytest.approx(plain.confidence)


def test_two_causes_are_learned_and_explained():
    pairs = [pair for pair in training_pairs() if pair[1] in ("Price", "Slow delivery")]
    texts, labels = zip(*pairs, strict=True)
    fitted = suggest_model.model_fit(list(texts), list(labels))
    comments = [
        CLEAR[cause][language] for cause in ("Price", "Slow delivery") for language in LANGUAGES
    ]
    made = suggest_model.suggestions_make(fitted.pipeline, comments, min_confidence=0.0)
    assert [s.best for s in made] == ["Price"] * 4 + ["Slow delivery"] * 4
    assert all(s.words for s in made)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_words_shown_are_words_of_the_comment_for_its_cause(language):
    pipeline = _fitted().pipeline
    for cause, by_language in CLEAR.items():
        [made] = suggest_model.suggestions_make(pipeline, [by_language[language]], min_confidence=0)
        assert made.best == cause, by_language[language]
        assert made.words and set(made.words) <= set(suggest_model.words_of(by_language[language]))
