"""The main job: articles in, a labeled, versioned, evaluated and carded dataset out.

``checkworthy run SEEDS --out OUT`` chains every stage on the bundled seeds (or any
articles with a label file):

1. ``tasks``: read, split and select; write ``OUT/tasks/``.
2. Label Studio: start a local studio in ``OUT/studio/`` (installed on first use),
   push the tasks, create one account per annotator of the label files, post their
   labels as annotations (no person is there to label), pull the lossless export to
   ``OUT/export.json`` and stop the studio. With ``studio=False`` the export is made
   from the files alone (``checkworthy.builder.labels.labels_to_export``).
3. ``build``: validate, aggregate, measure agreement, split and write a dataset
   version in ``OUT/dataset/``.
4. ``evaluate``: train and score the baselines (``<version>/evaluation/``).
5. ``card``: the Hugging Face dataset card and Croissant file.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkworthy import __version__
from checkworthy.builder import studio
from checkworthy.builder.articles import read_articles
from checkworthy.builder.build import BuildConfig, build_version
from checkworthy.builder.card import write_card
from checkworthy.builder.labels import labels_to_export, read_label_files
from checkworthy.builder.labelstudio import NewAnnotation, StudioProject, connect
from checkworthy.builder.store import latest_version
from checkworthy.builder.tasks import write_tasks
from checkworthy.evaluation.harness import evaluate_version
from checkworthy.schemas import load_scheme
from checkworthy.schemas.errors import InputError, InputFileNotFoundError
from checkworthy.schemas.io import atomic_write_bytes, atomic_write_json, claim_output_folder, read_json

#: Label files looked up under each seed directory when none are given.
DEFAULT_LABEL_GLOB = "demo/labels*.json"
#: Card settings looked up under each seed directory (``CardConfig`` as JSON).
DEFAULT_CARD_SETTINGS = "demo/card.json"


@dataclass
class RunConfig:
    """Settings of the main job (``RunConfig(**data)``: a misspelt key fails loudly).

    Parameters
    ----------
    seeds : list of str
        Article files or folders.
    out : str
        Output folder; every stage writes below it.
    labels : list of str, optional
        Label files (``schemas/labels.schema.json``); default every
        ``demo/labels*.json`` under the seed folders.
    scheme : str, default="claimbuster"
    studio : bool, default=True
        Go through a real local Label Studio; False builds from the files alone.
    project : str, default="checkworthy demo"
        Label Studio project title.
    port : int, default=0
        Studio port; 0 picks a free one.
    keep_studio : bool, default=False
        Leave the studio running at the end.
    seed : int, default=0
        Seeds the splits and the baselines.
    baselines : list of str, optional
        Baselines to evaluate; default the core set.
    n_resamples : int, default=1000
        Bootstrap replicates per confidence interval.
    wait : float, default=0
        Seconds to wait for another command that holds the dataset's lock.
    """

    seeds: list[str]
    out: str
    labels: list[str] | None = None
    scheme: str = "claimbuster"
    studio: bool = True
    project: str = "checkworthy demo"
    port: int = 0
    keep_studio: bool = False
    seed: int = 0
    baselines: list[str] | None = None
    n_resamples: int = 1000
    wait: float = 0.0
    config_version: int = 1


@dataclass
class RunResult:
    """Where everything went (paths) and the headline numbers."""

    outputs: dict[str, str] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    studio: dict[str, Any] | None = None
    version: str | None = None
    created: bool = True


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _silent(message: str) -> None:
    """The ``say`` of a quiet run: no progress lines."""


def find_label_files(seeds: Sequence[str | Path]) -> list[Path]:
    """The default label files: ``demo/labels*.json`` under each seed folder, sorted."""
    found: list[Path] = []
    for seed in map(Path, seeds):
        if seed.is_dir():
            found += sorted(seed.glob(DEFAULT_LABEL_GLOB))
    return found


def run_pipeline(config: RunConfig, say: Callable[[str], None] | None = _say, warn: Callable[[str], None] | None = None) -> RunResult:
    """Run the main job; see the module docstring for the stages.

    Parameters
    ----------
    config : RunConfig
    say : callable or None, default prints to stderr
        Receives one line per step; None shows no progress.
    warn : callable, optional
        Receives each warning; by default ``say`` gets it as a ``warning:`` line, and
        stderr when ``say`` is None (a quiet run still shows warnings).

    Returns
    -------
    RunResult

    Raises
    ------
    InputError
        Bad articles or label files (every problem listed), or no label files.
    StudioError
        Label Studio could not be installed, started or used.
    """

    warn = warn or (lambda message: (say or _say)(f"      warning: {message}"))
    say = say or _silent
    out = Path(config.out)
    scheme = load_scheme(config.scheme)
    missing = [str(seed) for seed in config.seeds if not Path(seed).exists() and not any(c in str(seed) for c in "*?[")]
    if missing:  # before looking for label files under them, which would report none found
        raise InputFileNotFoundError(
            f"{', '.join(missing)}: no such file or folder (looked in {Path.cwd()}); give the folder of the seed articles "
            "(the repository's seeds/ when run from its root) or article files"
        )
    label_files = [Path(p) for p in config.labels] if config.labels else find_label_files(config.seeds)
    if not label_files:
        raise InputError(
            f"no label files: none given with --labels and no {DEFAULT_LABEL_GLOB} under {', '.join(map(str, config.seeds))}; "
            "label the tasks in Label Studio and use 'checkworthy pull' and 'checkworthy build' instead"
        )
    claim_output_folder(out, writer=f"checkworthy {__version__} run", inputs=[*config.seeds, *label_files])
    result = RunResult()
    steps = 5
    started = time.monotonic()

    say(f"[1/{steps}] tasks: reading and splitting {', '.join(map(str, config.seeds))}")
    tasks_dir = out / "tasks"
    result.counts["tasks"] = write_tasks(config.seeds, tasks_dir, scheme=scheme.name, overwrite=True)
    tasks = read_json(tasks_dir / "tasks.json")
    rows = read_label_files(label_files, scheme, tasks)
    result.counts["labels"] = len(rows)
    result.outputs["tasks"] = str(tasks_dir)
    say(f"      {result.counts['tasks']['articles']} articles, {result.counts['tasks']['sentences']} sentences, "
        f"{result.counts['tasks']['tasks']} tasks; {len(rows)} labels from {len(label_files)} label file(s)")

    export = out / "export.json"
    if config.studio:
        say(f"[2/{steps}] Label Studio: push the tasks, post the bundled labels as annotations, pull the export")
        result.studio = _through_studio(config, out / "studio", tasks_dir, rows, export, say)
    else:
        say(f"[2/{steps}] labels: making the Label Studio export from the label files (--no-studio)")
        atomic_write_json(export, labels_to_export(tasks, rows), indent=1)
    result.outputs["export"] = str(export)

    say(f"[3/{steps}] build: validate, aggregate, agreement, splits, version")
    articles = read_articles(config.seeds)

    def evaluate_and_card(version_path: Path) -> None:
        say(f"[4/{steps}] evaluate: baselines with bootstrap confidence intervals")
        evaluate_version(
            str(version_path),
            baselines=config.baselines, seed=config.seed, n_resamples=config.n_resamples, progress=say,
        )
        say(f"[5/{steps}] card: dataset card and Croissant metadata")
        write_card(version_path, articles=articles)

    # A new version gets its evaluation and card before it becomes visible (whole or absent).
    built = _build(config, export, out / "dataset", evaluate_and_card, warn)
    result.version, result.created = built.version, built.created
    result.outputs["version"] = str(built.path)
    result.counts["splits"] = built.manifest.counts.to_dict()
    say(f"      version {built.version} {'written' if built.created else 'already existed with the same fingerprint'}: {built.path}")
    for warning in built.warnings:
        warn(warning)
    if not built.created:
        # The same version again: evaluate and write the card again (this also completes
        # a version left without them by an older release).
        evaluate_and_card(built.path)
    result.outputs["evaluation"] = str(built.path / "evaluation")
    result.outputs["card"] = str(built.path / "README.md")
    result.outputs["croissant"] = str(built.path / "croissant.json")
    say(f"done in {time.monotonic() - started:.0f} s")
    return result


def _build(config: RunConfig, export: Path, dataset_dir: Path, finish: Callable[[Path], None], warn: Callable[[str], None]):
    settings_file = next((Path(s) / DEFAULT_CARD_SETTINGS for s in config.seeds if (Path(s) / DEFAULT_CARD_SETTINGS).is_file()), None)
    if settings_file is not None:
        # The seeds' card settings start the dataset's; once 'checkworthy card' changed them
        # (a licence, a name), a run again keeps the dataset's and says so.
        ours = dataset_dir / "card.json"
        if not ours.exists():
            atomic_write_bytes(ours, settings_file.read_bytes())
        elif ours.read_bytes() != settings_file.read_bytes():
            warn(f"{ours} differs from {settings_file} (changed by 'checkworthy card'?); the dataset's is kept: "
                 f"remove it to start again from the seeds' settings")
    version = None if latest_version(dataset_dir) else "1.0.0"
    return build_version([export], config.seeds, dataset_dir, BuildConfig(scheme=config.scheme, seed=config.seed), version=version,
                         finish=finish, wait=config.wait)


def _through_studio(config: RunConfig, data_dir: Path, tasks_dir: Path, rows, export: Path, say) -> dict[str, Any]:
    info = studio.start(data_dir, port=config.port)
    try:
        say(f"      studio running at {info['url']} (data in {data_dir})")
        # One project object: one client and one project lookup for the whole round trip.
        project = StudioProject(connect(info["url"], token_file=studio.Studio(data_dir).token_file), config.project)
        for email in sorted({row.email for row in rows} - set(project.users())):
            studio.add_annotator(data_dir, email)
        annotations = [NewAnnotation(row.sentence_id, row.label, row.email, row.lead_time) for row in rows]
        overlap = len({row.annotator for row in rows})
        pushed = project.push(tasks_dir, annotators=overlap, annotations=annotations)
        say(f"      {pushed.summary()}")
        done = project.existing_annotations()
        todo = [a for a in annotations if (a.sentence_id, a.annotator) not in done]
        if todo:
            project.post_annotations(todo)
        say(f"      {len(todo)} annotation(s) posted to existing tasks, {len(annotations) - len(todo)} already there")
        project.pull(export)
    finally:
        if not config.keep_studio:
            studio.stop(data_dir)
    return info
