"""``checkworthy push DIR --project NAME``: create or update a Label Studio project."""

from __future__ import annotations

import argparse
import sys

from checkworthy.builder.labelstudio import StudioProject, read_task_dir
from checkworthy.cli._connection import add_connection_arguments, connect_from_args
from checkworthy.cli.base import Command, add_wait_argument, whole_number


class PushCommand(Command):
    name = "push"
    help = "create or update a Label Studio project and upsert its tasks by sentence_id"
    description = (
        "Push a task directory (tasks.json + label_config.xml) to Label Studio. The project is "
        "created when missing. Tasks are matched by data.sentence_id: new ones are imported, "
        "unchanged ones skipped, changed ones updated; a changed sentence on a task that already "
        "has annotations is refused and listed, and so is a config change that removes a choice "
        "annotations use. Pushing the same directory twice changes nothing. Exit code 1 when "
        "anything was refused. Annotators label blind by default: the model's predictions are "
        "stored but not shown (--preannotate shows them, pre-selected), and the project's "
        "instructions (from the scheme) open before the first task. With --overlap K, Label Studio's "
        "label stream gives every task to K different annotators and never serves a person a task "
        "they labeled or skipped. Tasks chosen by 'tasks --strategy' also set the project's model "
        "version, so that Label Studio's 'Uncertainty sampling' serves them in the strategy's order."
    )
    epilog = (
        "examples:\n"
        "  checkworthy push out/tasks --project claims-2024\n"
        "  checkworthy push out/tasks --project claims-2024 --overlap 3   # three people label every task\n"
        "  checkworthy push out/tasks --project claims-2024 --preannotate   # a correction pass, not a blind one\n"
        "  LABEL_STUDIO_API_KEY=... checkworthy push out/tasks --project claims --url https://ls.example.org\n"
    )
    order = 30

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("dir", help="task directory written by 'checkworthy tasks'")
        parser.add_argument("--project", required=True, help="the project's title in Label Studio")
        parser.add_argument("--overlap", "--annotators", dest="annotators", type=whole_number(1), metavar="K",
                            help="annotations wanted per task, each by a different person (the project's overlap, for every task)")
        parser.add_argument("--batch-size", type=whole_number(1), default=5000, help="tasks per import request (default 5000)")
        parser.add_argument("--preannotate", action="store_true",
                            help="show the model's prediction to annotators, pre-selected (default: hidden, labels are independent)")
        parser.add_argument("--change-page-language", action="store_true",
                            help="switch the labeling page of a project that already has tasks to the language of these tasks "
                                 "(tasks --page-language); refused by default, since the tasks already there keep their headers")
        add_connection_arguments(parser)
        add_wait_argument(parser, "another push to the same project")

    def run(self, args: argparse.Namespace) -> int:
        local = read_task_dir(args.dir)
        project = StudioProject(connect_from_args(args), args.project)
        try:
            result = project.push(local, annotators=args.annotators, batch_size=args.batch_size, wait=args.wait,
                                  preannotate=args.preannotate, change_page_language=args.change_page_language)
        except KeyboardInterrupt:
            # Label Studio keeps what it was sent (the shared message says nothing was kept): say what holds.
            print(f"checkworthy push: interrupted; the tasks imported or updated so far stay in project {args.project!r}; "
                  "run the same push again to complete it (tasks already there are not imported twice)", file=sys.stderr)
            return 130
        if result.config_updated:
            print("labeling config updated")
        print(result.summary())
        for line in result.refused:
            print(f"refused: {line}", file=sys.stderr)
        return 1 if result.refused else 0
