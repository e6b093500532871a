"""``checkworthy tasks``: articles in, Label Studio tasks out."""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Sequence
from pathlib import Path

from checkworthy.builder.articles import ARTICLE_SUFFIXES, IgnoredFileWarning, discover_article_files
from checkworthy.builder.engine_ray import DEFAULT_BATCH_SIZE, RayOptions, write_tasks_ray
from checkworthy.builder.engine_ray import OUTPUT_FILES as RAY_OUTPUT_FILES
from checkworthy.builder.sampling import STRATEGIES, Sampling
from checkworthy.builder.select import Selection
from checkworthy.builder.store import refuse_inside_version
from checkworthy.builder.tasks import CONTEXT_SENTENCES, OUTPUT_FILES, SELECTION_FILE, write_tasks
from checkworthy.cli.base import SEED, SHARE, Command, add_json_option, add_page_language_option, add_quiet_option, print_json, whole_number
from checkworthy.evaluation.selection import train_scorer
from checkworthy.schemas import available_schemes
from checkworthy.schemas.errors import InputError


def require_article_files(seeds: Sequence[str]) -> None:
    """Refuse inputs that name no article file at all (a Label Studio export, a .csv): nothing is written.

    Raises
    ------
    InputError
        Names the inputs and the article formats.
    InputFileNotFoundError
        An input does not exist (as ``tasks`` itself says).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IgnoredFileWarning)  # the error below says it; the run's own reading warns for mixed inputs
        if discover_article_files(seeds):
            return
    raise InputError(
        f"no article file in {', '.join(map(repr, seeds))}; nothing was written. Articles are files ending in "
        f"{', '.join(ARTICLE_SUFFIXES)} (a .jsonl line: {{\"id\": ..., \"text\": ...}}), or folders and glob patterns "
        "holding them; a Label Studio export goes to 'checkworthy build', a CSV must be converted to JSONL"
    )


class NoTaskWarning(UserWarning):
    """``checkworthy tasks`` wrote no task: there is nothing to push."""


class TasksCommand(Command):
    name = "tasks"
    order = 10
    help = "read articles, split sentences, score candidates, write Label Studio tasks"
    description = (
        "Read articles (.txt, .md, .html, .jsonl, .jsonl.gz, .html.gz, .parquet, .warc.gz; directories recursively,\n"
        "glob patterns), split them into sentences with offsets and roles, score every body sentence, and write into --out:\n"
        "  articles.jsonl    the normalised articles (article_id, text, text_sha256, ...)\n"
        "  sentences.jsonl   every sentence of every role, with offsets, score and reason\n"
        "  tasks.json        Label Studio import file: the selected body sentences\n"
        "  label_config.xml  the labeling config of the scheme\n"
        "The directory appears only when all four files are written and valid. It also holds\n"
        "a small .checkworthy-output marker: --overwrite replaces only a folder that has it,\n"
        "never your own folder, a file, an input or the current directory.\n"
        "\n"
        "What to label next: --strategy with --budget N chooses N sentences over all articles\n"
        "  top          the most check-worthy first\n"
        "  uncertainty  those the model is least sure about (score nearest its threshold) first\n"
        "  diverse      one per text cluster of the 10 x N least sure (uncertainty-weighted k-means), least sure first\n"
        "  random       seeded (--seed)\n"
        "and writes them best first, each prediction's score being the strategy's priority (lower =\n"
        "label first: Label Studio's 'Uncertainty sampling' serves ascending scores, its 'Sequential\n"
        "sampling' serves import order; both follow the strategy). --exclude skips sentences that\n"
        "already have a label in a dataset version, --blind leaves predictions out; selection.json\n"
        "records the strategy, budget, seed, model and the chosen ids.\n"
        "\n"
        "--engine ray runs the same stage on Ray Data (pip install 'checkworthy[scale]'), on this\n"
        "machine or on the cluster of --address / RAY_ADDRESS: --out then holds every scored sentence\n"
        "as Parquet (sentences/, articles/) instead of sentences.jsonl, and articles.jsonl only the\n"
        "articles that have a selected sentence; a killed run started again resumes. --strategy and\n"
        "--budget choose over the whole corpus once every shard is scored (same choice as local);\n"
        "--model trains once here and scores on the workers."
    )
    epilog = (
        "examples:\n"
        "  checkworthy tasks seeds --out out/tasks\n"
        "  checkworthy tasks seeds --out out/tasks --overwrite --quiet --json   # summary as JSON, no progress\n"
        "  checkworthy tasks news/ more.jsonl --out out/tasks --scheme checkthat --top 5\n"
        "  checkworthy tasks seeds --out out/tasks --min-score 0.5 --overwrite\n"
        "  checkworthy tasks news/ --out out/tasks2 --scorer models/svm --top 10   # a trained baseline picks\n"
        "  checkworthy tasks news/ --out out/next --model data/ds@1.0.0:tfidf-lr --strategy uncertainty --budget 500 \\\n"
        "      --exclude data/ds@1.0.0 --blind     # the 500 least sure unlabeled sentences, no prediction shown\n"
        "  checkworthy tasks news/ --out out/next --scorer models/svm --strategy diverse --budget 200\n"
        "  checkworthy tasks news/ --out out/sample --strategy random --budget 100 --seed 7\n"
        "  checkworthy tasks 'crawl/*.warc.gz' --out out/crawl --engine ray --top 3   # Ray on this machine\n"
        "  checkworthy tasks /shared/news --out /shared/out --engine ray --address auto --scorer models/minilm-ft --workers 16\n"
        "  checkworthy tasks noticias/ --out out/tasks-es --language es   # every article is Spanish (no detection)\n"
        "  checkworthy tasks noticias/ --out out/tasks-es --page-language es   # the labeling page in Spanish\n"
        "  checkworthy tasks 'news/*.jsonl.gz' --out out/next --engine ray --strategy uncertainty --budget 2000   # over the whole corpus"
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("seeds", nargs="+", metavar="SEEDS", help="article files, directories or glob patterns")
        parser.add_argument("--out", required=True, metavar="DIR", help="output directory (must not exist unless --overwrite; not inside a dataset version)")
        parser.add_argument("--scheme", default="claimbuster", choices=available_schemes(), help="label scheme (default: %(default)s)")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--select", choices=["all"], default=None, help="make a task of every body sentence with a word, not a table cell such as 5040 (the default)")
        group.add_argument("--top", type=whole_number(1), metavar="K", help="only the K best-scored body sentences of each article")
        group.add_argument("--min-score", type=SHARE, metavar="X", help="only body sentences scoring at least X (0 to 1)")
        scorers = parser.add_mutually_exclusive_group()
        scorers.add_argument("--scorer", default="heuristic", metavar="NAME|MODEL_DIR",
                             help="registered candidate scorer, or a model saved by 'checkworthy train' (default: %(default)s)")
        scorers.add_argument("--model", metavar="DIR[@VERSION]:BASELINE",
                             help="train BASELINE (e.g. tfidf-lr) on a dataset version now and score with it")
        parser.add_argument("--strategy", choices=STRATEGIES, help="choose --budget sentences over all articles (see above)")
        parser.add_argument("--budget", type=whole_number(1), metavar="N", help="sentences to choose with --strategy")
        parser.add_argument("--seed", type=SEED, default=0, help="seed of --strategy random and diverse and of --model training (default: %(default)s)")
        parser.add_argument("--exclude", action="append", default=[], metavar="DIR[@VERSION]",
                            help="never export sentences labeled in this dataset version, ties included (repeatable)")
        parser.add_argument("--blind", action="store_true", help="leave the model's predictions and score out of the tasks")
        parser.add_argument("--jobs", type=whole_number(1), default=None, metavar="N", help="processes for splitting and scoring (default: all cores on inputs of 2 million characters or more, else 1)")
        parser.add_argument("--context", type=whole_number(0), default=CONTEXT_SENTENCES, metavar="N",
                            help="body sentences shown before and after the sentence to label on the labeling page (default: %(default)s)")
        parser.add_argument("--skip-invalid", action="store_true", help="skip unreadable files and records (listed on stderr) instead of stopping")
        parser.add_argument("--engine", choices=["local", "ray"], default="local", help="local processes, or Ray Data (default: %(default)s)")
        parser.add_argument("--address", metavar="ADDR", help="--engine ray: a running Ray cluster (default: RAY_ADDRESS, else Ray starts here)")
        parser.add_argument("--workers", type=whole_number(1), metavar="N", help="--engine ray: batches at once (default: every CPU; 2 actors for a model scorer)")
        parser.add_argument("--batch-size", type=whole_number(1), default=DEFAULT_BATCH_SIZE, metavar="N", help="--engine ray: articles per batch (default: %(default)s)")
        parser.add_argument("--language", metavar="CODE", default=None,
                            help="language of every article (ISO 639-1, e.g. es; spa and es-ES are read as es, an unknown code such as sp is an error), over a JSONL 'language' field, <html lang> and detection")
        add_page_language_option(parser)
        parser.add_argument("--overwrite", action="store_true", help="replace an existing --out directory that 'checkworthy tasks' wrote, once the new one is complete")
        add_json_option(parser, "out, files, scheme, select and the counts of articles, sentences and tasks")
        add_quiet_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        if (args.strategy is None) != (args.budget is None):
            raise InputError("--strategy and --budget go together: e.g. --strategy uncertainty --budget 500")
        if args.strategy and (args.top is not None or args.min_score is not None):
            raise InputError("--strategy chooses over all articles; leave out --top and --min-score (per-article selections)")
        refuse_inside_version(args.out, "tasks")  # tasks (full article texts) are no part of a version: publish would refuse it
        require_article_files(args.seeds)
        sampling = Sampling(args.strategy, args.budget, args.seed) if args.strategy else None
        scorer = train_scorer(args.model, seed=args.seed) if args.model else args.scorer
        if args.top is not None:
            selection = Selection("top", args.top)
        elif args.min_score is not None:
            selection = Selection("min-score", args.min_score)
        else:
            selection = Selection("all")
        if args.engine == "ray":
            counts = write_tasks_ray(args.seeds, args.out, scheme=args.scheme, select=selection, scorer=scorer, overwrite=args.overwrite,
                                     context=args.context, sampling=sampling, exclude=args.exclude, blind=args.blind,
                                     skip_invalid=args.skip_invalid, language=args.language, page_language=args.page_language,
                                     options=RayOptions(args.address, args.workers, args.batch_size))
        else:
            counts = write_tasks(
                args.seeds, args.out, scheme=args.scheme, select=selection, scorer=scorer, overwrite=args.overwrite, jobs=args.jobs,
                context=args.context, sampling=sampling, exclude=args.exclude, blind=args.blind, skip_invalid=args.skip_invalid,
                language=args.language, page_language=args.page_language,
            )
        if counts["tasks"] == 0:
            causes = ["no body sentence with a word (headlines, bylines, captions, boilerplate and table cells are never tasks)"]
            if args.min_score is not None:
                causes.insert(0, f"no body sentence scores at least {args.min_score} (--min-score)")
            if args.exclude:
                causes.insert(0, "every candidate is in --exclude")
            warnings.warn(f"{args.out}: no task was written: " + ", or ".join(causes) + "; the other files are written",
                          NoTaskWarning, stacklevel=1)
        if args.json:
            files = (RAY_OUTPUT_FILES if args.engine == "ray" else OUTPUT_FILES) + ((SELECTION_FILE,) if "candidates" in counts else ())
            chosen = {"strategy": args.strategy, "budget": args.budget} if sampling else {}
            print_json({"out": str(args.out), "files": {name: str(Path(args.out) / name) for name in files},
                        "scheme": args.scheme, "select": str(selection), **chosen, **counts})
        else:  # the summary is the result: on stdout, as build and evaluate print theirs; --quiet drops progress only
            print(
                f"{args.out}: {counts['articles']} article(s), {counts['sentences']} sentence(s), "
                f"{counts['tasks']} task(s) (scheme {args.scheme}, "
                + (f"strategy {args.strategy}, budget {args.budget}" if sampling else f"select {selection}") + ")"
            )
        return 0
