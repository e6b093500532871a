"""``checkworthy tasks`` on the command line, including the seed article."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checkworthy.cli import main

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "000_27e9f3fb14e76b8c.txt"


def test_tasks_on_the_seeds(tmp_path, capsys):
    assert main(["tasks", str(SEED), "--out", str(tmp_path / "out")]) == 0
    assert "1 article(s), 13 sentence(s), 10 task(s) (scheme claimbuster, select all)" in capsys.readouterr().out
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


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _many_articles(path: Path, count: int) -> Path:
    paragraph = "The council said on Monday that prices rose 4% in May. The minister denied it, and critics called it a disgrace. "
    text = "\n\n".join([paragraph * 4] * 6)
    path.write_text("".join(json.dumps({"id": f"a{number}", "text": f"Headline {number}\n\n{text}"}) + "\n" for number in range(count)), encoding="utf-8")
    return path


@contextlib.contextmanager
def _tasks_with_two_workers(tmp_path: Path, count: int):
    """A real ``checkworthy tasks --jobs 2`` in its own process group, once both workers run: ``(process, workers)``."""
    command = [sys.executable, "-m", "checkworthy", "tasks", str(_many_articles(tmp_path / "many.jsonl", count)),
               "--out", str(tmp_path / "out"), "--jobs", "2"]
    # Own process group; Ctrl-C not ignored, as in a terminal (a shell's background job would ignore it).
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509 (one call, async-signal-safe)
    try:
        assert _wait_for(lambda: len(_children(process.pid)) >= 2 or process.poll() is not None, 60), "no worker processes appeared"
        workers = _children(process.pid)
        assert process.poll() is None and len(workers) >= 2, f"the command ended before the test could stop it: {process.stderr.read()}"
        yield process, workers
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


needs_proc = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc (Linux) to find the worker processes")


@pytest.mark.slow
@needs_proc
def test_workers_end_when_the_command_is_killed(tmp_path):
    with _tasks_with_two_workers(tmp_path, 3000) as (process, workers):
        process.kill()
        process.wait()
        assert _wait_for(lambda: not any(map(_running, workers)), 5), f"workers still running after the parent was killed: {sorted(filter(_running, workers))}"
        assert not (tmp_path / "out").exists()


@pytest.mark.slow
@needs_proc
def test_ctrl_c_ends_the_command_and_its_workers_cleanly(tmp_path):
    with _tasks_with_two_workers(tmp_path, 6000) as (process, workers):
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole process group
        assert _wait_for(lambda: process.poll() is not None, 20), "the command went on with the queued work after Ctrl-C"
        err = process.stderr.read()
        assert (process.returncode, err) == (130, "checkworthy tasks: interrupted; nothing half-written was kept\n")
        assert not any(map(_running, workers))
        assert sorted(p.name for p in tmp_path.iterdir()) == ["many.jsonl"]
