"""``checkworthy validate``: check files against ``schemas/``; write nothing."""

from __future__ import annotations

import argparse
import sys

from checkworthy.builder.validation import validate_file
from checkworthy.cli.base import Command


class ValidateCommand(Command):
    name = "validate"
    order = 90
    help = "check input and output files against schemas/ (writes nothing)"
    description = (
        "Detect each file's kind (articles.jsonl, sentences.jsonl, tasks.json,\n"
        "label_config.xml, selection.json, a Label Studio export, manifest.json, results.json, a gold file\n"
        "(build --gold: a .csv with the header sentence_id,label), a raw article file\n"
        ".txt/.md/.html(.gz)/.jsonl/.jsonl.gz/.parquet/.warc(.gz), or a Parquet part of 'tasks --engine ray'\n"
        "(sentences/, articles/: a part or the whole folder)), validate it against schemas/ and report\n"
        "every problem. A folder written by 'tasks' is checked whole: each of its files, and every\n"
        "task's sentence among its sentences.jsonl (same sentence_id and text_sha256); so is a folder\n"
        "of articles (each file as 'tasks' reads it, language codes, an id used in two files). A dataset\n"
        "version (its directory, DIR@X.Y.Z, or DIR for the latest) is checked whole: manifest,\n"
        "the SHA-256 of every data file, the manifest's counts against the data, that its card and\n"
        "croissant.json are there, that the card shows no evaluation that is gone, and that it holds\n"
        "no file checkworthy did not write (notes, a model, a tasks folder: 'publish' refuses them). A folder\n"
        "written by 'review' too: review.jsonl (fields, ranks, reasons), summary.json (its counts\n"
        "against review.jsonl and the tasks) and adjudication/ as a task folder.\n"
        "One summary line per file on stdout (ok, or how many\n"
        "problems); the problems themselves on stderr. Exit status 1 when any file has a problem."
    )
    epilog = (
        "examples:\n"
        "  checkworthy validate out/tasks/tasks.json\n"
        "  checkworthy validate out/tasks                # the whole folder, tasks against sentences\n"
        "  checkworthy validate out/tasks/*.jsonl seeds/000_27e9f3fb14e76b8c.txt\n"
        "  checkworthy validate data/ds@1.0.0          # a whole version: files against the manifest\n"
        "  checkworthy validate gold.csv               # gold labels for build --gold\n"
        "  checkworthy validate out/review             # a 'review' folder: ranking, summary, adjudication tasks\n"
        "  checkworthy validate out/crawl/sentences out/crawl/articles news/*.jsonl.gz   # --engine ray output, bulk inputs"
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="files to check, or dataset versions (DIR[@X.Y.Z] or a version directory)")

    def run(self, args: argparse.Namespace) -> int:
        failed = 0
        for path in args.files:
            kind, count, problems = validate_file(path)
            if problems:
                failed += 1
                print(f"{path}: {kind}: {len(problems)} problem(s)")
                for problem in problems:
                    print(f"  - {problem}", file=sys.stderr)
            else:
                print(f"{path}: {kind}: ok ({count} record(s))")
        return 1 if failed else 0
