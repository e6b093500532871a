"""What ``build`` refuses to write, and what it keeps when a write fails: a ``--dataset``
inside a version, a build that would drop a dataset's labels, a changelog that could
not be written, a dataset inside its own articles folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from labelstudio_fixtures import KEY, labeled_export, write_articles, write_export

from checkworthy.builder.build import BuildConfig, ChangelogNotWrittenError, build_version
from checkworthy.builder.diff import changelog_text
from checkworthy.builder.store import list_versions, load_version
from checkworthy.cli import main
from checkworthy.schemas.errors import InputError
from checkworthy.schemas.locks import LOCK_FILE


def _tree(folder):
    """Every file and folder under ``folder`` with its size and modification time: what a refused build must not change
    (the lock file's time aside: a build that takes the lock notes its holder in it)."""
    return {str(p.relative_to(folder)): (p.is_dir(), p.stat().st_size, None if p.name == LOCK_FILE else p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


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


# ------------------------------------------------------------ a changelog that could not be written


def _changelog_unwritable(monkeypatch):
    """Make every write of a CHANGELOG.md fail as in a dataset folder without write permission
    (tests run as root, whom chmod does not stop); other files are written as usual."""
    import checkworthy.builder.diff as diff

    real = diff.atomic_write_text

    def write(path, text, **kwargs):
        if Path(path).name == "CHANGELOG.md":
            raise PermissionError(13, "Permission denied", str(Path(path).parent / ".CHANGELOG.md.p1.hx.tmp"))
        return real(path, text, **kwargs)

    monkeypatch.setattr(diff, "atomic_write_text", write)


def test_a_version_kept_without_its_changelog_is_said_and_the_next_build_rebuilds_the_changelog(two_versions, monkeypatch, capsys):
    folder, _, export, ds = two_versions
    args = ["build", str(export), "--articles", str(folder), "--dataset", str(ds), "--seed", "2"]
    with monkeypatch.context() as patch:
        _changelog_unwritable(patch)
        assert main(args) == 1
        err = capsys.readouterr().err
        assert list_versions(ds) == ["1.0.0", "1.0.1", "1.0.2"], "the version was made whole, and kept"
        assert err.startswith(f"checkworthy build: error: version 1.0.2 was built and kept at {ds / 'versions' / '1.0.2'}, but "
                              f"{ds / 'CHANGELOG.md'} could not be written (Permission denied), so it does not match the versions; make "
                              f"{ds} writable"), err
        assert "nothing half-written was kept" not in err and "run the same build again" in err
        assert "## 1.0.2" not in (ds / "CHANGELOG.md").read_text(encoding="utf-8")
        # Still not writable: the same build again says so, rather than that nothing needed writing.
        with pytest.raises(ChangelogNotWrittenError, match=r"version 1\.0\.2 at .* already has these inputs and settings, but .*"
                                                           r"CHANGELOG\.md could not be written \(Permission denied\)") as caught:
            build_version([export], [folder], ds, BuildConfig(seed=2))
        assert caught.value.result.version == "1.0.2" and not caught.value.result.created
    assert main(args) == 0
    out = capsys.readouterr()
    assert "no new version: 1.0.2" in out.out
    assert "did not match the versions (a build that could not write it, or an edit) and was rebuilt from them" in out.err
    assert (ds / "CHANGELOG.md").read_text(encoding="utf-8") == changelog_text(ds)
    assert "## 1.0.2" in changelog_text(ds)
    written = (ds / "CHANGELOG.md").stat().st_mtime_ns
    again = build_version([export], [folder], ds, BuildConfig(seed=2))
    assert again.warnings == [f"version 1.0.2 already has these inputs and settings (fingerprint {again.manifest.fingerprint}); "
                              "nothing was written"]
    assert (ds / "CHANGELOG.md").stat().st_mtime_ns == written, "an up-to-date changelog is not rewritten"


def test_a_dataset_folder_without_write_permission_is_refused_before_the_version_is_made(two_versions, monkeypatch):
    import os

    folder, _, export, ds = two_versions
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) == ds and mode & os.W_OK else real(path, mode, **kw))
    before = _tree(ds)
    with pytest.raises(InputError, match=re.escape(f"{ds}: no permission to write in the dataset's folder, where every build rewrites "
                                                   f"CHANGELOG.md from the versions; nothing was written: make it writable (e.g. chmod u+w {ds})")):
        build_version([export], [folder], ds, BuildConfig(seed=2))
    assert _tree(ds) == before and list_versions(ds) == ["1.0.0", "1.0.1"]


def test_a_users_own_changelog_needs_no_write_permission_and_is_left_alone(two_versions, monkeypatch):
    import os

    folder, _, export, ds = two_versions
    (ds / "CHANGELOG.md").write_text("# My notes\n", encoding="utf-8")
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) == ds and mode & os.W_OK else real(path, mode, **kw))
    assert build_version([export], [folder], ds, BuildConfig(seed=2)).version == "1.0.2"
    assert build_version([export], [folder], ds, BuildConfig(seed=2)).created is False
    assert (ds / "CHANGELOG.md").read_text(encoding="utf-8") == "# My notes\n"


# ------------------------------------------------------------ a dataset among its articles


@pytest.mark.parametrize(("where", "what"), [
    (".", "is the --articles folder {articles}"),
    ("ds", "is inside the --articles folder {articles}"),
    ("..", "holds the --articles folder {articles}"),
], ids=["is", "inside", "holds"])
def test_a_dataset_among_its_articles_is_refused(tmp_path, where, what):
    """A dataset in its articles folder mixed the two: every later build with the same
    --articles read the version's parquet files as articles and failed on 'id'."""
    folder, sentences = write_articles(tmp_path / "in")
    export = write_export(tmp_path / "export.json", labeled_export(sentences, {1: "CFS", 2: "CFS"}))
    ds = (folder / where).resolve() if where != "ds" else folder / "ds"
    before = _tree(tmp_path / "in")
    with pytest.raises(InputError, match="^" + re.escape(f"{ds}: {what.format(articles=folder)}; the dataset and the articles it is built "
                                                         "from would be mixed in one folder") + ".*give --dataset a folder .*; nothing was written$"):
        build_version([export], [folder], ds, key=KEY)
    assert _tree(tmp_path / "in") == before


def test_the_command_line_refuses_a_dataset_in_its_articles_before_reading_them(tmp_path, monkeypatch, capsys):
    folder, sentences = write_articles(tmp_path)
    export = write_export(tmp_path / "export.json", labeled_export(sentences, {1: "CFS", 2: "CFS"}))
    monkeypatch.chdir(tmp_path)
    assert main(["build", str(export), "--articles", "articles", "--dataset", "articles"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("checkworthy build: error: articles: is the --articles folder articles;")
    assert "give --dataset a folder beside it (e.g. --dataset articles-dataset); nothing was written" in err
    assert not (folder / "versions").exists() and not (folder / "annotator.key").exists()
    # A glob pattern is judged by what it matches: the dataset beside the matched files is fine.
    assert main(["build", str(export), "--articles", "articles/*.txt", "--dataset", "articles-dataset", "--quiet"]) == 0
    assert list_versions(tmp_path / "articles-dataset") == ["1.0.0"]
    assert main(["build", str(export), "--articles", "articles/art0*.txt", "--dataset", "articles/art00.txt/ds"]) == 1
    assert "is inside the --articles file articles/art00.txt" in capsys.readouterr().err


# ------------------------------------------------------------ a corpus build into an existing dataset

CB_HEADER = "Sentence_id,Text,Speaker,Speaker_title,Speaker_party,File_id,Length,Line_number,Sentiment,Verdict"
CT_HEADER = "Sentence_id\tText\tclass_label"


@pytest.fixture
def claimbuster(write, tmp_path):
    """A ClaimBuster folder: 12 debates of 3 crowdsourced sentences, and one ground-truth sentence."""
    lines = [CB_HEADER] + [f"{debate * 10 + n},{text},X,,P,{1990 + debate}-01-01.txt,5,{n},0,{verdict}"
                           for debate in range(12)
                           for n, (text, verdict) in enumerate([("We cut taxes by 10 percent.", 1), ("I like this town.", -1),
                                                                (f"It was debate {debate}.", 0)])]
    write("cb/crowdsourced.csv", "\n".join(lines) + "\n")
    write("cb/groundtruth.csv", CB_HEADER + "\n999,\"Spending rose, again.\",X,,P,1990-01-01.txt,3,9,0,1\n")
    return tmp_path / "cb"


def test_a_corpus_build_into_a_dataset_of_labels_is_refused_even_with_allow_removal(two_versions, claimbuster, capsys):
    """It made a version without any of the dataset's labels (the changelog: all removed) and no --allow-removal refusal."""
    _, _, _, ds = two_versions
    before = _tree(ds)
    for extra in ([], ["--allow-removal"]):
        assert main(["build", "--from", "claimbuster", str(claimbuster), "--dataset", str(ds), *extra]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"checkworthy build: error: {ds}: its latest version 1.0.1 was built from Label Studio exports (export.json), "
                              "and this build reads the ClaimBuster corpus (crowdsourced.csv, groundtruth.csv): a version of it would "
                              "replace the dataset's 48 labeled sentence(s) with another collection rather than revise them"), err
        assert f"nothing was written. Build it into a dataset folder of its own (e.g. --dataset {ds}-claimbuster); --allow-removal does " \
               "not apply here" in err
    assert _tree(ds) == before and list_versions(ds) == ["1.0.0", "1.0.1"]


def test_labels_or_another_corpus_into_a_corpus_dataset_are_refused(claimbuster, tmp_path, write):
    from checkworthy.builder.from_corpus import build_from_corpus

    ds = tmp_path / "cb-ds"
    build_from_corpus("claimbuster", claimbuster, ds)
    before = _tree(ds)
    folder, sentences = write_articles(tmp_path)
    export = write_export(tmp_path / "export.json", labeled_export(sentences, {1: "CFS", 2: "CFS"}))
    with pytest.raises(InputError, match=re.escape(f"{ds}: its latest version 1.0.0 was built from the ClaimBuster corpus (crowdsourced.csv, "
                                                   "groundtruth.csv), and this build reads Label Studio exports (export.json)")
                       + r".*\(e\.g\. --dataset " + re.escape(f"{ds}-labels)")):
        build_version([export], [folder], ds, key=KEY, allow_removal=True)
    write("ct/CT24_en_train.tsv", "\n".join([CT_HEADER, "1\tTaxes went up 5 percent.\tYes", "2\tThank you.\tNo"]) + "\n")
    with pytest.raises(InputError, match=re.escape("and this build reads the CheckThat! corpus (CT24_en_train.tsv, language en)")
                       + r".*\(e\.g\. --dataset " + re.escape(f"{ds}-checkthat)")):
        build_from_corpus("checkthat", tmp_path / "ct", ds, allow_removal=True)
    assert _tree(ds) == before


def test_a_corpus_build_that_would_drop_sentences_of_the_same_corpus_is_refused_unless_asked(claimbuster, tmp_path, capsys):
    ds = tmp_path / "ds"
    assert main(["build", "--from", "claimbuster", str(claimbuster), "--dataset", str(ds), "--quiet"]) == 0
    split = {name: len(rows) for name, rows in load_version(ds).items()
             if "999" in rows["sentence_id"]}
    fewer = tmp_path / "cb-crowdsourced-only"
    fewer.mkdir()
    shutil.copy(claimbuster / "crowdsourced.csv", fewer)
    before = _tree(ds)
    assert main(["build", "--from", "claimbuster", str(fewer), "--dataset", str(ds), "--quiet"]) == 1
    err = capsys.readouterr().err
    (name,) = split
    assert (f"1 labeled sentence(s) of version 1.0.0 ({name} 1) are in none of these corpus files (crowdsourced.csv), so the new version "
            "would drop them; nothing was written. A version of a corpus is built from all of its files: give the folder that holds "
            "them all (the version had crowdsourced.csv, groundtruth.csv), or pass --allow-removal to drop them on purpose") in err, err
    assert _tree(ds) == before
    assert main(["build", "--from", "claimbuster", str(fewer), "--dataset", str(ds), "--allow-removal", "--quiet"]) == 0
    assert list_versions(ds) == ["1.0.0", "1.1.0"]
    assert "999" not in {sid for rows in load_version(ds).values() for sid in rows["sentence_id"]}
