"""Publish a dataset version to a Hugging Face Hub dataset repository, tagged with its version.

The version directory becomes the repository's content (``README.md`` at the root,
so that ``load_dataset("ORG/NAME", revision="X.Y.Z")`` reads its ``configs``), in one
commit, and that commit is tagged ``X.Y.Z``. An existing tag is never moved: it is
checked before anything is uploaded.

Authentication is ``huggingface_hub``'s own: the ``HF_TOKEN`` environment variable,
or the token saved by ``hf auth login`` (``huggingface-cli login`` before huggingface_hub 1.0). The token is
never printed; an error message that contains it has it masked.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkworthy.builder.store import card_problems, check_integrity, foreign_file_problems, load_manifest, version_files
from checkworthy.schemas.errors import InputError, PublishError
from checkworthy.schemas.io import sha256_file
from checkworthy.schemas.locks import folder_lock

REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
#: Files a version must hold before it is published (``checkworthy card`` writes the last two).
REQUIRED_FILES = ("manifest.json", "README.md", "croissant.json")


@dataclass(frozen=True)
class PublishFile:
    """One file of the upload: its path in the repository, size in bytes and sha256."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class PublishPlan:
    """What :func:`publish_version` uploads, and the tag it creates.

    Attributes
    ----------
    repo_id : str
    version_dir : Path
    tag : str
        The version, ``X.Y.Z``.
    files : tuple of PublishFile
        The files checkworthy wrote in the version directory (``store.version_files``),
        sorted by path; nothing else is ever uploaded.
    private : bool
    """

    repo_id: str
    version_dir: Path
    tag: str
    files: tuple[PublishFile, ...]
    private: bool = False

    def describe(self) -> str:
        """The plan as text: one line per file with size and sha256, then the tag."""
        width = max(len(f.path) for f in self.files)
        lines = [f"would upload {len(self.files)} files from {self.version_dir} to dataset repository {self.repo_id}"
                 + (" (private)" if self.private else "") + ":"]
        lines += [f"  {f.path:<{width}}  {f.size:>12} B  sha256:{f.sha256}" for f in self.files]
        lines.append(f"and tag the commit {self.tag!r}")
        return "\n".join(lines)


def plan_publish(version_dir: str | Path, repo_id: str, *, private: bool = False) -> PublishPlan:
    """Check a version and list what publishing it would upload; touches no network.

    Parameters
    ----------
    version_dir : path-like
        ``<dataset>/versions/X.Y.Z``.
    repo_id : str
        ``ORG/NAME`` of the Hub dataset repository.
    private : bool, default=False
        Create the repository as private if it does not exist.

    Returns
    -------
    PublishPlan

    Raises
    ------
    InputError
        The repository id is malformed; the version lacks its card, Croissant
        file or manifest; it holds files or folders that checkworthy did not write
        (notes, a model, a tasks folder: they are named, and must be moved out, since
        a published version is only what checkworthy wrote); or its card shows
        results from an evaluation that is gone.
    TamperedError
        A data file of the version differs from the SHA-256 its manifest records, or
        the manifest's counts differ from the data.
    """

    version_dir = Path(version_dir)
    if not REPO_ID.match(repo_id):
        raise InputError(f"--repo: expected a Hub repository id ORG/NAME (letters, digits, '.', '_', '-'), found {repo_id!r}")
    missing = [name for name in REQUIRED_FILES if not (version_dir / name).is_file()]
    if missing:
        raise InputError(
            f"{version_dir}: {', '.join(missing)} missing; a version is published with its card and Croissant file: "
            f"run 'checkworthy card {version_dir}' first"
        )
    check_integrity(version_dir)
    foreign = foreign_file_problems(version_dir)
    if foreign:
        raise InputError(
            [*foreign, f"nothing was uploaded: move these out of {version_dir} (for example next to the dataset folder), then publish again"],
            header=f"{version_dir}: will not publish: the version holds files that checkworthy did not write (they are never uploaded, and a version is published whole or not at all):",
        )
    stale = card_problems(version_dir)
    if stale:
        raise InputError(stale, header=f"{version_dir}: will not publish: the card does not match the version; nothing was uploaded:")
    version = load_manifest(version_dir).version
    _warn_without_license(version_dir)
    files = tuple(
        PublishFile(name, (version_dir / name).stat().st_size, sha256_file(version_dir / name))
        for name in version_files(version_dir)[0]
    )
    return PublishPlan(repo_id=repo_id, version_dir=version_dir, tag=version, files=files, private=private)


class MissingLicenseWarning(UserWarning):
    """The card of a version to publish names no license."""


def _warn_without_license(version_dir: Path) -> None:
    """Warn when the card's license is ``unknown`` or missing: without one, nobody may reuse the data."""
    from huggingface_hub import DatasetCard  # 0.5 s to import

    license = DatasetCard.load(version_dir / "README.md").data.get("license")
    if license in (None, "", "unknown"):
        warnings.warn(
            f"{version_dir / 'README.md'}: the card's license is {license or 'not set'}; without one, nobody may reuse the data. "
            f"Set it before publishing: 'checkworthy card {version_dir} --license ID' (a Hub license id, e.g. cc-by-4.0)",
            MissingLicenseWarning, stacklevel=3,
        )


def publish_version(
    version_dir: str | Path,
    repo_id: str,
    *,
    private: bool = False,
    api: Any = None,
    wait: float = 0.0,
) -> str:
    """Upload a version to a Hub dataset repository in one commit and tag it with the version.

    The steps, in order: read the repository's tags (a missing repository has none)
    and refuse if the version's tag exists; create the repository if needed; upload
    the version directory (remote files that are not in it are deleted, so the
    repository mirrors the version); tag the new commit.

    Parameters
    ----------
    version_dir : path-like
        ``<dataset>/versions/X.Y.Z``, with its card and ``croissant.json``.
    repo_id : str
        ``ORG/NAME``.
    private : bool, default=False
        Create the repository as private (an existing repository keeps its visibility).
    api : huggingface_hub.HfApi, optional
        Default: ``HfApi()``, which authenticates with ``HF_TOKEN`` or the saved
        login. Tests pass a stand-in, since the Hub cannot be reached from them.
    wait : float, default=0
        Seconds to wait for another command that holds the dataset's lock.

    Returns
    -------
    str
        The id of the tagged commit.

    Raises
    ------
    PublishError
        No token is configured, the tag exists already, or the Hub refused or
        failed; the message never contains the token.
    """
    with folder_lock(Path(version_dir).parent.parent, "publish a version of this dataset", wait=wait):
        return _publish(version_dir, repo_id, private, api)


def _publish(version_dir: str | Path, repo_id: str, private: bool, api: Any) -> str:
    from huggingface_hub import HfApi, get_token  # the Hub client: only when publishing
    from huggingface_hub.errors import RepositoryNotFoundError

    plan = plan_publish(version_dir, repo_id, private=private)
    token = get_token()
    if not token:
        raise PublishError(
            f"{repo_id}: no Hugging Face token found; set HF_TOKEN to a token with write access "
            "(https://huggingface.co/settings/tokens) or run 'hf auth login', then publish again"
        )
    api = api if api is not None else HfApi()
    try:
        try:
            tags = [ref.name for ref in api.list_repo_refs(repo_id, repo_type="dataset").tags]
        except RepositoryNotFoundError:
            tags = []
        if plan.tag in tags:
            raise PublishError(
                f"{repo_id}: tag {plan.tag!r} exists already; a published version is never replaced. "
                f"Build a new version (checkworthy build ... --version X.Y.Z) and publish that"
            )
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id,
            repo_type="dataset",
            folder_path=str(plan.version_dir),
            allow_patterns=[f.path for f in plan.files],
            delete_patterns=["*"],
            commit_message=f"Dataset version {plan.tag}",
            commit_description=f"Published with checkworthy: {len(plan.files)} files from {plan.version_dir.name}.",
        )
        api.create_tag(repo_id, tag=plan.tag, tag_message=f"Dataset version {plan.tag}", revision=commit.oid, repo_type="dataset")
    except PublishError:
        raise
    except Exception as exc:  # the Hub client raises many types (HTTP, auth, validation); all end here
        message = str(exc).replace(token, "***") if token else str(exc)
        raise PublishError(f"{repo_id}: publishing version {plan.tag} failed: {type(exc).__name__}: {message}") from None
    return commit.oid
