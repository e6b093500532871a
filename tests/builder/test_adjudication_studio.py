"""The adjudication round trip through a real Label Studio: review -> push -> adjudicate -> pull -> build."""

from __future__ import annotations

import json

import pytest

import checkworthy.registry  # noqa: F401  (fills the model view of review, as the CLI does)
from checkworthy.builder import studio
from checkworthy.builder.build import BuildConfig, build_version
from checkworthy.builder.labelstudio import post_annotations, pull_export, push_tasks
from checkworthy.builder.review import MARKER, ReviewConfig, review_version
from checkworthy.builder.store import load_manifest
from checkworthy.cli import main
from tests.builder.labelstudio_fixtures import KEY
from tests.builder.test_review import planted


@pytest.mark.studio
def test_adjudicated_labels_come_back_through_label_studio_into_the_next_version(studio_server, tmp_path, capsys):
    folder, export, _, plants = planted(tmp_path)
    ds = tmp_path / "ds"
    (ds).mkdir()
    (ds / "annotator.key").write_bytes(KEY + b"\n")
    first = build_version([export], [folder], ds, BuildConfig(seed=3), key=KEY)
    result = review_version(ds, tmp_path / "review", ReviewConfig(seed=1), articles=[folder])
    assert {plants["tie"].sentence_id, plants["flip"].sentence_id} <= {i.sentence_id for i in result.doubtful}

    connection = studio_server["connection"]
    pushed = push_tasks(tmp_path / "review" / "adjudication", "adjudication-round-trip", connection=connection)
    assert pushed.created == result.tasks
    studio.add_annotator(studio_server["data_dir"], "judge@example.org")
    post_annotations("adjudication-round-trip", [
        (plants["tie"].sentence_id, "CFS", "judge@example.org", 20.0),
        (plants["flip"].sentence_id, "CFS", "judge@example.org", 15.0),
        (plants["split"].sentence_id, "CFS", "judge@example.org", 9.0),
    ], connection=connection)
    pull_export("adjudication-round-trip", tmp_path / "adjudication.json", connection=connection)
    pulled = json.loads((tmp_path / "adjudication.json").read_text())
    assert all(MARKER in t["meta"] for t in pulled), "the marker survives Label Studio"

    assert main(["build", str(export), "--adjudication", str(tmp_path / "adjudication.json"), "--articles", str(folder),
                 "--dataset", str(ds), "--seed", "3", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "1 label(s) changed by adjudication (3 adjudicated)" in out
    manifest = load_manifest(ds / "versions" / "1.1.0")
    assert manifest.parent == first.version
    assert manifest.adjudication["changed"] == 1 and manifest.adjudication["resolved_ties"] == 1
    assert {i["sentence_id"]: i["label"] for i in manifest.adjudication["items"]} == {
        plants["tie"].sentence_id: "CFS", plants["flip"].sentence_id: "CFS", plants["split"].sentence_id: "CFS"}

    import pyarrow.parquet as pq

    rows = {r["sentence_id"]: r for f in (ds / "versions" / "1.1.0" / "data").glob("*.parquet") for r in pq.read_table(f).to_pylist()}
    assert rows[plants["flip"].sentence_id]["label_source"] == "adjudication"
    assert "1 label changed by adjudication" in (ds / "CHANGELOG.md").read_text()
    assert "1 label changed by adjudication" in (ds / "versions" / "1.1.0" / "README.md").read_text()

    assert main(["review", str(ds), "--out", str(tmp_path / "review2"), "--articles", str(folder), "--seed", "1", "--quiet"]) == 0
    again = [json.loads(line) for line in (tmp_path / "review2" / "review.jsonl").read_text().splitlines()]
    settled = {plants["tie"].sentence_id, plants["flip"].sentence_id, plants["split"].sentence_id}
    assert all(not item["reasons"] for item in again if item["sentence_id"] in settled), "an adjudicated label is not sent back"
