"""The root-cause model itself, without the database: fit it on comments and
their root causes, measure it, and read a suggestion and its top words.

Character n-grams within words (``char_wb``, 1 to 5 characters, after Unicode
NFKC normalisation and casefolding) work the same way in English, Polish,
Russian and Chinese: no tokenizer, stemmer or downloaded model per language,
a Polish or Russian ending still shares its stem's n-grams, and a single
Chinese character is a word. Each root cause gets a linear SVM against the
others over n-grams weighted by how much more often they occur in that
cause's comments (NB-SVM, Wang and Manning 2012): on a few hundred comments
this beat a logistic regression or a plain SVM over the same n-grams by
cross-validation. One temperature, fitted on out-of-fold scores, turns the
causes' scores into probabilities: the highest is the confidence, the two
highest are the top-2. Every choice (C) is made by cross-validation on the
training data alone.
"""

from __future__ import annotations

import hmac
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.crypto import salted_hmac

if TYPE_CHECKING:  # scikit-learn, joblib and NumPy are imported where a model is fitted or used:
    from sklearn.pipeline import Pipeline  # every process imports this module (routing)

# A root cause with fewer labelled comments than this is left out of a
# training: it cannot be split across the folds that measure the model.
MIN_PER_CAUSE = 3
MAX_FOLDS = 5  # outer folds: the measured quality
INNER_FOLDS = 3  # folds that choose the parameters
SEED = 20261201
# Chosen from by cross-validation at every training. On the corpus's training
# split (bench/quality.py) C 1 and 3 were within noise of each other and
# above 0.3; the smoothing of the n-gram ratios (1) was better than 0.5 or 2.
GRID = {"classifier__C": [1.0, 3.0]}
# The stored model's format: a pipeline of another format (an older
# classifier) is refused on loading, and the next training replaces it.
MODEL_FORMAT = "2"
TOP_WORDS = 5
# Chinese, Japanese and Korean characters: no spaces between words, so the
# words shown are their character pairs.
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"\w+")
# Words too common to explain anything, left out of the words shown.
SHOWN_STOP_WORDS = frozenset(
    [
        "the",
        "and",
        "was",
        "were",
        "for",
        "with",
        "you",
        "your",
        "this",
        "that",
        "are",
        "but",
        "has",
        "have",
        "had",
        "too",
        "very",
        "się",
        "jest",
        "był",
        "była",
        "było",
        "były",
        "dla",
        "ale",
        "jak",
        "bardzo",
        "был",
        "была",
        "было",
        "были",
        "это",
        "что",
        "как",
        "так",
        "очень",
        "уже",
        "我们",
        "你们",
        "他们",
        "一个",
        "的时",
    ]
)


class PipelineRefused(Exception):
    """Stored pipeline bytes that are not loaded: unsigned, signed with
    another key, written by other library versions, or unreadable."""


@dataclass
class Fitted:
    pipeline: Pipeline
    params: dict
    class_counts: dict[str, int]
    macro_f1: float | None
    top2_accuracy: float | None
    left_out: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Suggestion:
    root_cause: str | None  # None: below the confidence asked for
    best: str
    confidence: float
    ranked: list[tuple[str, float]]
    words: list[str]


def normalised(comment: str) -> str:
    """One spelling per letter and no case: NFKC folds full-width and
    compatibility forms (frequent in Chinese input), casefold also folds
    letters ``lower`` keeps."""
    return unicodedata.normalize("NFKC", comment).casefold()


def pipeline_new(**params) -> Pipeline:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline

    from followups.insights.nb_svm import NaiveBayesSVM

    pipeline = Pipeline(
        [
            (
                "features",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(1, 5),
                    preprocessor=normalised,
                    lowercase=False,
                    sublinear_tf=True,
                ),
            ),
            ("classifier", NaiveBayesSVM(C=1.0, alpha=1.0)),
        ]
    )
    return pipeline.set_params(**params)


def usable(texts: Sequence[str], labels: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """The examples of root causes with enough of them, and the causes left out."""
    counts = Counter(labels)
    kept = {label for label, count in counts.items() if count >= MIN_PER_CAUSE}
    pairs = [(t, y) for t, y in zip(texts, labels, strict=True) if y in kept and t.strip()]
    return [t for t, _ in pairs], [y for _, y in pairs], sorted(set(counts) - kept)


def model_fit(texts: Sequence[str], labels: Sequence[str], *, measure: bool = True) -> Fitted:
    """Choose the parameters by cross-validation on these examples and fit on
    all of them. With ``measure``, macro-F1 and top-2 accuracy come from
    nested cross-validation: each outer fold's comments are predicted by a
    model whose parameters were chosen without them, so the figure compared
    with NPS_SUGGESTION_MIN_QUALITY is not flattered by the choice.
    Raises ValueError with fewer than two causes."""
    import numpy as np
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    texts, labels, left_out = usable(texts, labels)
    counts = Counter(labels)
    if len(counts) < 2:
        raise ValueError("A model needs labelled comments of at least two root causes.")
    smallest = min(counts.values())

    def search_new(n_splits: int) -> GridSearchCV:
        folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=SEED)
        return GridSearchCV(pipeline_new(), GRID, scoring="f1_macro", cv=folds, n_jobs=1)

    search = search_new(min(INNER_FOLDS, smallest))
    search.fit(texts, labels)
    params = {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in search.best_params_.items()
    }
    pipeline = search.best_estimator_
    macro_f1 = top2 = None
    if measure:
        classes = np.array(sorted(counts))
        probabilities = np.zeros((len(texts), len(classes)))
        outer = StratifiedKFold(
            n_splits=min(MAX_FOLDS, smallest), shuffle=True, random_state=SEED + 1
        )
        text_array, label_array = np.array(texts, dtype=object), np.array(labels, dtype=object)
        for train, test in outer.split(text_array, label_array):
            inner_smallest = min(Counter(label_array[train]).values())
            inner = search_new(max(2, min(INNER_FOLDS, inner_smallest)))
            inner.fit(list(text_array[train]), list(label_array[train]))
            columns = np.searchsorted(classes, inner.best_estimator_.classes_)
            probabilities[np.ix_(test, columns)] = inner.predict_proba(list(text_array[test]))
        macro_f1, top2 = scores(labels, classes, probabilities)
    return Fitted(pipeline, params, dict(sorted(counts.items())), macro_f1, top2, left_out)


def scores(labels: Sequence[str], classes, probabilities) -> tuple[float, float]:
    """Macro-F1 of the most probable cause, and how often the true cause is
    among the two most probable."""
    import numpy as np
    from sklearn.metrics import f1_score

    order = np.argsort(-probabilities, axis=1)
    predicted = classes[order[:, 0]]
    top2 = np.mean([label in classes[row[:2]] for label, row in zip(labels, order, strict=True)])
    return float(f1_score(labels, predicted, average="macro", zero_division=0)), float(top2)


SIGNING_SALT = "followups.insights.suggest_model.pipeline"


def library_versions() -> dict[str, str]:
    """The model format and the versions of the libraries a pickled pipeline
    depends on: a pipeline stored under others is not loaded."""
    import joblib
    import numpy
    import sklearn

    return {
        "format": MODEL_FORMAT,
        "sklearn": sklearn.__version__,
        "joblib": joblib.__version__,
        "numpy": numpy.__version__,
    }


def pipeline_signature(data: bytes | memoryview) -> str:
    """HMAC-SHA256 of stored pipeline bytes, keyed from SECRET_KEY."""
    return salted_hmac(SIGNING_SALT, bytes(data), algorithm="sha256").hexdigest()


def pipeline_dump(pipeline: Pipeline) -> bytes:
    import joblib

    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    return buffer.getvalue()


def pipeline_load(
    data: bytes | memoryview, *, signature: str, versions: dict[str, Any]
) -> Pipeline:
    """Unpickle a pipeline this product wrote: only bytes whose signature
    matches (so never bytes written by anything without SECRET_KEY) and
    only by the library versions that wrote them. PipelineRefused otherwise."""
    data = bytes(data)
    if not data:
        raise PipelineRefused("no pipeline stored")
    if not signature or not hmac.compare_digest(signature, pipeline_signature(data)):
        raise PipelineRefused("the pipeline's signature is missing or does not match")
    current = library_versions()
    if versions.get("format") != MODEL_FORMAT:
        raise PipelineRefused(
            f"stored in model format {versions.get('format', '1')}, this version reads "
            f"format {MODEL_FORMAT}; the next training replaces it"
        )
    if versions != current:
        raise PipelineRefused(f"written by {versions or 'unknown versions'}, running {current}")
    import joblib

    try:
        return joblib.load(io.BytesIO(data))
    except Exception as exc:
        raise PipelineRefused(f"unreadable: {exc!r}") from exc


def words_of(comment: str) -> list[str]:
    """The words of a comment as a person reads them; Chinese runs as character pairs."""
    words: list[str] = []
    for token in WORD.findall(normalised(comment)):
        if CJK.search(token):
            for run in CJK.findall(token):
                pairs = (run[i : i + 2] for i in range(max(1, len(run) - 1)))
                words.extend(pair for pair in pairs if pair not in SHOWN_STOP_WORDS)
        elif len(token) >= 3 and not token.isdigit() and token not in SHOWN_STOP_WORDS:
            words.append(token)
    return list(dict.fromkeys(words))


def suggestions_make(
    pipeline: Pipeline, comments: Sequence[str], *, min_confidence: float
) -> list[Suggestion]:
    """The suggestion for each comment, with the words that speak most for it."""
    if not comments:
        return []
    import numpy as np

    classes = pipeline.classes_
    probabilities = pipeline.predict_proba(list(comments))
    features = pipeline.named_steps["features"]
    coefficients = pipeline.named_steps["classifier"].coef_
    suggestions = []
    for comment, row in zip(comments, probabilities, strict=True):
        order = np.argsort(-row)
        best = int(order[0])
        words = _top_words(comment, features, coefficients[best])
        confidence = float(row[best])
        suggestions.append(
            Suggestion(
                root_cause=str(classes[best]) if confidence >= min_confidence else None,
                best=str(classes[best]),
                confidence=confidence,
                ranked=[(str(classes[i]), float(row[i])) for i in order[:3]],
                words=words,
            )
        )
    return suggestions


def _top_words(comment: str, features, weights) -> list[str]:
    """The comment's words whose n-grams weigh most towards the chosen cause
    (``weights``: that cause's row, one per cause, in the n-grams' space)."""
    words = words_of(comment)
    if not words:
        return []
    import numpy as np

    totals = np.asarray(features.transform(words) @ weights).ravel()
    ranked = sorted(zip(totals, words, strict=True), key=lambda pair: -pair[0])
    return [word for total, word in ranked[:TOP_WORDS] if total > 0]
