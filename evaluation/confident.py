"""Confident learning: labels that disagree with a confident out-of-fold prediction.

The core of Northcutt, Jiang & Chuang (2021), "Confident Learning: Estimating Uncertainty
in Dataset Labels", written here (cleanlab, which implements it, is AGPL-3.0 and not a
dependency of this Apache-2.0 project):

1. Out-of-fold predicted probabilities: each item is scored by a model that did not see
   it (stratified K-fold cross-validation of a registered baseline,
   :func:`out_of_fold_probabilities`).
2. Per-class thresholds: ``t_j`` is the mean predicted probability of class ``j`` over the
   items labeled ``j`` (the class's mean self-confidence).
3. The confident joint: an item labeled ``i`` counts for class ``j`` when ``p_j >= t_j``
   (the arg-max among such classes when several pass). Items off the diagonal (``j != i``)
   are label issues.
4. Issues are ranked by self-confidence, the probability of the given label, lowest first.

:func:`find_label_issues` is numpy only; :func:`review_view` runs both steps and is what
``checkworthy review`` calls (registered in ``checkworthy.registry``).

Examples
--------
>>> import numpy as np
>>> labels = np.array([0, 0, 1, 1])
>>> probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.1, 0.9], [0.3, 0.7]])
>>> find_label_issues(labels, probs).issue.tolist()
[False, True, False, False]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from checkworthy.evaluation.baselines import estimators, get_baseline
from checkworthy.evaluation.scores import class_scores
from checkworthy.schemas.errors import InputError

__all__ = ["CLASS_WEIGHTS", "LabelIssues", "ModelView", "find_label_issues", "members", "out_of_fold_probabilities", "review_view", "unweighted"]

#: Folds of the cross-validation, unless asked otherwise.
DEFAULT_FOLDS = 5


@dataclass(frozen=True)
class LabelIssues:
    """The result of :func:`find_label_issues`.

    Attributes
    ----------
    thresholds : numpy.ndarray of shape (n_classes,)
        Mean self-confidence of each class (NaN for a class nobody has).
    confident_label : numpy.ndarray of shape (n_items,)
        The class an item confidently belongs to, or -1 when no class reaches its threshold.
    self_confidence : numpy.ndarray of shape (n_items,)
        Predicted probability of the given label.
    issue : numpy.ndarray of shape (n_items,), bool
        Off the diagonal of the confident joint: confidently another class than labeled.
    confident_joint : numpy.ndarray of shape (n_classes, n_classes)
        Counts by (given label, confident label).
    """

    thresholds: np.ndarray
    confident_label: np.ndarray
    self_confidence: np.ndarray
    issue: np.ndarray
    confident_joint: np.ndarray

    def ranked(self) -> np.ndarray:
        """Indices of the issues, lowest self-confidence first (ties by index)."""
        found = np.flatnonzero(self.issue)
        return found[np.lexsort((found, self.self_confidence[found]))]


def find_label_issues(labels, probabilities) -> LabelIssues:
    """Find the items whose label disagrees with a confident prediction (confident learning).

    Parameters
    ----------
    labels : array-like of int, shape (n_items,)
        Given labels as class indices ``0 .. n_classes - 1``.
    probabilities : array-like of float, shape (n_items, n_classes)
        Out-of-fold predicted probabilities (rows sum to 1).

    Returns
    -------
    LabelIssues

    Raises
    ------
    InputError
        Shapes that do not match, a label outside the classes, or probabilities
        outside [0, 1] or not finite.
    """
    labels = np.asarray(labels)
    probs = np.asarray(probabilities, dtype=float)
    if probs.ndim != 2 or labels.ndim != 1 or len(labels) != len(probs):
        raise InputError(f"expected labels of shape (n,) and probabilities of shape (n, k); found {labels.shape} and {probs.shape}")
    n_classes = probs.shape[1]
    if not np.issubdtype(labels.dtype, np.integer) or (len(labels) and (labels.min() < 0 or labels.max() >= n_classes)):
        raise InputError(f"labels must be class indices 0..{n_classes - 1}; found {sorted(set(labels.tolist()))[:10]}")
    if not np.isfinite(probs).all() or (probs < 0).any() or (probs > 1).any():
        bad = np.flatnonzero(~(np.isfinite(probs).all(axis=1) & (probs >= 0).all(axis=1) & (probs <= 1).all(axis=1)))
        raise InputError(f"probabilities must be finite and in [0, 1]; items {bad[:10].tolist()} are not")
    return _find(labels, probs)


def _find(labels: np.ndarray, probs: np.ndarray) -> LabelIssues:
    n_items, n_classes = probs.shape
    self_confidence = probs[np.arange(n_items), labels] if n_items else np.zeros(0)
    thresholds = np.full(n_classes, np.nan)
    for j in range(n_classes):
        mine = labels == j
        if mine.any():
            thresholds[j] = probs[mine, j].mean()
    # A class nobody is labeled with has no threshold: nothing can be confidently it.
    above = probs >= np.where(np.isnan(thresholds), np.inf, thresholds)[None, :]
    masked = np.where(above, probs, -np.inf)
    confident = np.where(above.any(axis=1), masked.argmax(axis=1), -1) if n_items else np.zeros(0, dtype=int)
    joint = np.zeros((n_classes, n_classes), dtype=np.int64)
    has = confident >= 0
    np.add.at(joint, (labels[has], confident[has]), 1)
    issue = has & (confident != labels)
    return LabelIssues(thresholds, confident.astype(np.int64), self_confidence, issue, joint)


def members(baseline: str) -> list[str]:
    """The registered baselines of a review model: ``"tfidf-lr"``, or an ensemble ``"tfidf-lr+embed-lr"``
    whose out-of-fold probabilities are averaged.

    Raises
    ------
    InputError
        A name that is not a registered baseline (with the closest ones), or a member named twice.

    Examples
    --------
    >>> members("tfidf-lr+embed-lr")
    ['tfidf-lr', 'embed-lr']
    """
    names = baseline.split("+")
    for name in names:
        get_baseline(name)
    if len(set(names)) < len(names):
        raise InputError(f"baseline {baseline!r} names a member twice; an ensemble averages distinct baselines, e.g. tfidf-lr+embed-lr")
    return names


#: ``class_weight`` settings of the review model: as the baseline is registered (``balanced``),
#: or every ``class_weight`` of its estimator set to None (``none``).
CLASS_WEIGHTS = ("balanced", "none")


def unweighted(estimator):
    """``estimator`` with every ``class_weight`` parameter in it set to None, so that its
    probabilities estimate ``p(label | text)`` under the labels' own frequencies, which is what
    confident learning's thresholds and self-confidence assume (class weights trade that for
    recall of the rare class). An estimator without such a parameter is returned as it is."""
    params = estimator.get_params(deep=True) if hasattr(estimator, "get_params") else {}
    weights = {name: None for name in params if name == "class_weight" or name.endswith("__class_weight")}
    return estimator.set_params(**weights) if weights else estimator


def out_of_fold_probabilities(texts: Sequence[str], labels, n_classes: int, *, baseline: str = "tfidf-lr",
                              folds: int = DEFAULT_FOLDS, seed: int = 0, class_weight: str = "balanced",
                              label_names: Sequence[str] | None = None) -> np.ndarray:
    """Predicted class probabilities of each text from a model trained without it.

    Stratified ``folds``-fold cross-validation (shuffled with ``seed``); in each fold a fresh
    ``baseline`` (seeded with ``seed``) is trained on the other folds. Baselines without
    ``predict_proba`` give the softmax of their decision values. An ensemble
    (``"tfidf-lr+embed-lr"``, see :func:`members`) gives the mean of its members'
    probabilities, every member cross-validated on the same folds. A sentence encoder in a
    baseline (``embed-lr``) encodes each distinct text once, before the folds
    (:func:`checkworthy.evaluation.estimators.encode_once`): the folds fit only what learns
    from the labels.

    Parameters
    ----------
    texts : sequence of str
    labels : array-like of int
        Class indices ``0 .. n_classes - 1``.
    n_classes : int
    baseline : str, default="tfidf-lr"
        A registered baseline (``checkworthy.evaluation.baselines.BASELINES``), or several
        joined by ``+``.
    folds : int, default=DEFAULT_FOLDS
    seed : int, default=0
    class_weight : {"balanced", "none"}, default="balanced"
        ``"none"`` trains each member without class weights (:func:`unweighted`).
    label_names : sequence of str, optional
        The name of each class index, for messages (the scheme's label codes).

    Returns
    -------
    numpy.ndarray of shape (n_items, n_classes)

    Raises
    ------
    InputError
        An unknown baseline, fewer than 2 folds, or a class with fewer items than folds
        (the message says which).
    """
    from sklearn.base import clone  # scikit-learn: 1.3 s to import
    from sklearn.model_selection import StratifiedKFold

    names = members(baseline)
    if class_weight not in CLASS_WEIGHTS:
        raise InputError(f"--class-weight must be one of {', '.join(CLASS_WEIGHTS)}, found {class_weight!r}")
    labels = np.asarray(labels, dtype=np.int64)
    if folds < 2:
        raise InputError(f"--folds must be 2 or more, found {folds}")
    present, counts = np.unique(labels, return_counts=True)
    if len(present) < 2:
        raise InputError(f"cross-validation needs at least two labels; all {len(labels)} items have the same label; review without a model (--baseline none)")
    if counts.min() < folds:
        name = (lambda c: label_names[c]) if label_names is not None else (lambda c: f"class {c}")
        small = ", ".join(f"{name(c)}: {k}" for c, k in zip(present.tolist(), counts.tolist()) if k < folds)
        raise InputError(f"every label needs at least {folds} items for {folds}-fold cross-validation ({small}); lower --folds, or review without a model (--baseline none)")
    texts = np.asarray(list(texts), dtype=object)
    splits = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(texts, labels))
    total = np.zeros((len(labels), n_classes))
    for name in names:
        model = get_baseline(name).build(seed)
        template = estimators().encode_once(unweighted(model) if class_weight == "none" else model, texts.tolist())
        probs = np.zeros((len(labels), n_classes))
        for train, held_out in splits:
            model = clone(template).fit(texts[train].tolist(), labels[train])
            scores = class_scores(model, texts[held_out].tolist())
            if not hasattr(model, "predict_proba"):
                scores = np.exp(scores - scores.max(axis=1, keepdims=True))
                scores /= scores.sum(axis=1, keepdims=True)
            probs[np.ix_(held_out, np.asarray(model.classes_, dtype=np.int64))] = scores
        total += probs
    return total / len(names)


@dataclass(frozen=True)
class ModelView:
    """The model's view of every labeled item, as ``checkworthy review`` reports it.

    Attributes
    ----------
    description : str
        Which model and how (``"tfidf-lr, 5-fold out-of-fold, seed 0"``).
    probabilities : numpy.ndarray of shape (n_items, n_classes)
    issues : LabelIssues
    """

    description: str
    probabilities: np.ndarray
    issues: LabelIssues


def review_view(texts: Sequence[str], labels, n_classes: int, *, baseline: str = "tfidf-lr",
                folds: int = DEFAULT_FOLDS, seed: int = 0, class_weight: str = "balanced",
                label_names: Sequence[str] | None = None) -> ModelView:
    """Out-of-fold probabilities and the confident-learning label issues of labeled texts."""
    probs = out_of_fold_probabilities(texts, labels, n_classes, baseline=baseline, folds=folds, seed=seed, class_weight=class_weight,
                                      label_names=label_names)
    weights = "" if class_weight == "balanced" else ", no class weights"
    return ModelView(f"{baseline}, {folds}-fold out-of-fold{weights}, seed {seed}", probs,
                     find_label_issues(np.asarray(labels, dtype=np.int64), probs))
