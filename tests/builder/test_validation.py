"""``checkworthy validate`` and the file-kind registry behind it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkworthy.builder.tasks import OUTPUT_FILES, write_tasks
from checkworthy.builder.validation import KINDS, FileKind, detect_kind, register_kind, validate_file
from checkworthy.cli import main
from checkworthy.schemas.io import sha256_text

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "000_27e9f3fb14e76b8c.txt"


@pytest.fixture
def out(tmp_path):
    write_tasks([SEED], tmp_path / "out")
    return tmp_path / "out"


def test_outputs_validate_and_nothing_is_written(out, capsys):
    before = sorted((p.name, p.stat().st_mtime_ns) for p in out.iterdir())
    assert main(["validate", *(str(out / name) for name in OUTPUT_FILES), str(SEED)]) == 0
    report = capsys.readouterr().out
    for kind, count in [("articles.jsonl", 1), ("sentences.jsonl", 13), ("tasks.json", 10), ("label_config.xml", 1), ("raw article", 1)]:
        assert f"{kind}: ok ({count} record(s))" in report
    assert sorted((p.name, p.stat().st_mtime_ns) for p in out.iterdir()) == before


def test_every_file_of_a_tasks_folder_validates_including_the_marker(out, capsys):
    files = sorted(str(p) for p in out.iterdir())
    assert any(f.endswith(".checkworthy-output") for f in files)
    assert main(["validate", *files]) == 0
    assert f"{out / '.checkworthy-output'}: output marker: ok (1 record(s))" in capsys.readouterr().out
    (out / ".checkworthy-output").write_text("[]")
    assert main(["validate", str(out / ".checkworthy-output")]) == 1
    captured = capsys.readouterr()
    assert "output marker: 1 problem(s)" in captured.out and "expected a JSON object with" in captured.err


def test_a_tasks_folder_validates_as_a_whole_and_its_tasks_match_its_sentences(out, capsys):
    assert main(["validate", str(out)]) == 0
    assert f"{out}: tasks folder: ok ({1 + 13 + 10 + 1} record(s))" in capsys.readouterr().out
    tasks = json.loads((out / "tasks.json").read_text(encoding="utf-8"))
    first = tasks[0]["data"]["sentence_id"]
    other = first[:-1] + ("0" if first[-1] != "0" else "1")  # well-formed, but no sentence of the folder
    tasks[0]["data"]["sentence_id"] = other
    tasks[1]["data"]["sentence"] = "A sentence edited by hand."  # its hash edited too: tasks.json alone is consistent
    tasks[1]["data"]["text_sha256"] = sha256_text("A sentence edited by hand.")
    (out / "tasks.json").write_text(json.dumps(tasks), encoding="utf-8")
    assert main(["validate", str(out)]) == 1
    captured = capsys.readouterr()
    assert f"{out}: tasks folder: 2 problem(s)" in captured.out
    assert f"task 0 (sentence_id {other!r}): not in sentences.jsonl" in captured.err
    assert f"task 1 (sentence_id {tasks[1]['data']['sentence_id']!r}): text_sha256 differs from sentences.jsonl's" in captured.err


def test_kinds_are_detected_by_content_when_renamed(out, tmp_path):
    for name, kind in [("articles.jsonl", "articles.jsonl"), ("sentences.jsonl", "sentences.jsonl"), ("tasks.json", "tasks.json")]:
        renamed = tmp_path / f"renamed-{name}"
        renamed.write_bytes((out / name).read_bytes())
        assert detect_kind(renamed).name == kind


def _rewrite_jsonl(path, change):
    records = [json.loads(line) for line in path.read_text().splitlines()]
    change(records)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_every_problem_is_reported(out, capsys):
    def break_sentences(records):
        records[1]["text"] = "Edited."
        records[2]["role"] = "footnote"
        records[3]["start"] += 1
        records[4] = records[5]

    _rewrite_jsonl(out / "sentences.jsonl", break_sentences)
    tasks = json.loads((out / "tasks.json").read_text())
    tasks[0]["predictions"][0]["result"][0]["value"]["choices"] = ["CFX"]
    tasks[1]["data"]["sentence"] = "Changed."
    del tasks[2]["meta"]["index"]
    (out / "tasks.json").write_text(json.dumps(tasks))
    (out / "label_config.xml").write_text("<View><Choices name='label'>")
    assert main(["validate", str(out / "sentences.jsonl"), str(out / "tasks.json"), str(out / "label_config.xml")]) == 1
    captured = capsys.readouterr()
    report = captured.err  # problems on stderr; stdout keeps one summary line per file
    assert [line.rsplit(": ", 1)[0] for line in captured.out.splitlines()] == [
        f"{out / name}: {name}" for name in ("sentences.jsonl", "tasks.json", "label_config.xml")
    ]
    assert all(line.endswith("problem(s)") for line in captured.out.splitlines())
    assert "line 2 (sentence_id '000_27e9f3fb14e76b8c:" in report and "text_sha256 does not match the text" in report
    assert "line 3: role: 'footnote' is not one of" in report
    assert "line 4 (sentence_id" in report and "the text is not at [" in report
    assert "line 6 (sentence_id" in report and "duplicate sentence_id" in report
    assert "tasks.json: task 2/meta: 'index' is a required property" in report
    assert "not well-formed XML" in report


def test_task_level_checks(out, capsys):
    tasks = json.loads((out / "tasks.json").read_text())
    tasks[0]["predictions"][0]["result"][0]["value"]["choices"] = ["CFX"]
    tasks[1]["data"]["sentence"] = "Changed."
    tasks.append(tasks[3])
    (out / "tasks.json").write_text(json.dumps(tasks))
    kind, count, problems = validate_file(out / "tasks.json")
    assert (kind, count) == ("tasks.json", 11)
    assert any("task 0" in p and "predicted label(s) 'CFX' not in scheme 'claimbuster' (CFS, UFS, NFS)" in p for p in problems)
    assert any("task 1" in p and "text_sha256 does not match the sentence" in p for p in problems)
    assert any("task 10" in p and "duplicate sentence_id" in p for p in problems)


def test_raw_articles_named_articles_jsonl_are_raw_articles(write):
    path = write("demo/articles.jsonl", '{"id": "d1", "text": "Title\\n\\nBody."}\n')
    assert validate_file(path) == ("raw article", 1, [])


def test_raw_article_problems_and_unknown_files(write, capsys):
    bad = write("bad.txt", b"caf\xe9")
    other = write("notes.csv", "a,b\n")
    assert main(["validate", str(bad), str(other)]) == 1
    captured = capsys.readouterr()
    assert "bad.txt: raw article: 1 problem(s)" in captured.out and "expected UTF-8 text" in captured.err
    assert "notes.csv: unknown: 1 problem(s)" in captured.out and "not a file kind that can be validated" in captured.err
    assert "expected UTF-8 text" not in captured.out and "problem(s)" not in captured.err


def test_missing_file_is_reported_with_the_others(out, tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.json"), str(out / "tasks.json")]) == 1
    captured = capsys.readouterr()
    assert "nope.json: missing: 1 problem(s)" in captured.out and "nope.json: file not found" in captured.err
    assert "tasks.json: tasks.json: ok (10 record(s))" in captured.out and "ok" not in captured.err


def test_a_new_kind_can_be_registered(write, monkeypatch):
    path = write("scores.custom", '{"metrics": {}}')
    assert detect_kind(path) is None
    monkeypatch.setattr("checkworthy.builder.validation.KINDS", dict(KINDS))
    kind = register_kind(FileKind("custom scores", lambda p: p.suffix == ".custom", lambda p: (1, []), priority=5))
    assert detect_kind(path) is kind
    assert validate_file(path) == ("custom scores", 1, [])


def test_article_records_problems(out):
    _rewrite_jsonl(out / "articles.jsonl", lambda records: records.extend([records[0], {"article_id": "x y", "text": ""}]))
    kind, _, problems = validate_file(out / "articles.jsonl")
    assert kind == "articles.jsonl"
    assert any("line 2 (article_id '000_27e9f3fb14e76b8c'): duplicate article_id, already on line 1" in p for p in problems)
    assert any("line 3: (top level): 'text_sha256' is a required property" in p for p in problems)
    assert any("line 3: article_id: 'x y' does not match" in p for p in problems)


def test_a_folder_of_articles_validates_as_tasks_reads_it(write, capsys):
    """A folder of articles is checked whole (not taken for a dataset): each file, the
    language codes 'tasks' refuses, and an article id used in two files."""
    folder = write("news/a.jsonl", json.dumps({"id": "c1", "text": "El paro bajó.", "language": "Spanish"}) + "\n").parent
    write("news/sub/c1.txt", "Title\n\nBody text here.\n")
    write("news/sub/c2.txt", "Title\n\nMore body text.\n")
    assert validate_file(folder) == ("article folder", 3, [
        f"{folder / 'a.jsonl'}:1: field 'language': expected a language code such as 'en', 'es' or 'pt-BR' (ISO 639-1, or an IETF tag), "
        "found 'Spanish'; fix the code or leave the field out to detect the language",
        f"{folder / 'sub' / 'c1.txt'}: duplicate article id 'c1', already used by {folder / 'a.jsonl'}:1; give each article its own id",
    ])
    assert main(["tasks", str(folder), "--out", str(folder.parent / "out"), "--quiet"]) == 1, "tasks refuses what validate reports"
    (folder / "a.jsonl").write_text(json.dumps({"id": "c0", "text": "El paro bajó.", "language": "es-ES"}) + "\n", encoding="utf-8")
    assert validate_file(folder) == ("article folder", 3, [])
    capsys.readouterr()
    assert main(["validate", str(folder)]) == 0
    assert "article folder: ok (3 record(s))" in capsys.readouterr().out
