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
