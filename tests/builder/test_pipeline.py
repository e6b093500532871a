"""The main job (``checkworthy run``): from articles and label files to a carded, evaluated version."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import datasets
import pytest
import yaml

from checkworthy.builder.tasks import write_tasks
from checkworthy.cli import main
from checkworthy.pipeline import RunConfig, run_pipeline
from checkworthy.schemas.errors import InputError

REPO = Path(__file__).resolve().parents[2]

FACTS = [
    "The council approved a budget of {n} million dravs on Tuesday.",
    "Unemployment fell to {n}.5% in March, the statistics office said.",
    "The new bridge will cost {n} million dravs, up from an estimate of {m} million.",
]
FILLER = [
    "Residents hope the plan will help.",
    "The meeting lasted two hours.",
    "What happens next is anyone's guess.",
]


def _corpus(root: Path, n_articles: int = 12) -> Path:
    """A small JSONL corpus: every article has three factual and three other sentences."""
    lines = []
    for i in range(n_articles):
        body = " ".join(f.format(n=10 + i, m=5 + i) for f in FACTS) + " " + " ".join(FILLER)
        lines.append(json.dumps({"id": f"art-{i:02d}", "title": f"Story {i}", "text": f"Story {i}\n\n{body}\n",
                                 "source": f"outlet-{i % 3}", "meta": {"fictional": True}}))
    folder = root / "articles"
    folder.mkdir()
    (folder / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _labels(root: Path, articles: Path, second_pass_every: int = 2) -> list[Path]:
    """Two label files made by rule: factual sentences CFS, questions NFS, the rest UFS."""
    write_tasks([articles], root / "label-tasks")
    tasks = json.loads((root / "label-tasks" / "tasks.json").read_text())

    def label(text: str) -> str:
        return "CFS" if any(ch.isdigit() for ch in text) else ("NFS" if "?" in text or "hope" in text else "UFS")

    files = []
    for annotator, subset in (("annotator-1", tasks), ("annotator-2", tasks[::second_pass_every])):
        rows = [{"sentence_id": t["data"]["sentence_id"], "sentence": t["data"]["sentence"], "annotator": annotator,
                 "label": label(t["data"]["sentence"]), "lead_time": 5.0} for t in subset]
        path = root / f"{annotator}.json"
        path.write_text(json.dumps({"scheme": "claimbuster", "description": "rule-made test labels", "labels": rows}))
        files.append(path)
    return files


def test_run_without_studio_builds_an_evaluated_carded_version(tmp_path):
    articles = _corpus(tmp_path)
    labels = _labels(tmp_path, articles)
    config = RunConfig(seeds=[str(articles)], out=str(tmp_path / "out"), labels=[str(p) for p in labels],
                       studio=False, baselines=["majority", "tfidf-lr"], n_resamples=50)
    result = run_pipeline(config, say=lambda message: None)
    version = Path(result.outputs["version"])
    assert result.version == "1.0.0" and result.created
    loaded = datasets.load_dataset(str(version))
    assert set(loaded) == {"train", "validation", "test"}
    assert loaded["train"].features["label"].names == ["CFS", "UFS", "NFS"]
    assert sum(len(split) for split in loaded.values()) == 12 * 6
    results = json.loads((version / "evaluation" / "results.json").read_text())
    assert {entry["baseline"] for entry in results["results"]} == {"majority", "tfidf-lr"}
    card = (version / "README.md").read_text()
    header = yaml.safe_load(card.split("---")[1])
    assert header["configs"][0]["data_files"][0]["path"].startswith("data/")
    assert "## Baseline results" in card or "Baseline" in card
    assert (version / "croissant.json").is_file()
    manifest = json.loads((version / "manifest.json").read_text())
    assert manifest["agreement"]["annotators"] == 2

    again = run_pipeline(config, say=lambda message: None)
    assert (again.version, again.created) == ("1.0.0", False)
    assert sorted(p.name for p in (tmp_path / "out" / "dataset" / "versions").iterdir()) == ["1.0.0"]


def test_run_refuses_bad_labels_before_building(tmp_path):
    articles = _corpus(tmp_path, n_articles=2)
    labels = _labels(tmp_path, articles)
    data = json.loads(labels[0].read_text())
    data["labels"][0]["label"] = "MAYBE"
    labels[0].write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"annotator-1.json: labels\[0\].*'MAYBE' is not in scheme 'claimbuster'"):
        run_pipeline(RunConfig(seeds=[str(articles)], out=str(tmp_path / "out"), labels=[str(labels[0])], studio=False),
                     say=lambda message: None)
    assert not (tmp_path / "out" / "dataset").exists()


def test_run_without_label_files_says_what_to_do(tmp_path, capsys):
    articles = _corpus(tmp_path, n_articles=1)
    assert main(["run", str(articles), "--out", str(tmp_path / "out"), "--no-studio"]) == 1
    assert "no label files" in capsys.readouterr().err


def test_run_names_a_seed_folder_that_does_not_exist(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # e.g. the quick start's 'run seeds' outside the repository
    assert main(["run", "seeds", "--out", str(tmp_path / "out"), "--no-studio"]) != 0
    error = capsys.readouterr().err
    assert "seeds: no such file or folder" in error and str(tmp_path) in error and "no label files" not in error
    assert not (tmp_path / "out").exists()


def test_run_config_rejects_unknown_settings():
    with pytest.raises(TypeError, match="unexpected keyword argument 'studdio'"):
        RunConfig(seeds=["seeds"], out="out", studdio=False)


@pytest.mark.studio
@pytest.mark.slow
def test_readme_main_job_on_the_bundled_seeds(tmp_path, capsys, monkeypatch):
    """The README's first command, through a real Label Studio, on the bundled seeds; then a second run."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    assert main(["run", str(REPO / "seeds"), "--out", str(out), "--n-resamples", "100"]) == 0
    printed = capsys.readouterr()
    version = out / "dataset" / "versions" / "1.0.0"
    assert str(version) in printed.out and "checkworthy studio start --data-dir" in printed.out
    export = json.loads((out / "export.json").read_text())
    annotations = [a for task in export for a in task["annotations"]]
    assert len(export) == 374 and len(annotations) == 523
    assert {a["completed_by"]["email"] for a in annotations} == {
        "annotator-1@annotators.checkworthy.invalid", "annotator-2@annotators.checkworthy.invalid"}
    assert all(a["lead_time"] for a in annotations)
    token = (out / "studio" / "api_token").read_text().strip()
    for path in [out / "export.json", version / "manifest.json", version / "README.md", version / "croissant.json"]:
        assert token not in path.read_text()
    assert token not in printed.out + printed.err
    loaded = datasets.load_dataset(str(version))
    assert sum(len(split) for split in loaded.values()) == json.loads((version / "manifest.json").read_text())["counts"]["total"]
    card = (version / "README.md").read_text()
    assert "fictional" in card and "AI agents" in card

    assert main(["run", str(REPO / "seeds"), "--out", str(out), "--n-resamples", "100"]) == 0
    assert "374 unchanged" in capsys.readouterr().err
    assert sorted(p.name for p in (out / "dataset" / "versions").iterdir()) == ["1.0.0"]
    assert not any(os.path.exists(f"/proc/{pid}") for pid in [json.loads((out / "studio" / "studio.json").read_text())["pid"]])


def test_run_quiet_shows_no_progress(tmp_path, capsys, monkeypatch):
    articles = _corpus(tmp_path, n_articles=6)
    labels = _labels(tmp_path, articles)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # progress bars draw as on a terminal
    argv = ["run", str(articles), "--labels", *map(str, labels), "--out", str(tmp_path / "out"), "--no-studio",
            "--baselines", "majority", "--n-resamples", "5", "--quiet"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert all("warning:" in line for line in captured.err.splitlines()), captured.err
    assert "outputs:" in captured.out and "[1/5]" not in captured.out + captured.err


def test_run_again_keeps_the_card_settings_card_changed(tmp_path, capsys):
    """run copied the seeds' demo/card.json over the dataset's on every run: a licence set with
    'checkworthy card' was lost, without a word, at the next run."""
    articles = _corpus(tmp_path)
    labels = _labels(tmp_path, articles)
    (articles / "demo").mkdir()
    (articles / "demo" / "card.json").write_text(json.dumps({"license": "other", "pretty_name": "Seeds"}), encoding="utf-8")
    config = RunConfig(seeds=[str(articles)], out=str(tmp_path / "out"), labels=[str(p) for p in labels],
                       studio=False, baselines=["majority"], n_resamples=20)
    run_pipeline(config, say=lambda message: None)
    dataset = tmp_path / "out" / "dataset"
    assert json.loads((dataset / "card.json").read_text())["license"] == "other"
    assert main(["card", str(dataset), "--license", "cc-by-4.0"]) == 0
    warnings_said = []
    run_pipeline(config, say=lambda message: None, warn=warnings_said.append)
    assert json.loads((dataset / "card.json").read_text())["license"] == "cc-by-4.0"
    assert "license: cc-by-4.0" in (dataset / "versions" / "1.0.0" / "README.md").read_text()
    assert any("card.json differs from" in w and "the dataset's is kept" in w for w in warnings_said), warnings_said
