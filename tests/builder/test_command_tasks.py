"""``checkworthy tasks`` on the command line, including the seed article."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checkworthy.cli import main

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "000_27e9f3fb14e76b8c.txt"


def test_tasks_on_the_seeds(tmp_path, capsys):
    assert main(["tasks", str(SEED), "--out", str(tmp_path / "out")]) == 0
    assert "1 article(s), 13 sentence(s), 10 task(s) (scheme claimbuster, select all)" in capsys.readouterr().err
    sentences = [json.loads(line) for line in (tmp_path / "out" / "sentences.jsonl").read_text().splitlines()]
    tasks = json.loads((tmp_path / "out" / "tasks.json").read_text())
    roles = {s["text"]: s["role"] for s in sentences}
    assert roles["Pyongyang does not want escalation of tensions on Korean peninsula, senator says"] == "headline"
    assert roles["Related Articles"] == "boilerplate"
    assert roles["A flag is pictured outside the Permanent Mission of North Korea in Geneva, Switzerland, November 17, 2017."] == "caption"
    texts = [t["data"]["sentence"] for t in tasks]
    assert "Related Articles" not in texts and not any(t.startswith("A flag is pictured") for t in texts)
    assert any("talks with the U.S. over its nuclear ambitions" in t for t in texts)
    assert any(t.startswith("In a speech to the U.N. General Assembly") for t in texts)
    assert all(t["meta"]["scheme"] == "claimbuster" for t in tasks)


def test_tasks_options(tmp_path):
    seeds = str(SEED)
    assert main(["tasks", seeds, "--out", str(tmp_path / "top"), "--top", "3", "--scheme", "checkthat"]) == 0
    top = json.loads((tmp_path / "top" / "tasks.json").read_text())
    assert len(top) == 3 and {t["meta"]["scheme"] for t in top} == {"checkthat"}
    assert main(["tasks", seeds, "--out", str(tmp_path / "min"), "--min-score", "0.5"]) == 0
    selected = json.loads((tmp_path / "min" / "tasks.json").read_text())
    assert selected and all(t["meta"]["score"] >= 0.5 for t in selected)


def test_tasks_select_flags_are_exclusive(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["tasks", "seeds", "--out", str(tmp_path / "o"), "--top", "3", "--min-score", "0.5"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_tasks_bad_input_exits_1_without_traceback_and_writes_nothing(write, tmp_path, capsys):
    write("in/cut.jsonl", '{"id": "a", "text": "fine"}\n{"id": "b", "te')
    write("in/bin.txt", b"\x00\x01\x02")
    write("in/unsafe.jsonl", '{"id": "a b", "text": "x"}\n')
    assert main(["tasks", str(tmp_path / "in"), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("checkworthy tasks: error: cannot read the articles (3 problem(s))")
    assert "cut.jsonl: line 2" in err and "bin.txt" in err and "unsafe article id 'a b'" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_tasks_runs_as_a_module(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "checkworthy", "tasks", "seeds", "--out", str(tmp_path / "out")], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "tasks.json").is_file()


def test_overwrite_of_the_input_folder_exits_1_and_keeps_it(tmp_path, monkeypatch, capsys):
    (tmp_path / "s2").mkdir()
    (tmp_path / "s2" / SEED.name).write_bytes(SEED.read_bytes())
    monkeypatch.chdir(tmp_path)
    assert main(["tasks", "s2", "--out", "s2", "--overwrite"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("checkworthy tasks: error: s2: will not replace it: it is the input, which would be deleted")
    assert "Traceback" not in err
    assert [p.name for p in (tmp_path / "s2").iterdir()] == [SEED.name]
    assert main(["tasks", "s2", "--out", "out"]) == 0
    assert main(["tasks", "s2", "--out", "out", "--overwrite", "--top", "2"]) == 0
    assert len(json.loads((tmp_path / "out" / "tasks.json").read_text())) == 2
