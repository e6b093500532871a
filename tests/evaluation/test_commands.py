"""``checkworthy evaluate`` and ``checkworthy train`` on a dataset version built here."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from checkworthy.cli import main
from checkworthy.evaluation.baselines import load_model
from checkworthy.schemas import validate
from checkworthy.schemas.io import read_json


@pytest.fixture
def version(make_checkthat_version):
    """A checkthat dataset version built from a small CheckThat!-format folder."""
    return make_checkthat_version(seed=0)


def test_evaluate_writes_results_beside_the_version(version, capsys):
    ref = f"{version.path.parent.parent}@{version.version}"
    assert main(["evaluate", ref, "--baselines", "majority,tfidf-lr", "--n-resamples", "20"]) == 0
    out = version.path / "evaluation"
    results = read_json(out / "results.json")
    validate(results, "results", "results.json")
    assert results["dataset"]["fingerprint"] == version.manifest.fingerprint
    assert results["dataset"]["version"] == version.version
    assert results["seeds"]["dataset"] == version.manifest.settings["seed"]
    assert (out / "results.md").exists() and (out / "pr_test.png").exists()
    assert (out / "confusion_tfidf-lr_test.png").exists()
    assert str(out) in capsys.readouterr().out


def test_evaluate_scores_its_own_predictions_back(version, tmp_path, capsys):
    ref = str(version.path.parent.parent)
    assert main(["evaluate", ref, "--baselines", "tfidf-lr", "--n-resamples", "20", "--out", str(tmp_path / "ev")]) == 0
    results = read_json(tmp_path / "ev" / "results.json")
    capsys.readouterr()
    predictions = tmp_path / "ev" / "predictions" / "tfidf-lr_test.tsv"
    assert main(["score", "--gold", ref, "--split", "test", "--predictions", str(predictions), "--json", "--n-resamples", "20"]) == 0
    scored = json.loads(capsys.readouterr().out)
    entry = next(e for e in results["results"] if e["split"] == "test")
    assert scored["metrics"]["f1_positive"] == entry["metrics"]["f1_positive"]


def test_threshold_none_reaches_results_and_the_trained_model(version, tmp_path):
    ref = str(version.path.parent.parent)
    assert main(["evaluate", ref, "--baselines", "tfidf-lr", "--n-resamples", "5", "--threshold", "none", "--out", str(tmp_path / "ev")]) == 0
    results = read_json(tmp_path / "ev" / "results.json")
    assert results["settings"]["threshold_tuned_on"] is None and results["baselines"]["tfidf-lr"]["threshold"] is None
    assert main(["train", ref, "--baseline", "tfidf-lr", "--threshold", "none", "--out", str(tmp_path / "m")]) == 0
    model, metadata = load_model(tmp_path / "m")
    assert metadata["threshold"] is None and not hasattr(model, "threshold")


def test_unknown_baseline_fails_with_did_you_mean(version, capsys):
    assert main(["evaluate", str(version.path.parent.parent), "--baselines", "tfidf-lrr"]) == 1
    assert "Did you mean 'tfidf-lr'?" in capsys.readouterr().err


def test_train_saves_a_model_that_loads(version, tmp_path):
    assert main(["train", str(version.path.parent.parent), "--baseline", "tfidf-lr", "--seed", "2", "--out", str(tmp_path / "m")]) == 0
    model, metadata = load_model(tmp_path / "m")
    assert metadata["baseline"] == "tfidf-lr" and metadata["seed"] == 2 and metadata["threshold"] is not None
    assert metadata["dataset"]["fingerprint"] == version.manifest.fingerprint
    assert set(model.predict(["Unemployment fell by 3 percent last year."])) <= {"Yes", "No"}


def test_a_trained_model_scores_labeling_candidates(version, tmp_path):
    from checkworthy.builder.select import score_sentences
    from checkworthy.evaluation.selection import BaselineScorer
    from checkworthy.schemas.records import Article, Sentence

    assert main(["train", str(version.path.parent.parent), "--baseline", "tfidf-svm", "--out", str(tmp_path / "m")]) == 0
    text = "Taxes on the middle class went up 9 percent. Thank you all for being here tonight."
    article = Article("a1", text)
    sentences = [Sentence("a1:1", "a1", 0, 0, 44, text[:44], "body"), Sentence("a1:2", "a1", 1, 45, len(text), text[45:], "body")]
    scored = score_sentences(sentences, article, BaselineScorer(tmp_path / "m"))
    assert scored[0].score > scored[1].score and 0 <= scored[1].score <= 1
    assert "tfidf-svm predicts Yes" in scored[0].reason

    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a1.txt").write_text("Headline\n\n" + text + "\n", encoding="utf-8")
    assert main(["tasks", str(tmp_path / "news"), "--out", str(tmp_path / "tasks"), "--scorer", str(tmp_path / "m"), "--top", "1"]) == 0
    [task] = json.loads((tmp_path / "tasks" / "tasks.json").read_text())
    assert task["data"]["sentence"] == text[:44] and task["meta"]["reason"].startswith("tfidf-svm predicts Yes")


def test_validate_knows_results_json(version, tmp_path, capsys):
    ref = str(version.path.parent.parent)
    assert main(["evaluate", ref, "--baselines", "majority", "--n-resamples", "5", "--out", str(tmp_path / "ev")]) == 0
    assert main(["validate", str(tmp_path / "ev" / "results.json")]) == 0
    broken = tmp_path / "broken" / "results.json"
    broken.parent.mkdir()
    broken.write_text(json.dumps({"results": []}), encoding="utf-8")
    assert main(["validate", str(broken)]) != 0
    captured = capsys.readouterr()
    assert "'dataset' is a required property" in captured.out + captured.err


def test_build_and_evaluate_json_and_quiet(tmp_path, write, make_rows, capsys, monkeypatch):
    rng = np.random.default_rng(0)
    for name, n in (("train", 40), ("dev", 20), ("dev-test", 20)):
        rows = make_rows(1, n, rng, "checkthat", prefix=name)
        lines = [f"{name}{i}\t{t}\t{y}" for i, (t, y) in enumerate(zip(rows["text"], rows["label"]))]
        write(f"ct/CT24_toy_{name}.tsv", "\n".join(["Sentence_id\tText\tclass_label", *lines]) + "\n")
    corpus = tmp_path / "ct"
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # progress bars draw as on a terminal
    dataset = tmp_path / "ds"
    assert main(["build", "--from", "checkthat", str(corpus), "--dataset", str(dataset), "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert all(line.startswith("checkworthy build: warning:") for line in captured.err.splitlines())
    built = json.loads(captured.out)
    manifest = json.loads((dataset / "versions" / "1.0.0" / "manifest.json").read_text())
    assert (built["version"], built["created"], built["path"]) == ("1.0.0", True, str(dataset / "versions" / "1.0.0"))
    assert built["fingerprint"] == manifest["fingerprint"] and built["counts"] == manifest["counts"]
    assert Path(built["card"]).is_file()

    assert main(["build", "--from", "checkthat", str(corpus), "--dataset", str(dataset), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["created"], again["fingerprint"], again["card"]) == (False, built["fingerprint"], None)

    argv = ["evaluate", str(dataset), "--baselines", "majority,tfidf-lr", "--n-resamples", "5"]
    assert main(argv) == 0
    assert "training tfidf-lr" in capsys.readouterr().err  # progress lines by default
    assert main([*argv, "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    summary = json.loads(captured.out)
    out = dataset / "versions" / "1.0.0" / "evaluation"
    assert (summary["out"], summary["results"]) == (str(out), str(out / "results.json"))
    assert (summary["version"], summary["fingerprint"]) == ("1.0.0", built["fingerprint"])
    assert summary["baselines"] == ["majority", "tfidf-lr"]
    assert summary["predictions"] == sorted(str(p) for p in (out / "predictions").glob("*.tsv")) and len(summary["predictions"]) == 4
    assert summary["card"] == str(dataset / "versions" / "1.0.0" / "README.md")
