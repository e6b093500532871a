"""``checkworthy evaluate`` and ``checkworthy train`` on a dataset version built here."""

from __future__ import annotations

import json
import re
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
    with pytest.raises(SystemExit) as usage:  # refused as the option is parsed, before any work
        main(["evaluate", str(version.path.parent.parent), "--baselines", "tfidf-lrr"])
    assert usage.value.code == 2
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


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_evaluate_replaces_its_folder_whole_with_the_same_bytes(version, tmp_path):
    ref, out = str(version.path.parent.parent), tmp_path / "ev"
    argv = ["evaluate", ref, "--n-resamples", "5", "--quiet", "--out", str(out)]
    assert main([*argv, "--baselines", "majority"]) == 0
    first = _files(out)
    assert main([*argv, "--baselines", "majority,tfidf-lr"]) == 0
    assert "predictions/tfidf-lr_test.tsv" in _files(out)
    assert main([*argv, "--baselines", "majority"]) == 0
    assert _files(out) == first  # no tfidf-lr predictions or plots left from the run before

    (out / ".checkworthy-output").unlink()  # an evaluation folder written before the marker existed
    assert main([*argv, "--baselines", "majority"]) == 0
    assert _files(out) == first
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary folder left


def test_evaluate_replaces_the_versions_own_evaluation_folder(version):
    ref, out = f"{version.path.parent.parent}@{version.version}", version.path / "evaluation"
    assert main(["evaluate", ref, "--baselines", "majority,tfidf-lr", "--n-resamples", "5", "--quiet"]) == 0
    assert main(["evaluate", ref, "--baselines", "majority", "--n-resamples", "5", "--quiet"]) == 0
    assert sorted((out / "predictions").iterdir()) == [out / "predictions" / "majority_test.tsv", out / "predictions" / "majority_validation.tsv"]
    assert not (out / "confusion_tfidf-lr_test.png").exists()
    assert main(["card", ref]) == 0


@pytest.mark.parametrize("kind", ["own files", "tasks output", "own files beside results", "file", "the dataset"])
def test_evaluate_refuses_an_out_it_did_not_write_before_writing(version, tmp_path, kind, capsys):
    out = tmp_path / "out"
    if kind == "own files":
        out.mkdir()
        (out / "results.md").write_text("my notes\n", encoding="utf-8")
        expected = r"holds files that checkworthy did not write \(results\.md\)"
    elif kind == "tasks output":
        out.mkdir()
        (out / ".checkworthy-output").write_text('{"tool": "checkworthy", "writer": "checkworthy 0.1.0 tasks"}\n', encoding="utf-8")
        expected = r"holds the output of 'checkworthy 0\.1\.0 tasks'"
    elif kind == "own files beside results":
        assert main(["evaluate", str(version.path.parent.parent), "--baselines", "majority", "--n-resamples", "5", "--quiet", "--out", str(out)]) == 0
        (out / "notes.txt").write_text("my notes\n", encoding="utf-8")
        expected = r"also files of other origin \(notes\.txt\)"
    elif kind == "file":
        out.write_text("my notes\n", encoding="utf-8")
        expected = "it is a file"
    else:
        out = version.path.parent.parent
        expected = "it holds the input"
    before = _files(out) if out.is_dir() else out.read_bytes()
    capsys.readouterr()
    assert main(["evaluate", str(version.path.parent.parent), "--baselines", "majority", "--n-resamples", "5", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert re.search(f"{re.escape(str(out))}: will not write the output of 'checkworthy evaluate' here: .*{expected}", err)
    assert "training" not in err  # refused before the evaluation ran
    assert (_files(out) if out.is_dir() else out.read_bytes()) == before
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".")) == []


def test_evaluate_refuses_another_versions_folder_before_writing(make_checkthat_version, capsys):
    old = make_checkthat_version(seed=0)
    new = make_checkthat_version(seed=1)
    dataset = old.path.parent.parent
    assert (old.version, new.version) == ("1.0.0", "1.0.1")
    assert main(["evaluate", f"{dataset}@1.0.0", "--baselines", "majority", "--n-resamples", "5", "--quiet"]) == 0
    before = _files(old.path / "evaluation")
    capsys.readouterr()
    assert main(["evaluate", f"{dataset}@1.0.1", "--baselines", "majority", "--n-resamples", "5", "--out", str(old.path / "evaluation")]) == 1
    err = capsys.readouterr().err
    assert f"is inside dataset version 1.0.0 (fingerprint {old.manifest.fingerprint})" in err
    assert f"omit --out to write them to {new.path / 'evaluation'}" in err and "training" not in err
    assert _files(old.path / "evaluation") == before
    assert not (new.path / "evaluation").exists()
    assert main(["card", f"{dataset}@1.0.0"]) == 0


def test_a_failed_evaluation_write_leaves_the_old_folder_whole(version, tmp_path, monkeypatch, capsys):
    from checkworthy.evaluation import report

    ref, out = str(version.path.parent.parent), tmp_path / "ev"
    argv = ["evaluate", ref, "--baselines", "majority", "--n-resamples", "5", "--quiet", "--out", str(out)]
    assert main(argv) == 0
    before = _files(out)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(report, "write_predictions", fail)  # results.json, results.md and plots are written, predictions not
    capsys.readouterr()
    assert main([*argv[:3], "tfidf-lr", *argv[4:]]) == 1  # an error line, not a traceback
    assert "checkworthy evaluate: error: disk full" in capsys.readouterr().err
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # the temporary folder was removed


def test_train_refuses_an_out_with_a_model_unless_overwrite(version, tmp_path, capsys):
    ref, out = str(version.path.parent.parent), tmp_path / "m"
    assert main(["train", ref, "--baseline", "majority", "--out", str(out)]) == 0
    before = _files(out)
    capsys.readouterr()
    assert main(["train", ref, "--baseline", "tfidf-lr", "--out", str(out)]) == 1
    refusal = f"{out}: will not write the output of 'checkworthy train' here: it already holds the output of 'checkworthy train'; pass --overwrite"
    assert refusal in capsys.readouterr().err
    assert _files(out) == before
    assert main(["train", ref, "--baseline", "tfidf-lr", "--out", str(out), "--overwrite"]) == 0
    assert load_model(out)[1]["baseline"] == "tfidf-lr"

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "model.json").write_text('{"mine": true}\n', encoding="utf-8")
    capsys.readouterr()
    assert main(["train", ref, "--baseline", "majority", "--out", str(mine), "--overwrite"]) == 1
    assert "holds files that checkworthy did not write (model.json)" in capsys.readouterr().err
    assert (mine / "model.json").read_text(encoding="utf-8") == '{"mine": true}\n'

    assert main(["evaluate", ref, "--baselines", "majority", "--n-resamples", "5", "--quiet", "--out", str(tmp_path / "ev")]) == 0
    capsys.readouterr()
    assert main(["train", ref, "--baseline", "majority", "--out", str(tmp_path / "ev"), "--overwrite"]) == 1
    assert "holds the output of 'checkworthy 0" in capsys.readouterr().err and (tmp_path / "ev" / "results.json").is_file()


def test_evaluate_quiet_drops_progress_but_shows_the_warnings(version, tmp_path, capsys, monkeypatch):
    from checkworthy.evaluation import harness

    monkeypatch.setattr(harness, "language_warnings", lambda names, language: ["a warning the results record"])
    out = tmp_path / "ev"
    assert main(["evaluate", str(version.path.parent.parent), "--baselines", "majority", "--n-resamples", "5", "--quiet", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    recorded = json.loads((out / "results.json").read_text())["warnings"]
    assert recorded == ["a warning the results record"]
    assert err.splitlines() == [f"checkworthy evaluate: warning: {w}" for w in recorded]  # and shown; no progress line
