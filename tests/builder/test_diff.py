"""Differences between versions, as data, as a table and in the changelog."""

from __future__ import annotations

import json

from labelstudio_fixtures import KEY, labeled_export, write_articles, write_export

from checkworthy.builder import diff_versions
from checkworthy.builder.build import build_version
from checkworthy.cli import main


def test_diff_added_removed_changed(tmp_path, capsys):
    folder, sentences = write_articles(tmp_path)
    ds = tmp_path / "ds"
    ordered = sorted(sentences)
    first = {sid: sentences[sid] for sid in ordered[:30]}
    second = {sid: sentences[sid] for sid in ordered[5:40]}
    build_version([write_export(tmp_path / "1.json", labeled_export(first, {1: "CFS", 2: "CFS"}))], [folder], ds, key=KEY)
    tasks = labeled_export(second, {1: "CFS", 2: "CFS"})
    for ann in tasks[0]["annotations"]:
        ann["result"][0]["value"]["choices"] = ["NFS"]
    build_version([write_export(tmp_path / "2.json", tasks)], [folder], ds, key=KEY, allow_removal=True)  # 5 dropped on purpose

    diff = diff_versions(ds, "1.0.0", "1.1.0")
    assert diff["summary"] == {"added": 10, "removed": 5, "changed": 1, "moved": 0, "added_by_adjudication": 0, "changed_by_adjudication": 0}
    changed = [c for split in diff["splits"].values() for c in split["changed"]]
    assert changed[0]["sentence_id"] == ordered[5] and (changed[0]["old"], changed[0]["new"]) == ("CFS", "NFS")
    assert changed[0]["new_votes"] == {"CFS": 0, "UFS": 0, "NFS": 2}

    assert main(["diff", str(ds), "1.0.0", "1.1.0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"] == diff["summary"]
    assert main(["diff", str(ds), "1.0.0", "1.1.0"]) == 0
    table = capsys.readouterr().out
    assert "| split | added | removed | labels changed | moved in |" in table
    assert f"label `{ordered[5]}`: CFS -> NFS (CFS=2 UFS=0 NFS=0 -> CFS=0 UFS=0 NFS=2)" in table
    changelog = (ds / "CHANGELOG.md").read_text()
    assert "## 1.0.0" in changelog and "## 1.1.0" in changelog and "Changes since 1.0.0" in changelog
    assert f"label `{ordered[5]}`: CFS -> NFS" in changelog


def test_diff_unknown_version(tmp_path, capsys):
    folder, sentences = write_articles(tmp_path)
    build_version([write_export(tmp_path / "1.json", labeled_export(sentences, {1: "CFS"}))], [folder], tmp_path / "ds", key=KEY)
    assert main(["diff", str(tmp_path / "ds"), "1.0.0", "1.2.0"]) == 1
    assert "version 1.2.0 not found; available: 1.0.0" in capsys.readouterr().err


def _two_versions(tmp_path):
    folder, sentences = write_articles(tmp_path)
    ds = tmp_path / "ds"
    build_version([write_export(tmp_path / "1.json", labeled_export(sentences, {1: "CFS", 2: "CFS"}))], [folder], ds, key=KEY)
    tasks = labeled_export(sentences, {1: "CFS", 2: "CFS"})
    for ann in tasks[0]["annotations"]:
        ann["result"][0]["value"]["choices"] = ["NFS"]
    build_version([write_export(tmp_path / "2.json", tasks)], [folder], ds, key=KEY)
    return ds


def test_diff_takes_dir_at_version_as_the_other_commands(tmp_path, capsys):
    import shutil

    ds = _two_versions(tmp_path)
    assert main(["diff", str(ds), "1.0.0", "1.0.1"]) == 0
    expected = capsys.readouterr().out
    assert expected.startswith(f"{ds}: 1.0.0 -> 1.0.1\n") and "CFS -> NFS" in expected
    for args in ([f"{ds}@1.0.0", f"{ds}@1.0.1"], [f"{ds}@1.0.0", str(ds)], [f"{ds}@1.0.0", str(ds / "versions" / "1.0.1")]):
        assert main(["diff", *args]) == 0, args
        assert capsys.readouterr().out == expected, args
    # two dataset folders: sentences are matched by id
    other = tmp_path / "copy"
    shutil.copytree(ds, other)
    assert main(["diff", f"{ds}@1.0.0", f"{other}@1.0.1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{ds / 'versions' / '1.0.0'} -> {other / 'versions' / '1.0.1'}\n")
    assert out.split("\n", 1)[1] == expected.split("\n", 1)[1]
    # one version only, or too many arguments: said, with the forms that work
    assert main(["diff", str(ds), "1.0.0"]) == 1
    assert f"one version given; diff compares two: {ds} 1.0.0 X.Y.Z, or {ds}@1.0.0 {ds}" in capsys.readouterr().err
    assert main(["diff", str(ds), "1.0.0", "1.0.1", "1.0.2"]) == 1
    assert "expected DIR V1 V2" in capsys.readouterr().err


def test_diff_refuses_a_version_whose_data_file_was_edited(tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pytest

    from checkworthy.schemas.errors import TamperedError

    ds = _two_versions(tmp_path)
    test = ds / "versions" / "1.0.1" / "data" / "test.parquet"
    test.chmod(0o644)
    table = pq.read_table(test)
    labels = table.column("label").to_pylist()
    labels[0] = (labels[0] + 1) % 3
    pq.write_table(table.set_column(table.schema.get_field_index("label"), table.schema.field("label"),
                                    pa.array(labels, type=table.schema.field("label").type)), test)
    with pytest.raises(TamperedError, match=r"test\.parquet: SHA-256 differs"):
        diff_versions(ds, "1.0.0", "1.0.1")
    for args in ([str(ds), "1.0.0", "1.0.1"], [f"{ds}@1.0.0", f"{ds}@1.0.1"], [f"{ds}@1.0.1", f"{ds}@1.0.0"]):
        assert main(["diff", *args]) == 1
        captured = capsys.readouterr()
        assert f"{test}: SHA-256 differs" in captured.err and "label `" not in captured.out
