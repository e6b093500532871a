"""Bootstrap confidence intervals and a paired bootstrap test that resample articles.

The sentences of one article are not independent (same topic, same speaker, same
annotator), so the unit of resampling is the article: each replicate draws as many
articles as there are, with replacement, and takes all their sentences. An article
drawn twice counts as two articles for the per-article metrics.

Examples
--------
>>> from evaluation.metrics import get_metric
>>> y = ["Yes", "No", "Yes", "No"]
>>> ci = bootstrap_ci(get_metric("accuracy"), y, y, groups=["a", "a", "b", "b"], random_state=0)
>>> ci["low"], ci["high"]
(1.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from checkworthy.schemas.errors import InputError

#: Replicates drawn by default: enough for stable 95% percentile bounds.
N_RESAMPLES = 1000


def _article_index(groups, n_items: int) -> list[np.ndarray]:
    """The item indices of each article, in order of first appearance."""
    groups = np.asarray(groups, dtype=object)
    if groups.shape != (n_items,):
        raise InputError(f"bootstrap: {n_items} items but {groups.size} group ids; give the article of every item")
    _, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    return [np.flatnonzero(inverse == g) for g in np.argsort(first, kind="stable")]


def _replicates(articles: list[np.ndarray], n_resamples: int, random_state) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(item indices, article id of each item)`` for every replicate; article ids make repeats distinct."""
    rng = np.random.default_rng(random_state)
    sizes = np.array([a.size for a in articles])
    replicates = []
    for _ in range(n_resamples):
        drawn = rng.integers(0, len(articles), size=len(articles))
        index = np.concatenate([articles[a] for a in drawn])
        replicates.append((index, np.repeat(np.arange(drawn.size), sizes[drawn])))
    return replicates


def bootstrap_distribution(
    statistic: Callable[[np.ndarray, np.ndarray], float],
    groups,
    *,
    n_resamples: int = N_RESAMPLES,
    random_state: int | None = None,
) -> np.ndarray:
    """Values of ``statistic(index, replicate_groups)`` over article-level bootstrap replicates.

    Parameters
    ----------
    statistic : callable
        ``statistic(index, groups)``: the value (a float, or a 1-d array for several
        statistics at once) on the items ``index`` (positions, with repeats), whose
        articles are ``groups``.
    groups : array-like
        The article of each item.
    n_resamples : int, default=1000
    random_state : int or None
        Seed of the local generator; the same seed gives the same replicates.

    Returns
    -------
    ndarray of shape (n_resamples,) or (n_resamples, n_statistics)
    """
    if n_resamples < 1:
        raise InputError(f"bootstrap: n_resamples must be at least 1, found {n_resamples}")
    groups = np.asarray(groups, dtype=object)
    articles = _article_index(groups, groups.size)
    if not articles:
        raise InputError("bootstrap: no items to resample")
    return np.array([statistic(index, g) for index, g in _replicates(articles, n_resamples, random_state)])


def percentile_interval(values: np.ndarray, confidence: float = 0.95):
    """The ``confidence`` percentile interval of bootstrap ``values`` along the first axis.

    Returns ``(low, high)``: floats for a 1-d ``values``, arrays for one column per statistic.
    """
    if not 0 < confidence < 1:
        raise InputError(f"bootstrap: confidence must be between 0 and 1, found {confidence}")
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail], axis=0)
    if np.ndim(low) == 0:
        return float(low), float(high)
    return low, high


def bootstrap_ci(
    metric,
    y_true,
    y_pred,
    *,
    groups,
    pos_label=None,
    labels=None,
    confidence: float = 0.95,
    n_resamples: int = N_RESAMPLES,
    random_state: int | None = None,
) -> dict[str, float]:
    """Percentile bootstrap confidence interval of ``metric``, resampling articles.

    Parameters
    ----------
    metric : evaluation.metrics.Metric
    y_true : array-like
        Gold labels.
    y_pred : array-like
        Predicted labels or scores, as ``metric.input`` says.
    groups : array-like
        The article of each item.
    pos_label, labels
        Passed on to ``metric``.
    confidence : float, default=0.95
    n_resamples : int, default=1000
    random_state : int or None

    Returns
    -------
    dict
        ``{"low": ..., "high": ...}``.
    """
    y_true, y_pred = np.asarray(y_true, dtype=object), np.asarray(y_pred)
    _article_index(groups, y_true.size)

    def statistic(index, replicate_groups):
        return metric(y_true[index], y_pred[index], pos_label=pos_label, labels=labels, groups=replicate_groups)

    values = bootstrap_distribution(statistic, groups, n_resamples=n_resamples, random_state=random_state)
    low, high = percentile_interval(values, confidence)
    return {"low": low, "high": high}


def paired_bootstrap_test(
    metric,
    y_true,
    y_pred_a,
    y_pred_b,
    *,
    groups,
    pos_label=None,
    labels=None,
    confidence: float = 0.95,
    n_resamples: int = N_RESAMPLES,
    random_state: int | None = None,
) -> dict[str, float]:
    """Paired bootstrap test of ``metric(A) - metric(B)`` on the same items.

    Both systems are scored on the same replicates (resampling articles). The
    p-value is two-sided, from the replicates shifted to the null hypothesis of no
    difference: the fraction of replicates whose difference is at least as far from
    the observed one as the observed one is from zero.

    Returns
    -------
    dict
        ``delta`` (observed A - B), ``low`` / ``high`` (its interval) and ``p_value``.
    """
    y_true = np.asarray(y_true, dtype=object)
    a, b = np.asarray(y_pred_a), np.asarray(y_pred_b)
    if a.shape != b.shape or a.shape != y_true.shape:
        raise InputError(f"paired bootstrap: {y_true.size} gold items, {a.size} predictions of A and {b.size} of B; score both systems on the same items")
    _article_index(groups, y_true.size)
    context = {"pos_label": pos_label, "labels": labels}
    observed = metric(y_true, a, groups=groups, **context) - metric(y_true, b, groups=groups, **context)

    def statistic(index, replicate_groups):
        return metric(y_true[index], a[index], groups=replicate_groups, **context) - metric(
            y_true[index], b[index], groups=replicate_groups, **context
        )

    deltas = bootstrap_distribution(statistic, groups, n_resamples=n_resamples, random_state=random_state)
    low, high = percentile_interval(deltas, confidence)
    p_value = float(np.mean(np.abs(deltas - observed) >= abs(observed) - 1e-12))
    return {"delta": float(observed), "low": low, "high": high, "p_value": p_value}
