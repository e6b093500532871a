"""What ``build`` refuses to write, and what it keeps when a write fails: a ``--dataset``
inside a version, a build that would drop a dataset's labels, a changelog that could
not be written, a dataset inside its own articles folder."""

from __future__ import annotations

import re
import shutil

import pytest
from labelstudio_fixtures import KEY, labeled_export, write_articles, write_export

from checkworthy.builder.build import BuildConfig, build_version
from checkworthy.builder.store import list_versions
from checkworthy.cli import main
from checkworthy.schemas.errors import InputError


def _tree(folder):
    """Every file and folder under ``folder`` with its size and modification time: what a refused build must not change."""
    return {str(p.relative_to(folder)): (p.is_dir(), p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))}


@pytest.fixture
def two_versions(tmp_path):
    """A dataset with versions 1.0.0 and 1.0.1 (seeds 0 and 1), its articles and export."""
    folder, sentences = write_articles(tmp_path)
    export = write_export(tmp_path / "export.json", labeled_export(sentences, {1: "CFS", 2: "CFS"}))
    ds = tmp_path / "ds"
    build_version([export], [folder], ds, key=KEY)
    build_version([export], [folder], ds, BuildConfig(seed=1), key=KEY)
    assert list_versions(ds) == ["1.0.0", "1.0.1"]
    return folder, sentences, export, ds


# ------------------------------------------------------------- --dataset inside a version


@pytest.mark.parametrize(("inside", "what"), [
    ("versions/1.0.1", "is version 1.0.1 of the dataset {ds}, which is never changed after it is built"),
    ("versions", "is the versions/ folder of the dataset {ds}, which holds only its versions"),
    ("versions/1.0.1/data", "is inside version 1.0.1 of the dataset {ds}, which is never changed after it is built"),
    ("versions/2.0.0", "is inside the versions/ folder of the dataset {ds}, which holds only its versions"),
], ids=["version", "versions", "in-a-version", "new-version-name"])
def test_a_dataset_inside_a_version_or_versions_is_refused_naming_the_dataset_folder(two_versions, inside, what):
    """A build into a version would put a version, the secret annotator.key, a lock and a
    CHANGELOG.md into a version that publish then uploads: refused, naming the dataset's folder."""
    folder, _, export, ds = two_versions
    before = _tree(ds)
    message = (re.escape(f"{ds / inside}: {what.format(ds=ds)}; ") + ".*secret annotator.key.*"
               + re.escape(f": give --dataset {ds} (the dataset's own folder) to build its next version; nothing was written"))
    with pytest.raises(InputError, match=f"^{message}$"):
        build_version([export], [folder], ds / inside, BuildConfig(seed=2), key=KEY)
    assert _tree(ds) == before


def test_the_command_line_refuses_a_version_folder_and_names_the_dataset_as_given(two_versions, capsys, monkeypatch):
    folder, _, export, ds = two_versions
    monkeypatch.chdir(ds.parent)
    copy = ds.parent / "copy"
    shutil.copytree(ds, copy, symlinks=True)
    before = _tree(copy)
    assert main(["build", str(export), "--articles", str(folder), "--dataset", "copy/versions/1.0.1", "--seed", "2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("checkworthy build: error: copy/versions/1.0.1: is version 1.0.1 of the dataset copy,")
    assert "give --dataset copy (the dataset's own folder)" in err
    assert _tree(copy) == before
    assert not (copy / "versions" / "1.0.1" / "annotator.key").exists()


def test_a_copy_of_a_version_outside_a_dataset_is_refused(two_versions, tmp_path):
    folder, _, export, ds = two_versions
    copy = shutil.copytree(ds / "versions" / "1.0.0", tmp_path / "downloaded")
    before = _tree(copy)
    for target in (copy, copy / "more"):
        with pytest.raises(InputError, match=r"is (inside )?a copy of a dataset version.*holds manifest.json and data/.*"
                                             r"give --dataset a folder of its own; nothing was written"):
            build_version([export], [folder], target, key=KEY)
    assert _tree(copy) == before


def test_a_dataset_folder_beside_versions_is_still_built(two_versions):
    """The refusal looks for the layout, not the word: the dataset's own folder builds on."""
    folder, _, export, ds = two_versions
    assert build_version([export], [folder], ds, BuildConfig(seed=2), key=KEY).version == "1.0.2"
