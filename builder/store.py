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
from collections.abc import Callable
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
    "content_files",
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


def latest_version(dataset_dir: str | os.PathLike) -> str | None:
    """The highest version of a dataset, or None when it has none."""
    versions = list_versions(dataset_dir)
    return versions[-1] if versions else None


def version_dir(dataset_dir: str | os.PathLike, version: str | None = None) -> Path:
    """The directory of ``version`` (None = latest); raise a clear error when it does not exist."""
    dataset_dir = Path(dataset_dir)
    versions = list_versions(dataset_dir)
    if not versions:
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
    """Validate a version's ``manifest.json`` (``checkworthy validate``): schema, and counts against the parquet files.

    Returns
    -------
    (int, list of str)
        1 (the manifest), and the problems.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    document = read_json(path)
    problems = [f"{path}: {e} (schema manifest.schema.json)" for e in schema_errors(document, "manifest")]
    if problems:
        return 1, problems
    problems += integrity_problems(path.parent)  # first: a changed, added or missing data file is named by its SHA-256
    data = path.parent / "data"
    if data.is_dir():
        counts = Manifest.from_dict(document, where=str(path)).counts
        for split in SPLITS:
            file = data / f"{split}.parquet"
            if any(problem.startswith(f"{file}:") for problem in problems):
                continue  # already named by its SHA-256: its rows say nothing more
            try:
                rows = pq.read_metadata(file).num_rows if file.exists() else 0
            except (pa.ArrowException, OSError) as exc:  # a version built before files were recorded: nothing to compare
                problems.append(f"{file}: not a readable Parquet file ({type(exc).__name__}: {exc}); the version was changed after it was built")
                continue
            if rows != counts[split]:
                problems.append(f"{path}: counts.{split}: expected {rows} (rows of {file.name}), found {counts[split]}; the version was changed after it was built")
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
    the manifest's ``files``; empty for an intact version, or for one built before
    versions recorded their files (nothing to compare against)."""
    root = Path(version_path)
    manifest = load_manifest(root)
    if manifest.files is None:
        return []
    problems = []
    actual = content_files(root)
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
        for name in actual
        if name not in manifest.files
    ]
    return problems


def check_integrity(version_path: str | os.PathLike) -> Path:
    """Raise :class:`TamperedError` naming every data file of the version that changed; returns the path."""
    problems = integrity_problems(version_path)
    if problems:
        raise TamperedError(problems, header=f"{version_path}: the version's files do not match its manifest:")
    return Path(version_path)


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
