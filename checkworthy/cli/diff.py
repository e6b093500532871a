"""``checkworthy diff``: what changed between two dataset versions."""

from __future__ import annotations

import argparse

from checkworthy.builder.diff import diff_versions, format_diff
from checkworthy.cli.base import Command
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
        "summary.added_by_adjudication and summary.changed_by_adjudication count them."
    )
    epilog = """examples:
  checkworthy diff data/ds 1.0.0 1.1.0
  checkworthy diff data/ds 1.0.0 1.1.0 --json > diff.json
"""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("dataset", metavar="DIR", help="dataset directory")
        parser.add_argument("old", metavar="V1", help="older version, e.g. 1.0.0")
        parser.add_argument("new", metavar="V2", help="newer version, e.g. 1.1.0")
        parser.add_argument("--json", action="store_true", help="print the full diff as JSON")

    def run(self, args: argparse.Namespace) -> int:
        diff = diff_versions(args.dataset, args.old, args.new)
        if args.json:
            print(canonical_json(diff, indent=2))
        else:
            print(f"{args.dataset}: {args.old} -> {args.new}\n")
            print(format_diff(diff), end="")
        return 0
