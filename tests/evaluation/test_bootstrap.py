"""Bootstrap intervals resample articles, are seeded, and the paired test tells systems apart."""

from __future__ import annotations

import numpy as np
import pytest

from checkworthy.evaluation.bootstrap import bootstrap_ci, bootstrap_distribution, paired_bootstrap_test
from checkworthy.evaluation.metrics import METRICS
from checkworthy.schemas.errors import InputError


def articles(n_articles=30, per_article=10, seed=0):
    rng = np.random.default_rng(seed)
    groups = np.repeat([f"art{i}" for i in range(n_articles)], per_article)
    gold = rng.choice(["Yes", "No"], size=groups.size, p=[0.3, 0.7]).astype(object)
    return gold, groups, rng


def test_replicates_draw_whole_articles():
    groups = np.array(["a", "a", "a", "b", "c", "c"])
    seen = []

    def statistic(index, replicate_groups):
        seen.append((index.copy(), replicate_groups.copy()))
        return 0.0

    bootstrap_distribution(statistic, groups, n_resamples=20, random_state=0)
    for index, replicate_groups in seen:
        assert len(set(replicate_groups)) == 3  # as many articles as there are
        for g in set(replicate_groups):
            members = set(groups[index[replicate_groups == g]])
            assert len(members) == 1  # a drawn article keeps all of its sentences together
            assert (replicate_groups == g).sum() == (groups == members.pop()).sum()


def test_interval_contains_the_estimate_and_is_seeded():
    gold, groups, rng = articles()
    pred = np.where(rng.random(gold.size) < 0.8, gold, np.where(gold == "Yes", "No", "Yes")).astype(object)
    metric = METRICS["f1_positive"]
    ci = bootstrap_ci(metric, gold, pred, groups=groups, pos_label="Yes", n_resamples=300, random_state=0)
    value = metric(gold, pred, pos_label="Yes")
    assert ci["low"] < value < ci["high"]
    assert ci == bootstrap_ci(metric, gold, pred, groups=groups, pos_label="Yes", n_resamples=300, random_state=0)
    assert ci != bootstrap_ci(metric, gold, pred, groups=groups, pos_label="Yes", n_resamples=300, random_state=1)


def test_perfect_predictions_have_a_zero_width_interval():
    gold, groups, _ = articles()
    ci = bootstrap_ci(METRICS["f1_positive"], gold, gold, groups=groups, pos_label="Yes", n_resamples=50, random_state=0)
    assert ci == {"low": 1.0, "high": 1.0}


def test_article_resampling_is_wider_than_sentence_resampling_for_correlated_errors():
    # Whole articles are right or wrong: the sentences of an article are not independent.
    gold, groups, rng = articles(n_articles=20, per_article=20)
    wrong_articles = {f"art{i}" for i in range(0, 20, 3)}
    flip = np.array([g in wrong_articles for g in groups])
    pred = np.where(flip, np.where(gold == "Yes", "No", "Yes"), gold).astype(object)
    metric = METRICS["accuracy"]
    by_article = bootstrap_ci(metric, gold, pred, groups=groups, n_resamples=400, random_state=0)
    by_sentence = bootstrap_ci(metric, gold, pred, groups=np.arange(gold.size), n_resamples=400, random_state=0)
    assert by_article["high"] - by_article["low"] > 2 * (by_sentence["high"] - by_sentence["low"])


def test_paired_test_separates_a_better_system_and_not_identical_ones():
    gold, groups, rng = articles()
    good = np.where(rng.random(gold.size) < 0.95, gold, "No").astype(object)
    bad = np.where(rng.random(gold.size) < 0.5, gold, "No").astype(object)
    metric = METRICS["f1_positive"]
    better = paired_bootstrap_test(metric, gold, good, bad, groups=groups, pos_label="Yes", n_resamples=300, random_state=0)
    assert better["delta"] > 0 and better["low"] > 0 and better["p_value"] < 0.01
    same = paired_bootstrap_test(metric, gold, good, good, groups=groups, pos_label="Yes", n_resamples=100, random_state=0)
    assert same["delta"] == 0 and same["p_value"] == 1.0


def test_bad_arguments_are_refused():
    with pytest.raises(InputError, match="group ids"):
        bootstrap_ci(METRICS["accuracy"], ["Yes", "No"], ["Yes", "No"], groups=["a"], n_resamples=2)
    with pytest.raises(InputError, match="n_resamples must be at least 1"):
        bootstrap_distribution(lambda i, g: 0.0, ["a"], n_resamples=0)
    with pytest.raises(InputError, match="same items"):
        paired_bootstrap_test(METRICS["accuracy"], ["Yes"], ["Yes"], ["Yes", "No"], groups=["a"])
