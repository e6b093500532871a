"""Reading and validating Label Studio exports."""

from __future__ import annotations

import json

import pytest
from labelstudio_fixtures import KEY, annotation, task, write_articles, write_export

from checkworthy.builder import read_annotations
from checkworthy.builder.annotations import annotator_key
from checkworthy.builder.build import BuildConfig, build_version
from checkworthy.schemas import FROM_NAME, TO_NAME
from checkworthy.schemas.errors import InputError


@pytest.fixture
def sentences(tmp_path):
    return write_articles(tmp_path)[1]


def _first(sentences, n=0):
    return sorted(sentences.values(), key=lambda s: s.sentence_id)[n]


def _read(paths, sentences, **kwargs):
    return read_annotations(paths, key=KEY, scheme="claimbuster", sentences=sentences, **kwargs)


def _choice(*labels, from_name=FROM_NAME):
    return [{"from_name": from_name, "to_name": TO_NAME, "type": "choices", "value": {"choices": list(labels)}}]


INVALID = {
    "label-outside-scheme": ({"result": _choice("CFX")}, {}, r"annotations\[0\]\.result\[0\]\.value\.choices: label 'CFX' is not in scheme 'claimbuster' \(CFS, UFS, NFS\)"),
    "label-as-page-words": ({"result": _choice("Frase factual que merece verificación")}, {},
                            r"annotations\[0\]\.result\[0\]\.value\.choices: label 'Frase factual que merece verificación' is the words the 'es' page shows for 'CFS', not a label code "
                            r"\(CFS, UFS, NFS\); .*post 'CFS' in the annotation's choices"),
    "unknown-control": ({"result": _choice("CFS", from_name="verdict")}, {}, r"annotations\[0\]\.result\[0\]\.from_name: result from unknown control 'verdict'; expected 'label'"),
    "several-choices": ({"result": _choice("CFS", "NFS")}, {}, r"annotations\[0\]\.result\[0\]\.value\.choices: several choices \['CFS', 'NFS'\] in single-choice scheme 'claimbuster'"),
    "empty-result": ({"result": []}, {}, r"annotations\[0\]\.result: empty result that is not a skip"),
    "unknown-sentence": ({}, {"sentence_id": "nowhere:0123456789ab"}, r"data.sentence_id: not a sentence of the given articles"),
    "text-changed": ({}, {"text_sha256": "0" * 64}, r"data.text_sha256: the task's text no longer matches the sentence"),
    "no-sentence-id": ({}, {"sentence_id": None}, r"data.sentence_id: the task has no sentence_id"),
}


@pytest.mark.parametrize(("ann_change", "data_change", "message"), INVALID.values(), ids=INVALID.keys())
def test_each_invalid_case_is_reported(tmp_path, sentences, ann_change, data_change, message):
    ann = annotation(1, "CFS")
    ann.update(ann_change)
    export = write_export(tmp_path / "export.json", [task(_first(sentences), [ann], task_id=7, **data_change)])
    with pytest.raises(InputError, match=r"export\.json: task 7( \(sentence_id '[^']+'\))?: " + message):
        _read([export], sentences)
    skipped = _read([export], sentences, skip_invalid=True)
    assert len(skipped.skipped) == 1 and skipped.skipped[0]["file"] == "export.json" and skipped.skipped[0]["task_id"] == 7
    assert len(skipped.table) == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tasks.json", json.dumps({"data": {}}), "expected a JSON list of tasks, found dict"),
        ("tasks.json", json.dumps([{"text": "x"}]), "expected Label Studio tasks with 'data' and 'annotations'"),
        ("notes.txt", "hello", r"expected a Label Studio export \(.json, .csv or .tsv\), found a .txt file"),
        ("tasks.csv", "a,b\n1,2\n", "expected a CSV export with an 'annotator' column"),
        ("cut.json", '[{"id": 1, "data"', "the file: line 1, column 18: not valid JSON"),
    ],
    ids=["json-object", "json-list-of-other", "text-file", "csv-without-annotator", "truncated-json"],
)
def test_file_that_is_not_an_export(tmp_path, sentences, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=f"{name}: \\(file\\): {message}"):
        _read([path], sentences)


def test_every_problem_is_listed_at_once_and_nothing_is_written(tmp_path):
    folder, sentences = write_articles(tmp_path)
    a, b = _first(sentences, 0), _first(sentences, 1)
    export = write_export(tmp_path / "export.json", [
        task(a, [annotation(1, "CFX"), annotation(2, "CFS", ann_id=2)], task_id=1),
        task(b, [annotation(1, None)], task_id=2, text_sha256="f" * 64),
    ])
    with pytest.raises(InputError) as info:
        build_version([export], [folder], tmp_path / "ds", key=KEY)
    text = str(info.value)
    assert "2 problem(s)" in text and "task 1" in text and "task 2" in text and "--skip-invalid" in text
    assert not (tmp_path / "ds" / "versions").exists()
    result = build_version([export], [folder], tmp_path / "ds", BuildConfig(skip_invalid=True), key=KEY)
    assert [s["task_id"] for s in result.manifest.skipped] == [1, 2]
    assert result.manifest.counts.total == 1


def test_skip_is_kept_but_not_a_vote(tmp_path, sentences):
    export = write_export(tmp_path / "e.json", [task(_first(sentences), [annotation(1, None, cancelled=True), annotation(2, "UFS", ann_id=2)])])
    table = _read([export], sentences).table
    assert sorted(zip(table["cancelled"], table["label"].fillna("-"))) == [(False, "UFS"), (True, "-")]


def test_same_annotation_in_two_exports_counts_once_and_later_update_wins(tmp_path, sentences):
    s = _first(sentences)
    old = write_export(tmp_path / "old.json", [task(s, [annotation(1, "CFS", ann_id=5)])])
    new = write_export(tmp_path / "new.json", [task(s, [annotation(1, "NFS", ann_id=5, updated="2024-03-01T00:00:00Z")])])
    for order in ([old, new], [new, old], [old, old]):
        result = _read(order, sentences)
        assert len(result.table) == 1 and result.superseded == 1
    assert _read([new, old], sentences).table["label"].tolist() == ["NFS"]
    assert _read([old, old], sentences).table["label"].tolist() == ["CFS"]


def test_annotators_are_pseudonymised_with_the_key(tmp_path, sentences):
    s = _first(sentences)
    export = write_export(tmp_path / "e.json", [task(s, [annotation({"id": 4, "email": "ann@example.org"}, "CFS")])])
    first = _read([export], sentences).table["annotator"].tolist()
    assert first == _read([export], sentences).table["annotator"].tolist()
    assert first[0].startswith("ann-") and "example" not in first[0] and "4" != first[0]
    other = read_annotations([export], key=b"other", sentences=sentences).table["annotator"].tolist()
    assert other != first
    key = annotator_key(tmp_path / "ds")
    assert key == annotator_key(tmp_path / "ds") and len(key) == 64


@pytest.mark.parametrize("fmt", ["json_min", "csv"])
def test_lossy_formats_are_read_with_a_warning(tmp_path, sentences, fmt):
    s = _first(sentences)
    rows = [
        {"id": 3, "sentence_id": s.sentence_id, "sentence": s.text, "text_sha256": s.text_sha256, FROM_NAME: label,
         "annotator": user, "annotation_id": user, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "lead_time": 2.0}
        for user, label in [(1, "CFS"), (2, "UFS")]
    ]
    if fmt == "json_min":
        path = write_export(tmp_path / "min.json", rows)
    else:
        import pandas as pd

        path = tmp_path / "export.csv"
        pd.DataFrame(rows).sort_index(axis=1).to_csv(path, index=False, lineterminator="\r\n")
    result = _read([path], sentences)
    assert sorted(result.table["label"]) == ["CFS", "UFS"]
    expected = "JSON_MIN export" if fmt == "json_min" else "CSV export"
    assert any(expected in w and "ground-truth flags are lost" in w for w in result.warnings)


def test_conflicting_ground_truth_is_a_problem(tmp_path, sentences):
    s = _first(sentences)
    export = write_export(tmp_path / "e.json", [task(s, [annotation(1, "CFS", ground_truth=True), annotation(2, "NFS", ann_id=2, ground_truth=True)])])
    with pytest.raises(InputError, match="ground_truth: ground-truth annotations disagree"):
        _read([export], sentences)
    assert not _read([export], sentences, skip_invalid=True).table["ground_truth"].any()


def test_validate_command_checks_an_export(tmp_path, sentences, capsys):
    from checkworthy.cli import main

    s = _first(sentences)
    good = write_export(tmp_path / "good.json", [task(s, [annotation(1, "CFS"), annotation(2, None, ann_id=2, cancelled=True)])])
    bad = write_export(tmp_path / "bad.json", [task(s, [annotation(1, "CFX")], task_id=9)])
    assert main(["validate", str(good)]) == 0
    assert "Label Studio export: ok (2 record(s))" in capsys.readouterr().out
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr()
    assert "bad.json: task 9" in out.out + out.err and "label 'CFX' is not in scheme" in out.out + out.err
