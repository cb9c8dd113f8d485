"""NB-SVM (Wang and Manning, 2012, "Baselines and bigrams"): for each class, a
linear SVM against the others over features scaled by the log-ratio of how
often they occur in that class and in the rest. On short texts with few
examples per class it is a strong linear baseline; here it is the root-cause
model's classifier (``suggest_model``). Imported only where a model is fitted
or loaded: it pulls in scikit-learn and SciPy.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

# Folds of the out-of-fold scores the temperature is fitted on; the seed of
# those folds and of liblinear's shuffling, so a training is reproducible.
TEMPERATURE_FOLDS = 3
SEED = 20261201
# The features scaled by their ratios converge more slowly than plain tf-idf:
# liblinear's default of 1000 iterations stopped short on the corpus.
MAX_ITERATIONS = 10000


class NaiveBayesSVM(ClassifierMixin, BaseEstimator):
    """One linear SVM per root cause against the others, over features scaled
    by the log-ratio of their frequency in that cause's comments and in the
    rest (NB-SVM), and a temperature that turns the scores into probabilities.

    The fitted model is plain weights: ``coef_`` (one row per cause, in the
    features' space, the ratios folded in) and ``intercept_``, so a
    suggestion's words are weighed as a linear model's."""

    def __init__(self, C: float = 1.0, alpha: float = 1.0):
        self.C = C
        self.alpha = alpha

    def fit(self, features, labels) -> NaiveBayesSVM:
        self.classes_, encoded = np.unique(np.asarray(labels), return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError("A model needs labelled comments of at least two root causes.")
        self.coef_, self.intercept_ = self._weights(features, encoded)
        self.temperature_ = self._temperature(features, encoded)
        return self

    def _weights(self, features, encoded):
        """The weights of each cause against the rest, the ratios folded in."""
        present = (features > 0).astype(np.float64)
        rows, intercepts = [], []
        for index in range(len(self.classes_)):
            mine = encoded == index
            inside = self.alpha + np.asarray(present[mine].sum(axis=0)).ravel()
            outside = self.alpha + np.asarray(present[~mine].sum(axis=0)).ravel()
            ratios = np.log((inside / inside.sum()) / (outside / outside.sum()))
            svm = LinearSVC(
                C=self.C, class_weight="balanced", max_iter=MAX_ITERATIONS, random_state=SEED
            )
            svm.fit(features.multiply(ratios).tocsr(), mine.astype(int))
            rows.append(svm.coef_.ravel() * ratios)
            intercepts.append(svm.intercept_[0])
        # Column-major: ``features @ coef_.T`` then reads the weights in place
        # instead of copying all of them for every suggestion.
        return np.asfortranarray(np.vstack(rows)), np.array(intercepts)

    def _temperature(self, features, encoded) -> float:
        """The temperature that makes out-of-fold scores the most likely
        probabilities (scores on the training comments themselves would be
        overconfident); 1 when a cause has a single example."""
        folds = min(TEMPERATURE_FOLDS, int(np.bincount(encoded).min()))
        if folds < 2:
            return 1.0
        scores = np.zeros((len(encoded), len(self.classes_)))
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
        for train, test in splitter.split(np.zeros(len(encoded)), encoded):
            if len(np.unique(encoded[train])) < len(self.classes_):
                return 1.0
            coef, intercept = self._weights(features[train], encoded[train])
            scores[test] = features[test] @ coef.T + intercept

        def loss(log_temperature: float) -> float:
            log_probabilities = _log_softmax(scores / np.exp(log_temperature))
            return -float(log_probabilities[np.arange(len(encoded)), encoded].mean())

        found = minimize_scalar(loss, bounds=(-5.0, 5.0), method="bounded")
        return float(np.exp(found.x))

    def decision_function(self, features):
        return np.asarray(features @ self.coef_.T) + self.intercept_

    def predict_proba(self, features):
        return np.exp(_log_softmax(self.decision_function(features) / self.temperature_))

    def predict(self, features):
        return self.classes_[self.decision_function(features).argmax(axis=1)]


def _log_softmax(scores):
    shifted = scores - scores.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
