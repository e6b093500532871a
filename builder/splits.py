"""Train / validation / test assignment, and leakage between the splits.

(Sentence splitting, i.e. cutting articles into sentences, is ``checkworthy.builder.split``.)

A split is assigned to a *group* (an article, or a source with ``--group-by source``)
from a hash of the group and the seed alone, so a group keeps its split in every
later version however the dataset grows: test stays test. The hash is uniform, so
about 80/10/10 of the groups, and of the sentences when groups are many, land in
train/validation/test.

Leakage: sentences whose normalised text is identical, or nearly identical
(MinHash signatures of character 5-grams, candidate pairs from LSH banding, then
estimated Jaccard at least ``threshold``; all vectorised with numpy, so 100,000
sentences take seconds), in different splits are reported; ``dedupe`` keeps the
earliest copy and removes the later ones.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np

from checkworthy.schemas.rows import SPLITS

#: Share of groups per split, in :data:`SPLITS` order.
RATIOS = (0.8, 0.1, 0.1)

#: Character n-gram size of the near-duplicate shingles.
SHINGLE = 5

#: MinHash permutations, and their LSH banding: 8 bands of 8 rows find pairs with
#: Jaccard 0.8 with probability 0.83 (0.9: 0.99) and pairs at 0.5 with probability 0.03.
NUM_PERM = 64
BANDS = 8

#: Ids listed per split in one leakage cluster of the report.
MAX_LISTED = 20

_NON_WORD = re.compile(r"[\W_]+")


def assign_split(group: str, seed: int = 0) -> str:
    """The split of a group, from a hash of the group and the seed only.

    Parameters
    ----------
    group : str
        An article id, or a source name.
    seed : int, default=0
        Changes the whole assignment; recorded in the manifest.

    Returns
    -------
    {"train", "validation", "test"}

    Examples
    --------
    >>> assign_split("article-1", seed=0) == assign_split("article-1", seed=0)
    True
    """
    digest = hashlib.sha256(f"{seed}\x00{group}".encode("utf-8")).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    cumulative = 0.0
    for name, ratio in zip(SPLITS, RATIOS):
        cumulative += ratio
        if u < cumulative:
            return name
    return SPLITS[-1]


def normalise(text: str) -> str:
    """Text as compared for leakage: NFKC, case-folded, punctuation and extra spaces removed.

    Examples
    --------
    >>> normalise("  Prices ROSE 4%!  ")
    'prices rose 4'
    """
    return " ".join(_NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split())


def minhash_signatures(texts: Sequence[str], batch: int = 20_000) -> np.ndarray:
    """MinHash signatures of the character 5-grams of ``texts``, computed with numpy.

    Each 5-gram is hashed to 32 bits; each of the :data:`NUM_PERM` hash functions is a
    fixed multiply-add-shift hash of those (``(a * h + b) mod 2**64 >> 32``, random odd
    64-bit ``a``), so signatures are the same in every run.

    Returns
    -------
    numpy.ndarray of shape (len(texts), NUM_PERM), dtype uint64
    """
    rng = np.random.default_rng(1)
    top = np.iinfo(np.uint64).max
    a = rng.integers(0, top, NUM_PERM, dtype=np.uint64, endpoint=True) | np.uint64(1)
    b = rng.integers(0, top, NUM_PERM, dtype=np.uint64, endpoint=True)
    out = np.empty((len(texts), NUM_PERM), dtype=np.uint64)
    for first in range(0, len(texts), batch):
        encoded = [t.encode("utf-8").ljust(SHINGLE, b"\0") for t in texts[first : first + batch]]
        buffer = np.frombuffer(b"".join(encoded), dtype=np.uint8).astype(np.uint64)
        lengths = np.array([len(e) for e in encoded])
        n_grams = lengths - SHINGLE + 1
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        segments = np.concatenate([[0], np.cumsum(n_grams)[:-1]])
        positions = np.arange(n_grams.sum()) - np.repeat(segments, n_grams) + np.repeat(starts, n_grams)
        grams = np.zeros(len(positions), dtype=np.uint64)
        for j in range(SHINGLE):
            grams |= buffer[positions + j] << np.uint64(8 * j)
        hashed = (grams * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(32)
        for k in range(NUM_PERM):
            permuted = (a[k] * hashed + b[k]) >> np.uint64(32)
            out[first : first + len(encoded), k] = np.minimum.reduceat(permuted, segments)
    return out


def candidate_pairs(signatures: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows that share a whole LSH band of their MinHash signatures.

    Rows with the same band value are sorted together; each is paired with the
    previous one and with the first of its run, which keeps the work linear while
    connecting every run.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Parallel row indices of the candidate pairs.
    """
    rows = NUM_PERM // BANDS
    weights = np.random.default_rng(2).integers(1, 2**63, rows, dtype=np.uint64) | np.uint64(1)
    firsts, seconds = [], []
    for band in range(BANDS):
        key = (signatures[:, band * rows : (band + 1) * rows] * weights).sum(axis=1)
        order = np.argsort(key, kind="stable")
        same = key[order][1:] == key[order][:-1]
        run_start = np.maximum.accumulate(np.where(np.concatenate([[False], same]), 0, np.arange(len(order))))
        later = np.flatnonzero(same) + 1
        firsts += [order[later - 1], order[run_start[later]]]
        seconds += [order[later], order[later]]
    if not firsts:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    return np.concatenate(firsts), np.concatenate(seconds)


def find_leakage(
    texts: Sequence[str],
    splits: Sequence[str],
    *,
    threshold: float = 0.8,
) -> list[list[int]]:
    """Clusters of identical or near-identical sentences that span more than one split.

    Parameters
    ----------
    texts, splits : sequence of str
        Parallel: one entry per sentence, in the dataset's order (earliest first).
    threshold : float, default=0.8
        Estimated Jaccard similarity of character 5-grams above which two
        normalised texts are near duplicates.

    Returns
    -------
    list of list of int
        Each cluster as sorted positions into the inputs; clusters sorted by their
        first position.
    """
    clusters: dict[int, list[int]] = {}
    for i, cluster in enumerate(near_duplicate_clusters(texts, threshold=threshold).tolist()):
        clusters.setdefault(cluster, []).append(i)
    found = []
    for members in clusters.values():
        if len({splits[i] for i in members}) > 1:
            found.append(sorted(members))
    return sorted(found)


def near_duplicate_clusters(texts: Sequence[str], *, threshold: float = 0.8) -> np.ndarray:
    """A cluster number per text: identical normalised texts, and near duplicates, share one.

    Near duplicates are candidate pairs from LSH banding of MinHash signatures of
    character 5-grams whose estimated Jaccard similarity is at least ``threshold``,
    joined transitively. The clusters do not depend on the order of ``texts``; a
    cluster's number is the position of its first text.
    """
    by_text: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        by_text.setdefault(normalise(text), []).append(i)
    keys = list(by_text)
    parent = list(range(len(keys)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    signatures = minhash_signatures(keys)
    first, second = candidate_pairs(signatures)
    similar = (signatures[first] == signatures[second]).mean(axis=1) >= threshold
    for x, y in zip(first[similar].tolist(), second[similar].tolist()):
        parent[find(x)] = find(y)

    out = np.empty(len(texts), dtype=np.int64)
    lowest: dict[int, int] = {}
    for k, key in enumerate(keys):
        members = by_text[key]
        out[members] = lowest.setdefault(find(k), members[0])
    return out


def leakage_report(clusters: list[list[int]], sentence_ids: Sequence[str], texts: Sequence[str], splits: Sequence[str]) -> list[dict[str, Any]]:
    """JSON-able description of leakage clusters (at most :data:`MAX_LISTED` ids per split)."""
    report = []
    for members in clusters:
        by_split: dict[str, list[str]] = {}
        for i in members:
            by_split.setdefault(splits[i], []).append(sentence_ids[i])
        kind = "exact" if len({normalise(texts[i]) for i in members}) == 1 else "near"
        report.append({
            "kind": kind,
            "text": texts[members[0]],
            "counts": {s: len(ids) for s, ids in sorted(by_split.items())},
            "sentence_ids": {s: ids[:MAX_LISTED] for s, ids in sorted(by_split.items())},
        })
    return report


def later_copies(clusters: list[list[int]], splits: Sequence[str]) -> list[int]:
    """Positions that ``--dedupe`` removes: in each cluster, the copies outside the first copy's split.

    The first (earliest) copy of a cluster stays, with any copies in its own split
    (duplicates within one split do not leak); the later copies in other splits go.
    """
    removed = []
    for members in clusters:
        keep_split = splits[members[0]]
        removed.extend(i for i in members if splits[i] != keep_split)
    return sorted(removed)
