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
