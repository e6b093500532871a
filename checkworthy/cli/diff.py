"""``checkworthy diff``: what changed between two dataset versions."""

from __future__ import annotations

import argparse
from pathlib import Path

from checkworthy.builder.diff import diff_refs, format_diff
from checkworthy.builder.store import VERSION_PATTERN, parse_dataset_ref, resolve_version_dir
from checkworthy.cli.base import Command
from checkworthy.schemas.errors import InputError
from checkworthy.schemas.io import canonical_json


class DiffCommand(Command):
    name = "diff"
    order = 55
    help = "sentences added and removed, labels changed, per split, between two versions"
    description = (
        "Compare two versions of a dataset, per split of the newer one: sentences added and removed, "
        "labels changed and sentences moved. A sentence whose label a person decided with "
        "'build --adjudication' (a changed label, or a tie that an adjudication resolved, which the "
        "newer version adds) is marked 'by adjudication'; in --json it has \"adjudicated\": true, and "
        "summary.added_by_adjudication and summary.changed_by_adjudication count them. "
        "The versions are given as DIR V1 V2, or as DIR@V1 DIR@V2 like the other commands (DIR alone is its "
        "latest version; two dataset folders compare too: sentences are matched by id). Both versions' files are "
        "checked against their manifests first, as 'validate' does: an edited data file is refused, not diffed."
    )
    epilog = """examples:
  checkworthy diff data/ds 1.0.0 1.1.0
  checkworthy diff data/ds 1.0.0 1.1.0 --json > diff.json
  checkworthy diff data/ds@1.0.0 data/ds@1.1.0
  checkworthy diff data/ds@1.0.0 data/ds          # against the latest version
"""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "versions", nargs="+", metavar="VERSION",
            help="DIR V1 V2 (a dataset directory and two versions, e.g. data/ds 1.0.0 1.1.0), "
            "or DIR@V1 DIR@V2 (older first; DIR alone is its latest version)",
        )
        parser.add_argument("--json", action="store_true", help="print the full diff as JSON")

    def run(self, args: argparse.Namespace) -> int:
        old, new = version_refs(args.versions)
        diff = diff_refs(old, new)
        if args.json:
            print(canonical_json(diff, indent=2))
        else:
            old_dir, new_dir = resolve_version_dir(old), resolve_version_dir(new)
            if old_dir.parent.resolve() == new_dir.parent.resolve():  # one dataset
                print(f"{parse_dataset_ref(old)[0] if '@' in old else old_dir.parent.parent}: {diff['old']} -> {diff['new']}\n")
            else:
                print(f"{old_dir} -> {new_dir}\n")
            print(format_diff(diff), end="")
        return 0


def version_refs(values: list[str]) -> tuple[str, str]:
    """The two versions of ``diff``'s arguments (``DIR V1 V2`` or ``DIR@V1 DIR@V2``) as
    ``DIR@VERSION`` references (or ``DIR``, or a version directory)."""
    if len(values) == 3 and "@" not in values[0] and all(VERSION_PATTERN.match(v.removeprefix("v")) for v in values[1:]):
        dataset, old, new = values[0], values[1].removeprefix("v"), values[2].removeprefix("v")
        return f"{dataset}@{old}", f"{dataset}@{new}"
    if len(values) == 2 and "@" not in values[0] and VERSION_PATTERN.match(values[1].removeprefix("v")) and not Path(values[1]).exists():
        raise InputError(f"{' '.join(values)}: one version given; diff compares two: {values[0]} {values[1]} X.Y.Z, "
                         f"or {values[0]}@{values[1]} {values[0]} (against its latest version)")
    if len(values) == 2:
        return values[0], values[1]
    raise InputError(
        f"expected DIR V1 V2 (e.g. data/ds 1.0.0 1.1.0) or DIR@V1 DIR@V2 (e.g. data/ds@1.0.0 data/ds@1.1.0), "
        f"found {len(values)} argument(s): {' '.join(values)}"
    )
