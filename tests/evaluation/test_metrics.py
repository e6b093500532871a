"""Metric definitions pinned on small hand-computed cases, and agreement with scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from checkworthy.evaluation import metrics as m
from checkworthy.evaluation.metrics import METRICS, get_metric
from checkworthy.schemas.errors import InputError

# Two articles: "a" ranks its positive first; "b" has no positive at all.
GOLD = ["Yes", "No", "No", "Yes", "No", "No", "No"]
PRED = ["Yes", "Yes", "No", "No", "No", "No", "No"]
SCORE = [0.9, 0.8, 0.8, 0.8, 0.5, 0.5, 0.1]
GROUPS = ["a", "a", "a", "a", "b", "b", "b"]

#: One hand-computed value for every registered metric on GOLD / PRED / SCORE / GROUPS.
HAND_COMPUTED = {
    # tp 1, fp 1, fn 1
    "f1_positive": 0.5,
    "precision_positive": 0.5,
    "recall_positive": 0.5,
    # No: tp 4, fp 1, fn 1 -> F1 0.8; Yes 0.5
    "macro_f1": 0.65,
    "accuracy": 5 / 7,
    # ranking (ties in input order): Yes, No, No, Yes, ... -> (1/1 + 2/4) / 2
    "average_precision": 0.75,
    # article a: Yes, No(0.8), No(0.8), Yes(0.8) -> AP (1 + 2/4)/2 = 0.75; article b: no positive -> 0
    "map": 0.375,
    # a: R = 2, top 2 has one positive -> 0.5; b: 0
    "r_precision": 0.25,
    # a: 1; b: 0
    "mrr": 0.5,
    "p@1": 0.5,
    # a: top 3 has one positive -> 1/3; b: 0
    "p@3": 1 / 6,
    # a: 2 positives in 4 items, k = 5 -> 2/5; b: 0
    "p@5": 0.2,
    "p@10": 0.1,
    "p@20": 0.05,
    "p@50": 0.02,
}


def compute(metric, y_true=GOLD, y_pred=PRED, y_score=SCORE, groups=GROUPS):
    return metric(y_true, y_pred if metric.input == "label" else y_score, pos_label="Yes", labels=["Yes", "No"], groups=groups)


def test_every_registered_metric_has_a_hand_computed_case():
    assert set(HAND_COMPUTED) == set(METRICS), "add a hand-computed value for each new metric"


@pytest.mark.parametrize("name", sorted(HAND_COMPUTED))
def test_hand_computed_value(name):
    assert compute(METRICS[name]) == pytest.approx(HAND_COMPUTED[name])


def test_ties_are_ranked_in_input_order():
    # The same scores; only the input order of the tied items differs.
    assert m.average_precision_score([1, 0], [0.5, 0.5]) == 1.0
    assert m.average_precision_score([0, 1], [0.5, 0.5]) == 0.5
    assert m.reciprocal_rank_score([0, 1], [0.5, 0.5]) == 0.5
    assert m.precision_at_k_score([0, 1], [0.5, 0.5], k=1) == 0.0


def test_article_without_positives_scores_zero_and_counts_in_the_mean():
    assert m.average_precision_score([0, 0, 0], [0.3, 0.2, 0.1]) == 0.0
    assert m.r_precision_score([0, 0], [0.3, 0.2]) == 0.0
    assert m.reciprocal_rank_score([0, 0], [0.3, 0.2]) == 0.0
    assert m.mean_average_precision_score([1, 0, 0, 0], [0.9, 0.1, 0.5, 0.4], groups=["a", "a", "b", "b"]) == 0.5


def test_empty_prediction_of_the_positive_class():
    gold = ["Yes", "No", "Yes"]
    nothing = ["No", "No", "No"]
    assert m.f1_score(gold, nothing, pos_label="Yes") == 0.0
    assert m.precision_score(gold, nothing, pos_label="Yes") == 0.0
    assert m.recall_score(gold, nothing, pos_label="Yes") == 0.0
    assert m.macro_f1_score(gold, nothing, labels=["Yes", "No"]) == pytest.approx(0.25)


def test_no_items_at_all():
    assert m.accuracy_score([], []) == 0.0
    assert m.f1_score([], [], pos_label="Yes") == 0.0
    assert m.mean_average_precision_score([], [], groups=[]) == 0.0


def test_precision_at_k_counts_missing_ranks_as_not_relevant():
    assert m.precision_at_k_score([1, 1], [0.2, 0.1], k=5) == 0.4
    with pytest.raises(InputError, match="k must be a positive integer"):
        m.precision_at_k_score([1], [0.1], k=0)


def test_three_classes_positive_is_one_versus_rest():
    gold = ["CFS", "UFS", "NFS", "CFS", "NFS"]
    pred = ["CFS", "NFS", "NFS", "UFS", "CFS"]
    assert m.f1_score(gold, pred, pos_label="CFS") == pytest.approx(skm.f1_score(np.array(gold) == "CFS", np.array(pred) == "CFS"))
    assert m.macro_f1_score(gold, pred, labels=["CFS", "UFS", "NFS"]) == pytest.approx(
        skm.f1_score(gold, pred, average="macro", labels=["CFS", "UFS", "NFS"])
    )


@pytest.mark.parametrize("seed", range(5))
def test_label_metrics_equal_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    gold = rng.choice(["Yes", "No"], size=60, p=[0.3, 0.7])
    pred = rng.choice(["Yes", "No"], size=60)
    assert m.accuracy_score(gold, pred) == pytest.approx(skm.accuracy_score(gold, pred))
    assert m.f1_score(gold, pred, pos_label="Yes") == pytest.approx(skm.f1_score(gold, pred, pos_label="Yes"))
    assert m.precision_score(gold, pred, pos_label="Yes") == pytest.approx(skm.precision_score(gold, pred, pos_label="Yes"))
    assert m.recall_score(gold, pred, pos_label="Yes") == pytest.approx(skm.recall_score(gold, pred, pos_label="Yes"))
    table = m.per_class_scores(gold, pred, labels=["Yes", "No"])
    assert table["No"]["f1"] == pytest.approx(skm.f1_score(gold, pred, pos_label="No"))
    assert table["Yes"]["support"] == int((gold == "Yes").sum())


@pytest.mark.parametrize("seed", range(3))
def test_the_harness_average_precision_pools_ties_as_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 2, size=60)
    score = rng.integers(0, 4, size=60) / 4  # many ties
    assert METRICS["average_precision"].func is m.pooled_average_precision_score
    assert m.pooled_average_precision_score(gold, score) == pytest.approx(skm.average_precision_score(gold, score))
    constant = np.full(60, 0.5)  # majority and random: no ranking at all, whatever the file order
    assert m.pooled_average_precision_score(gold, constant) == pytest.approx(gold.mean())
    assert m.pooled_average_precision_score(gold[::-1], constant) == pytest.approx(gold.mean())
    assert m.pooled_average_precision_score([0, 0], [0.3, 0.2]) == 0.0


def test_average_precision_equals_scikit_learn_without_ties():
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 2, size=50)
    score = rng.permutation(50) / 50
    assert m.average_precision_score(gold, score) == pytest.approx(skm.average_precision_score(gold, score))


def test_unknown_metric_suggests_close_name():
    with pytest.raises(InputError, match="Did you mean 'f1_positive'"):
        get_metric("f1_postive")


def test_missing_context_is_named():
    with pytest.raises(InputError, match="needs groups"):
        METRICS["map"](["Yes"], [0.5], pos_label="Yes")


def test_length_mismatch_is_refused():
    with pytest.raises(InputError, match="one prediction per item"):
        m.f1_score(["Yes", "No"], ["Yes"], pos_label="Yes")


def test_confusion_matrix_rows_gold_columns_predicted():
    cm = m.confusion_matrix(["CFS", "UFS", "NFS", "CFS"], ["CFS", "NFS", "NFS", "UFS"], labels=["CFS", "UFS", "NFS"])
    assert cm.tolist() == [[1, 1, 0], [0, 0, 1], [0, 0, 1]]
    with pytest.raises(InputError, match=r"label\(s\) CFX not among the expected labels"):
        m.macro_f1_score(["CFX"], ["CFS"], labels=["CFS", "UFS", "NFS"])


@pytest.mark.parametrize("seed", range(3))
def test_per_article_means_equal_a_loop_over_articles(seed):
    rng = np.random.default_rng(seed)
    groups = rng.choice(["x", "y", "z", "w"], size=80)
    gold = rng.integers(0, 2, size=80) * (groups != "w")  # article w has no positive
    score = rng.integers(0, 5, size=80) / 5  # many ties
    for mean_metric, single, kwargs in (
        (m.mean_average_precision_score, m.average_precision_score, {}),
        (m.mean_r_precision_score, m.r_precision_score, {}),
        (m.mean_reciprocal_rank_score, m.reciprocal_rank_score, {}),
        (m.mean_precision_at_k_score, m.precision_at_k_score, {"k": 5}),
    ):
        loop = np.mean([single(gold[groups == g], score[groups == g], **kwargs) for g in np.unique(groups)])
        assert mean_metric(gold, score, groups=groups, **kwargs) == pytest.approx(loop)


PER_ARTICLE = (
    (m.mean_average_precision_score, {}),
    (m.mean_r_precision_score, {}),
    (m.mean_reciprocal_rank_score, {}),
    (m.mean_precision_at_k_score, {"k": 2}),
)


@pytest.mark.parametrize("seed", range(40))
def test_expected_ties_are_the_mean_over_every_order_of_the_file(seed):
    """``ties="expected"`` is exactly the mean of the official (input-order) metric over every
    order of the items: brute force over all permutations of small cases with many ties."""
    import itertools

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 6))
    gold, score, groups = rng.integers(0, 2, n), rng.integers(0, 3, n).astype(float), rng.choice(["a", "b"], n)
    for metric, kwargs in PER_ARTICLE:
        orders = [list(p) for p in itertools.permutations(range(n))]
        mean = np.mean([metric(gold[p], score[p], groups=groups[p], **kwargs) for p in orders])
        assert metric(gold, score, groups=groups, ties="expected", **kwargs) == pytest.approx(mean, abs=1e-12)


def test_a_constant_score_gets_no_credit_from_the_order_of_the_file():
    """Positives first in each article: the official order gives a constant score a perfect MAP,
    the expected value over tie orders the same MAP whatever the order."""
    gold = np.array([1, 0, 0, 0, 1, 1, 0, 0, 0, 0])
    groups = np.array(["a"] * 4 + ["b"] * 6)
    constant = np.full(10, 0.3)
    flipped = np.r_[gold[:4][::-1], gold[4:][::-1]]
    assert m.mean_average_precision_score(gold, constant, groups=groups) == 1.0  # the trap
    expected = m.mean_average_precision_score(gold, constant, groups=groups, ties="expected")
    assert expected == pytest.approx(m.mean_average_precision_score(flipped, constant, groups=groups, ties="expected"))
    assert expected < 0.6
    distinct = np.linspace(1, 0, 10)  # no ties: the two rules agree exactly
    for metric, kwargs in PER_ARTICLE:
        assert metric(gold, distinct, groups=groups, ties="expected", **kwargs) == metric(gold, distinct, groups=groups, **kwargs)
    assert METRICS["map"](["Yes", "No"], [0.5, 0.5], pos_label="Yes", groups=["a", "a"], ties="expected") == 0.75
    with pytest.raises(InputError, match="ties: expected one of input, expected"):
        m.mean_average_precision_score(gold, constant, groups=groups, ties="random")


def test_a_p_value_of_no_replicate_is_written_as_below_one_over_n():
    from checkworthy.evaluation.report import p_value_text

    assert p_value_text(0.0, 50) == "< 0.02"
    assert p_value_text(0.0, 1000) == "< 0.001"
    assert p_value_text(0.0, 200) == "< 0.005"
    assert p_value_text(0.02, 50) == "0.020"  # one replicate of 50: shown as it is
    assert p_value_text(0.5, 1000) == "0.500"
