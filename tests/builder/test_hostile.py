"""Hostile input gets a message that names the file, record and field, never a traceback."""

from __future__ import annotations

import json
import os

import pytest
from labelstudio_fixtures import KEY, annotation, task, write_articles, write_export

from checkworthy.builder import read_annotations
from checkworthy.builder.annotations import check_export
from checkworthy.builder.articles import ControlCharacterWarning, read_articles
from checkworthy.builder.labels import read_label_files
from checkworthy.builder.validation import validate_file
from checkworthy.cli import main
from checkworthy.evaluation.baselines import MODEL_CARD, MODEL_FILE, load_model
from checkworthy.schemas import load_scheme
from checkworthy.schemas.errors import InputError
from checkworthy.schemas.io import sha256_file

DEEP = 100_000


@pytest.fixture
def sentences(tmp_path):
    return write_articles(tmp_path)[1]


def _first(sentences):
    return sorted(sentences.values(), key=lambda s: s.sentence_id)[0]


def _deep_json(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


# --- HTML and JSON nested very deep ---------------------------------------------------


def test_html_nested_5000_deep_is_read_like_any_page(tmp_path, capsys):
    page = tmp_path / "deep.html"
    page.write_text("<html><body>" + "<div>" * 5000 + "Prices rose 5 percent in 2020." + "</div>" * 5000 + "</body></html>", encoding="utf-8")
    with pytest.warns(UserWarning, match="deep.html: the page nests its elements deeper than the HTML parser allows; it is read whole"):
        [article] = read_articles([page])
    assert article.text == "Prices rose 5 percent in 2020."
    titled = tmp_path / "titled.html"  # its headline was read as a body sentence, and it had no title
    titled.write_text("<html><head><title>Deep page</title></head><body>" + "<div>" * 3000 + "<h1>Deep page</h1><p>The council "
                      "spent 4 million dollars on parks in 2023.</p>" + "</div>" * 3000 + "</body></html>", encoding="utf-8")
    with pytest.warns(UserWarning, match="read whole"):
        [article] = read_articles([titled])
    assert article.title == "Deep page" and article.text == "Deep page\n\nThe council spent 4 million dollars on parks in 2023."
    assert main(["tasks", str(page), "--out", str(tmp_path / "out")]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_jsonl_article_nested_100000_deep_names_file_and_line(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "deep.jsonl").write_text('{"id": "a", "text": "Fine."}\n{"id": "b", "text": "x", "meta": ' + _deep_json() + "}\n", encoding="utf-8")
    assert main(["tasks", str(folder), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("checkworthy tasks: error:") and "Traceback" not in err
    assert "deep.jsonl: line 2: JSON arrays and objects nested more than 100 levels deep" in err
    assert not (tmp_path / "out").exists()


def test_label_studio_export_nested_100000_deep_names_the_file(tmp_path, sentences, capsys):
    export = tmp_path / "export.json"
    export.write_text('[{"id": 1, "annotations": [],\n "data": ' + _deep_json() + "}]", encoding="utf-8")
    with pytest.raises(InputError, match=r"export\.json: \(file\): the file: line 2: JSON arrays and objects nested more than 100"):
        read_annotations([export], key=KEY, sentences=sentences)
    kind, _, problems = validate_file(export)
    assert kind == "Label Studio export" and "nested more than 100 levels deep" in problems[0]
    assert main(["validate", str(export)]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_labels_file_nested_100000_deep_names_file_and_line(tmp_path):
    labels = tmp_path / "labels.json"
    labels.write_text('{"scheme": "claimbuster",\n\n "labels": ' + _deep_json() + "}", encoding="utf-8")
    with pytest.raises(InputError, match=r"labels\.json: line 3: JSON arrays and objects nested more than 100 levels deep"):
        read_label_files([labels], load_scheme("claimbuster"), [])


# --- Label Studio exports with fields of the wrong type -----------------------------------


WRONG_TYPES = {
    "annotations-not-a-list": ("annotations", {"text": "CFS"}, r"annotations: expected a list of annotations, found object"),
    "annotation-not-an-object": ("annotations", ["CFS"], r"annotations\[0\]: expected an annotation object, found string 'CFS'"),
    "result-not-a-list": ("result", "CFS", r"annotations\[0\]\.result: expected a list of results, found string 'CFS'"),
    "result-item-not-an-object": ("result", ["CFS"], r"annotations\[0\]\.result\[0\]: expected a result object, found string 'CFS'"),
    "value-not-an-object": ("value", "CFS", r"annotations\[0\]\.result\[0\]\.value: expected an object with 'choices', found string"),
    "choices-not-a-list": ("choices", "CFS", r"annotations\[0\]\.result\[0\]\.value\.choices: expected a list with one choice, found 'CFS'"),
    "choice-not-a-string": ("choices", [["CFS"]], r"annotations\[0\]\.result\[0\]\.value\.choices: expected a label name, found list"),
    "completed_by-a-list": ("completed_by", [1, 2], r"annotations\[0\]\.completed_by: expected a user id, an e-mail or an object"),
    "completed_by-id-an-object": ("completed_by", {"id": {"x": 1}}, r"annotations\[0\]\.completed_by: expected a user id"),
    "updated_at-a-number": ("updated_at", 5, r"annotations\[0\]\.updated_at: expected a timestamp string or null, found number 5"),
    "lead_time-a-string": ("lead_time", "fast", r"annotations\[0\]\.lead_time: expected a number of seconds or null, found string 'fast'"),
    "was_cancelled-a-string": ("was_cancelled", "no", r"annotations\[0\]\.was_cancelled: expected true or false, found string 'no'"),
    "ground_truth-a-string": ("ground_truth", "yes", r"annotations\[0\]\.ground_truth: expected true or false, found string 'yes'"),
}


def _hostile_task(sentence, field, value):
    ann = annotation({"id": 1, "email": "a@example.org"}, "CFS")
    if field == "annotations":
        return task(sentence, value, task_id=7)
    if field in ("value", "choices"):
        result = ann["result"][0]
        if field == "value":
            result["value"] = value
        else:
            result["value"]["choices"] = value
    else:
        ann[field] = value
    return task(sentence, [ann], task_id=7)


@pytest.mark.parametrize(("field", "value", "message"), WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_export_field_of_the_wrong_type_is_reported_with_task_and_field(tmp_path, sentences, field, value, message):
    hostile = _hostile_task(_first(sentences), field, value)
    export = write_export(tmp_path / "export.json", [hostile])
    with pytest.raises(InputError, match=r"export\.json: task 7 \(sentence_id 'art00:[0-9a-f]{12}'\): " + message):
        read_annotations([export], key=KEY, sentences=sentences)
    result = read_annotations([export], key=KEY, sentences=sentences, skip_invalid=True)
    assert len(result.table) == 0
    assert [(s["task_id"], s["sentence_id"]) for s in result.skipped] == [(7, _first(sentences).sentence_id)]
    assert check_export(export)[1]  # validate reports it too, without the articles


def test_was_cancelled_as_a_string_is_not_read_as_a_skip(tmp_path, sentences):
    ann = annotation({"id": 1}, "CFS")
    ann["was_cancelled"] = "no"
    good = annotation({"id": 2}, "NFS", ann_id=2)
    export = write_export(tmp_path / "export.json", [task(_first(sentences), [ann, good], task_id=7)])
    with pytest.raises(InputError, match=r"task 7 .*annotations\[0\]\.was_cancelled: expected true or false, found string 'no'"):
        read_annotations([export], key=KEY, sentences=sentences)
    result = read_annotations([export], key=KEY, sentences=sentences, skip_invalid=True)
    assert result.table["label"].tolist() == ["NFS"] and not result.table["cancelled"].any()
    assert result.skipped[0]["field"] == "annotations[0].was_cancelled"


# --- a task whose text was edited ------------------------------------------------------------


def test_task_text_edited_but_hash_kept_is_refused_with_both_texts(tmp_path, sentences):
    sentence = _first(sentences)
    edited = task(sentence, [annotation({"id": 1}, "CFS")], task_id=7)
    edited["data"]["sentence"] = "Nobody labeled this text."
    export = write_export(tmp_path / "export.json", [edited])
    with pytest.raises(InputError, match=r"task 7 .*data\.text_sha256: .*the task shows 'Nobody labeled this text\.', the articles give " + repr(sentence.text)):
        read_annotations([export], key=KEY, sentences=sentences)
    result = read_annotations([export], key=KEY, sentences=sentences, skip_invalid=True)
    assert len(result.table) == 0 and result.skipped[0]["sentence_id"] == sentence.sentence_id
    # Without the articles, 'validate' still sees that the text no longer has its hash.
    assert "does not match its text_sha256" in check_export(export)[1][0]


# --- control characters ------------------------------------------------------------------------


def test_control_characters_are_removed_with_a_warning_naming_the_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bell.txt").write_text("Prices rose\x07 5 percent\x1b[31m in 2020.\n", encoding="utf-8")
    record = {"id": "nul", "title": "Head\x00line", "text": "Taxes\x00 fell 3 percent.", "source": "Wire\x0c"}
    (folder / "nul.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.warns(ControlCharacterWarning) as caught:
        articles = read_articles([folder])
    messages = [str(w.message) for w in caught]
    assert any("bell.txt: removed 2 control character(s) (the first, U+0007, on line 1)" in m for m in messages)
    assert any("nul.jsonl: line 1: field 'text': removed 1" in m for m in messages)
    assert any("nul.jsonl: line 1: field 'title'" in m for m in messages)
    assert [a.text for a in articles] == ["Prices rose 5 percent[31m in 2020.\n", "Headline\n\nTaxes fell 3 percent."]
    assert articles[1].source == "Wire"
    with pytest.warns(ControlCharacterWarning):
        assert main(["tasks", str(folder), "--out", str(tmp_path / "out")]) == 0
    for name in ("articles.jsonl", "sentences.jsonl", "tasks.json"):
        text = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert not any(f"\\u{c:04x}" in text or chr(c) in text for c in (0, 7, 0x0C, 0x1B)), name
        assert validate_file(tmp_path / "out" / name)[2] == []


def test_validate_reports_control_characters_in_articles_and_tasks(tmp_path):
    assert main(["tasks", str(write_articles(tmp_path)[0]), "--out", str(tmp_path / "out")]) == 0
    for name in ("articles.jsonl", "tasks.json"):
        path = tmp_path / "out" / name
        if name == "articles.jsonl":
            records = [json.loads(line) for line in path.read_text().splitlines()]
            records[0]["title"] = "Bell\x07"
            path.write_text("".join(json.dumps(r) + "\n" for r in records))
        else:
            tasks = json.loads(path.read_text())
            tasks[0]["data"]["headline"] = "Bell\x07"
            path.write_text(json.dumps(tasks))
        problems = validate_file(path)[2]
        assert any("control character U+0007 at character 4" in p for p in problems), problems


# --- a model file that is not a model ---------------------------------------------------------------


def test_model_file_of_random_bytes_is_not_a_model(tmp_path, capsys):
    model = tmp_path / "model"
    model.mkdir()
    (model / MODEL_FILE).write_bytes(os.urandom(4096))
    (model / MODEL_CARD).write_text(json.dumps({"baseline": "tfidf-lr", "positive_label": "CFS", "model_sha256": sha256_file(model / MODEL_FILE)}))
    with pytest.raises(InputError, match=r"model\.skops: not a model saved by 'checkworthy train'"):
        load_model(model)
    seeds = write_articles(tmp_path)[0]
    assert main(["tasks", str(seeds), "--scorer", str(model), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("checkworthy tasks: error:") and "not a model saved by 'checkworthy train'" in err and "Traceback" not in err
