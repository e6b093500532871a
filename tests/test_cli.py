"""Command-line conventions shared by every subcommand: exact option names, the
subcommand's own usage on a mistake, ``--json`` summaries on stdout and ``--quiet``."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checkworthy.cli import build_parser, main

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_27e9f3fb14e76b8c.txt"


def _all_parsers(parser: argparse.ArgumentParser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _all_parsers(sub)


def test_no_parser_guesses_abbreviated_options(tmp_path, capsys):
    parsers = list(_all_parsers(build_parser()))
    assert len(parsers) > 10 and all(not p.allow_abbrev for p in parsers)
    with pytest.raises(SystemExit) as exit_info:
        main(["tasks", str(SEED), "--out", str(tmp_path / "t"), "--sel", "all"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --sel all" in capsys.readouterr().err
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize("argv, usage, error", [
    (["tasks", "seeds", "--out", "x", "--bogus"], "usage: checkworthy tasks ", "checkworthy tasks: error: unrecognized arguments: --bogus"),
    (["evaluate", "data/ds", "--n-resample", "5"], "usage: checkworthy evaluate ", "checkworthy evaluate: error: unrecognized arguments: --n-resample 5"),
    (["--bogus"], "usage: checkworthy [-h]", "checkworthy: error: unrecognized arguments: --bogus"),
], ids=["tasks", "evaluate-abbreviation", "top-level"])
def test_a_mistyped_option_shows_the_usage_of_its_command(argv, usage, error, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage) and error in err


def test_tasks_json_and_quiet(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # progress bars draw as on a terminal
    assert main(["tasks", str(SEED), "--out", str(tmp_path / "loud")]) == 0
    loud = capsys.readouterr()
    assert "splitting" in loud.err and "task(s)" not in loud.err  # progress on stderr
    assert loud.out.endswith("task(s) (scheme claimbuster, select all)\n")  # the summary is the result: stdout
    assert main(["tasks", str(SEED), "--out", str(tmp_path / "quiet"), "--quiet"]) == 0
    quiet = capsys.readouterr()
    assert quiet.err == "" and quiet.out.endswith("task(s) (scheme claimbuster, select all)\n")  # --quiet drops progress only

    assert main(["tasks", str(SEED), "--out", str(tmp_path / "t"), "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    summary = json.loads(captured.out)
    assert summary["out"] == str(tmp_path / "t") and (summary["scheme"], summary["select"]) == ("claimbuster", "all")
    assert summary["articles"] == 1 and summary["tasks"] == len(json.loads((tmp_path / "t" / "tasks.json").read_text()))
    assert summary["sentences"] >= summary["tasks"] > 0
    assert all(Path(path).is_file() for path in summary["files"].values()) and "tasks.json" in summary["files"]


def test_the_projects_warnings_are_lines_of_the_command_not_python_tracebacks(tmp_path):
    """A warning of the project (here: a Spanish corpus on an English page) reads as a line of
    the command, without Python's file, line number and source line."""
    articles = tmp_path / "es.jsonl"
    articles.write_text(json.dumps({"id": "es1", "text": "El paro bajó un 4% en marzo, según el INE.", "language": "es"}) + "\n",
                        encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "checkworthy", "tasks", str(articles), "--out", str(tmp_path / "out"), "--quiet"],
                          capture_output=True, text=True, check=True)
    assert done.stderr.splitlines() == ["checkworthy tasks: warning: every article is in 'es' but the labeling page is in 'en'; "
                                        "--page-language es shows its question, labels and instructions in 'es'"]


def test_a_closed_pipe_ends_quietly(monkeypatch, capfd):
    """``checkworthy review ... | head``: when the reader of stdout goes away mid-print, the
    command ends with 141 (as a shell reports SIGPIPE) and no traceback."""
    from checkworthy.cli.tasks import TasksCommand

    def closed(self, args):
        print("first line")
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(TasksCommand, "run", closed)
    saved = os.dup(1)
    try:
        assert main(["tasks", "x", "--out", "y"]) == 141
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    assert "Traceback" not in capfd.readouterr().err


def _label_studio_export(path: Path) -> Path:
    path.write_text(json.dumps([{"id": 1, "data": {"sentence_id": "a:1"}, "annotations": []}]), encoding="utf-8")
    return path


@pytest.mark.parametrize("inputs", [["export.json"], ["labels.csv"], ["folder"], ["export.json", "labels.csv"]],
                         ids=["label-studio-export", "csv", "folder-without-articles", "two-files"])
def test_tasks_refuses_inputs_without_any_article_and_writes_nothing(inputs, tmp_path, capsys):
    _label_studio_export(tmp_path / "export.json")
    (tmp_path / "labels.csv").write_text("sentence_id,label\na:1,CFS\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    _label_studio_export(tmp_path / "folder" / "export.json")
    assert main(["tasks", *(str(tmp_path / name) for name in inputs), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"checkworthy tasks: error: no article file in {', '.join(repr(str(tmp_path / name)) for name in inputs)}; nothing was written")
    assert ".txt, .md, .html" in err and ".jsonl" in err and "warning" not in err
    assert not (tmp_path / "out").exists()


def test_tasks_refusal_keeps_an_earlier_folder_that_overwrite_would_replace(tmp_path, capsys):
    assert main(["tasks", str(SEED), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    before = (tmp_path / "out" / "tasks.json").read_bytes()
    assert main(["tasks", str(_label_studio_export(tmp_path / "export.json")), "--out", str(tmp_path / "out"), "--overwrite"]) == 1
    assert (tmp_path / "out" / "tasks.json").read_bytes() == before
    assert "no article file in" in capsys.readouterr().err


def test_tasks_with_articles_but_no_sentence_selected_still_writes_its_folder(tmp_path, capsys):
    with pytest.warns(UserWarning, match="no task was written"):
        assert main(["tasks", str(SEED), "--out", str(tmp_path / "out"), "--min-score", "1"]) == 0
    captured = capsys.readouterr()
    assert "1 article(s)" in captured.out and " 0 task(s)" in captured.out and "error" not in captured.err
    assert json.loads((tmp_path / "out" / "tasks.json").read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("dataset", ["some_file.jsonl", "some_file.jsonl/ds"], ids=["the-file", "inside-the-file"])
def test_build_refuses_a_dataset_path_that_is_a_file(dataset, tmp_path):
    (tmp_path / "some_file.jsonl").write_text("{}\n", encoding="utf-8")
    export = _label_studio_export(tmp_path / "export.json")
    done = subprocess.run([sys.executable, "-m", "checkworthy", "build", str(export), "--articles", str(SEED),
                           "--dataset", str(tmp_path / dataset)], capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"checkworthy build: error: {tmp_path / 'some_file.jsonl'}: is a file, not a folder")
    assert "cannot build a version of this dataset there" in done.stderr
    assert (tmp_path / "some_file.jsonl").read_text(encoding="utf-8") == "{}\n"
