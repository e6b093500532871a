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
    assert loud.out == "" and "splitting" in loud.err and "task(s)" in loud.err  # the defaults are unchanged

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
