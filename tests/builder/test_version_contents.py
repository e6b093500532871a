"""A version holds only what checkworthy wrote, and says so: files added outside ``data/``,
a card that shows an evaluation that is gone, and a manifest whose counts were edited are
named by ``validate`` and refused by ``card``/``publish``; ``train``/``tasks`` never write
into a version; ``publish`` uploads only the version's own files."""

from __future__ import annotations

import json
import shutil

import pytest

from checkworthy.builder.card import write_card
from checkworthy.builder.publish import plan_publish
from checkworthy.builder.store import EVALUATION_FILES, check_integrity, load_version, version_files
from checkworthy.builder.validation import validate_file
from checkworthy.cli import main
from checkworthy.schemas.errors import InputError, TamperedError

OWN = ["README.md", "annotations.parquet", "croissant.json", "data/test.parquet", "data/train.parquet",
       "data/validation.parquet", "manifest.json"]


@pytest.fixture
def carded(version_dir):
    write_card(version_dir)
    return version_dir


def _add_foreign_files(version):
    (version / "notes.txt").write_text("notes\n")
    (version / "model").mkdir()
    (version / "model" / "model.skops").write_bytes(b"model")
    (version / "model" / "model.json").write_text("{}")
    (version / "tasks").mkdir()
    (version / "tasks" / "tasks.json").write_text('[{"data": {"article_text": "the whole article"}}]')
    (version / "evaluation").mkdir()
    (version / "evaluation" / "mine.csv").write_text("a,b\n")
    (version / "key").symlink_to(version.parent.parent / "annotator.key")


def test_the_store_knows_the_files_evaluate_writes():
    from checkworthy.evaluation.report import EVALUATION_FILES as WRITTEN

    assert EVALUATION_FILES == WRITTEN


def test_files_added_outside_data_are_named_by_validate(carded, capsys):
    assert validate_file(carded)[2] == []
    _add_foreign_files(carded)
    for ref in (carded, carded / "manifest.json", f"{carded.parent.parent}@1.0.0"):
        problems = validate_file(ref)[2]
        text = "\n".join(problems)
        assert len(problems) == 5, problems
        assert f"{carded / 'notes.txt'}: not a file of the version" in text
        assert f"{carded / 'model'}/: not a folder of the version" in text and "model.json, model.skops" in text
        assert f"{carded / 'tasks'}/: not a folder of the version" in text and "tasks.json" in text
        assert f"{carded / 'evaluation' / 'mine.csv'}: not a file of the version" in text
        assert f"{carded / 'key'}: a symbolic link" in text
        assert f"move it out of {carded}" in text
    assert main(["validate", str(carded)]) == 1
    assert "5 problem(s)" in capsys.readouterr().out
    # loading the data is not affected by a note beside it
    assert load_version(carded.parent.parent, "1.0.0")["train"].num_rows > 0


def test_publish_refuses_a_version_with_files_checkworthy_did_not_write_and_names_them(carded, capsys):
    _add_foreign_files(carded)
    with pytest.raises(InputError) as refused:
        plan_publish(carded, "org/name")
    message = str(refused.value)
    for name in ("notes.txt", "model/", "tasks/", "evaluation/mine.csv", "key: a symbolic link"):
        assert name in message, name
    assert "nothing was uploaded: move these out of" in message
    assert main(["publish", str(carded), "--repo", "org/name", "--dry-run"]) == 1
    assert "would upload" not in capsys.readouterr().out
    # moved out: published, and only the version's own files
    for name in ("notes.txt", "model", "tasks", "evaluation"):
        shutil.move(carded / name, carded.parent.parent / name)
    (carded / "key").unlink()
    (carded / ".hidden").write_text("never published")
    plan = plan_publish(carded, "org/name")
    assert [f.path for f in plan.files] == OWN


def test_publish_lists_the_files_of_the_evaluation_and_nothing_else(carded):
    evaluation = carded / "evaluation"
    (evaluation / "predictions").mkdir(parents=True)
    for name in ("results.md", "pr_test.png", "confusion_majority_test.png", "predictions/majority_test.tsv", ".checkworthy-output"):
        (evaluation / name).write_text("x")
    assert version_files(carded) == (sorted(OWN + ["evaluation/results.md", "evaluation/pr_test.png",
                                                   "evaluation/confusion_majority_test.png",
                                                   "evaluation/predictions/majority_test.tsv"]), [])
    (evaluation / "predictions" / "nested").mkdir()
    (evaluation / "predictions" / "nested" / "x.tsv").write_text("x")  # the pattern is one level deep
    assert version_files(carded)[1] == ["evaluation/predictions/nested/x.tsv"]


@pytest.mark.parametrize("command", ["train", "tasks", "evaluate", "review", "run"])
@pytest.mark.parametrize("where", ["versions/1.0.0/model", "versions/1.0.0", "versions/1.0.0/data/x", "versions/other"])
def test_no_command_writes_its_output_into_a_version(carded, tmp_path, capsys, command, where):
    dataset = carded.parent.parent
    out = dataset / where
    before = sorted(p.relative_to(dataset).as_posix() for p in dataset.rglob("*"))
    args = {"train": ["train", str(dataset), "--baseline", "majority"], "tasks": ["tasks", str(tmp_path / "no-articles")],
            "evaluate": ["evaluate", str(dataset), "--baselines", "majority"], "review": ["review", str(dataset)],
            "run": ["run", str(tmp_path / "no-articles"), "--no-studio"]}[command]
    assert main([*args, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{out}: is inside" in err and "nothing was written" in err
    assert ("dataset version 1.0.0" in err) if "1.0.0" in where else ("the versions folder of dataset" in err)
    assert sorted(p.relative_to(dataset).as_posix() for p in dataset.rglob("*")) == before


def test_train_may_write_beside_the_versions(carded, capsys):
    out = carded.parent.parent / "models" / "majority"
    assert main(["train", str(carded.parent.parent), "--baseline", "majority", "--out", str(out)]) == 0
    assert (out / "model.skops").is_file() and validate_file(carded)[2] == []


def test_a_card_whose_evaluation_is_gone_is_named_and_not_published(carded):
    (carded / "evaluation").mkdir()
    results = {"results": [{"baseline": "majority", "split": "test", "metrics": {"f1_positive": 0.5}}]}
    fingerprint = json.loads((carded / "manifest.json").read_text())["fingerprint"]
    (carded / "evaluation" / "results.json").write_text(json.dumps({**results, "dataset": {"fingerprint": fingerprint}}))
    write_card(carded)
    assert "from `evaluation/results.json`" in (carded / "README.md").read_text()
    assert validate_file(carded)[2] == []
    shutil.rmtree(carded / "evaluation")
    problems = validate_file(carded)[2]
    assert len(problems) == 1 and problems[0].startswith(f"{carded / 'README.md'}: its baseline table comes from evaluation/results.json, which is not there")
    assert f"'checkworthy evaluate {carded}'" in problems[0] and f"'checkworthy card {carded}'" in problems[0]
    with pytest.raises(InputError, match="will not publish: the card does not match the version"):
        plan_publish(carded, "org/name")
    write_card(carded)  # the fix the message names
    assert validate_file(carded)[2] == []
    assert plan_publish(carded, "org/name").files


def test_results_the_card_does_not_show_are_named(carded):
    (carded / "evaluation").mkdir()
    (carded / "evaluation" / "results.json").write_text("{}")
    problems = validate_file(carded)[2]
    assert len(problems) == 1 and "has no baseline table, but" in problems[0] and f"'checkworthy card {carded}'" in problems[0]


def _edit_manifest(version, change):
    path = version / "manifest.json"
    path.chmod(0o644)
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


@pytest.mark.parametrize(("field", "change"), [
    ("counts.test", lambda d: d["counts"].update(test=4700)),
    ("counts.total", lambda d: d["counts"].update(total=d["counts"]["total"] + 1)),
    ("label_distribution.train", lambda d: d["label_distribution"]["train"].update(CFS=d["label_distribution"]["train"].get("CFS", 0) + 5)),
])
def test_a_manifest_whose_counts_were_edited_is_refused_by_card_and_publish(carded, capsys, field, change):
    card_before = (carded / "README.md").read_text()
    _edit_manifest(carded, change)
    problems = validate_file(carded)[2]
    assert len(problems) == 1 and f"manifest.json: {field}: expected" in problems[0], problems
    assert "manifest.json was changed after the version was built" in problems[0]
    for action in (lambda: write_card(carded), lambda: plan_publish(carded, "org/name"), lambda: check_integrity(carded)):
        with pytest.raises(TamperedError, match=rf"manifest\.json: {field}: expected"):
            action()
    assert main(["card", str(carded)]) == 1
    assert f"{field}: expected" in capsys.readouterr().err
    assert (carded / "README.md").read_text() == card_before
    if field == "counts.test":
        assert "4700" not in card_before
