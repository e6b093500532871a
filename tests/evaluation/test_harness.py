"""The harness: results that validate, byte-identical across runs, both schemes."""

from __future__ import annotations

import pytest

from checkworthy.evaluation.harness import SplitData, evaluate_baselines
from checkworthy.evaluation.report import write_evaluation
from checkworthy.schemas import validate
from checkworthy.schemas.errors import InputError

INFO = {"version": "1.0.0", "fingerprint": "0123456789abcdef", "seed": 13}
FAST = {"baselines": ["majority", "random", "tfidf-lr"], "n_resamples": 30}


def test_results_validate_and_record_provenance(checkthat_dataset):
    dataset, scheme = checkthat_dataset
    results, predictions, *_ = evaluate_baselines(dataset, scheme, seed=7, dataset_info=INFO, **FAST)
    validate(results.to_dict(), "results", "results.json")
    assert results.dataset.fingerprint == INFO["fingerprint"] and results.dataset.version == "1.0.0"
    assert results.seeds.to_dict() == {"baselines": 7, "bootstrap": 7, "dataset": 13}
    assert results.packages["scikit-learn"]
    entries = {(e.baseline, e.split): e for e in results.results}
    assert set(entries) == {(b, s) for b in FAST["baselines"] for s in ("validation", "test")}
    for entry in entries.values():
        assert "f1_positive" in entry.metrics and set(entry.ci95) == set(entry.metrics)
        assert "map" in entry.metrics  # articles with several sentences: per-article ranking metrics
    assert entries["majority", "test"].metrics["f1_positive"] == 0.0
    assert entries["tfidf-lr", "test"].metrics["f1_positive"] > 0.9
    assert results.baselines["tfidf-lr"].threshold is not None
    assert results.baselines["majority"].threshold is None
    assert set(predictions) == set(entries)
    n_articles = entries["majority", "test"].n_articles
    few = [w for w in results.warnings if w.startswith("the test split: ")]  # intervals resample the test split's articles
    assert (len(few) == 1 and f"from only {n_articles} article(s)" in few[0]) if n_articles < 5 else few == []


def test_same_seed_gives_byte_identical_results(checkthat_dataset, tmp_path):
    dataset, scheme = checkthat_dataset
    outputs = []
    for run in ("one", "two"):
        results, predictions, *_ = evaluate_baselines(dataset, scheme, seed=3, dataset_info=INFO, **FAST)
        write_evaluation(results, predictions, tmp_path / run)
        outputs.append(tmp_path / run)
    for name in ("results.json", "results.md", "predictions/random_test.tsv", "pr_test.png"):
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name
    other, *_ = evaluate_baselines(dataset, scheme, seed=4, dataset_info=INFO, **FAST)
    assert other.seeds.baselines == 4


def test_threshold_none_keeps_each_model_rule_and_says_so(checkthat_dataset):
    from checkworthy.evaluation.report import results_markdown

    dataset, scheme = checkthat_dataset
    tuned, tuned_predictions, *_ = evaluate_baselines(dataset, scheme, seed=0, dataset_info=INFO, **FAST)
    untuned, predictions, models, _ = evaluate_baselines(dataset, scheme, seed=0, dataset_info=INFO, threshold="none", **FAST)
    validate(untuned.to_dict(), "results", "results.json")
    assert untuned.settings.threshold_tuned_on is None and tuned.settings.threshold_tuned_on == "validation"
    assert all(b.threshold is None for b in untuned.baselines.values())
    assert tuned.baselines["tfidf-lr"].threshold is not None
    # The untuned tf-idf model predicts exactly what the bare estimator predicts.
    test = SplitData.from_dataset(dataset["test"], "test")
    assert (predictions["tfidf-lr", "test"]["y_pred"] == models["tfidf-lr"].predict(test.texts)).all()
    assert not hasattr(models["tfidf-lr"], "threshold")
    assert "No decision threshold was tuned" in results_markdown(untuned)
    with pytest.raises(InputError, match="threshold rule 'dev' is not one of validation, none"):
        evaluate_baselines(dataset, scheme, threshold="dev", **FAST)


def test_three_classes_report_macro_f1_and_cfs_versus_rest(claimbuster_dataset):
    dataset, scheme = claimbuster_dataset
    results, *_ = evaluate_baselines(dataset, scheme, dataset_info=INFO, **FAST)
    assert results.settings.positive_label == "CFS"
    (entry,) = results.entries(baseline="tfidf-lr", split="test")
    assert {"macro_f1", "f1_positive"} <= set(entry.metrics)
    assert set(entry.per_class) == {"CFS", "UFS", "NFS"}
    assert entry.confusion_matrix["labels"] == ["CFS", "UFS", "NFS"]


def test_missing_split_and_unknown_baseline_are_refused(checkthat_dataset):
    from datasets import DatasetDict

    dataset, scheme = checkthat_dataset
    with pytest.raises(InputError, match="missing split.*validation, test"):
        evaluate_baselines(DatasetDict({"train": dataset["train"]}), scheme)
    with pytest.raises(InputError, match=r"^data/ds/versions/1\.0\.0: missing split\(s\) validation, test"):  # names the version
        evaluate_baselines(DatasetDict({"train": dataset["train"]}), scheme, where="data/ds/versions/1.0.0")
    with pytest.raises(InputError, match="Did you mean 'tfidf-svm'"):
        evaluate_baselines(dataset, scheme, baselines=["tfidf-svn"])


def test_labels_outside_the_scheme_are_listed(make_dataset):
    dataset, _ = make_dataset("claimbuster")
    from checkworthy.schemas import load_scheme

    with pytest.raises(InputError, match=r"label 'CFS' is not in scheme 'checkthat'"):
        evaluate_baselines(dataset, load_scheme("checkthat"), **FAST)


def test_a_constant_baseline_gets_no_ranking_credit_from_the_file_order(checkthat_dataset):
    """Positives first in every article (as the seeds put their claims): ranked in file order, the
    majority baseline's constant score would get MAP 1.0; the harness counts ties at their expected
    value, records that in results.json, and says it in results.md. ``score_items`` keeps the official
    order by default (``checkworthy score``)."""
    import numpy as np

    from checkworthy.evaluation.harness import score_items
    from checkworthy.evaluation.metrics import EXPECTED_TIES_NOTE
    from checkworthy.evaluation.report import results_markdown

    dataset, scheme = checkthat_dataset
    ordered = {}
    for split in ("train", "validation", "test"):
        rows = dataset[split].to_pandas()
        rows["positive_first"] = rows["label"] != scheme.names.index(scheme.positive)
        ordered[split] = rows.sort_values(["article_id", "positive_first"], kind="stable").drop(columns="positive_first")
    from datasets import Dataset, DatasetDict

    dataset = DatasetDict({s: Dataset.from_pandas(r, features=dataset[s].features, preserve_index=False) for s, r in ordered.items()})
    results, predictions, *_ = evaluate_baselines(dataset, scheme, seed=0, dataset_info=INFO, baselines=["majority"], n_resamples=20)
    test = next(e for e in results.results if e.baseline == "majority" and e.split == "test")
    share = float(np.mean(predictions["majority", "test"]["y_true"] == scheme.positive))
    assert test.metrics["map"] < 0.9 and test.ci95["map"][1] < 1.0
    assert test.metrics["map"] == pytest.approx(share, abs=0.25)  # about the share of positives, not 1.0
    p = predictions["majority", "test"]
    official = score_items(p["y_true"], labels=scheme.names, pos_label=scheme.positive, y_score=p["y_score"],
                           groups=dataset["test"]["article_id"], n_resamples=5)
    assert official["metrics"]["map"] == 1.0  # the CheckThat! scorer's rule: file order decides
    assert EXPECTED_TIES_NOTE in results.metrics["map"].description
    assert EXPECTED_TIES_NOTE not in results.metrics["f1_positive"].description
    assert "count tied scores at their expected value" in results_markdown(results)
