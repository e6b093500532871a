from __future__ import annotations

import sys

import pytest

from checkworthy.schemas.errors import InputError
from checkworthy.schemas.io import OUTPUT_MARKER, atomic_directory, atomic_write_json, fingerprint, iter_jsonl, progress, quiet_progress, read_output_marker


def test_fingerprint_ignores_key_order():
    assert fingerprint({"seed": 1, "scheme": "x", "nested": {"a": 1, "b": 2}}) == fingerprint(
        {"nested": {"b": 2, "a": 1}, "scheme": "x", "seed": 1}
    )
    assert fingerprint({"seed": 1}) != fingerprint({"seed": 2})


def test_atomic_write_json_is_deterministic(tmp_path):
    atomic_write_json(tmp_path / "a.json", {"b": 1, "a": [1, 2]})
    atomic_write_json(tmp_path / "b.json", {"a": [1, 2], "b": 1})
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert list(tmp_path.iterdir()) != [] and not list(tmp_path.glob(".*tmp"))


def test_atomic_directory_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with atomic_directory(target) as tmp:
            (tmp / "half.json").write_text("{")
            raise RuntimeError("interrupted")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_iter_jsonl_lists_every_bad_line(write):
    path = write("a.jsonl", '{"id": 1}\n[1, 2]\n{broken\n')
    with pytest.raises(InputError) as info:
        list(iter_jsonl(path))
    assert "line 2: expected a JSON object, found list" in str(info.value)
    assert "line 3" in str(info.value)


def test_atomic_outputs_get_ordinary_permissions(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        atomic_write_json(tmp_path / "a.json", {"a": 1})
        with atomic_directory(tmp_path / "d") as tmp:
            (tmp / "x").write_text("x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o755


def test_quiet_progress_hides_bars_even_on_a_terminal(monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert not progress(range(2)).disable
    with quiet_progress():
        assert progress(range(2)).disable
    assert not progress(range(2)).disable


def test_atomic_directory_replaces_only_a_folder_it_marked(tmp_path):
    with atomic_directory(tmp_path / "plain") as tmp:
        (tmp / "x").write_text("1")
    assert sorted(p.name for p in (tmp_path / "plain").iterdir()) == ["x"]
    with pytest.raises(InputError, match=r"plain: will not replace it: it has no \.checkworthy-output marker"), atomic_directory(tmp_path / "plain", overwrite=True, writer="test"):
        pass
    with atomic_directory(tmp_path / "marked", writer="checkworthy test") as tmp:
        (tmp / "x").write_text("1")
    assert read_output_marker(tmp_path / "marked") == {"tool": "checkworthy", "writer": "checkworthy test"}
    with atomic_directory(tmp_path / "marked", overwrite=True, writer="checkworthy test") as tmp:
        (tmp / "x").write_text("2")
    assert (tmp_path / "marked" / "x").read_text() == "2" and read_output_marker(tmp_path / "marked") is not None
    (tmp_path / "marked" / OUTPUT_MARKER).write_text('{"tool": "something else", "writer": "x"}')
    with pytest.raises(InputError, match="no \\.checkworthy-output marker"), atomic_directory(tmp_path / "marked", overwrite=True, writer="checkworthy test"):
        pass
    assert (tmp_path / "marked" / "x").read_text() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["marked", "plain"]


def test_atomic_directory_never_replaces_a_symbolic_link(tmp_path):
    with atomic_directory(tmp_path / "real", writer="checkworthy test") as tmp:
        (tmp / "x").write_text("1")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(InputError, match=r"link: will not replace it: it is a symbolic link"), atomic_directory(tmp_path / "link", overwrite=True, writer="checkworthy test"):
        pass
    assert (tmp_path / "link").is_symlink() and (tmp_path / "real" / "x").read_text() == "1"


_KILLED_WRITER = """
import os, signal, sys
from checkworthy.schemas.io import atomic_path, replace_directory
target = sys.argv[1]
if sys.argv[2] == "file":
    with atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        os.kill(os.getpid(), signal.SIGKILL)
with replace_directory(target) as tmp:
    (tmp / "half.txt").write_text("half", encoding="utf-8")
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _killed_writer(target, kind: str) -> None:
    """A real process killed with SIGKILL in the middle of writing ``target``."""
    import signal
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(target), kind], capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_what_a_killed_writer_left_is_removed_by_the_next_write(tmp_path, kind):
    from checkworthy.schemas.io import atomic_write_text, replace_directory

    target = tmp_path / "results.json"
    _killed_writer(target, kind)
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".results.json.p") and left[0].endswith(".tmp")
    if kind == "file":
        atomic_write_text(target, "whole\n")
    else:
        with replace_directory(target) as tmp:
            (tmp / "whole.txt").write_text("whole", encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_another_running_writer_keeps_its_temporary_file(tmp_path):
    import subprocess
    import sys

    from checkworthy.schemas.io import _host, atomic_write_text, remove_stale

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        theirs = tmp_path / f".results.json.p{other.pid}.h{_host()}.abc123.tmp"
        theirs.write_text("being written", encoding="utf-8")
        elsewhere = tmp_path / ".results.json.p1.h00000000.abc123.tmp"  # another machine's (a shared disk)
        elsewhere.write_text("being written", encoding="utf-8")
        atomic_write_text(tmp_path / "results.json", "whole\n")
        assert theirs.read_text(encoding="utf-8") == "being written" and elsewhere.exists()
        other.kill()
        other.wait()
        assert remove_stale(tmp_path / "results.json") == [theirs.name]
        assert elsewhere.exists()
    finally:
        other.kill()
        other.wait()


def test_a_swap_cut_short_puts_the_previous_folder_back(tmp_path):
    """Killed between moving the old folder aside and moving the new one in: the old one returns."""
    import subprocess
    import sys

    from checkworthy.schemas.io import _host, remove_stale

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(gone.stdout)
    aside = tmp_path / f".evaluation.p{pid}.h{_host()}.k3j2.old"
    (aside / "x").mkdir(parents=True)
    (aside / "x" / "results.json").write_text("previous", encoding="utf-8")
    new = tmp_path / f".evaluation.p{pid}.h{_host()}.q9w8.tmp"
    new.mkdir()
    assert sorted(remove_stale(tmp_path / "evaluation")) == sorted([aside.name, new.name])
    assert [p.name for p in tmp_path.iterdir()] == ["evaluation"]
    assert (tmp_path / "evaluation" / "results.json").read_text(encoding="utf-8") == "previous"


@pytest.mark.parametrize(("line", "problem"), [
    ('{"id": "s", "text": "cut emoji \\udc00 here."}', "line 2: field 'text': invalid character U+DC00 at character 10 (half of a UTF-16 surrogate pair"),
    ('{"id": "s", "meta": {"tags": ["ok", "\\ud83d"]}}', "line 2: field 'meta.tags[1]': invalid character U+D83D at character 0"),
    ('{"id": "s", "score": NaN}', "line 2: NaN is not a JSON value"),
    ('{"id": "s", "score": -Infinity}', "line 2: -Infinity is not a JSON value"),
])
def test_a_jsonl_line_that_utf8_or_json_cannot_hold_is_a_problem_of_its_own(tmp_path, line, problem):
    """A lone surrogate crashed the writers with a traceback (UTF-8 cannot encode it); NaN was
    written back as invalid JSON. Each is now a problem naming the line and the field."""
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "ok", "text": "Fine."}\n' + line + "\n", encoding="utf-8")
    records = list(iter_jsonl(path, inline=True))
    assert records[0] == (1, {"id": "ok", "text": "Fine."})
    assert records[1][0] == 2 and records[1][1].startswith(f"{path}: {problem}"), records[1][1]
    with pytest.raises(InputError, match="line 2"):
        list(iter_jsonl(path))


def test_a_surrogate_pair_is_one_character_and_read(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "ok", "text": "Smile \\ud83d\\ude00."}\n', encoding="utf-8")
    assert list(iter_jsonl(path)) == [(1, {"id": "ok", "text": "Smile \U0001F600."})]


def test_a_folder_another_command_made_meanwhile_is_kept_and_named(tmp_path):
    """Two runs racing into one --out: the second said 'a file is in the way of a folder to create', naming nothing."""
    from checkworthy.schemas.errors import VersionExistsError

    out = tmp_path / "oc"
    with pytest.raises(VersionExistsError, match=r"oc: another command wrote this folder while this one was writing it; theirs is kept"):
        with atomic_directory(out) as tmp:  # no --overwrite: the folder did not exist when the command began
            (tmp / "mine.txt").write_text("mine", encoding="utf-8")
            out.mkdir()  # the other run finishes first
            (out / "theirs.txt").write_text("theirs", encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["oc"] and [p.name for p in out.iterdir()] == ["theirs.txt"]
