"""What a command says when it is interrupted (Ctrl-C): true for files, and for what it sent."""

from __future__ import annotations

import pytest

from checkworthy.cli import main


@pytest.mark.parametrize(("argv", "message"), [
    (["tasks", "x", "--out", "y"], "checkworthy tasks: interrupted; nothing half-written was kept\n"),
    # run pushes tasks and posts annotations: those stay in Label Studio, and a rerun completes them
    (["tasks", "x", "--out", "y", "--engine", "ray"], "checkworthy tasks: interrupted; nothing half-written was kept; the shards "
                                                      "finished so far are kept in the work folder beside --out (.OUT.ray-work), "
                                                      "and the same command again resumes from them\n"),
    (["run", "x", "--out", "y"], "checkworthy run: interrupted; nothing half-written was kept; what was already sent to "
                                 "Label Studio stays there, and the same command again completes it (tasks and annotations "
                                 "are not sent twice)\n"),
])
def test_an_interrupt_says_what_it_left(argv, message, monkeypatch, capsys):
    from checkworthy.cli.run import RunCommand
    from checkworthy.cli.tasks import TasksCommand

    def interrupted(self, args):
        raise KeyboardInterrupt

    for command in (RunCommand, TasksCommand):
        monkeypatch.setattr(command, "run", interrupted)
    assert main(argv) == 130
    assert capsys.readouterr().err == message


def test_a_path_the_system_refuses_is_an_error_line_not_a_traceback(tmp_path, capsys):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    articles = tmp_path / "news"
    articles.mkdir()
    (articles / "a.txt").write_text("Prices rose 4% in May, the bureau said.\n", encoding="utf-8")
    assert main(["tasks", str(articles), "--out", str(tmp_path / "a-file" / "out"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("checkworthy tasks: error: ") and "a file is in the way of a folder to create" in err
    assert "Traceback" not in err and not (tmp_path / "a-file").is_dir()


_SLOW_COMMAND = """
import sys, time
from checkworthy.cli import main
from checkworthy.cli.tasks import TasksCommand
from checkworthy.schemas.io import atomic_path

def slow(self, args):
    with atomic_path(args.out) as tmp:
        tmp.write_text("half", encoding="utf-8")
        print("writing", flush=True)
        time.sleep(60)

TasksCommand.run = slow
sys.exit(main(["tasks", "x", "--out", sys.argv[1]]))
"""


def test_a_sigterm_cleans_up_as_ctrl_c_does(tmp_path):
    """``kill PID`` (a scheduler's stop, ``timeout``) ran no cleanup before: Python's default ends at once."""
    import signal
    import subprocess
    import sys

    out = tmp_path / "tasks.jsonl"
    process = subprocess.Popen([sys.executable, "-c", _SLOW_COMMAND, str(out)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline() == "writing\n"
        assert len(list(tmp_path.iterdir())) == 1  # the temporary file being written
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 143
    assert err == "checkworthy tasks: terminated; nothing half-written was kept\n"
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_names_the_file_it_could_not_write(tmp_path, monkeypatch, capsys):
    import errno
    import os

    from checkworthy.cli.tasks import TasksCommand
    from checkworthy.schemas.io import atomic_path

    def full_disk(self, args):
        with atomic_path(tmp_path / "out" / "tasks.json") as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # what a write on a full disk raises: no path

    monkeypatch.setattr(TasksCommand, "run", full_disk)
    assert main(["tasks", "x", "--out", "y"]) == 1
    assert capsys.readouterr().err == (f"checkworthy tasks: error: {tmp_path / 'out' / 'tasks.json'}: No space left on device; "
                                       "nothing half-written was kept (check the path, its permissions and the free space)\n")
    assert list((tmp_path / "out").iterdir()) == []


def test_a_refused_write_names_the_output_not_its_hidden_temporary(tmp_path, monkeypatch, capsys):
    """Permission denied on a read-only folder named 'ro/.out.p5465.h….tmp', a path the user never gave."""
    import errno
    import tempfile

    from checkworthy.cli.tasks import TasksCommand
    from checkworthy.schemas.io import replace_directory

    def refuse(prefix, suffix, dir):  # what mkdtemp raises in a folder without write permission (tests run as root)
        raise PermissionError(errno.EACCES, "Permission denied", f"{dir}/{prefix}k2j4{suffix}")

    def write(self, args):
        with replace_directory(tmp_path / "ro" / "out"):
            pass

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    monkeypatch.setattr(TasksCommand, "run", write)
    assert main(["tasks", "x", "--out", "y"]) == 1
    assert capsys.readouterr().err.startswith(f"checkworthy tasks: error: {tmp_path / 'ro' / 'out'}: Permission denied; ")
