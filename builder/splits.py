"""Train / validation / test assignment, and leakage between the splits.

(Sentence splitting, i.e. cutting articles into sentences, is ``builder.split``.)

A split is assigned to a *group* (an article, or a source with ``--group-by source``)
from a hash of the group and the seed alone, so a group keeps its split in every
later version however the dataset grows: test stays test. The hash is uniform, so
about 80/10/10 of the groups, and of the sentences when groups are many, land in
train/validation/test.

Leakage: sentences whose normalised text is identical, or nearly identical
(MinHash over character 5-grams, Jaccard at least ``threshold``), in different
splits are reported; ``dedupe`` keeps the earliest copy and removes the later ones.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np

from builder.rows import SPLITS

#: Share of groups per split, in :data:`SPLITS` order.
RATIOS = (0.8, 0.1, 0.1)

#: Character n-gram size of the near-duplicate shingles.
SHINGLE = 5

#: MinHash permutations.
NUM_PERM = 64

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


def _shingles(text: str) -> np.ndarray:
    """Character 5-grams of ``text`` hashed to 32-bit integers (deterministic, no Python ``hash``)."""
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8).astype(np.uint64)
    if len(data) < SHINGLE:
        data = np.concatenate([data, np.zeros(SHINGLE - len(data), dtype=np.uint64)])
    grams = np.zeros(len(data) - SHINGLE + 1, dtype=np.uint64)
    for j in range(SHINGLE):
        grams |= data[j : len(data) - SHINGLE + 1 + j] << np.uint64(8 * j)
    return np.unique((grams * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(32))


def find_leakage(
    sentence_ids: Sequence[str],
    texts: Sequence[str],
    splits: Sequence[str],
    *,
    threshold: float = 0.8,
) -> list[list[int]]:
    """Clusters of identical or near-identical sentences that span more than one split.

    Parameters
    ----------
    sentence_ids, texts, splits : sequence of str
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
    from datasketch import MinHash, MinHashLSH

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

    # LSH only proposes candidates (it needs at least two bands); each pair is then checked against threshold.
    lsh = MinHashLSH(threshold=min(threshold, 0.9), num_perm=NUM_PERM)
    hashes = []
    for k, key in enumerate(keys):
        minhash = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int)
        minhash.update_batch(_shingles(key).tolist())
        hashes.append(minhash)
        for other in lsh.query(minhash):
            if minhash.jaccard(hashes[other]) >= threshold:
                parent[find(k)] = find(other)
        lsh.insert(k, minhash)

    clusters: dict[int, list[int]] = {}
    for k, key in enumerate(keys):
        clusters.setdefault(find(k), []).extend(by_text[key])
    found = []
    for members in clusters.values():
        if len({splits[i] for i in members}) > 1:
            found.append(sorted(members))
    return sorted(found)


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
