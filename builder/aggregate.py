"""From individual labels to one gold label per sentence.

``majority`` takes the label with the most votes; a tie stays unresolved and is
listed, never broken at random. ``dawid-skene`` estimates each annotator's
confusion matrix by EM (Dawid & Skene 1979) and takes the most probable label.
A ground-truth annotation (Label Studio's "ground truth" flag) overrides both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from checkworthy.schemas import Scheme, did_you_mean
from checkworthy.schemas.errors import InputError

METHODS = ("majority", "dawid-skene")


@dataclass
class Aggregation:
    """Gold labels of the sentences that have at least one vote.

    Attributes
    ----------
    sentence_ids : list of str
        Sorted sentence ids.
    votes : numpy.ndarray of shape (n_sentences, n_labels)
        Vote counts per label, in scheme order (skips are not votes).
    gold : numpy.ndarray of shape (n_sentences,)
        Index of the gold label in ``scheme.names``, or -1 when unresolved.
    label_source : list of str
        ``"majority"``, ``"dawid-skene"`` or ``"ground_truth"`` per sentence.
    unresolved : list of dict
        The sentences left without a gold label (``sentence_id``, ``votes`` by label, ``reason``).
    """

    sentence_ids: list[str]
    votes: np.ndarray
    gold: np.ndarray
    label_source: list[str]
    unresolved: list[dict[str, Any]]

    @property
    def agreement(self) -> np.ndarray:
        """Share of the votes that went to the gold label (NaN when unresolved)."""
        total = self.votes.sum(axis=1)
        picked = np.where(self.gold >= 0, self.votes[np.arange(len(self.gold)), np.maximum(self.gold, 0)], 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.gold >= 0, picked / total, np.nan)


def vote_arrays(table, scheme: Scheme) -> tuple[list[str], np.ndarray, np.ndarray, list[str], np.ndarray]:
    """Index the non-skip annotations of an annotation table.

    Returns
    -------
    sentence_ids : list of str
        Sorted ids of the sentences with at least one vote.
    item : numpy.ndarray
        Sentence index of each vote.
    rater : numpy.ndarray
        Annotator index of each vote.
    annotators : list of str
        Sorted annotator pseudonyms.
    label : numpy.ndarray
        Label index (scheme order) of each vote.
    """
    votes = table[table["label"].notna()]
    sentence_ids, item = np.unique(votes["sentence_id"].to_numpy(dtype=object).astype(str), return_inverse=True)
    annotators, rater = np.unique(votes["annotator"].to_numpy(dtype=object).astype(str), return_inverse=True)
    index = {name: i for i, name in enumerate(scheme.names)}
    label = votes["label"].map(index).to_numpy(dtype=np.int64)
    return sentence_ids.tolist(), item, rater, annotators.tolist(), label


def count_matrix(item: np.ndarray, label: np.ndarray, n_items: int, n_labels: int) -> np.ndarray:
    """Votes per (item, label) from parallel index arrays."""
    counts = np.zeros((n_items, n_labels), dtype=np.int64)
    np.add.at(counts, (item, label), 1)
    return counts


def aggregate(table, scheme: Scheme, method: str = "majority", seed: int = 0) -> Aggregation:
    """Aggregate an annotation table (see :func:`checkworthy.builder.read_annotations`) into gold labels.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per (sentence, annotator) with ``label`` (None for a skip) and ``ground_truth``.
    scheme : Scheme
        The label scheme.
    method : {"majority", "dawid-skene"}, default="majority"
        How to aggregate the votes.
    seed : int, default=0
        Seeds the Dawid-Skene starting point; unused by ``majority``.

    Returns
    -------
    Aggregation

    Raises
    ------
    InputError
        ``method`` is unknown.
    """
    if method not in METHODS:
        raise InputError(f"unknown aggregation {method!r}; available: {', '.join(METHODS)}.{did_you_mean(method, list(METHODS))}")
    sentence_ids, item, rater, annotators, label = vote_arrays(table, scheme)
    n_labels = len(scheme.names)
    votes = count_matrix(item, label, len(sentence_ids), n_labels)
    if method == "majority":
        scores = votes.astype(float)
    else:
        scores = dawid_skene(item, rater, label, len(sentence_ids), len(annotators), n_labels, seed=seed)
    best = scores.max(axis=1, keepdims=True)
    winners = np.isclose(scores, best, rtol=0, atol=1e-9)
    gold = np.where(winners.sum(axis=1) == 1, scores.argmax(axis=1), -1)
    source = [method] * len(sentence_ids)

    truth = table[table["ground_truth"] & table["label"].notna()].drop_duplicates("sentence_id")
    position = {sid: i for i, sid in enumerate(sentence_ids)}
    names = {name: i for i, name in enumerate(scheme.names)}
    for sid, name in zip(truth["sentence_id"], truth["label"]):
        gold[position[sid]] = names[name]
        source[position[sid]] = "ground_truth"

    unresolved = [
        {
            "sentence_id": sentence_ids[i],
            "votes": {name: int(votes[i, j]) for j, name in enumerate(scheme.names)},
            "reason": "tie between " + ", ".join(n for j, n in enumerate(scheme.names) if winners[i, j]),
        }
        for i in np.flatnonzero(gold < 0)
    ]
    return Aggregation(sentence_ids, votes.astype(np.int32), gold, source, unresolved)


def dawid_skene(
    item: np.ndarray,
    rater: np.ndarray,
    label: np.ndarray,
    n_items: int,
    n_raters: int,
    n_labels: int,
    *,
    seed: int = 0,
    max_iter: int = 100,
    tol: float = 1e-6,
) -> np.ndarray:
    """Posterior label probabilities by the Dawid-Skene EM algorithm.

    EM starts from the soft majority vote, perturbed by a small Dirichlet noise drawn
    from ``seed`` (so a tie can resolve either way, reproducibly), and stops when
    the posteriors move less than ``tol``.

    Parameters
    ----------
    item, rater, label : numpy.ndarray
        Parallel arrays: one entry per vote.
    n_items, n_raters, n_labels : int
        Sizes of the three index ranges.
    seed : int, default=0
        Seed of the starting point's noise.
    max_iter : int, default=100
        Iteration limit.
    tol : float, default=1e-6
        Convergence threshold on the largest change of a posterior.

    Returns
    -------
    numpy.ndarray of shape (n_items, n_labels)
        Posterior probability of each label for each item.
    """
    if n_items == 0:
        return np.zeros((0, n_labels))
    rng = np.random.default_rng(seed)
    counts = count_matrix(item, label, n_items, n_labels).astype(float)
    posterior = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    posterior = 0.99 * posterior + 0.01 * rng.dirichlet(np.ones(n_labels), size=n_items)
    smoothing = 0.01
    for _ in range(max_iter):
        prior = posterior.mean(axis=0)
        confusion = ds_confusion(posterior, item, rater, label, n_raters, smoothing=smoothing)
        log_post = np.tile(np.log(prior), (n_items, 1))
        np.add.at(log_post, item, np.log(confusion[rater, :, label]))
        log_post -= log_post.max(axis=1, keepdims=True)
        new = np.exp(log_post)
        new /= new.sum(axis=1, keepdims=True)
        change = np.abs(new - posterior).max() if n_items else 0.0
        posterior = new
        if change < tol:
            break
    return posterior


def ds_confusion(posterior: np.ndarray, item: np.ndarray, rater: np.ndarray, label: np.ndarray, n_raters: int,
                 *, smoothing: float = 0.01) -> np.ndarray:
    """Each annotator's confusion matrix given item posteriors (the M-step of Dawid-Skene).

    Parameters
    ----------
    posterior : numpy.ndarray of shape (n_items, n_labels)
        Probability of each true label for each item (see :func:`dawid_skene`).
    item, rater, label : numpy.ndarray
        Parallel arrays: one entry per vote.
    n_raters : int
        Number of annotators.
    smoothing : float, default=0.01
        Pseudo-count added to every cell, so that a row with no evidence is uniform.

    Returns
    -------
    numpy.ndarray of shape (n_raters, n_labels, n_labels)
        ``confusion[r, k, l]``: probability that annotator ``r`` answers ``l`` when the true
        label is ``k``; every row sums to 1.
    """
    n_labels = posterior.shape[1]
    confusion = np.full((n_raters, n_labels, n_labels), smoothing)
    for k in range(n_labels):
        np.add.at(confusion[:, k, :], (rater, label), posterior[item, k])
    return confusion / confusion.sum(axis=2, keepdims=True)
