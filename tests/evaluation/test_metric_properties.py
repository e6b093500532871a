"""Shared properties that every registered metric must have (the registry decides which run)."""

from __future__ import annotations

import numpy as np
import pytest

from checkworthy.evaluation.metrics import METRICS, PRECISION_AT


def data(seed: int = 0):
    """Three articles with enough positives that every P@k can reach 1."""
    rng = np.random.default_rng(seed)
    n_per_article = 2 * max(PRECISION_AT)
    groups = np.repeat(["a", "b", "c"], n_per_article)
    gold = np.array(["Yes"] * max(PRECISION_AT) + ["No"] * max(PRECISION_AT))
    gold = np.concatenate([rng.permutation(gold) for _ in range(3)]).astype(object)
    pred = rng.choice(["Yes", "No"], size=gold.size).astype(object)
    score = rng.random(gold.size)
    return gold, pred, score, groups


def compute(metric, gold, pred, score, groups):
    return metric(gold, pred if metric.input == "label" else score, pos_label="Yes", labels=["Yes", "No"], groups=groups)


@pytest.mark.parametrize("name", sorted(METRICS))
def test_invariant_to_item_order(name):
    metric = METRICS[name]
    gold, pred, score, groups = data()
    perm = np.random.default_rng(1).permutation(gold.size)
    assert compute(metric, gold[perm], pred[perm], score[perm], groups[perm]) == pytest.approx(compute(metric, gold, pred, score, groups))


@pytest.mark.parametrize("name", sorted(METRICS))
def test_perfect_predictions_reach_the_best_value(name):
    metric = METRICS[name]
    gold, _, _, groups = data()
    perfect_score = (gold == "Yes").astype(float)
    assert compute(metric, gold, gold, perfect_score, groups) == pytest.approx(metric.best)


@pytest.mark.parametrize("name", sorted(METRICS))
def test_values_lie_between_worst_and_best(name):
    metric = METRICS[name]
    for seed in range(3):
        value = compute(metric, *data(seed))
        assert metric.worst <= value <= metric.best


@pytest.mark.parametrize("name", sorted(METRICS))
def test_metadata_is_complete(name):
    metric = METRICS[name]
    assert metric.name == name and metric.description and metric.input in ("label", "score")
