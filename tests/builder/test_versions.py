"""Dataset versions: the row contract, loading, immutability, idempotent and atomic builds."""

from __future__ import annotations

import dataclasses
import json
import re
import sys

import pytest
from labelstudio_fixtures import KEY, annotation, labeled_export, task, write_articles, write_export

from checkworthy import builder
from checkworthy.builder.build import BuildConfig, build_version
from checkworthy.builder.store import latest_version, load_version, parse_dataset_ref, read_manifest
from checkworthy.cli import main
from checkworthy.schemas import load_scheme, validate
from checkworthy.schemas.errors import InputError, VersionExistsError
from checkworthy.schemas.rows import Row, features


@pytest.fixture
def labeled(tmp_path):
    """Articles, a three-annotator export of all their sentences, and a dataset dir."""
    folder, sentences = write_articles(tmp_path)
    export = write_export(tmp_path / "export.json", labeled_export(sentences, {1: "CFS", 2: ["CFS", "UFS"], 3: ["NFS", "CFS", "UFS"]}))
    return folder, sentences, export, tmp_path / "ds"


def test_row_fields_match_features():
    fields = [f.name for f in dataclasses.fields(Row)]
    assert fields == list(features(load_scheme("claimbuster")))


def test_build_and_load(labeled):
    folder, sentences, export, ds = labeled
    result = build_version([export], [folder], ds, key=KEY)
    assert (result.version, result.created) == ("1.0.0", True)
    loaded = builder.load_version(ds)
    assert list(loaded) == ["train", "validation", "test"]
    assert loaded["train"].features == features(load_scheme("claimbuster"))
    rows = [row for split in loaded.values() for row in split]
    assert sum(result.manifest.counts[s] for s in loaded) == len(rows) == result.manifest.counts.total
    for row in rows:
        sentence = sentences[row["sentence_id"]]
        assert (row["text"], row["start"], row["end"], row["article_id"]) == (sentence.text, sentence.start, sentence.end, sentence.article_id)
        assert sum(row["votes"]) == row["n_annotators"] == 3
        assert row["agreement"] == pytest.approx(row["votes"][row["label"]] / 3)
    validate(read_manifest(result.path), "manifest", "manifest.json")
    unresolved = {u["sentence_id"] for u in result.manifest.unresolved}
    assert unresolved and unresolved.isdisjoint(r["sentence_id"] for r in rows)


def test_load_dataset_reads_the_version(labeled, tmp_path):
    from datasets import load_dataset

    folder, _, export, ds = labeled
    result = build_version([export], [folder], ds, key=KEY)
    loaded = load_dataset(str(result.path), cache_dir=str(tmp_path / "hf-cache"))
    assert loaded["train"].features["label"].names == ["CFS", "UFS", "NFS"]
    assert loaded["train"].num_rows == result.manifest.counts.train


def test_rebuild_is_idempotent_and_byte_identical(labeled, tmp_path):
    folder, _, export, ds = labeled
    first = build_version([export], [folder], ds, key=KEY)
    again = build_version([export], [folder], ds, key=KEY)
    assert (again.created, again.version) == (False, "1.0.0")
    assert "1.0.0 already has these inputs and settings" in again.warnings[0]
    assert sorted(p.name for p in (ds / "versions").iterdir()) == ["1.0.0"]
    twin = build_version([export], [folder], tmp_path / "twin", key=KEY)
    for name in ["data/train.parquet", "data/test.parquet", "annotations.parquet", "manifest.json", "README.md"]:
        assert (first.path / name).read_bytes() == (twin.path / name).read_bytes(), name


def test_the_same_export_given_twice_is_read_once(labeled, tmp_path):
    """A repeated export (or a copy under another name) adds nothing: no new version, no
    annotation counted as superseded by its own copy; the repeat is named in a warning."""
    folder, _, export, ds = labeled
    first = build_version([export], [folder], ds, key=KEY)
    copy = tmp_path / "copy-of-export.json"
    copy.write_bytes(export.read_bytes())
    again = build_version([export, copy, export], [folder], ds, key=KEY)
    assert (again.created, again.version) == (False, "1.0.0")
    other = build_version([export, copy], [folder], tmp_path / "other", key=KEY)
    assert read_manifest(other.path)["annotations"] == read_manifest(first.path)["annotations"]  # superseded 0, not the copy's count
    assert any(f"{copy}: the same file as {export}" in w for w in other.warnings)
    assert (other.path / "annotations.parquet").read_bytes() == (first.path / "annotations.parquet").read_bytes()
    assert read_manifest(other.path)["fingerprint"] == read_manifest(first.path)["fingerprint"]


def test_settings_change_makes_new_version_and_splits_are_stable(labeled):
    folder, sentences, export, ds = labeled
    first = build_version([export], [folder], ds, key=KEY)
    second = build_version([export], [folder], ds, BuildConfig(aggregate="dawid-skene"), key=KEY)
    assert second.created and second.manifest.parent == "1.0.0"
    assert first.manifest.fingerprint != second.manifest.fingerprint
    splits = [{row["article_id"]: name for name, split in load_version(ds, v).items() for row in split} for v in ("1.0.0", second.version)]
    shared = splits[0].keys() & splits[1].keys()
    assert shared and all(splits[0][a] == splits[1][a] for a in shared)


def test_a_new_seed_that_moves_sentences_between_splits_is_said(labeled):
    folder, sentences, export, ds = labeled
    first = build_version([export], [folder], ds, key=KEY)
    assert not [w for w in first.warnings if "changed split" in w]
    again = build_version([export], [folder], ds, BuildConfig(aggregate="dawid-skene"), key=KEY)
    assert again.created and not [w for w in again.warnings if "changed split" in w], "the same seed keeps every split"
    moved = build_version([export], [folder], ds, BuildConfig(seed=7), key=KEY)
    old = {r["sentence_id"]: name for name, split in load_version(ds, again.version).items() for r in split}
    new = {r["sentence_id"]: name for name, split in load_version(ds, moved.version).items() for r in split}
    changed = sum(old[sid] != new[sid] for sid in old.keys() & new.keys())
    [warning] = [w for w in moved.warnings if "changed split" in w]
    assert changed and warning.startswith(f"{changed} sentence(s) of version {again.version} changed split (")
    assert "built with seed 0 and group-by 'article'" in warning and "keep the dataset's --seed" in warning
    assert warning in moved.manifest.warnings


def test_a_dataset_or_a_model_is_not_written_into_a_tasks_folder(labeled, tmp_path, capsys):
    """'tasks --overwrite' replaces its folder whole: a dataset or a model inside it would go."""
    from checkworthy.builder.tasks import write_tasks

    folder, _, export, _ = labeled
    write_tasks([folder], tmp_path / "tasks")
    before = sorted(p.name for p in (tmp_path / "tasks").iterdir())
    with pytest.raises(InputError, match=r"tasks: holds the output of 'checkworthy .* tasks' .*give the dataset a folder of its own "
                                         r"\(--dataset elsewhere\); nothing was written"):
        build_version([export], [folder], tmp_path / "tasks", key=KEY)
    ds = tmp_path / "ds"
    build_version([export], [folder], ds, key=KEY)
    assert main(["train", str(ds), "--baseline", "majority", "--out", str(tmp_path / "tasks")]) == 1
    assert re.search(r"output of 'checkworthy \S+ tasks' \(it has .checkworthy-output\); choose another --out folder", capsys.readouterr().err)
    assert sorted(p.name for p in (tmp_path / "tasks").iterdir()) == before


def test_label_change_only_bumps_patch(tmp_path):
    folder, sentences = write_articles(tmp_path)
    ds = tmp_path / "ds"
    tasks = labeled_export(sentences, {1: "CFS", 2: "CFS"})
    build_version([write_export(tmp_path / "a.json", tasks)], [folder], ds, key=KEY)
    for ann in tasks[0]["annotations"]:
        ann["result"][0]["value"]["choices"] = ["NFS"]
        ann["updated_at"] = "2024-02-01T00:00:00Z"
    result = build_version([tmp_path / "a.json", write_export(tmp_path / "b.json", tasks[:1])], [folder], ds, key=KEY)
    assert result.version == "1.0.1"
    diff = builder.diff_versions(ds, "1.0.0", "1.0.1")
    assert diff["summary"] == {"added": 0, "removed": 0, "changed": 1, "moved": 0, "added_by_adjudication": 0, "changed_by_adjudication": 0}


def test_more_sentences_bump_minor_and_keep_splits(tmp_path):
    folder, sentences = write_articles(tmp_path)
    few = {k: v for k, v in sentences.items() if v.article_id < "art06"}
    ds = tmp_path / "ds"
    build_version([write_export(tmp_path / "a.json", labeled_export(few, {1: "CFS", 2: "CFS"}))], [folder], ds, key=KEY)
    grown = build_version([write_export(tmp_path / "b.json", labeled_export(sentences, {1: "CFS", 2: "CFS"}))], [folder], ds, key=KEY)
    assert grown.version == "1.1.0"
    old = {r["sentence_id"]: name for name, split in load_version(ds, "1.0.0").items() for r in split}
    new = {r["sentence_id"]: name for name, split in load_version(ds, "1.1.0").items() for r in split}
    assert all(new[sid] == split for sid, split in old.items())
    assert latest_version(ds) == "1.1.0"
    assert "## 1.1.0" in (ds / "CHANGELOG.md").read_text()


def test_a_build_that_would_drop_earlier_labels_is_refused_unless_asked(tmp_path, capsys):
    """Round two's export alone (a second project, say) would make a version without round
    one's labels: refused, naming how many of which split; the two exports together, or
    --allow-removal, build. A sentence the export still holds, now tied, is no removal."""
    folder, sentences = write_articles(tmp_path)
    ordered = sorted(sentences)
    first = {sid: sentences[sid] for sid in ordered[:30]}
    second = {sid: sentences[sid] for sid in ordered[30:]}
    ds = tmp_path / "ds"
    one = write_export(tmp_path / "round1.json", labeled_export(first, {1: "CFS", 2: "CFS"}))
    two = write_export(tmp_path / "round2.json", labeled_export(second, {1: "NFS", 2: "NFS"}))
    parent = build_version([one], [folder], ds, key=KEY)
    counts = parent.manifest.counts
    with pytest.raises(InputError, match=rf"30 labeled sentence\(s\) of version 1\.0\.0 \(train {counts.train}.*\) are in none of these "
                                         r"exports, so the new version would drop them; nothing was written.*--allow-removal"):
        build_version([two], [folder], ds, key=KEY)
    assert latest_version(ds) == "1.0.0"
    assert main(["build", str(two), "--articles", str(folder), "--dataset", str(ds), "--quiet"]) == 1
    assert "are in none of these exports" in capsys.readouterr().err
    both = build_version([one, two], [folder], ds, key=KEY)
    assert both.version == "1.1.0" and both.manifest.counts.total == len(sentences)
    tied = labeled_export(first, {1: "CFS", 2: "CFS"})
    tied[0]["annotations"][1]["result"][0]["value"]["choices"] = ["NFS"]  # one sentence of round one now tied
    tied[0]["annotations"][1]["updated_at"] = "2024-03-01T00:00:00Z"
    again = build_version([write_export(tmp_path / "round1b.json", tied), two], [folder], ds, key=KEY)
    assert again.manifest.counts.total == len(sentences) - 1, "a tie leaves the dataset without a refusal"
    dropped = build_version([two], [folder], ds, key=KEY, allow_removal=True)
    assert dropped.manifest.counts.total == len(second)


def test_explicit_version_and_existing_version(labeled):
    folder, _, export, ds = labeled
    assert build_version([export], [folder], ds, version="2.0.0", key=KEY).version == "2.0.0"
    with pytest.raises(VersionExistsError, match="2.0.0 already exists"):
        build_version([export], [folder], ds, BuildConfig(seed=1), version="2.0.0", key=KEY)
    with pytest.raises(InputError, match="not MAJOR.MINOR.PATCH"):
        build_version([export], [folder], ds, version="2.0", key=KEY)


def test_interrupted_build_leaves_no_version(labeled, monkeypatch):
    import checkworthy.builder.build as versions

    folder, _, export, ds = labeled

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    build_version([export], [folder], ds, key=KEY)
    monkeypatch.setattr(versions, "_write_annotations", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        build_version([export], [folder], ds, BuildConfig(seed=1), key=KEY)
    assert latest_version(ds) == "1.0.0"
    assert [p.name for p in (ds / "versions").iterdir()] == ["1.0.0"]


def _fail(how: str, tmp_path, monkeypatch):
    """Make the next build of the ``labeled`` inputs fail ``how``; returns its exports and the error to expect."""
    import checkworthy.builder.build as versions

    _, sentences = write_articles(tmp_path)
    if how == "label-not-in-scheme":
        tasks = labeled_export(sentences, {1: "CFX"})
        return [write_export(tmp_path / "bad.json", tasks)], (InputError, "(?s)nothing was written.*label 'CFX' is not in scheme")
    if how == "only-skips":
        first = sentences[sorted(sentences)[0]]
        return [write_export(tmp_path / "skips.json", [task(first, [annotation(1, None, cancelled=True)])])], (InputError, "no sentence has a gold label")

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(versions, "_write_annotations", crash)
    return [tmp_path / "export.json"], (RuntimeError, "disk full")


FAILURES = ["label-not-in-scheme", "only-skips", "crash-while-writing"]


@pytest.mark.parametrize("how", FAILURES)
def test_a_failed_first_build_leaves_no_dataset_folder(labeled, monkeypatch, tmp_path, how):
    folder, _, _, _ = labeled
    exports, (error, match) = _fail(how, tmp_path, monkeypatch)
    ds = tmp_path / "new" / "ds"
    with pytest.raises(error, match=match):
        build_version(exports, [folder], ds)  # the key of the dataset's own annotator.key
    assert not (tmp_path / "new").exists(), "neither the dataset folder, its key and lock, nor the parent made for it"


def test_a_failed_first_build_on_the_command_line_says_nothing_was_written_and_means_it(labeled, monkeypatch, tmp_path, capsys):
    folder, _, _, _ = labeled
    exports, _ = _fail("label-not-in-scheme", tmp_path, monkeypatch)
    ds = tmp_path / "ds-new"
    assert main(["build", *map(str, exports), "--articles", str(folder), "--dataset", str(ds)]) == 1
    assert "nothing was written" in capsys.readouterr().err
    assert not ds.exists()


@pytest.mark.parametrize("how", FAILURES)
def test_a_failed_build_keeps_the_key_of_an_existing_dataset(labeled, monkeypatch, tmp_path, how):
    folder, _, export, ds = labeled
    build_version([export], [folder], ds)
    key = (ds / "annotator.key").read_bytes()
    exports, (error, match) = _fail(how, tmp_path, monkeypatch)
    with pytest.raises(error, match=match):
        build_version(exports, [folder], ds, BuildConfig(seed=1))
    assert (ds / "annotator.key").read_bytes() == key
    assert latest_version(ds) == "1.0.0"


def test_a_failed_build_into_an_empty_folder_keeps_the_folder_but_no_key(labeled, monkeypatch, tmp_path):
    folder, _, _, ds = labeled
    ds.mkdir()
    exports, (error, match) = _fail("label-not-in-scheme", tmp_path, monkeypatch)
    with pytest.raises(error, match=match):
        build_version(exports, [folder], ds)
    assert ds.is_dir() and not (ds / "annotator.key").exists()


def test_a_build_that_fails_after_its_version_appeared_keeps_the_key_the_version_uses(labeled, monkeypatch):
    import checkworthy.builder.build as versions

    folder, _, export, ds = labeled

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(versions, "write_changelog", crash)
    with pytest.raises(OSError, match="disk full"):
        build_version([export], [folder], ds)
    assert latest_version(ds) == "1.0.0" and (ds / "annotator.key").is_file()


def test_empty_split_is_reported(tmp_path):
    folder, sentences = write_articles(tmp_path, {"solo": ["One headline here", "Prices rose 4 percent in 2023."]})
    export = write_export(tmp_path / "e.json", labeled_export(sentences, {1: "CFS"}))
    result = build_version([export], [folder], tmp_path / "ds", key=KEY)
    assert any("empty" in w and "add articles" in w for w in result.warnings)
    assert sum(result.manifest.counts[s] for s in ("train", "validation", "test")) == 2
    assert len(load_version(tmp_path / "ds")) == 1


def test_config_rejects_unknown_keys_and_values():
    with pytest.raises(TypeError):
        BuildConfig(**{"seeed": 1})
    with pytest.raises(InputError, match="Did you mean 'dawid-skene'"):
        BuildConfig(aggregate="dawid-skeen")


@pytest.mark.parametrize(
    ("ref", "expected"),
    [("data/ds@1.2.3", ("data/ds", "1.2.3")), ("data/ds", ("data/ds", None)), ("a@b/ds@0.1.0", ("a@b/ds", "0.1.0")),
     ("data/ds@v1.2.3", ("data/ds", "1.2.3"))],
    ids=["with-version", "latest", "at-in-path", "v-prefix"],
)
def test_parse_dataset_ref(ref, expected):
    path, version = parse_dataset_ref(ref)
    assert (str(path), version) == expected


def test_parse_dataset_ref_rejects_bad_version():
    with pytest.raises(InputError, match="not MAJOR.MINOR.PATCH"):
        parse_dataset_ref("data/ds@latest")
    with pytest.raises(InputError, match=r"^data/ds@1.0: version '1.0' after '@' is not MAJOR.MINOR.PATCH \(for example data/ds@1.0.0; data/ds alone"):
        parse_dataset_ref("data/ds@1.0")


def test_load_missing_version_lists_available(labeled):
    folder, _, export, ds = labeled
    build_version([export], [folder], ds, key=KEY)
    with pytest.raises(FileNotFoundError, match="version 9.9.9 not found; available: 1.0.0"):
        load_version(ds, "9.9.9")


def test_cli_build_twice(labeled, capsys):
    folder, _, export, ds = labeled
    args = ["build", str(export), "--articles", str(folder), "--dataset", str(ds)]
    assert main(args) == 0
    assert "built version 1.0.0" in capsys.readouterr().out
    assert (ds / "annotator.key").exists()
    assert main(args) == 0
    assert "no new version: 1.0.0" in capsys.readouterr().out
    manifest = json.loads((ds / "versions" / "1.0.0" / "manifest.json").read_text())
    assert str(ds) not in json.dumps(manifest) and sys.prefix not in json.dumps(manifest)


def test_only_skips_is_a_clear_error(tmp_path):
    folder, sentences = write_articles(tmp_path)
    first = sentences[sorted(sentences)[0]]
    export = write_export(tmp_path / "e.json", [task(first, [annotation(1, None, cancelled=True)])])
    with pytest.raises(InputError, match="no sentence has a gold label"):
        build_version([export], [folder], tmp_path / "ds", key=KEY)
    assert latest_version(tmp_path / "ds") is None


def test_version_is_readable_by_the_team_its_data_read_only_and_the_key_private(labeled):
    import os
    import stat

    folder, _, export, ds = labeled
    result = build_version([export], [folder], ds)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((result.path / "README.md").stat().st_mode) == 0o666 & ~umask
    for name in ["manifest.json", "annotations.parquet", "data/train.parquet"]:
        assert stat.S_IMODE((result.path / name).stat().st_mode) == 0o444 & ~umask, name
    assert stat.S_IMODE((ds / "annotator.key").stat().st_mode) == 0o600


def test_validate_command_checks_a_manifest(labeled, capsys):
    folder, _, export, ds = labeled
    result = build_version([export], [folder], ds, key=KEY)
    manifest = result.path / "manifest.json"
    assert main(["validate", str(manifest)]) == 0
    data = json.loads(manifest.read_text())
    data["counts"]["train"] += 1
    tampered = ds / "tampered" / "manifest.json"
    tampered.parent.mkdir()
    (tampered.parent / "data").symlink_to(result.path / "data")
    tampered.write_text(json.dumps(data))
    assert main(["validate", str(tampered)]) == 1
    out = capsys.readouterr()
    assert "counts.train: expected" in out.out + out.err


def test_a_lopsided_drawn_split_is_said(tmp_path):
    """Splits are drawn per article: with few articles a draw can leave validation or test
    with one or two articles, whose intervals (resampling articles) then say little."""
    articles = {f"a{i:02d}": [f"Report {i}", f"Prices rose {i + 3} percent in {2000 + i}, the office said."] for i in range(20)}
    folder, sentences = write_articles(tmp_path, articles)
    export = write_export(tmp_path / "e.json", labeled_export(sentences, {1: "CFS"}))
    result = build_version([export], [folder], tmp_path / "ds", key=KEY)  # 20 articles: a split of 1 or 2 of them
    import pyarrow.parquet as pq

    articles_in = {split: len(set(pq.read_table(result.path / "data" / f"{split}.parquet", columns=["article_id"]).column(0).to_pylist()))
                   for split in ("validation", "test") if (result.path / "data" / f"{split}.parquet").exists()}
    lopsided = [w for w in result.warnings if " split holds " in w]
    assert lopsided, result.warnings
    assert {w.split()[1] for w in lopsided} == {split for split, n in articles_in.items() if n < 3}  # every split drawn from 1-2 articles
    assert all("Try another --seed (this one is 0)" in w for w in lopsided)


def test_a_folder_holding_a_dataset_names_it(tmp_path):
    """'checkworthy card run1' (the output of run) said only that run1/versions has no versions."""
    from checkworthy.builder.store import version_dir
    from checkworthy.schemas.errors import InputFileNotFoundError

    (tmp_path / "run1" / "dataset" / "versions" / "1.0.0").mkdir(parents=True)
    (tmp_path / "run1" / "dataset" / "versions" / "1.0.0" / "manifest.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputFileNotFoundError, match=r"run1: is not a dataset but holds one: give .*run1/dataset$"):
        version_dir(tmp_path / "run1")
    with pytest.raises(InputFileNotFoundError, match=r"1\.0\.0: is version 1\.0\.0 of the dataset .*dataset: give .*dataset@1\.0\.0"):
        version_dir(tmp_path / "run1" / "dataset" / "versions" / "1.0.0")
