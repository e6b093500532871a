"""Gold items and annotator quality: gold accuracy, leave-one-out agreement, Dawid-Skene
confusion matrices, ``build --gold`` and ``--min-annotator-accuracy`` (and a real Label Studio)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from huggingface_hub import DatasetCard
from labelstudio_fixtures import KEY, annotation, labeled_export, task, write_articles, write_export

from checkworthy.builder.aggregate import aggregate
from checkworthy.builder.agreement import agreement_report
from checkworthy.builder.build import BuildConfig, build_version
from checkworthy.builder.card import validate_card
from checkworthy.builder.quality import GoldLabels, annotator_quality, exclude_below, gold_labels, read_gold
from checkworthy.builder.store import load_manifest
from checkworthy.builder.validation import validate_file
from checkworthy.cli import main
from checkworthy.schemas import load_scheme
from checkworthy.schemas.documents import Manifest
from checkworthy.schemas.errors import InputError

SCHEME = load_scheme("claimbuster")


def _table(votes: list[tuple[str, str, str]], ground_truth: set[tuple[str, str]] = frozenset()) -> pd.DataFrame:
    """An annotation table from ``(sentence_id, annotator, label)`` votes; ``ground_truth`` flags some (sentence, annotator)."""
    return pd.DataFrame({
        "sentence_id": [v[0] for v in votes],
        "annotator": [v[1] for v in votes],
        "label": [v[2] for v in votes],
        "ground_truth": [(v[0], v[1]) in ground_truth for v in votes],
    })


# Three annotators a, b, c (and d, who labels one item with a), five gold-free items and three gold ones.
VOTES = [
    ("s1", "a", "CFS"), ("s1", "b", "CFS"), ("s1", "c", "UFS"),
    ("s2", "a", "NFS"), ("s2", "b", "UFS"), ("s2", "c", "UFS"),
    ("s3", "a", "CFS"), ("s3", "b", "NFS"), ("s3", "c", "UFS"),
    ("s4", "a", "UFS"), ("s4", "b", "UFS"),
    ("s5", "a", "NFS"),
    ("s6", "a", "CFS"), ("s6", "d", "CFS"),
]
GOLD = {"s1": "CFS", "s2": "UFS", "s5": "NFS"}


def test_gold_accuracy_and_leave_one_out_agreement_by_hand():
    quality = annotator_quality(_table(VOTES), gold_labels(_table(VOTES), GOLD), SCHEME)
    people = quality["annotators"]
    # Gold accuracy (gold: s1 CFS, s2 UFS, s5 NFS):
    #   a: s1 CFS right, s2 NFS wrong, s5 NFS right -> 2/3;  b: s1 right, s2 right -> 2/2
    #   c: s1 UFS wrong, s2 UFS right -> 1/2;                d: no gold item -> None
    assert [(people[n]["gold_correct"], people[n]["gold_items"], people[n]["gold_accuracy"]) for n in "abcd"] == [
        (2, 3, 0.666667), (2, 2, 1.0), (1, 2, 0.5), (0, 0, None)]
    # Leave-one-out (majority of the others; a tie among them is not counted):
    #   a: s1 others CFS/UFS tie; s2 others UFS,UFS -> UFS != NFS; s3 others NFS/UFS tie; s4 others UFS == UFS;
    #      s5 nobody else; s6 others CFS == CFS  -> 2 of 3 items, 2 ties
    #   b: s1 others CFS/UFS tie; s2 others NFS/UFS tie; s3 tie; s4 others UFS == UFS -> 1 of 1, 3 ties
    #   c: s1 others CFS,CFS != UFS; s2 others NFS/UFS tie; s3 tie -> 0 of 1, 2 ties
    #   d: s6 others CFS == CFS -> 1 of 1
    assert [(people[n]["loo_items"], people[n]["loo_agreement"], people[n]["loo_ties"]) for n in "abcd"] == [
        (3, 0.666667, 2), (1, 1.0, 3), (1, 0.0, 2), (1, 1.0, 0)]
    assert [people[n]["votes"] for n in "abcd"] == [6, 4, 3, 1]
    assert quality["gold"] == {"items": 3, "from_file": 3, "from_ground_truth": 0, "without_votes": 0}


def test_two_annotators_get_their_pairwise_agreement_not_one():
    # a and b agree on s1, s2, s3 and disagree on s4: majority vote leaves s4 a tie, so the
    # consensus (own vote included) agrees with each of them on every resolved item.
    votes = [("s1", "a", "CFS"), ("s1", "b", "CFS"), ("s2", "a", "NFS"), ("s2", "b", "NFS"),
             ("s3", "a", "UFS"), ("s3", "b", "UFS"), ("s4", "a", "CFS"), ("s4", "b", "NFS")]
    table = _table(votes)
    inclusive = agreement_report(table, aggregate(table, SCHEME), SCHEME)["annotator_vs_consensus"]
    assert {name: v["percent"] for name, v in inclusive.items()} == {"a": 1.0, "b": 1.0}
    people = annotator_quality(table, GoldLabels(), SCHEME)["annotators"]
    # Leave-one-out: the other annotator alone is the consensus -> 3 of 4 = 0.75 for both.
    assert {name: (p["loo_items"], p["loo_agreement"]) for name, p in people.items()} == {"a": (4, 0.75), "b": (4, 0.75)}


def test_the_author_of_a_ground_truth_is_not_scored_on_it():
    votes = [("s1", "a", "CFS"), ("s1", "b", "UFS"), ("s2", "a", "NFS"), ("s2", "b", "NFS")]
    table = _table(votes, ground_truth={("s1", "a")})
    gold = gold_labels(table, {})
    assert gold.labels == {"s1": "CFS"} and gold.sources == {"s1": "ground_truth"} and gold.authors == {"s1": frozenset({"a"})}
    people = annotator_quality(table, gold, SCHEME)["annotators"]
    # a wrote the gold label of s1: not scored on it (0 items); b said UFS on s1: 0 of 1.
    assert (people["a"]["gold_items"], people["a"]["gold_accuracy"]) == (0, None)
    assert (people["b"]["gold_items"], people["b"]["gold_accuracy"]) == (1, 0.0)


def test_dawid_skene_confusion_matrices_have_one_row_per_true_label():
    # a and b always give the true label (cycling CFS, UFS, NFS); c always says CFS.
    truth = ["CFS", "UFS", "NFS"] * 10
    votes = [(f"s{i:02d}", who, label if who != "c" else "CFS") for i, label in enumerate(truth) for who in "abc"]
    people = annotator_quality(_table(votes), GoldLabels(), SCHEME, seed=3)["annotators"]
    for p in people.values():
        confusion = np.array(p["ds_confusion"])
        assert confusion.shape == (3, 3)
        assert np.allclose(confusion.sum(axis=1), 1.0, atol=1e-5) and (confusion >= 0).all()
        assert np.isclose(sum(p["ds_true_items"]), p["votes"], atol=0.01)
    assert min(np.diag(people["a"]["ds_confusion"])) > 0.9
    c = np.array(people["c"]["ds_confusion"])
    assert c[1, 0] > 0.9 and c[2, 0] > 0.9, "c answers CFS whatever the true label (rows UFS, NFS)"


def test_exclude_below_leaves_out_exactly_the_annotators_below():
    quality = annotator_quality(_table(VOTES), gold_labels(_table(VOTES), GOLD), SCHEME)
    # accuracies: a 0.667, b 1.0, c 0.5, d none
    assert [e["annotator"] for e in exclude_below(quality, 0.6)["excluded"]] == ["c"]
    strict = exclude_below(quality, 0.7)
    assert [(e["annotator"], e["gold_accuracy"], e["gold_items"]) for e in strict["excluded"]] == [("a", 0.666667, 3), ("c", 0.5, 2)]
    assert strict["kept_without_gold"] == ["d"] and strict["min_accuracy"] == 0.7
    assert exclude_below(quality, 0.5)["excluded"] == [], "at the threshold is not below it"


# --------------------------------------------------------------------------- builds


@pytest.fixture
def labeled(tmp_path):
    """Articles, and an export where user 1 is always right, 2 right on most, 3 mostly wrong (three sentences each)."""
    folder, sentences = write_articles(tmp_path, {"art00": ["Prices rose 4 percent in 2001.", "It was a sunny day.",
                                                            "The minister called it a disaster.", "Unemployment fell to 3 percent."]})
    ordered = sorted(sentences.values(), key=lambda s: s.sentence_id)
    truth = ["CFS", "NFS", "UFS", "CFS"]
    answers = {1: truth, 2: ["CFS", "NFS", "UFS", "UFS"], 3: ["NFS", "CFS", "UFS", "NFS"]}
    tasks = [task(s, [annotation(user, answers[user][n], ann_id=10 * n + user) for user in answers], task_id=n + 1)
             for n, s in enumerate(ordered)]
    export = write_export(tmp_path / "export.json", tasks)
    gold = tmp_path / "gold.csv"
    gold.write_text("sentence_id,label\n" + "".join(f"{s.sentence_id},{t}\n" for s, t in zip(ordered[:3], truth)), encoding="utf-8")
    return folder, ordered, export, gold


def _pseudonyms(version: Path) -> dict[tuple[str, str], str]:
    table = pq.read_table(version / "annotations.parquet").to_pandas()
    return {(sid, label): who for sid, label, who in zip(table["sentence_id"], table["label"], table["annotator"])}


def test_build_with_gold_and_min_accuracy_records_who_and_why(labeled, tmp_path):
    folder, ordered, export, gold = labeled
    result = build_version([export], [folder], tmp_path / "ds", BuildConfig(min_annotator_accuracy=0.6), key=KEY, gold=gold)
    manifest = load_manifest(result.path)
    quality = manifest.annotator_quality
    who = _pseudonyms(result.path)
    # Gold: the first three sentences (CFS, NFS, UFS). User 1: 3/3; user 2: 3/3; user 3: NFS, CFS wrong, UFS right -> 1/3.
    third = who[(ordered[0].sentence_id, "NFS")]
    assert [(e["annotator"], e["gold_accuracy"], e["gold_items"]) for e in quality["excluded"]] == [(third, 0.333333, 3)]
    assert "0.333 on 3 gold item(s) is below 0.6" in quality["excluded"][0]["reason"]
    assert any(third in w and "left out of aggregation" in w for w in result.warnings)
    assert manifest.settings["min_annotator_accuracy"] == 0.6
    assert manifest.inputs["gold"][0]["name"] == "gold.csv"
    rows = {}
    for split in ("train", "validation", "test"):
        path = result.path / "data" / f"{split}.parquet"
        if path.exists():
            rows.update({r["sentence_id"]: r for r in pq.read_table(path).to_pylist()})
    # The gold label is the label; the fourth sentence (no gold) has the votes of users 1 and 2 only: CFS vs UFS, a tie.
    assert {sid: rows[sid]["label_source"] for sid in rows} == {s.sentence_id: "gold" for s in ordered[:3]}
    assert [u["sentence_id"] for u in manifest.unresolved] == [ordered[3].sentence_id]
    assert sum(quality["gold"]["per_split"].values()) == 3
    assert manifest.agreement["annotators"] == 2, "agreement is measured on the votes that were aggregated"
    assert Manifest.from_dict(manifest.to_dict()).to_dict() == manifest.to_dict()


def test_build_without_gold_keeps_everyone_and_says_so(labeled, tmp_path):
    folder, _, export, _ = labeled
    result = build_version([export], [folder], tmp_path / "ds", BuildConfig(min_annotator_accuracy=0.9), key=KEY)
    quality = result.manifest.annotator_quality
    assert quality["excluded"] == [] and len(quality["kept_without_gold"]) == 3
    assert any("no gold items" in w for w in result.warnings)


def test_same_gold_is_the_same_version_and_a_gold_label_settles_a_tie(labeled, tmp_path):
    folder, ordered, export, gold = labeled
    first = build_version([export], [folder], tmp_path / "ds", BuildConfig(), key=KEY, gold=gold)
    assert [u["sentence_id"] for u in first.manifest.unresolved] == [ordered[3].sentence_id], "CFS / UFS / NFS: a tie"
    again = build_version([export], [folder], tmp_path / "ds", BuildConfig(), key=KEY, gold=gold)
    assert not again.created and again.version == first.version
    with gold.open("a", encoding="utf-8") as handle:
        handle.write(f"{ordered[3].sentence_id},NFS\n")
    changed = build_version([export], [folder], tmp_path / "ds", BuildConfig(), key=KEY, gold=gold)
    assert changed.created, "another gold file is another input"
    assert changed.manifest.unresolved == []
    rows = [r for split in ("train", "validation", "test") if (changed.path / "data" / f"{split}.parquet").exists()
            for r in pq.read_table(changed.path / "data" / f"{split}.parquet").to_pylist()]
    tied = next(r for r in rows if r["sentence_id"] == ordered[3].sentence_id)
    assert (SCHEME.names[tied["label"]], tied["label_source"], tied["votes"]) == ("NFS", "gold", [1, 1, 1])


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("id,label\nx,CFS\n", "gold.csv", r"gold.csv: line 1: header: expected exactly 'sentence_id,label', found 'id,label'"),
        ("sentence_id,label\n{s0},CFS\n{s1},CFX\n", "gold.csv", r"line 3 \(sentence_id '.*'\): label: 'CFX' is not in scheme 'claimbuster' \(CFS, UFS, NFS\)"),
        ("sentence_id,label\nart99:nothere,CFS\n", "gold.csv", r"line 2 \(sentence_id 'art99:nothere'\): sentence_id: not a sentence of the given articles"),
        ("sentence_id,label\n{s0},CFS\n{s0},NFS\n", "gold.csv", r"line 3 \(sentence_id '.*'\): sentence_id: duplicate of line 2"),
        ("sentence_id,label\n{s0},\n", "gold.csv", r"line 2 \(sentence_id '.*'\): label: empty"),
        ("sentence_id,label\n{s0},CFS,extra\n", "gold.csv", r"line 2: expected 2 fields \(sentence_id,label\), found 3"),
        ("sentence_id,label\n", "gold.csv", r"gold.csv: no gold sentence"),
        ("sentence_id,label\n{s0},CFS\n", "gold.txt", r"gold.txt: expected a CSV file .*found a .txt file"),
    ],
    ids=["header", "unknown-label", "unknown-sentence", "duplicate", "empty-label", "extra-field", "no-rows", "not-csv"],
)
def test_bad_gold_files_are_refused_and_nothing_is_written(labeled, tmp_path, content, name, message):
    folder, ordered, export, _ = labeled
    gold = tmp_path / name
    gold.write_text(content.format(s0=ordered[0].sentence_id, s1=ordered[1].sentence_id), encoding="utf-8")
    with pytest.raises(InputError, match=message):
        build_version([export], [folder], tmp_path / "ds", BuildConfig(), key=KEY, gold=gold)
    assert not (tmp_path / "ds" / "versions").exists()


def test_a_gold_file_that_contradicts_a_ground_truth_is_refused(labeled, tmp_path):
    folder, ordered, _, gold = labeled
    export = write_export(tmp_path / "truth.json", [task(ordered[0], [annotation(1, "UFS", ground_truth=True)])])
    with pytest.raises(InputError, match=r"sentence_id '.*': label: 'CFS' disagrees with the Label Studio ground-truth annotation \('UFS'\)"):
        build_version([export], [folder], tmp_path / "ds", BuildConfig(), key=KEY, gold=gold)


def test_read_gold_names_every_problem_at_once(tmp_path):
    gold = tmp_path / "gold.csv"
    gold.write_text("sentence_id,label\na,CFX\nb,\n,CFS\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_gold(gold, SCHEME)
    assert len(error.value.problems) == 3


def test_validate_knows_gold_files(tmp_path, capsys):
    gold = tmp_path / "gold.csv"
    gold.write_text("sentence_id,label\na:1,CFS\nb:2,Maybe\n", encoding="utf-8")
    kind, count, problems = validate_file(gold)
    assert (kind, count) == ("gold labels", 2)
    assert problems == [(f"{gold}: line 3 (sentence_id 'b:2'): label: 'Maybe' is not in scheme 'claimbuster' (CFS, UFS, NFS); "
                         "fix the label or pass the right --scheme")]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--min-annotator-accuracy", "1.5"], r"argument --min-annotator-accuracy: expected a number from 0 to 1, found 1\.5"),
        (["--from", "checkthat", "x", "--gold", "g.csv"], r"--gold and --min-annotator-accuracy are for Label Studio exports"),
    ],
    ids=["out-of-range", "with-corpus"],
)
def test_build_command_refuses_bad_quality_options(labeled, tmp_path, capsys, extra, message):
    folder, _, export, _ = labeled
    base = [] if "--from" in extra else [str(export), "--articles", str(folder)]
    try:
        code = main(["build", *base, "--dataset", str(tmp_path / "ds"), *extra])
    except SystemExit as usage:  # argparse refuses an impossible number as it parses it
        code = usage.code
    assert code != 0
    assert re.search(message, capsys.readouterr().err)


def test_card_of_two_annotators_shows_leave_one_out_not_one(tmp_path):
    folder, sentences = write_articles(tmp_path, {f"art{i}": [f"Prices rose {i} percent.", f"Day {i} was sunny.", f"Cats {i} sleep."] for i in range(4)})
    # user 1 cycles CFS, UFS, NFS; user 2 cycles CFS, NFS: they agree on some sentences and tie on the others.
    export = write_export(tmp_path / "export.json", labeled_export(sentences, {1: ["CFS", "UFS", "NFS"], 2: ["CFS", "NFS"]}))
    assert main(["build", str(export), "--articles", str(folder), "--dataset", str(tmp_path / "ds"), "--quiet"]) == 0
    version = tmp_path / "ds" / "versions" / "1.0.0"
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    pair = manifest["agreement"]["pairwise_cohen_kappa"][0]
    assert {v["percent"] for v in manifest["agreement"]["annotator_vs_consensus"].values()} == {1.0}, "the old figure, 1.0 by construction"
    loo = {p["loo_agreement"] for p in manifest["annotator_quality"]["annotators"].values()}
    assert loo == {pair["percent"]} and pair["percent"] < 1.0
    text = (version / "README.md").read_text(encoding="utf-8")
    assert "Each annotator against the gold label" not in text
    assert "agreement with others" in text and f"| - | {pair['items']} | {pair['percent']:.3f} |" in text
    assert "| 1.000 | 1.000 |" not in text
    validate_card(text, version)
    assert DatasetCard.load(version / "README.md").data.to_dict()["configs"]


# --------------------------------------------------------------------------- a real Label Studio


@pytest.mark.studio
def test_ground_truth_from_a_real_label_studio_is_gold(studio_server, tmp_path):
    from checkworthy.builder import studio
    from checkworthy.builder.labelstudio import NewAnnotation, post_annotations, pull_export, push_tasks
    from checkworthy.builder.tasks import write_tasks

    folder, _ = write_articles(tmp_path, {"art00": ["Report on the economy", "Prices rose 4 percent in 2001.", "It was a sunny day.",
                                                            "The minister called it a disaster.", "Unemployment fell to 3 percent."]})
    write_tasks([folder], tmp_path / "tasks", scheme="claimbuster")
    ids = [t["data"]["sentence_id"] for t in json.loads((tmp_path / "tasks" / "tasks.json").read_text(encoding="utf-8"))]
    s0, s1, s2, s3 = sorted(ids)[:4]
    connection = studio_server["connection"]
    push_tasks(tmp_path / "tasks", "gold-truth", connection=connection, annotators=3)
    for email in ("ann1@example.org", "ann2@example.org", "expert@example.org"):
        studio.add_annotator(studio_server["data_dir"], email)
    post_annotations("gold-truth", [
        (s0, "CFS", "ann1@example.org", 2.0), (s1, "UFS", "ann1@example.org", 2.0),
        (s2, "NFS", "ann1@example.org", 2.0), (s3, "CFS", "ann1@example.org", 2.0),
        (s0, "CFS", "ann2@example.org", 2.0), (s1, "UFS", "ann2@example.org", 2.0),
        (s2, "NFS", "ann2@example.org", 2.0), (s3, "UFS", "ann2@example.org", 2.0),
        NewAnnotation(s0, "CFS", "expert@example.org", 5.0, ground_truth=True),
        NewAnnotation(s3, "UFS", "expert@example.org", 5.0, ground_truth=True),
    ], connection=connection)
    export = tmp_path / "export.json"
    pull_export("gold-truth", export, connection=connection)
    flags = [a["ground_truth"] for t in json.loads(export.read_text(encoding="utf-8")) for a in t["annotations"]]
    assert flags.count(True) == 2, "Label Studio exports the ground-truth flag"

    result = build_version([export], [folder], tmp_path / "ds", BuildConfig(min_annotator_accuracy=0.75), key=KEY)
    quality = result.manifest.annotator_quality
    table = pq.read_table(result.path / "annotations.parquet").to_pandas()
    ann1 = _pseudonyms(result.path)[(s3, "CFS")]
    expert = table.loc[table["ground_truth"], "annotator"].unique().tolist()
    assert len(expert) == 1
    expert = expert[0]
    ann2 = (set(quality["annotators"]) - {ann1, expert}).pop()
    assert quality["gold"] == {"items": 2, "from_file": 0, "from_ground_truth": 2, "without_votes": 0,
                               "per_split": quality["gold"]["per_split"]}
    # ann1: s0 CFS right, s3 CFS wrong (gold UFS) -> 0.5 on 2, below 0.75; ann2: 2 of 2; the expert wrote the gold: not scored.
    people = quality["annotators"]
    assert (people[ann1]["gold_accuracy"], people[ann2]["gold_accuracy"], people[expert]["gold_items"]) == (0.5, 1.0, 0)
    assert [e["annotator"] for e in quality["excluded"]] == [ann1]
    assert quality["kept_without_gold"] == [expert]
    rows = {r["sentence_id"]: r for split in ("train", "validation", "test")
            if (result.path / "data" / f"{split}.parquet").exists()
            for r in pq.read_table(result.path / "data" / f"{split}.parquet").to_pylist()}
    assert (rows[s0]["label_source"], rows[s3]["label_source"]) == ("ground_truth", "ground_truth")
    assert SCHEME.names[rows[s3]["label"]] == "UFS"
    assert rows[s1]["n_annotators"] == 1, "ann1's vote was left out of aggregation"
