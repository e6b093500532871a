"""``checkworthy run``: the main job, from articles to a carded dataset version."""

from __future__ import annotations

import argparse

from checkworthy.builder.studio import ADMIN_EMAIL, Studio
from checkworthy.builder.store import refuse_inside_version
from checkworthy.cli.base import PORT, REPLICATES, SEED, Command, add_quiet_option, add_wait_argument, progress_printer
from checkworthy.cli.evaluate import baseline_list
from checkworthy.pipeline import RunConfig, run_pipeline
from checkworthy.schemas import available_schemes


class RunCommand(Command):
    name = "run"
    order = 1
    help = "the main job: tasks -> Label Studio -> dataset version -> baselines -> card"
    description = (
        "Run the whole pipeline on article files or folders with a label file:\n"
        "  1. tasks     read and split the articles, write Label Studio tasks (OUT/tasks/)\n"
        "  2. studio    start a local Label Studio (OUT/studio/), push the tasks, post the\n"
        "               bundled labels as the annotators' annotations, pull the export\n"
        "               (OUT/export.json), stop the studio\n"
        "  3. build     validate, aggregate, agreement, splits: a version in OUT/dataset/\n"
        "  4. evaluate  train and score the baselines (<version>/evaluation/)\n"
        "  5. card      the Hugging Face dataset card and Croissant file\n"
        "With the bundled seeds the labels come from seeds/demo/labels*.json (two\n"
        "annotators; the articles are fictional). Running it again reuses what is there:\n"
        "no duplicate tasks or annotations, and no new version when nothing changed."
    )
    epilog = (
        "examples:\n"
        "  checkworthy run seeds --out out\n"
        "  checkworthy run seeds --out out --no-studio\n"
        "  checkworthy run seeds --out out --no-studio --quiet   # no progress on stderr\n"
        "  checkworthy run news/ --labels my-labels.json --out out --keep-studio"
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("seeds", nargs="+", metavar="SEEDS", help="article files or directories (e.g. seeds)")
        parser.add_argument("--out", required=True, metavar="DIR", help="output directory")
        parser.add_argument("--labels", nargs="+", metavar="FILE", help="label files (default: demo/labels*.json under the seed folders)")
        parser.add_argument("--scheme", default="claimbuster", choices=available_schemes(), help="label scheme (default: %(default)s)")
        parser.add_argument("--no-studio", dest="studio", action="store_false", help="skip Label Studio: make the export from the label files")
        parser.add_argument("--project", default="checkworthy demo", help="Label Studio project title (default: %(default)s)")
        parser.add_argument("--port", type=PORT, default=0, help="studio port; 0 picks a free one (default: %(default)s)")
        parser.add_argument("--keep-studio", action="store_true", help="leave Label Studio running at the end to look at the tasks")
        parser.add_argument("--seed", type=SEED, default=0, help="seed of the splits and baselines (default: %(default)s)")

        parser.add_argument("--baselines", type=baseline_list, metavar="NAME[,NAME...]", help="baselines to evaluate (default: the core set)")
        parser.add_argument("--n-resamples", type=REPLICATES, default=1000, metavar="N", help="bootstrap replicates (default: %(default)s)")
        add_wait_argument(parser)
        add_quiet_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        refuse_inside_version(args.out, "run")  # a version holds only what build and evaluate wrote there
        config = RunConfig(
            seeds=args.seeds, out=args.out, labels=args.labels, scheme=args.scheme, studio=args.studio,
            project=args.project, port=args.port, keep_studio=args.keep_studio, seed=args.seed,
            baselines=args.baselines, n_resamples=args.n_resamples, wait=args.wait,
        )
        result = run_pipeline(config, say=progress_printer(args))
        outputs = result.outputs
        print("outputs:")
        for name in ("tasks", "export", "version", "evaluation", "card", "croissant"):
            print(f"  {name:<11} {outputs[name]}")
        print(f"\nload it:  python -c \"import datasets; print(datasets.load_dataset('{outputs['version']}'))\"")
        print(f"results:  {outputs['evaluation']}/results.md")
        if result.studio:
            data_dir = result.studio["data_dir"]
            state = "is still running at " + result.studio["url"] if args.keep_studio else "was stopped"
            print(f"\nLabel Studio {state}. To look at the tasks and annotations:")
            if not args.keep_studio:
                print(f"  checkworthy studio start --data-dir {data_dir}")
            print(f"  open the URL it prints, log in as {ADMIN_EMAIL} with the password in")
            print(f"  {Studio(data_dir).password_file} (mode 0600), and open project {args.project!r}")
            print(f"  checkworthy studio stop --data-dir {data_dir}   when done")
        return 0
