"""Gold labels: majority with unresolved ties, seeded Dawid-Skene, ground truth overrides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from checkworthy.builder.aggregate import aggregate
from checkworthy.schemas import load_scheme
from checkworthy.schemas.errors import InputError

SCHEME = load_scheme("claimbuster")


def _table(votes, ground_truth=()):
    """``votes``: (sentence_id, annotator, label or None); ``ground_truth``: (sentence_id, annotator) pairs."""
    return pd.DataFrame(
        [
            {"sentence_id": s, "annotator": a, "label": label, "cancelled": label is None, "ground_truth": (s, a) in ground_truth}
            for s, a, label in votes
        ]
    )


def test_majority_and_ties_stay_unresolved():
    table = _table([
        ("s1", "a", "CFS"), ("s1", "b", "CFS"), ("s1", "c", "NFS"),
        ("s2", "a", "CFS"), ("s2", "b", "UFS"),
        ("s3", "a", None), ("s3", "b", "NFS"),
        ("s4", "a", None),
    ])
    agg = aggregate(table, SCHEME)
    assert agg.sentence_ids == ["s1", "s2", "s3"]
    assert [SCHEME.names[g] if g >= 0 else None for g in agg.gold] == ["CFS", None, "NFS"]
    assert agg.votes.tolist() == [[2, 0, 1], [1, 1, 0], [0, 0, 1]]
    assert agg.unresolved == [{"sentence_id": "s2", "votes": {"CFS": 1, "UFS": 1, "NFS": 0}, "reason": "tie between CFS, UFS"}]
    np.testing.assert_allclose(agg.agreement, [2 / 3, np.nan, 1.0])


def test_ground_truth_overrides_the_majority():
    table = _table([("s1", "a", "CFS"), ("s1", "b", "CFS"), ("s1", "gt", "NFS"), ("s2", "a", "UFS"), ("s2", "gt", "CFS")],
                   ground_truth={("s1", "gt"), ("s2", "gt")})
    agg = aggregate(table, SCHEME)
    assert [SCHEME.names[g] for g in agg.gold] == ["NFS", "CFS"]
    assert agg.label_source == ["ground_truth", "ground_truth"] and agg.unresolved == []


def test_dawid_skene_trusts_the_reliable_annotator_and_is_seeded():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 300)
    votes = []
    for i, t in enumerate(truth):
        votes.append((f"s{i:03d}", "good", SCHEME.names[t]))
        for noisy in ("n1", "n2"):
            votes.append((f"s{i:03d}", noisy, SCHEME.names[t] if rng.random() < 0.4 else SCHEME.names[rng.integers(0, 3)]))
    table = _table(votes)
    ds = aggregate(table, SCHEME, "dawid-skene", seed=1)
    majority = aggregate(table, SCHEME, "majority")
    assert (ds.gold == truth).mean() > 0.95 > (majority.gold == truth).mean()
    assert np.array_equal(ds.gold, aggregate(table, SCHEME, "dawid-skene", seed=1).gold)
    assert set(ds.label_source) == {"dawid-skene"}


def test_unknown_method_suggests_the_closest():
    with pytest.raises(InputError, match="Did you mean 'majority'"):
        aggregate(_table([("s1", "a", "CFS")]), SCHEME, "majorty")
