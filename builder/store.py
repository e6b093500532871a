"""The version store: immutable, versioned dataset directories (layout fixed in DESIGN.md).

::

    <dataset>/
      annotator.key           secret key of the annotator pseudonyms (never published)
      versions/<X.Y.Z>/
        data/{train,validation,test}.parquet   one row per sentence (schemas.rows)
        annotations.parquet                    every individual label, pseudonymised
        manifest.json                          schemas/manifest.schema.json
        README.md                              the dataset card (builder.card)
        croissant.json                         Croissant metadata (builder.croissant)
        evaluation/                            results of the baselines (evaluation)
      CHANGELOG.md            appended by every build (builder.diff)

This module lists, resolves, reads and loads versions, and commits a new one
atomically (:func:`commit_directory`: written to a temporary directory, frozen and
renamed into place; an existing version is never touched). Making the contents of a
version (annotations -> aggregate -> agreement -> splits -> manifest) is
:mod:`checkworthy.builder.build`'s job. Everything that reads a dataset
(evaluation, the card, diff, publish) goes through the functions here.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from collections.abc import Callable
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from checkworthy.schemas import load_scheme, schema_errors
from checkworthy.schemas.documents import Manifest
from checkworthy.schemas.errors import InputError, InputFileNotFoundError, TamperedError, VersionExistsError
from checkworthy.schemas.io import atomic_directory, read_json, sha256_file
from checkworthy.schemas.rows import SPLITS, features

__all__ = [
    "IMMUTABLE",
    "VERSION_PATTERN",
    "check_manifest",
    "check_integrity",
    "check_version",
    "card_problems",
    "content_files",
    "foreign_file_problems",
    "version_files",
    "file_digests",
    "integrity_problems",
    "commit_directory",
    "freeze",
    "latest_version",
    "list_versions",
    "load_manifest",
    "load_version",
    "load_version_dir",
    "remove_unfinished",
    "parse_dataset_ref",
    "read_manifest",
    "refuse_inside_version",
    "resolve_version_dir",
    "version_dir",
]

VERSION_PATTERN = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def check_version(version: str) -> str:
    """Return ``version`` if it is ``MAJOR.MINOR.PATCH``; raise ``InputError`` otherwise."""
    if not isinstance(version, str) or not VERSION_PATTERN.match(version):
        raise InputError(f"version {version!r} is not MAJOR.MINOR.PATCH (for example 1.0.0)")
    return version


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def list_versions(dataset_dir: str | os.PathLike) -> list[str]:
    """The complete versions of a dataset, oldest first."""
    root = Path(dataset_dir) / "versions"
    if not root.is_dir():
        return []
    found = [p.name for p in root.iterdir() if VERSION_PATTERN.match(p.name) and (p / "manifest.json").is_file()]
    return sorted(found, key=version_key)


def dataset_around(folder: Path) -> Path | None:
    """The dataset folder when ``folder`` is a dataset's ``versions/`` (it holds a version),
    or a version folder (``versions/X.Y.Z`` with ``manifest.json``) or a copy of one
    (``manifest.json`` beside ``data/``): then ``folder`` itself; None otherwise.

    The one test of "this folder belongs to a dataset": ``build`` refuses to build there,
    and the articles reader never reads it as articles."""
    if folder.name == "versions" and list_versions(folder.parent):
        return folder.parent
    if (folder / "manifest.json").is_file() and (
            (folder.parent.name == "versions" and VERSION_PATTERN.match(folder.name)) or (folder / "data").is_dir()):
        return folder.parent.parent if folder.parent.name == "versions" else folder
    return None


def latest_version(dataset_dir: str | os.PathLike) -> str | None:
    """The highest version of a dataset, or None when it has none."""
    versions = list_versions(dataset_dir)
    return versions[-1] if versions else None


def version_dir(dataset_dir: str | os.PathLike, version: str | None = None) -> Path:
    """The directory of ``version`` (None = latest); raise a clear error when it does not exist."""
    dataset_dir = Path(dataset_dir)
    versions = list_versions(dataset_dir)
    if not versions:
        inside = sorted(child for child in dataset_dir.iterdir() if child.is_dir() and list_versions(child)) if dataset_dir.is_dir() else []
        if inside:  # the output folder of 'checkworthy run' holds its dataset in dataset/
            raise InputFileNotFoundError(f"{dataset_dir}: is not a dataset but holds one: give {' or '.join(map(str, inside[:3]))}")
        if (dataset_dir / "manifest.json").is_file() and dataset_dir.parent.name == "versions":
            raise InputFileNotFoundError(f"{dataset_dir}: is version {dataset_dir.name} of the dataset {dataset_dir.parent.parent}: "
                                         f"give {dataset_dir.parent.parent}@{dataset_dir.name}")
        raise InputFileNotFoundError(f"{dataset_dir}: no dataset versions found under {dataset_dir / 'versions'}; build one with 'checkworthy build'")
    if version is None:
        version = versions[-1]
    check_version(version)
    if version not in versions:
        raise InputFileNotFoundError(f"{dataset_dir}: version {version} not found; available: {', '.join(versions)}")
    return dataset_dir / "versions" / version


def resolve_version_dir(ref: str | os.PathLike) -> Path:
    """The directory of ``DIR@X.Y.Z``, of the latest version of ``DIR``, or ``ref`` itself
    when it is a version directory (it holds ``manifest.json``).

    Raises
    ------
    InputFileNotFoundError
        The dataset has no versions, or not this one (the message lists them).
    """
    if Path(ref, "manifest.json").is_file():
        return Path(ref)
    return version_dir(*parse_dataset_ref(str(ref)))


def parse_dataset_ref(ref: str) -> tuple[Path, str | None]:
    """Split the CLI's ``DIR[@VERSION]`` into a path and a version (None = latest).

    Examples
    --------
    >>> parse_dataset_ref("data/ds@1.0.0")
    (PosixPath('data/ds'), '1.0.0')
    >>> parse_dataset_ref("data/ds")
    (PosixPath('data/ds'), None)
    """
    path, at, version = ref.rpartition("@")
    if not at:
        return Path(ref), None
    if not path:
        raise InputError(f"{ref!r}: expected DIR or DIR@MAJOR.MINOR.PATCH")
    try:
        return Path(path), check_version(version.removeprefix("v") if VERSION_PATTERN.match(version.removeprefix("v")) else version)
    except InputError:
        raise InputError(f"{ref}: version {version!r} after '@' is not MAJOR.MINOR.PATCH (for example {path}@1.0.0; "
                         f"{path} alone is its latest version)") from None


def read_manifest(version_dir: str | os.PathLike) -> dict[str, Any]:
    """The manifest of a version directory as the decoded JSON, not validated.

    The dataset card still reads this dict; everything else uses :func:`load_manifest`.
    """
    return read_json(Path(version_dir) / "manifest.json")


def load_manifest(version_dir: str | os.PathLike) -> Manifest:
    """The manifest of a version directory, validated against ``manifest.schema.json``.

    Raises
    ------
    SchemaError
        The manifest does not match its schema; every message names the file and the field.
    """
    path = Path(version_dir) / "manifest.json"
    return Manifest.from_dict(read_json(path), where=str(path))


def check_manifest(path: str | os.PathLike) -> tuple[int, list[str]]:
    """Validate a version's ``manifest.json`` (``checkworthy validate``): its schema, the data
    files against their SHA-256 and the counts against the parquet files
    (:func:`integrity_problems`), files in the version that checkworthy did not write
    (:func:`foreign_file_problems`) and a card that refers to an evaluation that is gone
    (:func:`card_problems`).

    Returns
    -------
    (int, list of str)
        1 (the manifest), and the problems.
    """
    path = Path(path)
    document = read_json(path)
    problems = [f"{path}: {e} (schema manifest.schema.json)" for e in schema_errors(document, "manifest")]
    if problems:
        return 1, problems
    problems += integrity_problems(path.parent)
    if (path.parent / "data").is_dir():  # a version's folder, not a lone copy of its manifest
        problems += foreign_file_problems(path.parent)
        problems += card_problems(path.parent)
    return 1, problems


#: The files of a version whose SHA-256 the manifest records (``files``), relative to the version.
def content_files(version_path: str | os.PathLike) -> list[str]:
    """The data files of a version: ``data/*.parquet`` and ``annotations.parquet``, sorted."""
    root = Path(version_path)
    found = sorted(p.relative_to(root).as_posix() for p in (root / "data").glob("*.parquet"))
    if (root / "annotations.parquet").is_file():
        found.append("annotations.parquet")
    return found


def file_digests(version_path: str | os.PathLike) -> dict[str, str]:
    """``{relative path: SHA-256}`` of :func:`content_files` (what ``files`` of the manifest records)."""
    root = Path(version_path)
    return {name: sha256_file(root / name) for name in content_files(root)}


def integrity_problems(version_path: str | os.PathLike) -> list[str]:
    """Every data file of a version that differs from, is missing from, or is not in
    the manifest's ``files`` (none for a version built before versions recorded their
    files: nothing to compare against), then every count of the manifest (``counts``,
    ``label_distribution``) that its intact parquet files contradict; empty for an intact version."""
    root = Path(version_path)
    manifest = load_manifest(root)
    problems = []
    if manifest.files is not None:
        for name, digest in manifest.files.items():
            if not (root / name).is_file():
                problems.append(f"{root / name}: missing; the manifest records it (sha256 {digest[:12]}...); restore it from a copy of the version")
            elif sha256_file(root / name) != digest:
                problems.append(
                    f"{root / name}: SHA-256 differs from the one in {root / 'manifest.json'} (files.{name}); "
                    "the file was changed after the version was built: restore it, or build a new version from the labels"
                )
        problems += [
            f"{root / name}: not recorded in {root / 'manifest.json'} (files); it was added after the version was built: remove it"
            for name in content_files(root)
            if name not in manifest.files
        ]
    return problems + _count_problems(root, manifest, named=problems)


def _count_problems(root: Path, manifest: Manifest, named: list[str]) -> list[str]:
    """The manifest's ``counts`` and ``label_distribution`` against the rows and labels of
    the split files (those not ``named`` already: their SHA-256 says more)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not (root / "data").is_dir():
        return []
    path = root / "manifest.json"
    fix = ("manifest.json was changed after the version was built: restore it from a copy of the version, "
           "or build a new version from the labels")
    problems = []
    names = None
    for split in SPLITS:
        file = root / "data" / f"{split}.parquet"
        if any(problem.startswith(f"{file}:") for problem in named):
            continue
        try:
            rows = pq.read_metadata(file).num_rows if file.exists() else 0
        except (pa.ArrowException, OSError) as exc:  # a version built before files were recorded: nothing to compare
            problems.append(f"{file}: not a readable Parquet file ({type(exc).__name__}: {exc}); the version was changed after it was built")
            continue
        if rows != manifest.counts[split]:
            problems.append(f"{path}: counts.{split}: expected {rows} (rows of {file.name}), found {manifest.counts[split]}; {fix}")
            continue
        recorded = (manifest.label_distribution or {}).get(split) if isinstance(manifest.label_distribution, dict) else None
        if recorded is None or not rows:
            continue
        if names is None:
            names = load_scheme(manifest.scheme).names
        try:
            labels = pq.read_table(file, columns=["label"]).column("label").to_pylist()
        except (pa.ArrowException, OSError, KeyError):
            continue  # no label column: the schema check of the data reports it
        tally = Counter(labels)
        found = {name: tally[index] for index, name in enumerate(names) if tally[index]}
        expected = {name: recorded[name] for name in [*names, *sorted(set(recorded) - set(names))] if recorded.get(name)}
        if found != expected:
            show = lambda d: ", ".join(f"{k} {v}" for k, v in d.items()) or "none"  # noqa: E731
            problems.append(f"{path}: label_distribution.{split}: expected {show(found)} (labels of {file.name}), found {show(expected)}; {fix}")
    total = sum(manifest.counts[split] for split in SPLITS)
    if not problems and manifest.counts.total not in (None, total):
        problems.append(f"{path}: counts.total: expected {total} (the sum of the splits), found {manifest.counts.total}; {fix}")
    return problems


def check_integrity(version_path: str | os.PathLike) -> Path:
    """Raise :class:`TamperedError` naming every data file of the version that changed; returns the path."""
    problems = integrity_problems(version_path)
    if problems:
        raise TamperedError(problems, header=f"{version_path}: the version's files do not match its manifest:")
    return Path(version_path)


#: The files of a version that checkworthy writes besides its data files (``content_files``).
VERSION_FILES = ("manifest.json", "README.md", "croissant.json")
#: The folder ``checkworthy evaluate`` writes in a version, and the files it writes there
#: (``evaluation.report.EVALUATION_FILES``; the version store may not import evaluation).
EVALUATION_FOLDER = "evaluation"
EVALUATION_FILES = ("results.json", "results.md", "pr_*.png", "confusion_*.png", "predictions/*.tsv")
#: Files of one unknown folder named in a problem before '...'.
_SHOWN = 5


def _is_own(name: str, data_files: set[str]) -> bool:
    """Whether ``name`` (relative to the version, posix) is a file checkworthy writes in a version."""
    if name in VERSION_FILES or name in data_files:
        return True
    folder, _, rest = name.partition("/")
    if folder != EVALUATION_FOLDER or not rest:
        return False
    parts = rest.split("/")
    return any(len(parts) == len(pattern.split("/")) and all(map(fnmatchcase, parts, pattern.split("/")))
               for pattern in EVALUATION_FILES)


def version_files(version_path: str | os.PathLike) -> tuple[list[str], list[str]]:
    """The files of a version directory, relative to it (posix, sorted), as
    ``(own, foreign)``: those checkworthy writes there (:data:`VERSION_FILES`, the data
    files, the evaluation's files), and every other file or symbolic link (checkworthy
    writes none). Hidden names (``.name``, such as the evaluation's ``.checkworthy-output``
    marker) are in neither: they are never published.
    """
    root = Path(version_path)
    data_files = set(content_files(root))
    own, foreign = [], []
    for folder, dirs, names in os.walk(root):
        base = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted([*names, *(d for d in dirs if (base / d).is_symlink())]):
            if name.startswith("."):
                continue
            relative = (base / name).relative_to(root).as_posix()
            if not (base / name).is_symlink() and _is_own(relative, data_files):
                own.append(relative)
            else:
                foreign.append(relative)
    return sorted(own), sorted(foreign)


def foreign_file_problems(version_path: str | os.PathLike) -> list[str]:
    """One problem for each file or symbolic link of a version that checkworthy did not write
    (one for each such folder at the version's top), saying how to proceed: they are never
    published, and 'publish' refuses the version until they are moved out."""
    root = Path(version_path)
    where = ("checkworthy writes only data/, annotations.parquet, manifest.json, README.md, croissant.json "
             "and evaluation/ in a version")
    fix = f"move it out of {root} (a version holds only what checkworthy wrote; 'publish' refuses it until then)"
    folders: dict[str, list[str]] = {}
    problems = []
    for name in version_files(root)[1]:
        top, _, rest = name.partition("/")
        path = root / name
        if path.is_symlink():
            problems.append(f"{path}: a symbolic link, not a file of the version ({where}); remove it")
        elif rest and top not in ("data", EVALUATION_FOLDER):
            folders.setdefault(top, []).append(rest)
        else:
            problems.append(f"{path}: not a file of the version ({where}); it was added after the version was built: {fix}")
    for top, names in sorted(folders.items()):
        shown = ", ".join(names[:_SHOWN]) + (f", ... ({len(names)} files)" if len(names) > _SHOWN else "")
        problems.append(f"{root / top}/: not a folder of the version ({where}); it holds {shown}; "
                        f"it was added after the version was built: {fix.replace('move it', 'move the folder')}")
    return sorted(problems)


#: The path the card's baseline table names as its source, and the marker of that block.
_CARD_RESULTS = f"{EVALUATION_FOLDER}/results.json"
_BASELINES_BLOCK = re.compile(r"<!-- checkworthy:begin baselines -->(.*?)<!-- checkworthy:end baselines -->", re.S)


def card_problems(version_path: str | os.PathLike) -> list[str]:
    """The card (``README.md``) against the version's evaluation: a baseline table from
    ``evaluation/results.json`` when that file is gone, or no table when it is there."""
    root = Path(version_path)
    card = root / "README.md"
    if not card.is_file():
        return []  # the check of a complete version names a missing card
    block = _BASELINES_BLOCK.search(card.read_text(encoding="utf-8", errors="replace"))
    if block is None:
        return []  # the minimal card of a build: reported as such
    results = root / _CARD_RESULTS
    shows = _CARD_RESULTS in block.group(1)
    if shows and not results.is_file():
        return [f"{card}: its baseline table comes from {_CARD_RESULTS}, which is not there (the evaluation was removed "
                f"after the card was written), so the card shows results nobody can check; run 'checkworthy evaluate {root}' "
                f"to evaluate the version again (it rewrites the card), or 'checkworthy card {root}' to write the card without the table"]
    if results.is_file() and not shows:
        return [f"{card}: has no baseline table, but {results} holds results of an evaluation; "
                f"run 'checkworthy card {root}' to write them into the card"]
    return []


def refuse_inside_version(out: str | os.PathLike, command: str) -> None:
    """Refuse an output folder ``out`` of ``checkworthy <command>`` that is a dataset version,
    inside one, or inside a dataset's ``versions/`` folder: a version holds only what
    checkworthy wrote there ('validate' names anything else and 'publish' refuses it), and
    ``versions/`` only versions.

    Raises
    ------
    InputError
        Naming the version (or ``versions/`` folder) and what to do instead.
    """
    target = Path(out).resolve()
    for folder in [target, *target.parents]:
        if (folder / "manifest.json").is_file() and folder.parent.name == "versions":
            raise InputError(
                f"{out}: is inside dataset version {folder.name} ({folder}); a version holds only the files checkworthy "
                f"wrote there ('validate' names any other, 'publish' refuses the version): choose an --out folder outside "
                f"{folder.parent} for 'checkworthy {command}'; nothing was written"
            )
        if folder.name == "versions" and list_versions(folder.parent):
            raise InputError(
                f"{out}: is inside {folder}, the versions folder of dataset {folder.parent}, which holds only versions: "
                f"choose an --out folder outside it for 'checkworthy {command}'; nothing was written"
            )


def load_version(dataset_dir: str | os.PathLike, version: str | None = None):
    """Load a dataset version as a ``datasets.DatasetDict``, with the scheme's ``ClassLabel``.

    Parameters
    ----------
    dataset_dir : path-like
        The dataset directory (the parent of ``versions/``).
    version : str, optional
        ``MAJOR.MINOR.PATCH``; the latest when None.

    Returns
    -------
    datasets.DatasetDict
        The non-empty splits, in train/validation/test order.

    Examples
    --------
    >>> ds = load_version("data/ds", "1.0.0")  # doctest: +SKIP
    >>> ds["train"].features["label"].names  # doctest: +SKIP
    ['CFS', 'UFS', 'NFS']
    """
    return load_version_dir(version_dir(dataset_dir, version))


def load_version_dir(path: str | os.PathLike):
    """Load the version in directory ``path`` (see :func:`load_version`), after checking
    its files against the manifest (:func:`check_integrity`)."""
    import pyarrow.parquet as pq  # 0.3 s to import
    from datasets import Dataset, DatasetDict, DatasetInfo  # 0.7 s to import
    from datasets.table import InMemoryTable

    path = check_integrity(path)
    feats = features(load_scheme(load_manifest(path).scheme))
    splits = {}
    for split in SPLITS:
        file = path / "data" / f"{split}.parquet"
        if file.exists():
            table = pq.read_table(file).cast(feats.arrow_schema)
            splits[split] = Dataset(InMemoryTable(table), info=DatasetInfo(features=feats), split=split)
    return DatasetDict(splits)


#: Files of a version that never change; they are made read-only.
IMMUTABLE = ("data", "annotations.parquet", "manifest.json")


def freeze(version_path: Path) -> None:
    """Make a version's data, annotations and manifest read-only.

    ``README.md``, ``croissant.json`` and ``evaluation/`` stay writable for
    ``checkworthy card`` and ``evaluate``.
    """
    for name in IMMUTABLE:
        target = version_path / name
        for item in [target, *target.rglob("*")] if target.is_dir() else [target]:
            if item.is_file():
                item.chmod(item.stat().st_mode & ~0o222)


def commit_directory(
    dataset_dir: str | os.PathLike,
    version: str,
    write: Callable[[Path], None],
    finish: Callable[[Path], None] | None = None,
) -> Path:
    """Write a new version atomically: ``write(tmp)`` fills a temporary directory with the
    data and the manifest, ``finish(tmp)`` (optional) adds what is made from them (the
    card, Croissant, the evaluation), then :data:`IMMUTABLE` is made read-only and the
    directory renamed to ``versions/<version>``. A version is therefore whole or absent:
    a crash or an error anywhere before the rename leaves no version behind.

    Raises
    ------
    VersionExistsError
        The version exists already; it is never overwritten.
    """
    check_version(version)
    target = Path(dataset_dir) / "versions" / version
    if target.exists():
        raise VersionExistsError(f"{target}: version {version} already exists and is never overwritten; choose another --version or omit it")
    with atomic_directory(target) as tmp:
        write(tmp)
        if finish is not None:
            finish(tmp)
        freeze(tmp)
    return target


def remove_unfinished(dataset_dir: str | os.PathLike) -> list[str]:
    """Remove the temporary folders (``versions/.X.Y.Z.*.tmp`` and ``.old``) that a build
    killed before its rename left behind; returns their names.

    Call it only while holding the dataset's lock: then no other build is writing one.
    They are never versions (a version appears only by its rename), so nothing is lost.
    """
    root = Path(dataset_dir) / "versions"
    removed = []
    for path in sorted(root.glob(".*.tmp")) + sorted(root.glob(".*.old")) if root.is_dir() else []:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
            removed.append(f"versions/{path.name}")
    return removed
