"""Inter-annotator agreement, which Label Studio's free edition does not compute.

All statistics are nominal and take the long table of votes (item, rater, label);
an annotator who did not label an item is simply missing. Only items with at least
two votes carry information about agreement.

- percent agreement: the share of agreeing pairs of votes, averaged over items;
- Cohen's kappa for each pair of annotators, on the items both labeled;
- Fleiss' kappa, generalised to a varying number of votes per item (equal to
  Fleiss 1971 when every item has the same number);
- Krippendorff's alpha (nominal), which handles missing votes natively;
- per label: Fleiss' kappa and alpha of that label against the rest;
- each annotator against the consensus (gold) label.

:func:`agreement_by_language` gives the same report for each language of a corpus that
mixes languages (the sentences of each language, their votes only).
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Any

import numpy as np

from checkworthy.builder.aggregate import Aggregation, count_matrix, vote_arrays
from checkworthy.schemas import Scheme

#: Pairs of annotators with fewer shared items are not given a Cohen's kappa.
MIN_PAIR_ITEMS = 2


def _rated(counts: np.ndarray) -> np.ndarray:
    """The rows of a count matrix with at least two votes."""
    return counts[counts.sum(axis=1) >= 2]


def _none_if_nan(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 6)


def percent_agreement(counts: np.ndarray) -> float:
    """Mean share of agreeing vote pairs per item (items with at least two votes).

    Parameters
    ----------
    counts : numpy.ndarray of shape (n_items, n_labels)
        Votes per item and label.

    Returns
    -------
    float
        NaN when no item has two votes.
    """
    counts = _rated(counts).astype(float)
    if not len(counts):
        return float("nan")
    n = counts.sum(axis=1)
    return float(((counts * (counts - 1)).sum(axis=1) / (n * (n - 1))).mean())


def fleiss_kappa(counts: np.ndarray) -> float:
    """Fleiss' kappa from a count matrix; items may have different numbers of votes.

    Parameters
    ----------
    counts : numpy.ndarray of shape (n_items, n_labels)
        Votes per item and label.

    Returns
    -------
    float
        NaN when undefined (no item with two votes, or a single label used).
    """
    counts = _rated(counts).astype(float)
    if not len(counts):
        return float("nan")
    p_label = counts.sum(axis=0) / counts.sum()
    expected = float((p_label**2).sum())
    if expected >= 1.0:
        return float("nan")
    return (percent_agreement(counts) - expected) / (1.0 - expected)


def krippendorff_alpha(counts: np.ndarray) -> float:
    """Krippendorff's alpha for nominal data, from the votes per item and label.

    Parameters
    ----------
    counts : numpy.ndarray of shape (n_items, n_labels)
        Votes per item and label; missing votes are simply not counted.

    Returns
    -------
    float
        NaN when undefined (fewer than two pairable votes, or a single label used).
    """
    counts = _rated(counts).astype(float)
    if not len(counts):
        return float("nan")
    m = counts.sum(axis=1, keepdims=True)
    n_c = counts.sum(axis=0)
    n = n_c.sum()
    observed_same = (counts * (counts - 1) / (m - 1)).sum()
    expected_diff = n * n - (n_c**2).sum()
    if expected_diff <= 0:
        return float("nan")
    return float(1.0 - (n - 1) * (n - observed_same) / expected_diff)


def cohen_kappa(a: np.ndarray, b: np.ndarray, n_labels: int) -> float:
    """Cohen's kappa of two parallel label arrays.

    Returns
    -------
    float
        NaN when undefined (both annotators always used one and the same label).
    """
    table = np.zeros((n_labels, n_labels))
    np.add.at(table, (a, b), 1)
    total = table.sum()
    observed = np.trace(table) / total
    expected = float((table.sum(axis=0) * table.sum(axis=1)).sum() / total**2)
    if expected >= 1.0:
        return float("nan")
    return float((observed - expected) / (1.0 - expected))


def agreement_report(table, aggregation: Aggregation, scheme: Scheme) -> dict[str, Any]:
    """Every agreement statistic of an annotation table, as JSON-able numbers.

    Parameters
    ----------
    table : pandas.DataFrame
        The annotation table (see :func:`checkworthy.builder.read_annotations`).
    aggregation : Aggregation
        Its gold labels, for the agreement of each annotator with the consensus.
    scheme : Scheme
        The label scheme.

    Returns
    -------
    dict
        ``items``, ``items_with_2plus_votes``, ``votes``, ``annotators``, ``percent``,
        ``fleiss_kappa``, ``krippendorff_alpha``, ``per_label``, ``pairwise_cohen_kappa``
        (list of pairs) and ``annotator_vs_consensus``. Undefined values are None.
    """
    sentence_ids, item, rater, annotators, label = vote_arrays(table, scheme)
    n_labels = len(scheme.names)
    counts = count_matrix(item, label, len(sentence_ids), n_labels)
    per_label = {}
    for j, name in enumerate(scheme.names):
        binary = np.stack([counts[:, j], counts.sum(axis=1) - counts[:, j]], axis=1)
        per_label[name] = {
            "fleiss_kappa": _none_if_nan(fleiss_kappa(binary)),
            "krippendorff_alpha": _none_if_nan(krippendorff_alpha(binary)),
            "votes": int(counts[:, j].sum()),
        }

    dense = np.full((len(annotators), len(sentence_ids)), -1, dtype=np.int16)
    dense[rater, item] = label
    pairs = []
    for x, y in combinations(range(len(annotators)), 2):
        both = (dense[x] >= 0) & (dense[y] >= 0)
        shared = int(both.sum())
        if shared >= MIN_PAIR_ITEMS:
            pairs.append({
                "annotators": [annotators[x], annotators[y]],
                "items": shared,
                "percent": round(float((dense[x, both] == dense[y, both]).mean()), 6),
                "cohen_kappa": _none_if_nan(cohen_kappa(dense[x, both], dense[y, both], n_labels)),
            })

    gold_of = dict(zip(aggregation.sentence_ids, aggregation.gold))
    gold = np.array([gold_of[s] for s in sentence_ids], dtype=np.int64)
    consensus = {}
    for r, name in enumerate(annotators):
        mine = (dense[r] >= 0) & (gold >= 0)
        n_items = int(mine.sum())
        consensus[name] = {
            "items": n_items,
            "percent": _none_if_nan(float((dense[r, mine] == gold[mine]).mean()) if n_items else float("nan")),
            "cohen_kappa": _none_if_nan(cohen_kappa(dense[r, mine], gold[mine], n_labels) if n_items else float("nan")),
        }
    return {
        "items": len(sentence_ids),
        "items_with_2plus_votes": int((counts.sum(axis=1) >= 2).sum()),
        "votes": int(len(label)),
        "annotators": len(annotators),
        "percent": _none_if_nan(percent_agreement(counts)),
        "fleiss_kappa": _none_if_nan(fleiss_kappa(counts)),
        "krippendorff_alpha": _none_if_nan(krippendorff_alpha(counts)),
        "per_label": per_label,
        "pairwise_cohen_kappa": pairs,
        "annotator_vs_consensus": consensus,
    }


def agreement_by_language(table, aggregation: Aggregation, scheme: Scheme,
                          language_of: Mapping[str, str]) -> dict[str, dict[str, Any]] | None:
    """:func:`agreement_report` of each language's sentences, when the votes span more than one language.

    Parameters
    ----------
    table : pandas.DataFrame
        The annotation table (see :func:`checkworthy.builder.read_annotations`).
    aggregation : Aggregation
        Its gold labels.
    scheme : Scheme
        The label scheme.
    language_of : mapping of str to str
        The language code of every sentence id in ``table``.

    Returns
    -------
    dict or None
        ``{language: report}`` in code order, each report over the votes on that
        language's sentences (so the ``items`` and ``votes`` of the languages add up to
        the overall ones); None when every voted sentence has the same language, so that
        a version in one language has no per-language report.
    """
    votes = table[table["label"].notna()]
    codes = votes["sentence_id"].map(language_of)
    languages = sorted(set(codes))
    if len(languages) < 2:
        return None
    return {code: agreement_report(votes[codes == code], aggregation, scheme) for code in languages}
