"""Evaluation metrics, registered by name with their metadata.

Two families:

* classification metrics over predicted labels (accuracy, precision / recall / F1
  per class, macro F1, positive-class F1, the CheckThat! 2022-2024 official metric);
* ranking metrics over a score for the positive class: average precision over all
  items, and the CheckThat! 2019-2021 per-article metrics (MAP, R-Precision,
  reciprocal rank, P@k), computed for each article then averaged over articles.

Every function is ``<thing>_score(y_true, y_pred_or_score, ...)``. The label
metrics are computed from a confusion matrix with NumPy (the bootstrap calls them
thousands of times); ``tests/evaluation/test_metrics.py`` checks that they equal
scikit-learn's on random cases. Ranking follows the CheckThat! scorers: by score,
descending, ties kept in input order (a stable sort).

Examples
--------
>>> f1_score(["Yes", "No", "Yes"], ["Yes", "Yes", "No"], pos_label="Yes")
0.5
>>> mean_average_precision_score([1, 0, 0, 1], [0.9, 0.8, 0.7, 0.1], groups=["a", "a", "b", "b"])
0.75
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from builder.errors import InputError
from schemas import did_you_mean

#: The cut-offs of P@k reported by CheckThat! 2019-2021.
PRECISION_AT = (1, 3, 5, 10, 20, 50)


# ---------------------------------------------------------------- classification


def confusion_matrix(y_true, y_pred, *, labels: Sequence[str]) -> np.ndarray:
    """Confusion matrix over ``labels``: rows gold, columns predicted.

    Raises
    ------
    InputError
        A label outside ``labels``, or ``y_true`` and ``y_pred`` of different lengths.
    """
    index = {label: i for i, label in enumerate(labels)}
    n = len(labels)
    y_true, y_pred = list(y_true), list(y_pred)
    if len(y_true) != len(y_pred):
        raise InputError(f"y_true has {len(y_true)} items but y_pred has {len(y_pred)}; give one prediction per item")
    unknown = sorted({str(y) for y in y_true + y_pred if y not in index})
    if unknown:
        raise InputError(f"label(s) {', '.join(unknown)} not among the expected labels ({', '.join(map(str, labels))})")
    true_idx = np.fromiter((index[y] for y in y_true), dtype=np.int64, count=len(y_true))
    pred_idx = np.fromiter((index[y] for y in y_pred), dtype=np.int64, count=len(y_pred))
    return np.bincount(true_idx * n + pred_idx, minlength=n * n).reshape(n, n)


def _prf_from_confusion(cm: np.ndarray, i: int) -> tuple[float, float, float]:
    """Precision, recall and F1 of class ``i``; 0.0 where undefined (no division by zero)."""
    tp = cm[i, i]
    predicted = cm[:, i].sum()
    actual = cm[i, :].sum()
    precision = tp / predicted if predicted else 0.0
    recall = tp / actual if actual else 0.0
    f1 = 2 * tp / (predicted + actual) if predicted + actual else 0.0
    return float(precision), float(recall), float(f1)


def _positive_prf(y_true, y_pred, pos_label) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``pos_label`` against every other class."""
    others = sorted((set(y_true) | set(y_pred)) - {pos_label}, key=str)
    return _prf_from_confusion(confusion_matrix(y_true, y_pred, labels=[pos_label, *others]), 0)


def accuracy_score(y_true, y_pred) -> float:
    """Fraction of items whose predicted label equals the gold label (0.0 for no items)."""
    y_true, y_pred = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    if y_true.shape != y_pred.shape:
        raise InputError(f"y_true has {y_true.size} items but y_pred has {y_pred.size}; give one prediction per item")
    return float(np.mean(y_true == y_pred)) if y_true.size else 0.0


def precision_score(y_true, y_pred, *, pos_label) -> float:
    """Precision of the class ``pos_label`` against all others (0.0 when it is never predicted)."""
    return _positive_prf(y_true, y_pred, pos_label)[0]


def recall_score(y_true, y_pred, *, pos_label) -> float:
    """Recall of the class ``pos_label`` against all others (0.0 when it never occurs in gold)."""
    return _positive_prf(y_true, y_pred, pos_label)[1]


def f1_score(y_true, y_pred, *, pos_label) -> float:
    """F1 of the class ``pos_label`` against all others.

    With ``pos_label="Yes"`` this is the CheckThat! 2022-2024 official metric,
    ``sklearn.metrics.f1_score(y_true, y_pred, pos_label="Yes", average="binary")``;
    for the three ClaimBuster classes with ``pos_label="CFS"`` it is CFS-vs-rest.
    0.0 when the class is neither predicted nor present.
    """
    return _positive_prf(y_true, y_pred, pos_label)[2]


def macro_f1_score(y_true, y_pred, *, labels: Sequence[str]) -> float:
    """Unweighted mean of the per-class F1 over ``labels`` (every class of the scheme)."""
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    return float(np.mean([_prf_from_confusion(cm, i)[2] for i in range(len(labels))]))


def per_class_scores(y_true, y_pred, *, labels: Sequence[str]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support of every class in ``labels``, from one confusion matrix."""
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    table = {}
    for i, label in enumerate(labels):
        precision, recall, f1 = _prf_from_confusion(cm, i)
        table[label] = {"precision": precision, "recall": recall, "f1": f1, "support": int(cm[i].sum())}
    return table


# ---------------------------------------------------------------------- ranking


def _ranked_relevance(y_true, y_score) -> np.ndarray:
    """Gold relevance (0/1) in ranking order: score descending, ties in input order."""
    y_true = np.asarray(y_true, dtype=np.int64)
    y_score = np.asarray(y_score, dtype=np.float64)
    if y_true.shape != y_score.shape:
        raise InputError(f"y_true has {y_true.size} items but y_score has {y_score.size}; give one score per item")
    order = np.argsort(-y_score, kind="stable")
    return y_true[order]


def average_precision_score(y_true, y_score) -> float:
    """Average precision of one ranked list, as in the CheckThat! 2019-2021 scorers.

    The precision at the rank of each relevant item, summed and divided by the
    number of relevant items; 0.0 when there is none. Items are ranked by score,
    descending, ties in input order (unlike scikit-learn's ``average_precision_score``,
    which pools tied scores).
    """
    rel = _ranked_relevance(y_true, y_score)
    n_pos = rel.sum()
    if not n_pos:
        return 0.0
    hits = np.cumsum(rel)
    ranks = np.arange(1, rel.size + 1)
    return float(np.sum((hits / ranks)[rel == 1]) / n_pos)


def r_precision_score(y_true, y_score) -> float:
    """Precision at rank R, R the number of relevant items; 0.0 when R is 0."""
    rel = _ranked_relevance(y_true, y_score)
    n_pos = int(rel.sum())
    return float(rel[:n_pos].sum() / n_pos) if n_pos else 0.0


def reciprocal_rank_score(y_true, y_score) -> float:
    """1 / rank of the first relevant item; 0.0 when there is none."""
    rel = _ranked_relevance(y_true, y_score)
    first = np.flatnonzero(rel)
    return float(1.0 / (first[0] + 1)) if first.size else 0.0


def precision_at_k_score(y_true, y_score, *, k: int) -> float:
    """Relevant items among the top ``k``, divided by ``k``.

    A list shorter than ``k`` counts the missing ranks as not relevant (the 2019
    scorer fails there instead).
    """
    if k < 1:
        raise InputError(f"precision at k: k must be a positive integer, found {k}")
    return float(_ranked_relevance(y_true, y_score)[:k].sum() / k)


def per_article(metric: Callable[..., float], y_true, y_score, groups, **kwargs) -> np.ndarray:
    """``metric`` computed on each article's items, in order of first appearance.

    Parameters
    ----------
    metric : callable
        A ranking metric ``metric(y_true, y_score, **kwargs)``.
    y_true : array-like of {0, 1}
    y_score : array-like of float
    groups : array-like
        The article (or debate) of each item.

    Returns
    -------
    ndarray of float, one value per article.
    """
    groups = np.asarray(groups, dtype=object)
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score, dtype=np.float64)
    if not (groups.shape == y_true.shape == y_score.shape):
        raise InputError(f"per-article metric: {y_true.size} labels, {y_score.size} scores and {groups.size} groups; give one of each per item")
    _, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    by_article = np.argsort(inverse, kind="stable")
    bounds = np.flatnonzero(np.diff(inverse[by_article])) + 1
    pieces = np.split(by_article, bounds) if by_article.size else []
    values = np.array([metric(y_true[piece], y_score[piece], **kwargs) for piece in pieces], dtype=np.float64)
    return values[np.argsort(first)] if values.size else values


def mean_average_precision_score(y_true, y_score, *, groups) -> float:
    """MAP: the CheckThat! 2019-2021 official metric, the mean over articles of their average precision."""
    return _mean(per_article(average_precision_score, y_true, y_score, groups))


def mean_r_precision_score(y_true, y_score, *, groups) -> float:
    """R-Precision averaged over articles."""
    return _mean(per_article(r_precision_score, y_true, y_score, groups))


def mean_reciprocal_rank_score(y_true, y_score, *, groups) -> float:
    """Reciprocal rank averaged over articles (MRR)."""
    return _mean(per_article(reciprocal_rank_score, y_true, y_score, groups))


def mean_precision_at_k_score(y_true, y_score, *, groups, k: int) -> float:
    """P@k averaged over articles."""
    return _mean(per_article(precision_at_k_score, y_true, y_score, groups, k=k))


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else 0.0


# ---------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Metric:
    """A registered metric and its metadata.

    Attributes
    ----------
    name : str
        The key in ``results.json`` (``metrics[name]``).
    func : callable
        ``func(y_true, y_pred_or_score, **kwargs)``.
    input : {"label", "score"}
        Whether it reads predicted labels or a positive-class score.
    needs : tuple of str
        Keyword arguments filled from the evaluation context: ``"pos_label"``,
        ``"labels"`` (the scheme's classes) or ``"groups"`` (articles).
    description : str
        One line, shown in ``results.md``.
    best, worst : float
        The values of perfect and of worst predictions (every metric here is
        "greater is better").
    official : str or None
        The campaign for which this is the official metric.
    kwargs : dict
        Fixed keyword arguments (for example ``k`` of P@k).
    """

    name: str
    func: Callable[..., float]
    input: Literal["label", "score"]
    needs: tuple[str, ...]
    description: str
    best: float = 1.0
    worst: float = 0.0
    official: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __call__(self, y_true, y_pred, *, pos_label=None, labels=None, groups=None) -> float:
        """Compute the metric; ``y_true`` are label names, ``y_pred`` labels or scores."""
        context = {"pos_label": pos_label, "labels": labels, "groups": groups}
        kwargs = {need: context[need] for need in self.needs}
        missing = [need for need, value in kwargs.items() if value is None]
        if missing:
            raise InputError(f"metric {self.name!r} needs {', '.join(missing)}; pass them as keyword arguments")
        if self.input == "score":
            y_true = (np.asarray(y_true, dtype=object) == pos_label).astype(np.int64)
            kwargs.pop("pos_label", None)
        return self.func(y_true, y_pred, **kwargs, **self.kwargs)


METRICS: dict[str, Metric] = {}


def register_metric(metric: Metric) -> Metric:
    """Add ``metric`` to the registry; a name may be registered once."""
    if metric.name in METRICS:
        raise ValueError(f"metric {metric.name!r} is already registered")
    METRICS[metric.name] = metric
    return metric


def get_metric(name: str) -> Metric:
    """The registered metric ``name``; an unknown name lists the available ones."""
    if name not in METRICS:
        names = sorted(METRICS)
        raise InputError(f"unknown metric {name!r}; available: {', '.join(names)}.{did_you_mean(name, names)}")
    return METRICS[name]


for _metric in (
    Metric("f1_positive", f1_score, "label", ("pos_label",),
           "F1 of the positive class (Yes; CFS vs rest)", official="CheckThat! 2022-2024"),
    Metric("precision_positive", precision_score, "label", ("pos_label",), "precision of the positive class"),
    Metric("recall_positive", recall_score, "label", ("pos_label",), "recall of the positive class"),
    Metric("macro_f1", macro_f1_score, "label", ("labels",), "unweighted mean of the per-class F1"),
    Metric("accuracy", accuracy_score, "label", (), "fraction of correct labels"),
    Metric("average_precision", average_precision_score, "score", ("pos_label",),
           "average precision of the positive class over all items ranked by score"),
    Metric("map", mean_average_precision_score, "score", ("pos_label", "groups"),
           "mean over articles of the average precision", official="CheckThat! 2019-2021"),
    Metric("r_precision", mean_r_precision_score, "score", ("pos_label", "groups"),
           "mean over articles of the precision at R (R relevant items)"),
    Metric("mrr", mean_reciprocal_rank_score, "score", ("pos_label", "groups"),
           "mean over articles of 1 / rank of the first positive"),
    *(
        Metric(f"p@{k}", mean_precision_at_k_score, "score", ("pos_label", "groups"),
               f"mean over articles of the precision in the top {k}", kwargs={"k": k})
        for k in PRECISION_AT
    ),
):
    register_metric(_metric)
