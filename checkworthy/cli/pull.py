"""``checkworthy pull --project NAME --out FILE``: the lossless JSON export."""

from __future__ import annotations

import argparse

from checkworthy.builder.labelstudio import StudioProject
from checkworthy.cli._connection import add_connection_arguments, connect_from_args
from checkworthy.cli.base import Command


class PullCommand(Command):
    name = "pull"
    help = "write a project's lossless JSON export (every task, predictions, annotators)"
    description = (
        "Export a Label Studio project through a snapshot: every task, annotated or not, with full "
        "predictions and every annotation (skipped and ground truth included) with its annotator, "
        "lead_time and timestamps. Written atomically; this is what 'checkworthy build' reads."
    )
    epilog = (
        "examples:\n"
        "  checkworthy pull --project claims-2024 --out out/export.json\n"
    )
    order = 40

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--project", required=True, help="the project's title (or id) in Label Studio")
        parser.add_argument("--out", required=True, help="the JSON file to write")
        add_connection_arguments(parser)

    def run(self, args: argparse.Namespace) -> int:
        count = StudioProject(connect_from_args(args), args.project).pull(args.out)
        print(f"{count} tasks written to {args.out}")
        return 0
