"""Anomaly estimators for behaviour windows, following scikit-learn's outlier-detector contract.

Both estimators are fitted on feature windows (``maritime.features.FEATURE_COLUMNS``) and
follow ``sklearn.ensemble.IsolationForest``: ``score_samples`` is higher for normal windows,
``decision_function = score_samples - offset_`` is negative for outliers, ``predict`` gives
-1 (outlier) or 1, and ``contamination`` sets ``offset_`` as IsolationForest's does.

``y``, when given, marks each window in ``predict``'s convention: negative (-1) for one known
to be anomalous, positive (1) for a normal one, 0 for one left out (ambiguous); without ``y``
every window is taken as normal. ``models.labels.window_targets`` gives this ``y``. The
threshold used in service is not ``offset_`` but the one ``models.calibration`` fits to a
false-alarm rate on held-out data.

Each keeps the fitted plain scikit-learn object it scores with in ``estimator_``: that object
is what the registry stores (with skops), so the pipeline scores without this package, with
``maritime.model_registry.anomaly_scores`` giving exactly ``-score_samples``.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.ensemble import HistGradientBoostingClassifier, IsolationForest
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

ANOMALOUS, NORMAL, LEFT_OUT = -1, 1, 0


def _window_targets(y, n_samples: int) -> np.ndarray:
    """``y`` as an int array of -1 (anomalous), 1 (normal), 0 (left out); None: every window normal."""
    if y is None:
        return np.full(n_samples, NORMAL)
    y = column_or_1d(y, warn=True)
    if len(y) != n_samples:
        raise ValueError(f"y has {len(y)} values for {n_samples} samples")
    try:
        values = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("y must be numeric: -1 for anomalous windows, 1 for normal, 0 to leave out") from None
    if np.isnan(values).any():
        raise ValueError("y must not contain NaN")
    return np.sign(values).astype(int)


def _check_contamination(contamination) -> None:
    if contamination != "auto" and not (isinstance(contamination, Real) and 0.0 < contamination <= 0.5):
        raise ValueError(f"contamination must be in (0, 0.5] or 'auto', got {contamination!r}")


class _WindowOutlierDetector(OutlierMixin, BaseEstimator):
    """Shared predict path: ``decision_function = score_samples - offset_``; -1 below zero."""

    def decision_function(self, X):
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        return np.where(self.decision_function(X) < 0, -1, 1)

    def _checked(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False)

    @staticmethod
    def _no_normal_window(n_samples: int) -> ValueError:
        return ValueError(f"no window to fit as normal among n_samples={n_samples} (every y is -1, anomalous, "
                          f"or 0, left out)")


class IsolationForestDetector(_WindowOutlierDetector):
    """The baseline: an IsolationForest fitted on the windows not known to be anomalous.

    Windows with ``y == -1`` (labelled anomalous) and ``y == 0`` (left out) are not used
    for fitting, so known anomalies do not widen what counts as normal.

    Parameters are IsolationForest's; ``offset_`` is the forest's (-0.5 with ``contamination="auto"``,
    else the training windows' score quantile).
    """

    def __init__(self, n_estimators=200, max_samples="auto", contamination="auto", max_features=1.0, n_jobs=None,
                 random_state=None):
        self.n_estimators = n_estimators
        self.contamination = contamination
        self.max_samples = max_samples
        self.max_features = max_features
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y=None):
        _check_contamination(self.contamination)
        X = validate_data(self, X)
        y = _window_targets(y, X.shape[0])
        normal = X[y == NORMAL]
        if normal.shape[0] == 0:
            raise self._no_normal_window(X.shape[0])
        self.estimator_ = IsolationForest(n_estimators=self.n_estimators, max_samples=self.max_samples,
                                          contamination=self.contamination, max_features=self.max_features,
                                          n_jobs=self.n_jobs, random_state=self.random_state).fit(normal)
        self.offset_ = self.estimator_.offset_
        return self

    def score_samples(self, X):
        X = self._checked(X)
        return self.estimator_.score_samples(X)


class BoostedBehaviourDetector(_WindowOutlierDetector):
    """Semi-supervised gradient boosting: known anomalous windows, and a reference sample, against the rest.

    A HistGradientBoostingClassifier learns P(anomalous | window) from

    - the windows labelled anomalous (``y == -1``), weighted so that together they count as
      much as all the normal windows (``positive_weight="balanced"``) or by a given factor each;
    - a synthetic reference sample (``reference_fraction`` of the data): each column drawn
      independently from the data's own values, so it keeps every feature's range but not the
      way features go together. Scored as anomalous with a total weight of ``reference_weight``
      times the normal windows', it makes windows unlike anything seen score high even when no
      label showed that behaviour (classification against a reference distribution: Hastie,
      Tibshirani & Friedman, *The Elements of Statistical Learning*, 2nd ed., §14.2.4);
    - every window with ``y == 1`` (or all of them without ``y``) as normal; ``y == 0`` is left out.

    Without any labelled anomaly it is an unsupervised detector (the reference term alone).
    ``score_samples`` is ``-P(anomalous)``; ``offset_`` is the training windows' score quantile at
    ``contamination`` (with ``"auto"``, -0.5: windows more likely anomalous than not).
    """

    def __init__(self, max_iter=200, learning_rate=0.1, max_leaf_nodes=15, min_samples_leaf=20,
                 l2_regularization=1.0, positive_weight="balanced", reference_fraction=0.25, reference_weight=0.1,
                 contamination=0.01, random_state=None):
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.positive_weight = positive_weight
        self.reference_fraction = reference_fraction
        self.reference_weight = reference_weight
        self.contamination = contamination
        self.random_state = random_state

    def _reference_sample(self, X: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
        n = int(np.ceil(self.reference_fraction * X.shape[0])) if self.reference_weight > 0 else 0
        rows = rng.randint(0, X.shape[0], size=(n, X.shape[1]))
        return X[rows, np.arange(X.shape[1])]

    def fit(self, X, y=None):
        if self.positive_weight != "balanced" and not float(self.positive_weight) > 0:
            raise ValueError(f"positive_weight must be 'balanced' or positive, got {self.positive_weight!r}")
        if self.reference_fraction < 0 or self.reference_weight < 0:
            raise ValueError("reference_fraction and reference_weight must not be negative")
        _check_contamination(self.contamination)
        X = validate_data(self, X)
        y = _window_targets(y, X.shape[0])
        rng = check_random_state(self.random_state)
        normal, anomalous = X[y == NORMAL], X[y == ANOMALOUS]
        reference = self._reference_sample(X, rng)
        if len(normal) == 0:
            raise self._no_normal_window(X.shape[0])
        if len(anomalous) + len(reference) == 0:
            raise ValueError("no labelled anomaly and no reference sample (reference_fraction or "
                             "reference_weight is 0): nothing to learn from")
        each_positive = (len(normal) / max(len(anomalous), 1) if self.positive_weight == "balanced"
                         else float(self.positive_weight))
        each_reference = self.reference_weight * len(normal) / max(len(reference), 1)
        weights = np.concatenate([np.ones(len(normal)), np.full(len(anomalous), each_positive),
                                  np.full(len(reference), each_reference)])
        self.estimator_ = HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf, l2_regularization=self.l2_regularization,
            early_stopping=False, random_state=rng.randint(np.iinfo(np.int32).max),
        ).fit(np.vstack([normal, anomalous, reference]),
              np.concatenate([np.zeros(len(normal)), np.ones(len(anomalous) + len(reference))]).astype(int),
              sample_weight=weights)
        self.n_iter_ = self.estimator_.n_iter_
        self.offset_ = -0.5 if self.contamination == "auto" else float(
            np.percentile(-self.estimator_.predict_proba(X)[:, 1], 100.0 * self.contamination))
        return self

    def score_samples(self, X):
        X = self._checked(X)
        return -self.estimator_.predict_proba(X)[:, 1]


ESTIMATORS = {"iforest": IsolationForestDetector, "gbm": BoostedBehaviourDetector}
