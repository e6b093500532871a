"""Nothing lost, nothing half-done: tampering detected, versions whole or absent, one writer
at a time (with real processes), the changelog made from the versions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from labelstudio_fixtures import KEY, labeled_export, write_articles, write_export

from checkworthy.builder.build import BuildConfig, build_version
from checkworthy.builder.card import write_card
from checkworthy.builder.diff import CHANGELOG_HEADER
from checkworthy.builder.publish import plan_publish
from checkworthy.builder.store import check_integrity, list_versions, load_manifest, load_version
from checkworthy.builder.validation import validate_file
from checkworthy.schemas.errors import LockedError, TamperedError
from checkworthy.schemas.locks import LOCK_FILE, folder_lock, lock_holder


def _flip_labels(path):
    """Change every label of a parquet split in place (what a careless edit would do)."""
    path.chmod(0o644)
    table = pq.read_table(path)
    labels = [(value + 1) % 3 for value in table.column("label").to_pylist()]
    table = table.set_column(table.schema.get_field_index("label"), table.schema.field("label"), pa.array(labels, type=table.schema.field("label").type))
    pq.write_table(table, path)


# ---------------------------------------------------------------------------- tampering


def test_manifest_records_every_data_file(version_dir):
    files = load_manifest(version_dir).files
    assert set(files) == {"data/train.parquet", "data/validation.parquet", "data/test.parquet", "annotations.parquet"}
    assert check_integrity(version_dir) == version_dir


def test_a_changed_split_is_named_by_validate_load_card_and_publish(version_dir):
    write_card(version_dir)  # a complete version: card and Croissant
    _flip_labels(version_dir / "data" / "train.parquet")
    kind, _, problems = validate_file(version_dir / "manifest.json")
    assert kind == "manifest.json"
    assert any("data/train.parquet" in p and "SHA-256 differs" in p for p in problems), problems
    for action in (
        lambda: load_version(version_dir.parent.parent, "1.0.0"),
        lambda: write_card(version_dir),
        lambda: plan_publish(version_dir, "org/name"),
    ):
        with pytest.raises(TamperedError, match=r"train\.parquet: SHA-256 differs"):
            action()


@pytest.mark.parametrize("damage", ["a byte appended", "another split's file"])
def test_a_damaged_or_swapped_data_file_is_named_by_its_sha256_not_a_traceback(version_dir, damage):
    write_card(version_dir)  # a complete version: card and Croissant
    test = version_dir / "data" / "test.parquet"
    test.chmod(0o644)
    if damage == "a byte appended":  # no longer a Parquet file: reading its row count raised ArrowInvalid
        test.write_bytes(test.read_bytes() + b"x")
    else:  # a valid Parquet file with another row count: only the count was reported
        test.write_bytes((version_dir / "data" / "train.parquet").read_bytes())
    for ref in (version_dir / "manifest.json", version_dir):
        _, _, problems = validate_file(ref)
        assert problems == [p for p in problems if "test.parquet: SHA-256 differs" in p] and problems, problems


def test_an_added_or_removed_file_is_reported(version_dir):
    (version_dir / "data" / "extra.parquet").write_bytes((version_dir / "data" / "test.parquet").read_bytes())
    (version_dir / "annotations.parquet").chmod(0o644)
    (version_dir / "annotations.parquet").unlink()
    _, _, problems = validate_file(version_dir / "manifest.json")
    text = "\n".join(problems)
    assert "extra.parquet: not recorded" in text and "annotations.parquet: missing" in text


# ---------------------------------------------------------------- whole or absent


@pytest.fixture
def inputs(tmp_path):
    folder, sentences = write_articles(tmp_path)
    export = write_export(tmp_path / "export.json", labeled_export(sentences, {1: "CFS", 2: "CFS"}))
    return folder, sentences, export


def test_a_failing_finish_leaves_no_version(inputs, tmp_path):
    folder, _, export = inputs
    ds = tmp_path / "ds"
    seen = []

    def finish(tmp):
        seen.append(tmp)
        assert (tmp / "manifest.json").is_file() and not (ds / "versions" / "1.0.0").exists()
        raise RuntimeError("crash while writing the card")

    with pytest.raises(RuntimeError, match="crash while writing the card"):
        build_version([export], [folder], ds, BuildConfig(seed=13), key=KEY, finish=finish)
    assert seen and not seen[0].exists()
    assert list_versions(ds) == [] and not (ds / "versions" / "1.0.0").exists()
    assert not (ds / "CHANGELOG.md").exists()
    # The same build again completes: the version appears with its card and Croissant.
    result = build_version([export], [folder], ds, BuildConfig(seed=13), key=KEY, finish=lambda tmp: write_card(tmp))
    assert result.created and (result.path / "README.md").read_text().count("checkworthy:begin") > 3
    assert (result.path / "croissant.json").is_file()


def test_the_cli_build_writes_the_card_before_the_version_appears(inputs, tmp_path, monkeypatch):
    folder, _, export = inputs
    import checkworthy.builder.store as store

    seen = {}
    real_freeze = store.freeze

    def freeze(path):
        seen["card"] = (path / "README.md").read_text(encoding="utf-8")
        seen["croissant"] = (path / "croissant.json").is_file()
        real_freeze(path)

    monkeypatch.setattr(store, "freeze", freeze)
    from checkworthy.cli import main

    assert main(["build", str(export), "--articles", str(folder), "--dataset", str(tmp_path / "ds")]) == 0
    assert "## Dataset Structure" in seen["card"] and seen["croissant"]


# ------------------------------------------------------------------------ changelog


def test_changelog_is_made_from_the_versions(inputs, tmp_path):
    folder, sentences, export = inputs
    ds = tmp_path / "ds"
    build_version([export], [folder], ds, BuildConfig(seed=13), key=KEY)
    changelog = ds / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## 1.0.0\n\nFingerprint `x`; lost half of it\n", encoding="utf-8")
    other = write_export(tmp_path / "b.json", labeled_export(sentences, {1: "NFS", 2: "NFS"}))
    build_version([other], [folder], ds, BuildConfig(seed=13), key=KEY)
    text = changelog.read_text(encoding="utf-8")
    assert text.startswith(CHANGELOG_HEADER)
    assert "lost half" not in text and "## 1.0.0" in text and "## 1.0.1" in text and "Changes since 1.0.0" in text


def test_a_users_own_changelog_is_left_alone(inputs, tmp_path):
    folder, _, export = inputs
    ds = tmp_path / "ds"
    ds.mkdir()
    (ds / "CHANGELOG.md").write_text("# My own notes\n\nDo not touch.\n", encoding="utf-8")
    result = build_version([export], [folder], ds, BuildConfig(seed=13), key=KEY)
    assert (ds / "CHANGELOG.md").read_text(encoding="utf-8") == "# My own notes\n\nDo not touch.\n"
    assert any("not written by checkworthy" in w for w in result.warnings)


# -------------------------------------------------------------- one writer at a time

HOLD = textwrap.dedent(
    """
    import sys, time
    from checkworthy.schemas.locks import folder_lock
    with folder_lock(sys.argv[1], "hold the lock in a test"):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def _hold(folder, seconds):
    """A real second process that holds the dataset's lock; returns it once it holds it."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(folder), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def _cli(*argv):
    return subprocess.run([sys.executable, "-m", "checkworthy", *map(str, argv)], capture_output=True, text=True)


def test_a_second_writer_is_refused_and_named(inputs, tmp_path):
    folder, _, export = inputs
    ds = tmp_path / "ds"
    holder = _hold(ds, 60)
    try:
        done = _cli("build", export, "--articles", folder, "--dataset", ds)
        assert done.returncode == 1
        assert f"locked by 'hold the lock in a test' (pid {holder.pid}" in done.stderr and "--wait" in done.stderr
        assert list_versions(ds) == []
        with pytest.raises(LockedError, match="only one command may write a dataset card"):
            with folder_lock(ds, "write a dataset card"):
                pass
    finally:
        holder.kill()
        holder.wait()


def test_wait_takes_the_lock_when_the_holder_finishes(inputs, tmp_path):
    folder, _, export = inputs
    ds = tmp_path / "ds"
    holder = _hold(ds, 12)  # longer than the build takes to start on a busy machine
    done = _cli("build", export, "--articles", folder, "--dataset", ds, "--wait", 120)
    holder.wait()
    assert done.returncode == 0, done.stderr
    assert "waiting up to 120 s" in done.stderr
    assert list_versions(ds) == ["1.0.0"]


def test_a_lock_of_a_killed_process_is_taken_over(inputs, tmp_path):
    folder, _, export = inputs
    ds = tmp_path / "ds"
    holder = _hold(ds, 60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert lock_holder(ds)["pid"] == holder.pid  # the file still names the dead holder
    done = _cli("build", export, "--articles", folder, "--dataset", ds)
    assert done.returncode == 0, done.stderr
    assert (ds / LOCK_FILE).is_file() and list_versions(ds) == ["1.0.0"]


HOLD_THEN_REMOVE = textwrap.dedent(
    """
    import os, sys, time
    from checkworthy.schemas.locks import LOCK_FILE, folder_lock
    with folder_lock(sys.argv[1], "hold the lock, then remove its file, in a test"):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
        os.remove(os.path.join(sys.argv[1], LOCK_FILE))  # as a failed first build takes back its folder
    """
)


def test_a_lock_whose_file_the_holder_removed_is_taken_on_the_new_file(tmp_path):
    """A waiter that gets the lock of a file its holder removed on leaving locks the file at
    the path instead (else a third command would lock a new file beside it: two holders)."""
    ds = tmp_path / "ds"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THEN_REMOVE, str(ds), "2"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with folder_lock(ds, "wait for the lock in a test", wait=60, say=lambda line: None):
        holder.wait()
        assert lock_holder(ds)["pid"] == os.getpid(), "the file at the path names this holder"
        third = subprocess.run([sys.executable, "-c", "import sys\nfrom checkworthy.schemas.locks import folder_lock\n"
                                "with folder_lock(sys.argv[1], 'a third command'):\n    pass", str(ds)], capture_output=True, text=True)
        assert third.returncode == 1 and "LockedError" in third.stderr and "wait for the lock in a test" in third.stderr


def test_two_builds_at_once_make_two_versions_and_one_changelog(inputs, tmp_path):
    folder, sentences, export = inputs
    ds = tmp_path / "ds"
    other = write_export(tmp_path / "b.json", labeled_export(sentences, {1: "NFS", 2: "NFS"}))
    runs = [
        subprocess.Popen([sys.executable, "-m", "checkworthy", "build", str(e), "--articles", str(folder), "--dataset", str(ds), "--wait", "300"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for e in (export, other)
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    versions = list_versions(ds)
    assert len(versions) == 2
    first, second = (load_manifest(ds / "versions" / v) for v in versions)
    assert second.parent == first.version and first.fingerprint != second.fingerprint
    printed = sorted(line.split()[2] for out, _ in outputs for line in out.splitlines() if line.startswith("built version"))
    assert printed == versions
    changelog = (ds / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.count("\n## ") == 2 and f"Changes since {first.version}" in changelog
    assert (ds / LOCK_FILE).read_text() == "" and lock_holder(ds) is None  # released: it names no holder


# ------------------------------------------------------------- interrupted builds

KILLED_BUILD = textwrap.dedent(
    """
    import sys, time
    from checkworthy.builder.build import BuildConfig, build_version

    def finish(tmp):
        print("finishing", tmp, flush=True)
        time.sleep(120)

    build_version([sys.argv[1]], [sys.argv[2]], sys.argv[3], BuildConfig(seed=13), key=b"test-key", finish=finish)
    """
)


def test_a_build_killed_before_its_rename_leaves_no_version_and_the_next_build_cleans_up(inputs, tmp_path):
    folder, _, export = inputs
    ds = tmp_path / "ds"
    process = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(export), str(folder), str(ds)], stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    assert line.startswith("finishing"), line
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    leftovers = [p.name for p in (ds / "versions").iterdir()]
    assert list_versions(ds) == [] and len(leftovers) == 1 and leftovers[0].endswith(".tmp")
    kind, _, problems = validate_file(f"{ds}@1.0.0")
    assert kind == "dataset version" and "no dataset versions found" in problems[0]
    result = build_version([export], [folder], ds, BuildConfig(seed=13), key=KEY, finish=lambda tmp: write_card(tmp))
    assert result.created and list_versions(ds) == ["1.0.0"]
    assert [p.name for p in (ds / "versions").iterdir()] == ["1.0.0"]
    assert any(leftovers[0] in w and "interrupted build" in w for w in result.warnings)
    assert validate_file(f"{ds}@1.0.0") == ("dataset version 1.0.0", 1, [])


def test_validate_reports_an_incomplete_version(version_dir):
    kind, _, problems = validate_file(version_dir)
    assert kind == "dataset version 1.0.0"
    assert any("croissant.json: missing; the version is incomplete" in p for p in problems)
    assert any("only the minimal card" in p for p in problems)
    write_card(version_dir)
    assert validate_file(version_dir)[2] == []
    # DIR alone: the latest version, and the line says so
    assert validate_file(version_dir.parent.parent) == ("dataset version 1.0.0 (the latest; DIR@X.Y.Z checks another)", 1, [])


# ------------------------------------------------------------------ run --out


def test_run_never_writes_into_a_folder_of_the_users_own(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "export.json").write_text("my own file\n", encoding="utf-8")
    done = _cli("run", seeds, "--out", mine, "--no-studio", "--labels", tmp_path / "labels.json")
    assert done.returncode == 1 and "has no .checkworthy-output marker" in done.stderr
    assert (mine / "export.json").read_text(encoding="utf-8") == "my own file\n" and sorted(p.name for p in mine.iterdir()) == ["export.json"]
    inside = _cli("run", seeds, "--out", seeds / "out", "--no-studio", "--labels", tmp_path / "labels.json")
    assert inside.returncode == 1 and "inside the input folder" in inside.stderr and not (seeds / "out").exists()
    same = _cli("run", seeds, "--out", seeds, "--no-studio", "--labels", tmp_path / "labels.json")
    assert same.returncode == 1 and "the input" in same.stderr
