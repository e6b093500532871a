"""Scores of a fitted classifier: one per class, or the positive class's alone (numpy only)."""

from __future__ import annotations

import numpy as np

from checkworthy.schemas.errors import InputError

__all__ = ["class_scores", "positive_index", "positive_score"]


def class_scores(estimator, X) -> np.ndarray:
    """A score per class, shape ``(n_samples, n_classes)`` in ``estimator.classes_`` order.

    ``predict_proba`` when the estimator has it, else ``decision_function`` (a
    binary decision function ``d`` becomes the columns ``-d, d``).
    """
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    scores = estimator.decision_function(X)
    return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores


def positive_index(estimator, pos_label) -> int:
    """The column of ``pos_label`` in :func:`class_scores` of ``estimator``."""
    classes = list(estimator.classes_)
    if pos_label not in classes:
        raise InputError(f"the model was trained without the positive label {pos_label!r} (its classes: {', '.join(map(str, classes))}); train it on data that has {pos_label!r}")
    return classes.index(pos_label)


def positive_score(estimator, X, pos_label) -> np.ndarray:
    """The score of ``pos_label`` for each sentence (higher: more check-worthy)."""
    column = positive_index(estimator, pos_label)
    return class_scores(estimator, X)[:, column]
