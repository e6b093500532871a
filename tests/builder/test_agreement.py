"""Agreement statistics against the reference implementations, on random data."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from checkworthy.builder.aggregate import aggregate, count_matrix
from checkworthy.builder.agreement import agreement_by_language, agreement_report, cohen_kappa, fleiss_kappa, krippendorff_alpha, percent_agreement
from checkworthy.schemas import load_scheme

SCHEME = load_scheme("claimbuster")


def _counts(matrix):
    """(raters, items) labels with NaN for missing -> (items, labels) counts."""
    raters, items = np.nonzero(~np.isnan(matrix))
    return count_matrix(items, matrix[raters, items].astype(int), matrix.shape[1], 3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_krippendorff_alpha_with_missing_matches_reference(seed):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, 80)
    data = np.where(rng.random((5, 80)) < 0.7, truth, rng.integers(0, 3, (5, 80))).astype(float)
    data[rng.random(data.shape) < 0.35] = np.nan
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal", value_domain=[0, 1, 2])
    assert krippendorff_alpha(_counts(data)) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fleiss_kappa_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 3, (4, 60)).astype(float)
    data[:, : 20] = data[0, : 20]
    counts = _counts(data)
    assert fleiss_kappa(counts) == pytest.approx(statsmodels_fleiss(counts), abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cohen_kappa_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 3, 100)
    b = np.where(rng.random(100) < 0.5, a, rng.integers(0, 3, 100))
    assert cohen_kappa(a, b, 3) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_perfect_agreement_and_undefined_cases():
    perfect = np.array([[3, 0, 0], [0, 3, 0], [0, 0, 2]])
    assert percent_agreement(perfect) == fleiss_kappa(perfect) == krippendorff_alpha(perfect) == 1.0
    single = np.array([[1, 0, 0], [0, 1, 0]])
    assert np.isnan(percent_agreement(single)) and np.isnan(krippendorff_alpha(single))
    assert np.isnan(fleiss_kappa(np.array([[2, 0, 0], [3, 0, 0]])))


def test_report_pairs_and_consensus_match_references():
    rng = np.random.default_rng(5)
    rows = []
    for i in range(60):
        truth = rng.integers(0, 3)
        for rater in ("a", "b", "c"):
            if rng.random() < 0.85:
                label = truth if rng.random() < 0.7 else rng.integers(0, 3)
                rows.append({"sentence_id": f"s{i:02d}", "annotator": rater, "label": SCHEME.names[label], "cancelled": False, "ground_truth": False})
    table = pd.DataFrame(rows)
    report = agreement_report(table, aggregate(table, SCHEME), SCHEME)
    wide = table.pivot(index="sentence_id", columns="annotator", values="label")
    pair = next(p for p in report["pairwise_cohen_kappa"] if p["annotators"] == ["a", "b"])
    both = wide[["a", "b"]].dropna()
    assert pair["items"] == len(both)
    assert pair["cohen_kappa"] == pytest.approx(cohen_kappa_score(both["a"], both["b"]), abs=1e-6)
    reliability = wide.apply(lambda col: col.map({n: i for i, n in enumerate(SCHEME.names)})).T.to_numpy(dtype=float)
    assert report["krippendorff_alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=reliability, level_of_measurement="nominal", value_domain=[0, 1, 2]), abs=1e-6
    )
    assert set(report["per_label"]) == set(SCHEME.names)
    assert set(report["annotator_vs_consensus"]) == {"a", "b", "c"}
    assert all(0 <= v["percent"] <= 1 for v in report["annotator_vs_consensus"].values())


def _votes(labels_by_annotator: dict[str, dict[str, str | None]]) -> pd.DataFrame:
    """A long annotation table; a label None is a skip."""
    return pd.DataFrame([
        {"sentence_id": sid, "annotator": who, "label": label, "cancelled": label is None, "ground_truth": False}
        for who, labels in labels_by_annotator.items() for sid, label in labels.items()
    ])


def test_agreement_per_language_by_hand():
    # English: both annotators agree on all four items. Spanish: they agree on two of four,
    # with the same label shares (CFS 4 of 8 votes, NFS 4 of 8), so chance explains all of it.
    # Arabic: one skip and no vote, so no report for it.
    table = _votes({
        "a": {"e1": "CFS", "e2": "CFS", "e3": "NFS", "e4": "NFS", "s1": "CFS", "s2": "CFS", "s3": "NFS", "s4": "NFS", "r1": None},
        "b": {"e1": "CFS", "e2": "CFS", "e3": "NFS", "e4": "NFS", "s1": "CFS", "s2": "NFS", "s3": "NFS", "s4": "CFS"},
    })
    language_of = {"e1": "en", "e2": "en", "e3": "en", "e4": "en", "s1": "es", "s2": "es", "s3": "es", "s4": "es", "r1": "ar"}
    agg = aggregate(table, SCHEME)
    report = agreement_by_language(table, agg, SCHEME, language_of)
    assert list(report) == ["en", "es"]
    en, es = report["en"], report["es"]
    assert (en["items"], en["items_with_2plus_votes"], en["votes"], en["annotators"]) == (4, 4, 8, 2)
    assert en["percent"] == en["fleiss_kappa"] == en["krippendorff_alpha"] == 1.0
    assert en["pairwise_cohen_kappa"][0]["cohen_kappa"] == 1.0
    assert (es["items"], es["votes"]) == (4, 8)
    assert es["percent"] == 0.5
    # Fleiss: expected agreement 0.5^2 + 0.5^2 = 0.5, observed 0.5, so 0.
    assert es["fleiss_kappa"] == 0.0
    # Krippendorff: n = 8 pairable votes, 4 agreeing pairs counted both ways; 1 - (n - 1) * (8 - 4) / (64 - 16 - 16).
    assert es["krippendorff_alpha"] == pytest.approx(1 - 7 * 4 / 32)
    assert es["pairwise_cohen_kappa"][0]["percent"] == 0.5 and es["pairwise_cohen_kappa"][0]["cohen_kappa"] == 0.0
    assert es["per_label"]["CFS"]["votes"] == 4 and es["per_label"]["UFS"]["votes"] == 0
    overall = agreement_report(table, agg, SCHEME)
    assert overall["percent"] == 0.75
    assert en["items"] + es["items"] == overall["items"] and en["votes"] + es["votes"] == overall["votes"]


def test_no_agreement_per_language_for_one_language():
    table = _votes({"a": {"s1": "CFS", "s2": "NFS"}, "b": {"s1": "CFS", "s2": "UFS"}})
    assert agreement_by_language(table, aggregate(table, SCHEME), SCHEME, {"s1": "nl", "s2": "nl"}) is None
    # Skips do not count: a language whose sentences have no vote adds no second language.
    table = _votes({"a": {"s1": "CFS", "s2": "NFS", "x": None}, "b": {"s1": "CFS", "s2": "UFS"}})
    assert agreement_by_language(table, aggregate(table, SCHEME), SCHEME, {"s1": "nl", "s2": "nl", "x": "ar"}) is None
