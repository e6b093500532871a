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
descending, ties kept in input order (a stable sort); the corpus-level average precision
pools tied scores instead, as scikit-learn does, so that a constant score is not judged by
the order of the file. The per-article metrics take ``ties="expected"`` for the same
reason: each counts at its expected value over every order of the tied items (exact, no
sampling), which ``checkworthy evaluate`` uses for the project's own baselines; ``score``
keeps the official input order, to reproduce the CheckThat! scorer.

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

from checkworthy.schemas import did_you_mean
from checkworthy.schemas.errors import InputError

#: The cut-offs of P@k reported by CheckThat! 2019-2021.
PRECISION_AT = (1, 3, 5, 10, 20, 50)
#: How the per-article ranking metrics order tied scores: ``input`` as the CheckThat! scorers
#: (file order), ``expected`` at their expected value over every order of the ties.
TIES = ("input", "expected")
#: Added to the description of a per-article metric computed with ``ties="expected"`` (in
#: ``results.json``; the dataset card reads it to say how tied scores were counted).
EXPECTED_TIES_NOTE = "tied scores count at their expected value over every order of the ties"


# ---------------------------------------------------------------- classification


def confusion_matrix(y_true, y_pred, *, labels: Sequence[str]) -> np.ndarray:
    """Confusion matrix over ``labels``: rows gold, columns predicted.

    Raises
    ------
    InputError
        A label outside ``labels``, or ``y_true`` and ``y_pred`` of different lengths.
    """
    import pandas as pd

    n = len(labels)
    y_true, y_pred = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    if y_true.shape != y_pred.shape:
        raise InputError(f"y_true has {y_true.size} items but y_pred has {y_pred.size}; give one prediction per item")
    categories = pd.Index(list(labels), dtype=object)
    true_idx = categories.get_indexer(y_true)
    pred_idx = categories.get_indexer(y_pred)
    if (true_idx < 0).any() or (pred_idx < 0).any():
        unknown = sorted({str(y) for y in np.concatenate([y_true[true_idx < 0], y_pred[pred_idx < 0]])})
        raise InputError(f"label(s) {', '.join(unknown)} not among the expected labels ({', '.join(map(str, labels))})")
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


@dataclass(frozen=True)
class _Ranking:
    """Items ranked within each article: score descending, ties in input order.

    ``rel`` is the gold relevance (0/1) in that order, ``rank`` the 1-based rank
    within the article, ``starts`` where each article begins (articles in order of
    first appearance) and ``n_pos`` the relevant items of each article.

    With ``ties="expected"`` the items of one score in one article form a tie group of
    ``size`` items, ``hits`` of them relevant, after ``before`` relevant items of the
    article; every order of the group is equally likely, so a position of the group holds
    a relevant item with probability ``hits / size`` (``share``). With ``ties="input"``
    each item is its own group (``size`` 1, ``share`` its relevance): the official rule.
    ``position`` is the 1-based place of the item in its group.
    """

    rel: np.ndarray
    rank: np.ndarray
    starts: np.ndarray
    n_pos: np.ndarray
    size: np.ndarray
    hits: np.ndarray
    before: np.ndarray
    position: np.ndarray

    @classmethod
    def of(cls, y_true, y_score, groups=None, ties: str = "input") -> "_Ranking":
        import pandas as pd

        if ties not in TIES:
            raise InputError(f"ties: expected one of {', '.join(TIES)}, found {ties!r}")
        y_true = np.asarray(y_true, dtype=np.int64)
        y_score = np.asarray(y_score, dtype=np.float64)
        n = y_true.size
        codes = np.zeros(n, dtype=np.int64) if groups is None else pd.factorize(np.asarray(groups, dtype=object))[0]
        if not (y_true.shape == y_score.shape == codes.shape):
            raise InputError(f"{y_true.size} labels, {y_score.size} scores and {codes.size} groups; give one of each per item")
        order = np.lexsort((np.arange(n), -y_score, codes))
        rel, article, score = y_true[order], codes[order], y_score[order]
        new_article = np.r_[True, article[1:] != article[:-1]] if n else np.zeros(0, dtype=bool)
        starts = np.flatnonzero(new_article)
        sizes = np.diff(np.r_[starts, n])
        rank = np.arange(n) - np.repeat(starts, sizes) + 1
        n_pos = np.add.reduceat(rel, starts) if n else np.zeros(0, dtype=np.int64)
        total = rel.cumsum()
        prior = total - rel - np.repeat(np.r_[0, total][starts], sizes)  # relevant items before each, within the article
        if ties == "expected" and n:
            group_starts = np.flatnonzero(new_article | np.r_[True, score[1:] != score[:-1]])
        else:
            group_starts = np.arange(n)
        group_sizes = np.diff(np.r_[group_starts, n])
        size = np.repeat(group_sizes, group_sizes)
        hits = np.repeat(np.add.reduceat(rel, group_starts), group_sizes) if n else np.zeros(0, dtype=np.int64)
        before = np.repeat(prior[group_starts], group_sizes)
        position = np.arange(n) - np.repeat(group_starts, group_sizes) + 1
        return cls(rel, rank, starts, n_pos, size, hits, before, position)

    @property
    def share(self) -> np.ndarray:
        """The probability that each ranked position holds a relevant item (its relevance when no score ties)."""
        return self.hits / np.maximum(self.size, 1)

    def per_article(self, values: np.ndarray) -> np.ndarray:
        """Sum ``values`` (one per ranked item) within each article."""
        return np.add.reduceat(values, self.starts) if self.starts.size else np.zeros(0)

    def for_each_item(self, values: np.ndarray) -> np.ndarray:
        """Repeat one value per article for each of its ranked items."""
        return np.repeat(values, np.diff(np.r_[self.starts, self.rel.size]))

    def _divide_by_n_pos(self, values: np.ndarray) -> np.ndarray:
        return np.divide(values, self.n_pos, out=np.zeros(values.shape), where=self.n_pos > 0)

    def average_precision(self) -> np.ndarray:
        # A relevant item at position j of its group: the relevant items up to it are those before the
        # group, itself, and (j - 1)(hits - 1)/(size - 1) others of the group on average.
        others = np.divide((self.position - 1) * (self.hits - 1), self.size - 1, out=np.zeros(self.rel.shape), where=self.size > 1)
        return self._divide_by_n_pos(self.per_article(self.share * (self.before + 1 + others) / np.maximum(self.rank, 1)))

    def r_precision(self) -> np.ndarray:
        return self._divide_by_n_pos(self.per_article(self.share * (self.rank <= self.for_each_item(self.n_pos))))

    def reciprocal_rank(self) -> np.ndarray:
        if not self.starts.size:
            return np.zeros(0)
        first = (self.before == 0) & (self.hits > 0)  # the group that holds the article's first relevant item
        if np.all(self.size[first] == 1):
            chance = first.astype(np.float64)
        else:  # P(the first relevant item of the group is at position j) = C(size - j, hits - 1) / C(size, hits)
            from scipy.special import gammaln

            def log_choose(a, b):
                return gammaln(a + 1) - gammaln(b + 1) - gammaln(a - b + 1)

            a, b = self.size - self.position, self.hits - 1
            possible = first & (a >= b) & (b >= 0)
            chance = np.zeros(self.rel.shape)
            chance[possible] = np.exp(log_choose(a[possible], b[possible]) - log_choose(self.size[possible], self.hits[possible]))
        return np.where(self.n_pos > 0, self.per_article(chance / np.maximum(self.rank, 1)), 0.0)

    def precision_at(self, k: int) -> np.ndarray:
        if k < 1:
            raise InputError(f"precision at k: k must be a positive integer, found {k}")
        return self.per_article(self.share * (self.rank <= k)) / k


def _single(values: np.ndarray) -> float:
    return float(values[0]) if values.size else 0.0


def average_precision_score(y_true, y_score) -> float:
    """Average precision of one ranked list, as in the CheckThat! 2019-2021 scorers.

    The precision at the rank of each relevant item, summed and divided by the
    number of relevant items; 0.0 when there is none. Items are ranked by score,
    descending, ties in input order (unlike scikit-learn's ``average_precision_score``,
    which pools tied scores).
    """
    return _single(_Ranking.of(y_true, y_score).average_precision())


def pooled_average_precision_score(y_true, y_score) -> float:
    """Average precision of one ranked list with tied scores pooled, as scikit-learn's
    ``average_precision_score``: the precision at each distinct score, weighted by the
    recall it adds; 0.0 when there is no relevant item.

    The corpus-level ``average_precision`` of the harness: a baseline whose scores tie (a
    constant score, as ``majority`` and ``random`` give) scores the share of relevant
    items, whatever the order of the file; ranked in input order, as the per-article
    CheckThat! metrics are, it would score what the file order happens to give.

    Examples
    --------
    >>> pooled_average_precision_score([1, 0, 0, 1], [0.5, 0.5, 0.5, 0.5]), average_precision_score([1, 0, 0, 1], [0.5] * 4)
    (0.5, 0.75)
    """
    relevant = np.asarray(y_true, dtype=float)
    score = np.asarray(y_score, dtype=float)
    total = relevant.sum()
    if relevant.size == 0 or total == 0:
        return 0.0
    order = np.argsort(-score, kind="stable")
    score, relevant = score[order], relevant[order]
    last = np.r_[np.flatnonzero(np.diff(score) != 0), score.size - 1]  # the last item of each run of one score
    hits = np.cumsum(relevant)[last]
    return float((np.diff(np.r_[0.0, hits]) / total * (hits / (last + 1))).sum())


def r_precision_score(y_true, y_score) -> float:
    """Precision at rank R, R the number of relevant items; 0.0 when R is 0."""
    return _single(_Ranking.of(y_true, y_score).r_precision())


def reciprocal_rank_score(y_true, y_score) -> float:
    """1 / rank of the first relevant item; 0.0 when there is none."""
    return _single(_Ranking.of(y_true, y_score).reciprocal_rank())


def precision_at_k_score(y_true, y_score, *, k: int) -> float:
    """Relevant items among the top ``k``, divided by ``k``.

    A list shorter than ``k`` counts the missing ranks as not relevant (the 2019
    scorer fails there instead).
    """
    return _single(_Ranking.of(y_true, y_score).precision_at(k))


def mean_average_precision_score(y_true, y_score, *, groups, ties: str = "input") -> float:
    """MAP: the CheckThat! 2019-2021 official metric, the mean over articles of their average precision.

    ``ties="input"`` ranks tied scores in input order, as the official scorer does;
    ``ties="expected"`` gives the expected MAP over every order of the tied items, so
    that a constant score gets no credit from the order of the file.

    Examples
    --------
    >>> mean_average_precision_score([1, 0, 0, 1], [0.5] * 4, groups=["a"] * 4)
    0.75
    >>> round(mean_average_precision_score([1, 0, 0, 1], [0.5] * 4, groups=["a"] * 4, ties="expected"), 4)
    0.6806
    """
    return _mean(_Ranking.of(y_true, y_score, groups, ties).average_precision())


def mean_r_precision_score(y_true, y_score, *, groups, ties: str = "input") -> float:
    """R-Precision averaged over articles."""
    return _mean(_Ranking.of(y_true, y_score, groups, ties).r_precision())


def mean_reciprocal_rank_score(y_true, y_score, *, groups, ties: str = "input") -> float:
    """Reciprocal rank averaged over articles (MRR)."""
    return _mean(_Ranking.of(y_true, y_score, groups, ties).reciprocal_rank())


def mean_precision_at_k_score(y_true, y_score, *, groups, k: int, ties: str = "input") -> float:
    """P@k averaged over articles."""
    return _mean(_Ranking.of(y_true, y_score, groups, ties).precision_at(k))


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

    @property
    def ties_matter(self) -> bool:
        """Whether the metric takes ``ties`` (the per-article ranking metrics)."""
        return self.input == "score" and "groups" in self.needs

    def described(self, ties: str = "input") -> str:
        """The description, with :data:`EXPECTED_TIES_NOTE` when ``ties="expected"`` changes how it is computed."""
        return f"{self.description}; {EXPECTED_TIES_NOTE}" if ties == "expected" and self.ties_matter else self.description

    def __call__(self, y_true, y_pred, *, pos_label=None, labels=None, groups=None, ties: str = "input") -> float:
        """Compute the metric; ``y_true`` are label names, ``y_pred`` labels or scores; ``ties`` (``input`` or
        ``expected``, see :data:`TIES`) applies to the per-article ranking metrics."""
        context = {"pos_label": pos_label, "labels": labels, "groups": groups}
        kwargs = {need: context[need] for need in self.needs}
        missing = [need for need, value in kwargs.items() if value is None]
        if missing:
            raise InputError(f"metric {self.name!r} needs {', '.join(missing)}; pass them as keyword arguments")
        if self.input == "score":
            y_true = (np.asarray(y_true, dtype=object) == pos_label).astype(np.int64)
            kwargs.pop("pos_label", None)
        if self.ties_matter:
            kwargs["ties"] = ties
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
    Metric("average_precision", pooled_average_precision_score, "score", ("pos_label",),
           "average precision of the positive class over all items ranked by score, tied scores pooled (as scikit-learn)"),
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
