"""``checkworthy publish``: push a dataset version to the Hugging Face Hub, tagged with its version."""

from __future__ import annotations

import argparse

from checkworthy.builder.publish import plan_publish, publish_version
from checkworthy.builder.store import resolve_version_dir
from checkworthy.cli.base import Command, add_wait_argument


class PublishCommand(Command):
    name = "publish"
    help = "upload a version to a Hugging Face Hub dataset repository and tag the commit with the version"
    description = (
        "Upload the version directory (data, annotations, manifest, card, Croissant, evaluation) to the dataset "
        "repository ORG/NAME in one commit and tag it X.Y.Z. Only the files checkworthy wrote are uploaded: a version "
        "that holds anything else (notes, a model, a tasks folder), whose files differ from its manifest, or whose card shows "
        "an evaluation that is gone is refused, naming the files, before anything is uploaded (move them out of the version; "
        "'checkworthy validate DIR@X.Y.Z' shows the same). An existing tag is never moved: the command refuses "
        "before uploading anything. Authentication: the HF_TOKEN environment variable or 'hf auth login' (formerly 'huggingface-cli login'); "
        "the token is never printed."
    )
    epilog = (
        "examples:\n"
        "  checkworthy publish data@1.0.0 --repo my-org/newsroom-claims --dry-run\n"
        "  HF_TOKEN=hf_... checkworthy publish data@1.0.0 --repo my-org/newsroom-claims --private\n"
        "  load it back: datasets.load_dataset('my-org/newsroom-claims', revision='1.0.0')"
    )
    order = 90

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("dataset", metavar="DIR[@VERSION]", help="dataset directory, optionally @X.Y.Z (default: latest version)")
        parser.add_argument("--repo", required=True, metavar="ORG/NAME", help="Hub dataset repository id")
        parser.add_argument("--private", action="store_true", help="create the repository as private")
        parser.add_argument("--dry-run", action="store_true", help="list every file with size and sha256 and the tag; upload nothing")
        add_wait_argument(parser)

    def run(self, args: argparse.Namespace) -> int:
        version_dir = resolve_version_dir(args.dataset)
        if args.dry_run:
            print(plan_publish(version_dir, args.repo, private=args.private).describe())
            return 0
        commit = publish_version(version_dir, args.repo, private=args.private, wait=args.wait)
        print(f"published {version_dir} to https://huggingface.co/datasets/{args.repo} (commit {commit}, tag {version_dir.name})")
        return 0
