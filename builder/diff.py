"""What changed between two dataset versions: sentences added and removed, labels changed.

``checkworthy diff DIR V1 V2`` (or ``DIR@V1 DIR@V2``) prints it as a table (or JSON with
``--json``), after checking both versions' files against their manifests. The
changelog is made from the versions themselves: every build rewrites
``<dataset>/CHANGELOG.md`` from them (:func:`changelog_text`), so it can never
diverge from the versions there are, and the card reads the same text.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from checkworthy.builder.store import check_integrity, list_versions, load_manifest, resolve_version_dir, version_dir
from checkworthy.schemas import load_scheme
from checkworthy.schemas.io import atomic_write_text
from checkworthy.schemas.rows import SPLITS

#: Lines listed per kind of change in a changelog section (the counts are always complete).
MAX_CHANGELOG_LINES = 50


#: The first lines of the CHANGELOG.md that builds write (a file without them is the user's own).
CHANGELOG_HEADER = "# Changelog\n\n<!-- written by checkworthy from versions/ at every build; edits here are overwritten -->\n"


#: The ``label_source`` of a label a person decided with ``build --adjudication``.
ADJUDICATED = "adjudication"


def _read_rows(version_dir: Path) -> dict[str, dict[str, Any]]:
    """``sentence_id -> {split, label, votes, label_source}`` of a version, labels as names."""
    import pyarrow.parquet as pq  # 0.3 s to import

    names = load_scheme(load_manifest(version_dir).scheme).names
    rows = {}
    for split in SPLITS:
        file = version_dir / "data" / f"{split}.parquet"
        if not file.exists():
            continue
        table = pq.read_table(file, columns=["sentence_id", "label", "votes", "label_source"]).to_pydict()
        for sid, label, votes, source in zip(table["sentence_id"], table["label"], table["votes"], table["label_source"]):
            rows[sid] = {"split": split, "label": names[label], "votes": dict(zip(names, votes)), "label_source": source}
    return rows


def diff_versions(dataset_dir: str | os.PathLike, old: str, new: str) -> dict[str, Any]:
    """Compare two versions of a dataset, per split of the new version.

    Parameters
    ----------
    dataset_dir : path-like
        The dataset directory.
    old, new : str
        Versions ``MAJOR.MINOR.PATCH``.

    Returns
    -------
    dict
        ``old``, ``new`` (the versions), ``summary`` (counts) and ``splits``: for each split, the
        ``added`` sentences (id, label, votes, and ``adjudicated``: whether the label is a
        person's decision from ``build --adjudication``, as for a tie that an adjudication
        resolved), the ``removed`` sentences (id, label, votes), the ``changed`` labels
        (id, old and new label, votes and ``label_source``, and ``adjudicated``: whether the
        new label is a person's decision) and the sentences ``moved`` in from another split.
        ``summary.added_by_adjudication`` and ``summary.changed_by_adjudication`` count the
        adjudicated additions and changes.

    Raises
    ------
    TamperedError
        A file of either version differs from its manifest (as ``load_version`` refuses it):
        a diff of edited files would report changes that no build made.

    Examples
    --------
    >>> diff_versions("data/ds", "1.0.0", "1.1.0")["summary"]  # doctest: +SKIP
    {'added': 120, 'removed': 0, 'changed': 3, 'moved': 0, 'added_by_adjudication': 2, 'changed_by_adjudication': 1}
    """

    return diff_refs(f"{dataset_dir}@{old}", f"{dataset_dir}@{new}")


def diff_refs(old_ref: str | os.PathLike, new_ref: str | os.PathLike) -> dict[str, Any]:
    """:func:`diff_versions` of two versions given as ``DIR@X.Y.Z``, ``DIR`` (its latest) or a
    version directory, of one dataset or of two (sentences are matched by their id, which
    depends on the text only, so a dataset rebuilt elsewhere from the same articles compares);
    both are checked against their manifests first (:class:`TamperedError`)."""
    old_dir, new_dir = resolve_version_dir(old_ref), resolve_version_dir(new_ref)
    for path in (old_dir, new_dir):
        check_integrity(path)
    return diff_dirs(old_dir, new_dir, load_manifest(old_dir).version, load_manifest(new_dir).version)


def diff_dirs(old_dir: Path, new_dir: Path, old: str, new: str) -> dict[str, Any]:
    """:func:`diff_versions` of two version directories (a new version may not be visible yet)."""
    before = _read_rows(old_dir)
    after = _read_rows(new_dir)
    splits: dict[str, dict[str, list]] = {s: {"added": [], "removed": [], "changed": [], "moved": []} for s in SPLITS}
    for sid in sorted(after.keys() - before.keys()):
        row = after[sid]
        splits[row["split"]]["added"].append({"sentence_id": sid, "label": row["label"], "votes": row["votes"],
                                              "adjudicated": row["label_source"] == ADJUDICATED})
    for sid in sorted(before.keys() - after.keys()):
        row = before[sid]
        splits[row["split"]]["removed"].append({"sentence_id": sid, "label": row["label"], "votes": row["votes"]})
    for sid in sorted(before.keys() & after.keys()):
        a, b = before[sid], after[sid]
        if a["split"] != b["split"]:
            splits[b["split"]]["moved"].append({"sentence_id": sid, "from": a["split"], "to": b["split"]})
        if a["label"] != b["label"]:
            splits[b["split"]]["changed"].append(
                {"sentence_id": sid, "old": a["label"], "new": b["label"], "old_votes": a["votes"], "new_votes": b["votes"],
                 "old_source": a["label_source"], "new_source": b["label_source"], "adjudicated": b["label_source"] == ADJUDICATED}
            )
    summary = {kind: sum(len(s[kind]) for s in splits.values()) for kind in ("added", "removed", "changed", "moved")}
    for kind in ("added", "changed"):
        summary[f"{kind}_by_adjudication"] = sum(c["adjudicated"] for s in splits.values() for c in s[kind])
    return {"old": old, "new": new, "summary": summary, "splits": splits}


def _votes(votes: dict[str, int]) -> str:
    return " ".join(f"{k}={v}" for k, v in votes.items())


def _by_adjudication(change: dict[str, Any]) -> str:
    return " by adjudication" if change["adjudicated"] else ""


def format_diff(diff: dict[str, Any], limit: int | None = None) -> str:
    """A Markdown rendering of :func:`diff_versions`: a count table, then the changes.

    Parameters
    ----------
    diff : dict
        The result of :func:`diff_versions`.
    limit : int, optional
        List at most this many changes of each kind per split (all when None).
    """
    lines = [
        "| split | added | removed | labels changed | moved in |",
        "|---|---:|---:|---:|---:|",
    ]
    for split, changes in diff["splits"].items():
        lines.append(f"| {split} | {len(changes['added'])} | {len(changes['removed'])} | {len(changes['changed'])} | {len(changes['moved'])} |")
    for split, changes in diff["splits"].items():
        entries = (
            [f"- added `{c['sentence_id']}`: {c['label']} ({_votes(c['votes'])})" + _by_adjudication(c) for c in changes["added"]]
            + [f"- removed `{c['sentence_id']}`: {c['label']} ({_votes(c['votes'])})" for c in changes["removed"]]
            + [f"- label `{c['sentence_id']}`: {c['old']} -> {c['new']} ({_votes(c['old_votes'])} -> {_votes(c['new_votes'])})"
               + _by_adjudication(c) for c in changes["changed"]]
            + [f"- moved `{c['sentence_id']}`: {c['from']} -> {c['to']}" for c in changes["moved"]]
        )
        if not entries:
            continue
        lines += ["", f"**{split}**", ""]
        shown = entries if limit is None else entries[:limit]
        lines += shown
        if len(entries) > len(shown):
            lines.append(f"- ... and {len(entries) - len(shown)} more (run `checkworthy diff` for all)")
    return "\n".join(lines) + "\n"


def changelog_section(dataset_dir: str | os.PathLike, parent: str | None, version: str) -> str:
    """The ``CHANGELOG.md`` section of a version (compared with its parent)."""
    root = Path(dataset_dir) / "versions"
    return section_of(root / version, root / parent if parent else None)


#: Sections already made in this process, by (version, fingerprint) of the version and its
#: parent: versions never change, so a build's card and its CHANGELOG.md diff each pair once.
_SECTIONS: dict[tuple, str] = {}


def section_of(new_dir: Path, parent_dir: Path | None) -> str:
    """The changelog section of the version in ``new_dir`` (compared with ``parent_dir``)."""
    manifest = load_manifest(new_dir)
    parent = load_manifest(parent_dir) if parent_dir is not None else None
    key = (manifest.version, manifest.fingerprint, parent and parent.version, parent and parent.fingerprint)
    if key not in _SECTIONS:
        counts = ", ".join(f"{s} {manifest.counts[s]}" for s in SPLITS)
        head = f"## {manifest.version}\n\nFingerprint `{manifest.fingerprint}`; sentences: {counts}.\n"
        head += adjudication_line(manifest.adjudication)
        if parent is None:
            _SECTIONS[key] = head + "\nFirst version.\n"
        else:
            diff = diff_dirs(parent_dir, new_dir, parent.version, manifest.version)
            _SECTIONS[key] = head + f"\nChanges since {parent.version}:\n\n" + format_diff(diff, limit=MAX_CHANGELOG_LINES)
    return _SECTIONS[key]


def adjudication_line(adjudication: dict[str, Any] | None) -> str:
    """The changelog's line about adjudicated labels (empty without adjudication).

    It describes the version's labels, all adjudications included (a version is built from all
    of its adjudication exports), not what changed since the parent: the changelog lists that.

    Examples
    --------
    >>> print(adjudication_line({"sentences": 4, "changed": 2, "resolved_ties": 1, "items": []}).strip())
    Adjudicated, in all: 4 sentences (1 tie resolved); 2 labels differ from the annotators' majority.
    """
    if not adjudication:
        return ""
    ties, changed, sentences = adjudication["resolved_ties"], adjudication["changed"], adjudication["sentences"]
    return (f"\nAdjudicated, in all: {sentences} sentence{'s' if sentences != 1 else ''} ({ties} tie{'s' if ties != 1 else ''} resolved); "
            f"{changed} label{'s' if changed != 1 else ''} differ{'' if changed != 1 else 's'} from the annotators' majority.\n")


def changelog_text(dataset_dir: str | os.PathLike, pending: Path | None = None) -> str:
    """The whole ``CHANGELOG.md`` of a dataset, made from its versions, oldest first.

    Parameters
    ----------
    pending : path, optional
        A version directory not yet renamed into ``versions/`` (a build in progress):
        its section comes last.
    """
    root = Path(dataset_dir) / "versions"
    dirs = [root / v for v in list_versions(dataset_dir)]
    if pending is not None and Path(pending) not in dirs:
        dirs.append(Path(pending))
    by_version = {load_manifest(d).version: d for d in dirs}
    text = CHANGELOG_HEADER
    for d in dirs:
        parent = load_manifest(d).parent
        text = text.rstrip("\n") + "\n\n" + section_of(d, by_version.get(parent) if parent else None)
    return text


def is_own_changelog(text: str) -> bool:
    """Whether a ``CHANGELOG.md`` was written by checkworthy (this release or an older
    one, whose builds appended ``## X.Y.Z`` sections with a fingerprint line)."""
    if text.startswith(CHANGELOG_HEADER):
        return True
    if not text.startswith("# Changelog\n"):
        return False
    sections = re.split(r"(?m)^## ", text)[1:]
    return bool(sections) and all(re.match(r"\d+\.\d+\.\d+\n\nFingerprint `", part) for part in sections)


def write_changelog(dataset_dir: str | os.PathLike) -> Path | None:
    """Rewrite ``<dataset>/CHANGELOG.md`` from the versions; returns its path, or None when
    a ``CHANGELOG.md`` that checkworthy did not write is there (it is left alone)."""
    path = Path(dataset_dir) / "CHANGELOG.md"
    if path.exists() and not is_own_changelog(path.read_text(encoding="utf-8", errors="replace")):
        return None
    atomic_write_text(path, changelog_text(dataset_dir))
    return path