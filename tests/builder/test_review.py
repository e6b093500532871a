"""``checkworthy review``: the ranking of doubtful labels on planted errors, the adjudication
task set, and ``build --adjudication`` (without a server; the round trip through a real
Label Studio is in test_adjudication_studio.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

import checkworthy.registry  # noqa: F401  (fills the model view of review, as the CLI does)
from checkworthy.builder.build import BuildConfig, build_version
from checkworthy.builder.card import write_card
from checkworthy.builder.diff import diff_versions
from checkworthy.builder.labelstudio import read_task_dir
from checkworthy.builder.review import MARKER, ReviewConfig, review_version
from checkworthy.builder.store import load_manifest
from checkworthy.cli import main
from checkworthy.schemas import load_scheme
from checkworthy.schemas.errors import InputError, InputFileNotFoundError, VersionExistsError
from tests.builder.labelstudio_fixtures import KEY, annotation, task, write_articles, write_export

#: The label each sentence template truly has (by its position in the article).
TRUE = {0: "UFS", 1: "CFS", 2: "NFS", 3: "CFS"}


def _by_position(sentences):
    """``(article_id, position) -> Sentence``."""
    found = {}
    for sentence in sentences.values():
        found[(sentence.article_id, sentence.index)] = sentence
    return found


def planted(tmp_path: Path):
    """Articles and an export with planted doubtful labels; returns (folder, export, sentences, plants).

    Annotators 1 and 2 label every sentence by its template's true label, except:
    ``tie`` (1 says CFS, 2 says UFS), ``flip`` and ``flip2`` (both give a wrong label, unanimously),
    ``split`` (annotator 3 joins and disagrees: 2-1). Annotator 3 also labels ten other sentences,
    mostly wrong, and is the only one to label ``lone`` (one vote from an unreliable annotator).
    """
    folder, sentences = write_articles(tmp_path)
    at = _by_position(sentences)
    plants = {
        "tie": at[("art01", 3)],
        "flip": at[("art02", 1)],
        "flip2": at[("art07", 3)],
        "split": at[("art04", 1)],
        "lone": at[("art09", 2)],
    }
    wrong = {"CFS": "NFS", "NFS": "CFS", "UFS": "NFS"}
    noisy = [at[(f"art{i:02d}", 2)] for i in (0, 1, 3, 5, 6, 8, 10, 11)] + [at[("art05", 0)], at[("art06", 0)]]
    tasks = []
    for n, sentence in enumerate(sorted(sentences.values(), key=lambda s: s.sentence_id)):
        true = TRUE[sentence.index]
        anns = []
        if sentence is plants["tie"]:
            anns = [annotation(1, "CFS", ann_id=10 * n + 1), annotation(2, "UFS", ann_id=10 * n + 2)]
        elif sentence is plants["lone"]:
            anns = [annotation(3, "UFS", ann_id=10 * n + 3)]
        elif sentence is plants["flip"] or sentence is plants["flip2"]:
            anns = [annotation(1, wrong[true], ann_id=10 * n + 1), annotation(2, wrong[true], ann_id=10 * n + 2)]
        else:
            anns = [annotation(1, true, ann_id=10 * n + 1), annotation(2, true, ann_id=10 * n + 2)]
        if sentence is plants["split"]:
            anns.append(annotation(3, "NFS", ann_id=10 * n + 3))
        elif sentence in noisy:
            anns.append(annotation(3, wrong[true] if noisy.index(sentence) % 5 else true, ann_id=10 * n + 3))
        tasks.append(task(sentence, anns, task_id=n + 1))
    return folder, write_export(tmp_path / "export.json", tasks), sentences, plants


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """A version built from the planted export, and its review (with the adjudication tasks)."""
    root = tmp_path_factory.mktemp("review")
    folder, export, sentences, plants = planted(root)
    build_version([export], [folder], root / "ds", BuildConfig(seed=3), key=KEY)
    result = review_version(root / "ds", root / "review", ReviewConfig(seed=1), articles=[folder])
    return {"root": root, "folder": folder, "export": export, "sentences": sentences, "plants": plants, "result": result}


def _reasons(result, sentence) -> set[str]:
    item = next(i for i in result.items if i.sentence_id == sentence.sentence_id)
    return {r["reason"] for r in item.reasons}


@pytest.mark.parametrize(
    ("plant", "reason"),
    [("tie", "tie"), ("split", "disagreement"), ("lone", "low-posterior"), ("flip", "model-disagrees"), ("flip2", "model-disagrees")],
    ids=["tie", "annotators-disagree", "low-dawid-skene-posterior", "model-disagrees", "model-disagrees-2"],
)
def test_each_planted_error_is_found_with_its_reason(reviewed, plant, reason):
    assert reason in _reasons(reviewed["result"], reviewed["plants"][plant])


def test_planted_errors_rank_above_the_clean_labels(reviewed):
    result, plants = reviewed["result"], reviewed["plants"]
    ranks = {name: next(i.rank for i in result.items if i.sentence_id == s.sentence_id) for name, s in plants.items()}
    assert ranks["tie"] == 1, "a tie has no label at all: it comes first"
    assert max(ranks.values()) <= len(result.doubtful)
    assert len(result.doubtful) < len(result.items) / 2, "most labels are clean and have no reason"
    clean = [i for i in result.items if not i.reasons]
    assert clean and all(i.doubt == 0 for i in clean)
    assert [i.rank for i in result.items] == list(range(1, len(result.items) + 1))
    doubts = [i.doubt for i in result.items]
    assert doubts == sorted(doubts, reverse=True)


def test_the_lone_vote_has_no_disagreement_and_the_unanimous_flip_no_annotator_reason(reviewed):
    assert "disagreement" not in _reasons(reviewed["result"], reviewed["plants"]["lone"])
    assert _reasons(reviewed["result"], reviewed["plants"]["flip"]) == {"model-disagrees"}


def test_outputs_are_written_with_settings_and_seeds_and_are_byte_identical_on_a_rerun(reviewed, tmp_path):
    root = reviewed["root"]
    again = review_version(root / "ds", tmp_path / "again", ReviewConfig(seed=1), articles=[reviewed["folder"]])
    for name in ("review.jsonl", "summary.json", "adjudication/tasks.json", "adjudication/label_config.xml"):
        assert (root / "review" / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    summary = json.loads((root / "review" / "summary.json").read_text())
    assert summary["settings"]["seed"] == 1 and summary["build_seed"] == 3
    assert summary["model"]["description"] == "tfidf-lr, 5-fold out-of-fold, no class weights, seed 1"
    assert summary["doubtful"] == len(again.doubtful) and summary["items"] == len(again.items)
    lines = (root / "review" / "review.jsonl").read_text().splitlines()
    assert len(lines) == summary["items"] and json.loads(lines[0])["reasons"][0]["reason"] == "tie"


def test_adjudication_tasks_pass_the_push_checks_and_show_the_earlier_labels(reviewed):
    folder = reviewed["root"] / "review" / "adjudication"
    tasks = read_task_dir(folder).tasks
    assert len(tasks) == len(reviewed["result"].doubtful)
    by_id = {t["data"]["sentence_id"]: t for t in tasks}
    tie = by_id[reviewed["plants"]["tie"].sentence_id]
    assert tie["meta"][MARKER]["label"] is None and tie["meta"][MARKER]["votes"] == {"CFS": 1, "NFS": 0, "UFS": 1}
    assert "Earlier labels: CFS 1 · UFS 1" in tie["data"]["passage"] and "<mark>" in tie["data"]["passage"]
    flip = by_id[reviewed["plants"]["flip"].sentence_id]
    assert flip["meta"][MARKER]["label"] == "NFS" and flip["meta"][MARKER]["reasons"] == ["model-disagrees"]
    assert "Model (tfidf-lr, 5-fold out-of-fold, no class weights, seed 1): CFS" in flip["data"]["passage"]
    assert "predictions" not in flip, "the model's view is on the page, not pre-selected"


def test_top_limits_the_tasks_and_none_skips_the_model(reviewed, tmp_path):
    result = review_version(reviewed["root"] / "ds", tmp_path / "r", ReviewConfig(baseline="none", top=2), articles=[reviewed["folder"]])
    assert result.tasks == 2 and result.summary["model"] is None
    assert all(r["reason"] != "model-disagrees" for i in result.items for r in i.reasons)
    assert all(i.model is None for i in result.items)


def test_without_articles_only_the_ranking_is_written(reviewed, tmp_path):
    result = review_version(reviewed["root"] / "ds", tmp_path / "r", ReviewConfig(baseline="none"))
    assert result.tasks is None and not (tmp_path / "r" / "adjudication").exists()
    assert (tmp_path / "r" / "review.jsonl").is_file()


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ({"baseline": "tfidf-lrr"}, "Did you mean 'tfidf-lr'"),
        ({"folds": 1}, "--folds must be 2 or more"),
        ({"folds": 30}, "at least 30 items for 30-fold"),
        ({"min_posterior": 0}, r"--min-posterior must be in \(0, 1\]"),
        ({"top": 0}, "--top must be 1 or more"),
        ({"class_weight": "equal"}, "--class-weight must be balanced or none"),
        ({"baseline": "tfidf-lr+nothing"}, "unknown baseline 'nothing'"),
    ],
    ids=["unknown-baseline", "one-fold", "too-many-folds", "posterior-zero", "top-zero", "class-weight", "unknown-ensemble-member"],
)
def test_bad_settings_are_refused_with_a_clear_message(reviewed, tmp_path, settings, match):
    with pytest.raises(InputError, match=match):
        review_version(reviewed["root"] / "ds", tmp_path / "r", ReviewConfig(**settings))
    assert not (tmp_path / "r").exists()


def test_bad_inputs_are_refused_with_a_clear_message(reviewed, tmp_path):
    with pytest.raises(InputFileNotFoundError, match="no dataset versions found"):
        review_version(tmp_path / "nothing", tmp_path / "r")
    with pytest.raises(InputFileNotFoundError, match="version 9.9.9 not found; available: 1.0.0"):
        review_version(f"{reviewed['root'] / 'ds'}@9.9.9", tmp_path / "r")
    with pytest.raises(VersionExistsError, match="already exists"):
        review_version(reviewed["root"] / "ds", reviewed["root"] / "review", ReviewConfig(baseline="none"))
    other, _ = write_articles(tmp_path / "other", {"zz": ["Something else entirely.", "Nothing to see."]})
    with pytest.raises(InputError, match=r"(?s)doubtful sentence\(s\) are not in the given articles.*art01"):
        review_version(reviewed["root"] / "ds", tmp_path / "r", ReviewConfig(baseline="none"), articles=[other])
    assert not (tmp_path / "r").exists()


def test_the_command_prints_a_table_and_json(reviewed, tmp_path, capsys):
    assert main(["review", str(reviewed["root"] / "ds"), "--out", str(tmp_path / "a"), "--baseline", "none", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "labels doubtful" in out and "rank  doubt" in out and "pass --articles SEEDS" in out
    assert main(["review", str(reviewed["root"] / "ds"), "--out", str(tmp_path / "b"), "--articles", str(reviewed["folder"]),
                 "--seed", "1", "--class-weight", "balanced", "--json", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["top"][0]["reasons"] == ["tie"] and summary["adjudication_tasks"] == summary["doubtful"]
    written = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert written["settings"]["class_weight"] == "balanced" and written["model"]["description"] == "tfidf-lr, 5-fold out-of-fold, seed 1"
    assert json.loads((reviewed["root"] / "review" / "summary.json").read_text())["settings"]["class_weight"] == "none", "the default"
    with pytest.raises(SystemExit) as usage:  # refused as it is parsed, before the model is trained
        main(["review", str(reviewed["root"] / "ds"), "--out", str(tmp_path / "c"), "--top", "0"])
    assert usage.value.code == 2
    assert "argument --top: expected a whole number of at least 1, found 0" in capsys.readouterr().err


# -- build --adjudication (exports written by hand; the real server is in test_adjudication_studio.py)


def _adjudication_export(path: Path, task_dir: Path, decisions: dict[str, list[str]]) -> Path:
    """The export of an adjudication project: each task as pushed, with one annotation per decision."""
    tasks = []
    for n, local in enumerate(json.loads((task_dir / "tasks.json").read_text()), start=1):
        labels = decisions.get(local["data"]["sentence_id"], [])
        anns = [annotation(50 + k, label, ann_id=1000 + 10 * n + k) for k, label in enumerate(labels)]
        tasks.append({"id": 500 + n, "data": local["data"], "meta": local["meta"], "annotations": anns, "predictions": []})
    return write_export(path, tasks)


def test_build_with_adjudication_overrides_the_aggregate_and_says_so(reviewed, tmp_path):
    plants = reviewed["plants"]
    ds = tmp_path / "ds"
    build_version([reviewed["export"]], [reviewed["folder"]], ds, BuildConfig(seed=3), key=KEY)
    decisions = {plants["tie"].sentence_id: ["CFS"], plants["flip"].sentence_id: ["CFS", "CFS"], plants["split"].sentence_id: ["CFS"]}
    adjudicated = _adjudication_export(tmp_path / "adjudication.json", reviewed["root"] / "review" / "adjudication", decisions)
    result = build_version([reviewed["export"]], [reviewed["folder"]], ds, BuildConfig(seed=3), key=KEY, adjudications=[adjudicated],
                           finish=lambda tmp: write_card(tmp))
    assert result.created and result.version == "1.1.0", "the tie enters the splits: a sentence is added"
    record = load_manifest(result.path).adjudication
    assert record["sentences"] == 3 and record["changed"] == 1 and record["resolved_ties"] == 1
    items = {i["sentence_id"]: i for i in record["items"]}
    assert items[plants["flip"].sentence_id] == {"sentence_id": plants["flip"].sentence_id, "before": "NFS", "label": "CFS", "adjudicators": 2}
    assert items[plants["tie"].sentence_id]["before"] is None
    assert not any(u["sentence_id"] == plants["tie"].sentence_id for u in load_manifest(result.path).unresolved)
    assert [f["name"] for f in load_manifest(result.path).inputs["adjudications"]] == ["adjudication.json"]

    import pyarrow.parquet as pq

    rows = {r["sentence_id"]: r for split in (result.path / "data").glob("*.parquet") for r in pq.read_table(split).to_pylist()}
    flip = rows[plants["flip"].sentence_id]
    assert flip["label_source"] == "adjudication" and flip["votes"] == [0, 0, 2] and flip["agreement"] == 0.0
    assert rows[plants["tie"].sentence_id]["label_source"] == "adjudication"
    changelog = (ds / "CHANGELOG.md").read_text()
    assert "Adjudicated, in all: 3 sentences (1 tie resolved); 1 label differs from the annotators' majority." in changelog
    assert f"label `{plants['flip'].sentence_id}`: NFS -> CFS" in changelog
    assert f"label `{plants['flip'].sentence_id}`: NFS -> CFS (CFS=0 UFS=0 NFS=2 -> CFS=0 UFS=0 NFS=2) by adjudication" in changelog
    card = (result.path / "README.md").read_text()
    assert "Adjudication: 3 sentences whose label was doubtful, listed by `checkworthy review`, were decided again by a person (1 of them was a tie); 1 of these labels differs" in card
    diff = diff_versions(ds, "1.0.0", "1.1.0")
    changed = {c["sentence_id"]: c for split in diff["splits"].values() for c in split["changed"]}
    assert changed[plants["flip"].sentence_id]["adjudicated"] is True
    assert (changed[plants["flip"].sentence_id]["old_source"], changed[plants["flip"].sentence_id]["new_source"]) == ("majority", "adjudication")
    assert diff["summary"]["changed_by_adjudication"] == 1 == diff["summary"]["changed"]
    again = build_version([reviewed["export"]], [reviewed["folder"]], ds, BuildConfig(seed=3), key=KEY, adjudications=[adjudicated])
    assert not again.created and again.version == "1.1.0"


def test_a_build_without_the_adjudication_exports_is_refused_instead_of_dropping_them(reviewed, tmp_path, capsys):
    """The next round built with the exports alone (the README's loop command without
    --adjudication) would put the majority back on every adjudicated sentence."""
    plants = reviewed["plants"]
    ds = tmp_path / "ds"
    build_version([reviewed["export"]], [reviewed["folder"]], ds, BuildConfig(seed=3), key=KEY)
    decisions = {plants["tie"].sentence_id: ["CFS"], plants["flip"].sentence_id: ["CFS", "CFS"]}
    adjudicated = _adjudication_export(tmp_path / "adjudication.json", reviewed["root"] / "review" / "adjudication", decisions)
    assert build_version([reviewed["export"]], [reviewed["folder"]], ds, BuildConfig(seed=3), key=KEY, adjudications=[adjudicated]).version == "1.1.0"
    # (with other settings: the same inputs as 1.0.0 would only find 1.0.0 again, writing nothing)
    with pytest.raises(InputError, match=r"2 label\(s\) of version 1.1.0 were decided by adjudication \(adjudication.json\).*"
                                         r"--adjudication FILE.*--allow-removal"):
        build_version([reviewed["export"]], [reviewed["folder"]], ds, BuildConfig(seed=3, dedupe=True), key=KEY)
    assert sorted(p.name for p in (ds / "versions").iterdir()) == ["1.0.0", "1.1.0"]
    # the adjudication export given again (as a newer pull would be): the same version, nothing refused
    assert not build_version([reviewed["export"]], [reviewed["folder"]], ds, BuildConfig(seed=3), key=KEY, adjudications=[adjudicated]).created
    # on purpose
    dropped = build_version([reviewed["export"]], [reviewed["folder"]], ds, BuildConfig(seed=3, dedupe=True), key=KEY, allow_removal=True)
    assert dropped.created and dropped.version == "1.2.0"  # the adjudicated tie leaves: a sentence is removed

    # --version below the latest is refused: review, evaluate and --exclude read the latest version
    build = ["build", str(reviewed["export"]), "--articles", str(reviewed["folder"]), "--dataset", str(ds), "--seed", "4"]
    assert main([*build, "--version", "1.0.5", "--allow-removal"]) == 1
    assert "--version 1.0.5 is below the latest version 1.2.0" in capsys.readouterr().err
    # --adjudication takes every file after it: an error that says so when it took the export too
    assert main(["build", "--adjudication", str(adjudicated), str(reviewed["export"]), "--articles", str(reviewed["folder"]),
                 "--dataset", str(ds)]) == 1
    assert "give the EXPORT files before --adjudication" in capsys.readouterr().err


def test_an_adjudication_that_only_resolves_ties_is_reported_as_such_by_build_and_diff(reviewed, tmp_path, capsys):
    tie = reviewed["plants"]["tie"].sentence_id
    ds = tmp_path / "ds"
    build = ["build", str(reviewed["export"]), "--articles", str(reviewed["folder"]), "--dataset", str(ds), "--seed", "3", "--quiet"]
    assert main(build) == 0
    adjudicated = _adjudication_export(tmp_path / "adjudication.json", reviewed["root"] / "review" / "adjudication", {tie: ["NFS"]})
    capsys.readouterr()
    assert main([*build, "--adjudication", str(adjudicated)]) == 0
    assert "Adjudicated, in all: 1 sentence (1 tie resolved); 0 labels differ from the annotators' majority." in capsys.readouterr().out

    assert main(["diff", str(ds), "1.0.0", "1.1.0"]) == 0
    assert f"added `{tie}`: NFS (CFS=1 UFS=1 NFS=0) by adjudication" in capsys.readouterr().out
    assert main(["diff", str(ds), "1.0.0", "1.1.0", "--json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    added = [a for split in diff["splits"].values() for a in split["added"]]
    assert [(a["sentence_id"], a["adjudicated"]) for a in added] == [(tie, True)]
    assert diff["summary"] == {"added": 1, "removed": 0, "changed": 0, "moved": 0,
                               "added_by_adjudication": 1, "changed_by_adjudication": 0}
    assert f"added `{tie}`: NFS (CFS=1 UFS=1 NFS=0) by adjudication" in (ds / "CHANGELOG.md").read_text()


def test_the_adjudication_folder_holds_the_articles_of_its_tasks_and_build_reads_them(reviewed, tmp_path):
    folder = reviewed["root"] / "review" / "adjudication"
    records = [json.loads(line) for line in (folder / "articles.jsonl").read_text().splitlines()]
    tasks = read_task_dir(folder).tasks
    assert [r["article_id"] for r in records] == sorted({t["data"]["article_id"] for t in tasks}), "each article of a task, once"
    assert len(records) < len(reviewed["sentences"]) and len(records) < len({s.article_id for s in reviewed["sentences"].values()})
    assert main(["validate", str(folder / "articles.jsonl")]) == 0, "the format of the tasks stage's articles.jsonl"
    for t in tasks:
        article = next(r for r in records if r["article_id"] == t["data"]["article_id"])
        assert t["data"]["sentence"] in article["text"] and t["meta"]["article_sha256"] == article["text_sha256"]

    # build reads it beside the original articles: the same article read twice is read once.
    plants = reviewed["plants"]
    decisions = {plants["tie"].sentence_id: ["CFS"], plants["flip"].sentence_id: ["CFS"]}
    adjudicated = _adjudication_export(tmp_path / "adjudication.json", folder, decisions)
    with_jsonl = build_version([reviewed["export"]], [reviewed["folder"], folder / "articles.jsonl"], tmp_path / "a", BuildConfig(seed=3),
                               key=KEY, adjudications=[adjudicated])
    plain = build_version([reviewed["export"]], [reviewed["folder"]], tmp_path / "b", BuildConfig(seed=3), key=KEY, adjudications=[adjudicated])
    assert load_manifest(with_jsonl.path).adjudication["changed"] == 1
    assert load_manifest(with_jsonl.path).fingerprint == load_manifest(plain.path).fingerprint
    for split in ("train", "validation", "test"):
        a, b = with_jsonl.path / "data" / f"{split}.parquet", plain.path / "data" / f"{split}.parquet"
        assert a.exists() == b.exists() and (not a.exists() or a.read_bytes() == b.read_bytes()), split

    # An article of the same id with another text is still refused.
    edited = [dict(records[0], text=records[0]["text"] + " Edited.")]
    edited[0]["text_sha256"] = hashlib.sha256(edited[0]["text"].encode("utf-8")).hexdigest()
    (tmp_path / "edited").mkdir()
    (tmp_path / "edited" / "articles.jsonl").write_text(json.dumps(edited[0]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"duplicate article id {records[0]['article_id']!r}"):
        build_version([reviewed["export"]], [reviewed["folder"], tmp_path / "edited" / "articles.jsonl"], tmp_path / "c", key=KEY)


def test_adjudication_exports_in_the_wrong_place_or_disagreeing_are_refused(reviewed, tmp_path):
    plants = reviewed["plants"]
    folder, export = reviewed["folder"], reviewed["export"]
    review_dir = reviewed["root"] / "review" / "adjudication"
    adjudicated = _adjudication_export(tmp_path / "adj.json", review_dir, {plants["tie"].sentence_id: ["CFS"]})
    with pytest.raises(InputError, match=r"(?s)pass them with --adjudication.*adj.json: \d+ of \d+ tasks"):
        build_version([export, adjudicated], [folder], tmp_path / "ds", key=KEY)
    with pytest.raises(InputError, match=r"(?s)export.json: \d+ of \d+ tasks are not adjudication tasks"):
        build_version([export], [folder], tmp_path / "ds", key=KEY, adjudications=[export])
    split = _adjudication_export(tmp_path / "split.json", review_dir, {plants["tie"].sentence_id: ["CFS", "NFS"]})
    with pytest.raises(InputError, match=r"(?s)adjudicated differently.*ann-[0-9a-f]+ chose (CFS|NFS), ann-[0-9a-f]+ chose (CFS|NFS)"):
        build_version([export], [folder], tmp_path / "ds", key=KEY, adjudications=[split])
    others = [t for t in json.loads(export.read_text()) if t["data"]["sentence_id"] != plants["tie"].sentence_id]
    partial = write_export(tmp_path / "partial.json", others)
    with pytest.raises(InputError, match=f"(?s)adjudicated sentences that no EXPORT labeled.*{plants['tie'].sentence_id}"):
        build_version([partial], [folder], tmp_path / "ds", key=KEY, adjudications=[adjudicated])
    assert not (tmp_path / "ds" / "versions").exists()


def test_a_gold_label_wins_over_an_adjudication_with_a_warning(reviewed, tmp_path):
    plants = reviewed["plants"]
    gold = tmp_path / "gold.csv"
    gold.write_text(f"sentence_id,label\n{plants['flip'].sentence_id},NFS\n", encoding="utf-8")
    decisions = {plants["flip"].sentence_id: ["CFS"], plants["split"].sentence_id: ["CFS"]}
    adjudicated = _adjudication_export(tmp_path / "adjudication.json", reviewed["root"] / "review" / "adjudication", decisions)
    result = build_version([reviewed["export"]], [reviewed["folder"]], tmp_path / "ds", BuildConfig(seed=3), key=KEY,
                           gold=gold, adjudications=[adjudicated])
    record = load_manifest(result.path).adjudication
    assert [i["sentence_id"] for i in record["items"]] == [plants["split"].sentence_id]
    assert any(f"sentence {plants['flip'].sentence_id!r} has a gold label (NFS, gold)" in w for w in result.warnings)


def test_a_project_of_adjudication_tasks_gets_instructions_that_say_so(reviewed):
    from checkworthy.builder.labelstudio import page_settings

    tasks = read_task_dir(reviewed["root"] / "review" / "adjudication").tasks
    said = "<p><b>Adjudication.</b> These sentences come back because their label is doubtful."
    assert page_settings(tasks)["expert_instruction"].startswith(said)
    plain = [{**t, "meta": {k: v for k, v in t["meta"].items() if k != MARKER}} for t in tasks]
    assert said not in page_settings(plain)["expert_instruction"]
    assert page_settings(plain)["expert_instruction"] == load_scheme("claimbuster").instructions_html()


def test_an_adjudication_page_in_arabic_is_in_arabic_right_to_left_and_exports_the_same_labels(reviewed, tmp_path):
    from checkworthy.builder.labelstudio import page_settings

    english = read_task_dir(reviewed["root"] / "review" / "adjudication")
    result = review_version(reviewed["root"] / "ds", tmp_path / "ar", ReviewConfig(seed=1), articles=[reviewed["folder"]],
                            page_language="ara")
    arabic = read_task_dir(tmp_path / "ar" / "adjudication")
    page = load_scheme("claimbuster", "ar")
    assert result.summary["page_language"] == "ar" and "page_language" not in reviewed["result"].summary
    assert arabic.label_config == page.label_config() and 'style="direction: rtl"' in arabic.label_config
    assert len(arabic.tasks) == len(english.tasks)
    for ar_task, en_task in zip(arabic.tasks, english.tasks):
        assert ar_task["meta"]["page_language"] == "ar" and "page_language" not in en_task["meta"]
        assert ar_task["meta"][MARKER] == en_task["meta"][MARKER]  # the same facts, whatever the page's words
        assert ar_task["data"]["sentence_id"] == en_task["data"]["sentence_id"]
    by_id = {t["data"]["sentence_id"]: t["data"]["passage"] for t in arabic.tasks}
    tie = by_id[reviewed["plants"]["tie"].sentence_id]
    assert f"<b>{page.page.adjudication}</b>: {page.page.reason_tie}." in tie
    assert f"{page.page.earlier_labels}: CFS 1 · UFS 1. {page.page.version_label} 1.0.0: {page.page.tie}." in tie
    assert "border-right: 3px" in tie and "Adjudication" not in tie and "Earlier labels" not in tie
    flip = by_id[reviewed["plants"]["flip"].sentence_id]
    assert f"{page.page.model} (tfidf-lr, 5-fold out-of-fold, no class weights, seed 1): CFS" in flip
    instruction = page_settings(arabic.tasks)["expert_instruction"]
    assert instruction.startswith('<div lang="ar" dir="rtl"><p><b>' + page.page.adjudication + ".</b> " + page.page.adjudication_instruction)
    decisions = {reviewed["plants"]["flip"].sentence_id: ["CFS"]}
    from_arabic = _adjudication_export(tmp_path / "ar.json", tmp_path / "ar" / "adjudication", decisions)
    from_english = _adjudication_export(tmp_path / "en.json", reviewed["root"] / "review" / "adjudication", decisions)
    built = [build_version([reviewed["export"]], [reviewed["folder"]], tmp_path / name, BuildConfig(seed=3), key=KEY,
                           adjudications=[export]) for name, export in (("ds-ar", from_arabic), ("ds-en", from_english))]
    rows = [{f.name: pd.read_parquet(f) for f in sorted((b.path / "data").glob("*.parquet"))} for b in built]
    assert rows[0].keys() == rows[1].keys() and rows[0]
    for name, frame in rows[0].items():
        pd.testing.assert_frame_equal(frame, rows[1][name])
    assert load_manifest(built[0].path).adjudication["items"] == load_manifest(built[1].path).adjudication["items"]


@pytest.mark.parametrize(("language", "reasons", "model"), [
    ("en", "the annotators disagreed; a model trained on the other labels confidently disagrees", "NFS 0.81 · CFS 0.12"),
    ("es", "los anotadores no estuvieron de acuerdo; un modelo", "NFS 0,81 · CFS 0,12"),
    ("ar", "اختلف المصنِّفون؛ نموذج", "NFS 0.81 · CFS 0.12"),
])
def test_the_review_block_uses_the_punctuation_of_its_page(language, reasons, model):
    from checkworthy.builder.review import ReviewItem, _review_block

    item = ReviewItem(rank=1, sentence_id="s", article_id="a", text="t", split="train", label="CFS", label_source="majority",
                      votes={"CFS": 2, "NFS": 1, "UFS": 0}, doubt=0.9,
                      reasons=[{"reason": "disagreement"}, {"reason": "model-disagrees"}],
                      model={"probabilities": {"CFS": 0.1234, "NFS": 0.8149}})
    block = _review_block(item, load_scheme("claimbuster", language), "1.2.0", "tfidf-lr")
    assert f": {reasons}" in block and f"): {model}.</p>" in block
    assert "CFS 2 · NFS 1. " in block and "UFS 0" not in block


def test_an_unknown_adjudication_page_language_lists_the_available_ones(reviewed, tmp_path):
    with pytest.raises(InputError, match="no labeling page in 'de'; available: ar, en, es, nl"):
        review_version(reviewed["root"] / "ds", tmp_path / "de", ReviewConfig(seed=1), articles=[reviewed["folder"]], page_language="de")
    assert not (tmp_path / "de").exists()
