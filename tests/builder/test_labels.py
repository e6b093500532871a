"""Label files (``schemas/labels.schema.json``) and their conversion to a Label Studio export."""

from __future__ import annotations

import json

import pytest

from checkworthy.builder.annotations import read_annotations
from checkworthy.builder.articles import read_articles
from checkworthy.builder.labels import annotator_email, labels_to_export, read_label_files
from checkworthy.builder.split import split_article
from checkworthy.builder.tasks import write_tasks
from checkworthy.schemas import load_scheme
from checkworthy.schemas.errors import InputError

ARTICLE = "Budget rises\n\nThe council approved a budget of 4.2 million dravs on Tuesday. Residents hope it helps.\n"


@pytest.fixture
def tasks(tmp_path, write):
    write("articles/a1.txt", ARTICLE)
    write_tasks([tmp_path / "articles"], tmp_path / "tasks")
    return json.loads((tmp_path / "tasks" / "tasks.json").read_text())


def _label_file(write, tasks, rows, name="labels.json", **extra):
    data = {"scheme": "claimbuster", "description": "test labels", "labels": [
        {"sentence_id": tasks[i]["data"]["sentence_id"], "sentence": tasks[i]["data"]["sentence"], "annotator": who, "label": label, "lead_time": 3.0}
        for i, who, label in rows
    ]}
    data.update(extra)
    return write(name, json.dumps(data))


def test_read_and_convert_round_trip_through_the_annotation_reader(tmp_path, write, tasks):
    path = _label_file(write, tasks, [(0, "annotator-1", "CFS"), (1, "annotator-1", "NFS"), (0, "annotator-2", "UFS")])
    rows = read_label_files([path], load_scheme("claimbuster"), tasks)
    assert [(r.annotator, r.label) for r in rows] == [("annotator-1", "CFS"), ("annotator-1", "NFS"), ("annotator-2", "UFS")]
    assert rows[0].email == annotator_email("annotator-1") == "annotator-1@annotators.checkworthy.invalid"
    export = labels_to_export(tasks, rows)
    assert labels_to_export(tasks, rows) == export
    assert [len(t["annotations"]) for t in export] == [2, 1]
    assert export[0]["annotations"][1]["completed_by"] == {"id": 2, "email": "annotator-2@annotators.checkworthy.invalid"}
    (tmp_path / "export.json").write_text(json.dumps(export))
    sentences = {s.sentence_id: s for s in split_article(read_articles([tmp_path / "articles"])[0])}
    annotations = read_annotations([tmp_path / "export.json"], key=b"k", scheme="claimbuster", sentences=sentences)
    assert sorted(annotations.table["label"]) == ["CFS", "NFS", "UFS"]
    assert annotations.table["annotator"].nunique() == 2


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda d: d["labels"][0].update(label="CFX"), r"labels\[0\].*label: 'CFX' is not in scheme 'claimbuster'"),
        (lambda d: d["labels"][0].update(sentence="Something else."), r"labels\[0\].*sentence: the text differs"),
        (lambda d: d["labels"][0].update(sentence_id="a1:000000000000"), r"labels\[0\].*sentence_id: not among the tasks"),
        (lambda d: d["labels"].append(dict(d["labels"][0])), r"labels\[1\].*labelled twice by this annotator"),
        (lambda d: d.update(scheme="checkthat"), r"the labels use scheme 'checkthat', the tasks use 'claimbuster'"),
        (lambda d: d.pop("description"), r"'description' is a required property"),
    ],
    ids=["unknown-label", "changed-text", "unknown-sentence", "duplicate", "other-scheme", "no-description"],
)
def test_bad_label_files_name_file_item_and_field(tmp_path, write, tasks, mutate, match):
    path = _label_file(write, tasks, [(0, "annotator-1", "CFS")])
    data = json.loads(path.read_text())
    mutate(data)
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=match) as info:
        read_label_files([path], load_scheme("claimbuster"), tasks)
    assert str(path) in str(info.value)
