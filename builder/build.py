"""Building a dataset version: annotations -> aggregate -> agreement -> splits -> manifest.

:func:`build_version` reads Label Studio exports and the articles they were made from,
aggregates the votes into gold labels, measures agreement, assigns grouped splits,
finds leakage and writes the manifest; :func:`commit_version` hands the files to the
version store (:mod:`checkworthy.builder.store`), which writes them atomically. Building
the same inputs with the same settings again finds the version that has that
fingerprint and writes nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkworthy import __version__
from checkworthy.builder.adjudication import ADJUDICATION, apply_adjudications, check_regular_exports, read_adjudications
from checkworthy.builder.aggregate import METHODS, aggregate
from checkworthy.builder.agreement import agreement_by_language, agreement_report
from checkworthy.builder.annotations import KEY_FILE, annotator_key, read_annotations
from checkworthy.builder.articles import read_articles
from checkworthy.builder.diff import changelog_text, is_own_changelog, write_changelog
from checkworthy.builder.quality import annotator_quality, apply_gold, exclude_below, gold_labels, gold_per_split, read_gold
from checkworthy.builder.sampling import read_selection, selection_summary
from checkworthy.builder.split import split_article
from checkworthy.builder.splits import assign_split, find_leakage, later_copies, leakage_report
from checkworthy.builder.store import (
    check_version,
    commit_directory,
    dataset_around,
    file_digests,
    latest_version,
    list_versions,
    load_manifest,
    remove_unfinished,
    version_key,
)
from checkworthy.schemas import Scheme, did_you_mean, load_scheme, validate
from checkworthy.schemas.documents import Leakage, Manifest, SplitCounts
from checkworthy.schemas.errors import CheckworthyError, InputError, VersionExistsError
from checkworthy.schemas.io import atomic_write_json, atomic_write_text, fingerprint, refuse_output_folder, sha256_file
from checkworthy.schemas.locks import LOCK_FILE, folder_lock
from checkworthy.schemas.rows import SPLITS, Row, features

#: Bumped when the same inputs and settings would give different output files.
BUILD_FORMAT = 1

GROUP_BY = ("article", "source")


@dataclass(frozen=True)
class BuildConfig:
    """Settings of a build; all of them go into the fingerprint and the manifest.

    Parameters
    ----------
    scheme : str, default="claimbuster"
        Label scheme of the annotations.
    aggregate : {"majority", "dawid-skene"}, default="majority"
        How votes become a gold label.
    seed : int, default=0
        Seeds the split assignment and Dawid-Skene.
    group_by : {"article", "source"}, default="article"
        What a split keeps together.
    dedupe : bool, default=False
        Remove later copies of sentences that leak across splits.
    skip_invalid : bool, default=False
        Build without invalid items (recorded in the manifest) instead of failing.
    near_duplicate_threshold : float, default=0.8
        MinHash Jaccard similarity above which two sentences are near duplicates.
    min_annotator_accuracy : float, optional
        Leave annotators whose accuracy on gold items is below it out of aggregation
        (see :mod:`checkworthy.builder.quality`); recorded only when set.
    config_version : int, default=1
        Version of this settings layout.
    """

    scheme: str = "claimbuster"
    aggregate: str = "majority"
    seed: int = 0
    group_by: str = "article"
    dedupe: bool = False
    skip_invalid: bool = False
    near_duplicate_threshold: float = 0.8
    config_version: int = 1
    min_annotator_accuracy: float | None = None

    def __post_init__(self):
        load_scheme(self.scheme)
        if self.aggregate not in METHODS:
            raise InputError(f"unknown aggregation {self.aggregate!r}; available: {', '.join(METHODS)}.{did_you_mean(self.aggregate, list(METHODS))}")
        if self.group_by not in GROUP_BY:
            raise InputError(f"unknown --group-by {self.group_by!r}; available: {', '.join(GROUP_BY)}.{did_you_mean(self.group_by, list(GROUP_BY))}")
        if not 0 < self.near_duplicate_threshold <= 1:
            raise InputError(f"near_duplicate_threshold must be in (0, 1], found {self.near_duplicate_threshold}")
        accuracy = self.min_annotator_accuracy
        if accuracy is not None and (isinstance(accuracy, bool) or not isinstance(accuracy, (int, float)) or not 0 <= accuracy <= 1):
            raise InputError(f"--min-annotator-accuracy must be a number in [0, 1] (a share of gold items right), found {accuracy!r}")

    def to_dict(self) -> dict[str, Any]:
        """The settings; ``min_annotator_accuracy`` only when set (so builds without it keep their fingerprint)."""
        settings = dataclasses.asdict(self)
        if settings["min_annotator_accuracy"] is None:
            del settings["min_annotator_accuracy"]
        return settings


@dataclass
class Prepared:
    """Everything a new version holds, before splits, leakage and writing.

    ``rows`` are in the dataset's canonical order (earliest first); ``groups`` give
    the split group of each row, or ``fixed_splits`` its split when the corpus
    comes with splits.
    """

    rows: list[Row]
    groups: list[str]
    inputs: dict[str, list[dict[str, str]]]
    content: Any
    annotations: Any = None
    fixed_splits: list[str] | None = None
    report: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class BuildResult:
    """What :func:`build_version` did.

    Attributes
    ----------
    version : str
        The new version, or the existing one that has the same fingerprint.
    path : Path
        Its directory.
    created : bool
        False when an existing version already had the fingerprint.
    manifest : Manifest
        The version's manifest.
    warnings : list of str
        Things the user should read (lossy formats, empty splits, leakage, ...).
    """

    version: str
    path: Path
    created: bool
    manifest: Manifest
    warnings: list[str] = field(default_factory=list)


# -- versions on disk ---------------------------------------------------------






















def write_readme(path: Path, scheme: Scheme, splits: Sequence[str], manifest: Manifest) -> None:
    """Write a minimal ``README.md`` whose YAML header lets ``datasets.load_dataset`` read the version.

    ``checkworthy.builder.card`` replaces it with the full dataset card: the body sits between the
    card's ``summary`` markers, so that it is regenerated rather than kept as hand-written.
    """
    from huggingface_hub import DatasetCardData

    card = DatasetCardData(
        configs=[{"config_name": "default", "data_files": [{"split": s, "path": f"data/{s}.parquet"} for s in splits]}],
        dataset_info={"features": features(scheme)._to_yaml_list()},
    )
    counts = ", ".join(f"{s} {manifest.counts[s]}" for s in SPLITS)
    body = (
        "<!-- checkworthy:begin summary -->\n"
        f"# checkworthy dataset, version {manifest.version}\n\n"
        f"Check-worthiness labels in the `{scheme.name}` scheme ({', '.join(scheme.names)}). "
        f"Sentences: {counts}. See `manifest.json` for the inputs, settings, agreement and leakage.\n"
        "<!-- checkworthy:end summary -->\n"
    )
    atomic_write_text(path / "README.md", f"---\n{card.to_yaml()}\n---\n\n{body}")


# -- building -----------------------------------------------------------------


def _read_sentences(article_paths: Sequence[str | os.PathLike]):
    """Articles and their sentences, by id, from the article files the tasks were made from."""

    articles = read_articles(article_paths)
    sentences = {s.sentence_id: s for article in articles for s in split_article(article)}
    return {a.article_id: a for a in articles}, sentences


def file_inputs(paths: Iterable[str | os.PathLike]) -> list[dict[str, str]]:
    """Basename and sha256 of each input file (no absolute paths: rebuilds stay byte-identical)."""
    files = [{"name": Path(p).name, "sha256": sha256_file(p)} for p in paths]
    return sorted(files, key=lambda f: (f["name"], f["sha256"]))


def _distinct(paths: Sequence[str | os.PathLike], repeats: list[str]) -> list[str | os.PathLike]:
    """``paths`` without files whose bytes an earlier one already has (the same export given twice,
    or a copy of it): read once, so that a repeat neither makes a new version nor counts its
    annotations as superseded. A warning per repeat goes to ``repeats``."""
    seen: dict[str, str | os.PathLike] = {}
    for path in paths:
        digest = sha256_file(path) if Path(path).is_file() else str(path)  # a missing file is reported by its reader
        if digest in seen:
            repeats.append(f"{path}: the same file as {seen[digest]} (same SHA-256); read once")
        else:
            seen[digest] = path
    return list(seen.values())


def prepare_annotations(
    exports: Sequence[str | os.PathLike],
    articles: Sequence[str | os.PathLike],
    config: BuildConfig,
    key: bytes,
    gold: str | os.PathLike | None = None,
    adjudications: Sequence[str | os.PathLike] = (),
) -> Prepared:
    """Read, validate and aggregate Label Studio exports into the rows of a new version.

    Parameters
    ----------
    exports : sequence of path-like
        Label Studio exports.
    articles : sequence of path-like
        The article files (or folders) the tasks were made from.
    config : BuildConfig
        Build settings.
    key : bytes
        Annotator pseudonym key.
    gold : path-like, optional
        A gold file (``sentence_id,label``, see :func:`checkworthy.builder.quality.read_gold`).
    adjudications : sequence of path-like, default=()
        Exports of adjudication tasks (``checkworthy review``): their labels override the
        aggregate (see :mod:`checkworthy.builder.adjudication`).

    Returns
    -------
    Prepared
    """

    scheme = load_scheme(config.scheme)
    if not exports:
        raise InputError("no Label Studio export given; pass at least one EXPORT file")
    repeats: list[str] = []
    exports, adjudications = _distinct(exports, repeats), _distinct(adjudications, repeats)
    check_regular_exports(exports)
    by_article, sentences = _read_sentences(articles)
    anns = read_annotations(exports, key=key, scheme=scheme, sentences=sentences, skip_invalid=config.skip_invalid)
    golden = gold_labels(anns.table, read_gold(gold, scheme, sentences) if gold is not None else {}, str(gold))
    quality = annotator_quality(anns.table, golden, scheme, seed=config.seed)
    if config.min_annotator_accuracy is not None:
        quality = exclude_below(quality, config.min_annotator_accuracy)
    table, warnings = _quality_filter(anns.table, quality, repeats + list(anns.warnings))
    agg = aggregate(table, scheme, config.aggregate, seed=config.seed)
    apply_gold(agg, golden, scheme)
    adjudicated = None
    if adjudications:
        decided = read_adjudications(adjudications, key=key, scheme=scheme, sentences=sentences, skip_invalid=config.skip_invalid)
        adjudicated = apply_adjudications(agg, decided, scheme)
        warnings += decided.warnings + adjudicated.pop("warnings")
    agreement = agg.agreement
    rows, groups = [], []
    for i, sid in enumerate(agg.sentence_ids):
        if agg.gold[i] < 0:
            continue
        sentence = sentences[sid]
        article = by_article[sentence.article_id]
        rows.append(Row(
            sentence_id=sid,
            article_id=sentence.article_id,
            text=sentence.text,
            label=scheme.names[agg.gold[i]],
            votes=agg.votes[i].tolist(),
            n_annotators=int(agg.votes[i].sum()),
            agreement=float(agreement[i]),
            label_source=agg.label_source[i],
            start=sentence.start,
            end=sentence.end,
            role=sentence.role,
            source=article.source or "",
            url=article.url or "",
            language=article.language or "",
        ))
        groups.append(article.source if config.group_by == "source" and article.source else sentence.article_id)
    order = sorted(range(len(rows)), key=lambda i: (rows[i].article_id, rows[i].start, rows[i].sentence_id))
    used = sorted({r.article_id for r in rows})
    content = {
        "exports": sorted(sha256_file(p) for p in exports),
        "articles": sorted((a, by_article[a].text_sha256, by_article[a].source, by_article[a].url) for a in used),
    }
    if gold is not None:
        content["gold"] = sha256_file(gold)
    if adjudications:
        content["adjudications"] = sorted(sha256_file(p) for p in adjudications)
    report = {
        "agreement": agreement_report(table, agg, scheme),
        "agreement_by_language": agreement_by_language(
            table, agg, scheme, {sid: by_article[s.article_id].language for sid, s in sentences.items()}),
        "annotator_quality": quality,
        "unresolved": agg.unresolved,
        "skipped": anns.skipped,
        "annotations": {
            "rows": len(anns.table),
            "skips": int(anns.table["cancelled"].sum()),
            "superseded": anns.superseded,
            "annotators": int(anns.table["annotator"].nunique()),
        },
        "adjudication": adjudicated,
    }
    inputs = {"exports": file_inputs(exports), "articles": file_inputs(sorted({a.file for a in by_article.values() if a.file}))}
    if gold is not None:
        inputs["gold"] = file_inputs([gold])
    if adjudications:
        inputs["adjudications"] = file_inputs(adjudications)
    return Prepared(
        rows=[rows[i] for i in order],
        groups=[groups[i] for i in order],
        inputs=inputs,
        content=content,
        annotations=anns.table,
        report=report,
        warnings=warnings,
    )


#: A drawn validation or test split is called lopsided below this share of its target (10%) or
#: with fewer groups than :data:`FEW_GROUPS`: its figures rest on a handful of articles.
LOPSIDED_SHARE, FEW_GROUPS = 0.5, 3


def _lopsided_splits(by_split: dict[str, list[Row]], groups_in: dict[str, set], config: BuildConfig) -> list[str]:
    """A warning per drawn validation or test split far below its 10% share, or drawn from
    fewer than :data:`FEW_GROUPS` groups: splits are drawn per group (article, source) from a
    hash, and with few large groups (33 debates, say) one draw can put a single group in
    test, whose bootstrap intervals, which resample articles, then have no width."""
    total = sum(len(rows) for rows in by_split.values())
    unit = "source" if config.group_by == "source" else "article"
    result = []
    for split in ("validation", "test"):
        share, groups = len(by_split[split]) / total, len(groups_in[split])
        if share < LOPSIDED_SHARE * 0.10 or groups < FEW_GROUPS:
            result.append(
                f"the {split} split holds {len(by_split[split])} sentence(s) ({share:.1%} of {total}; the target is 10%) from "
                f"{groups} {unit}(s) of {len(set().union(*groups_in.values()))}: splits are drawn per {unit}, and with few or "
                f"unequal {unit}s one draw can be lopsided; its figures and intervals (which resample {unit}s) will say little. "
                f"Try another --seed (this one is {config.seed}), or add {unit}s"
            )
    return result


def _languages_missing_from_splits(by_split: dict[str, list[Row]]) -> list[str]:
    """A warning per language of a multilingual dataset that has no row in a written split:
    its label balance and baseline results cannot be reported per language there."""
    counts = Counter(r.language for rows in by_split.values() for r in rows if r.language)
    if len(counts) < 2:
        return []
    present = {s: {r.language for r in rows} for s, rows in by_split.items() if rows}
    result = []
    for language, count in sorted(counts.items()):
        missing = [s for s in SPLITS if s in present and language not in present[s]]
        if missing:
            result.append(f"language {language}: {count} sentence(s), none in {', '.join(missing)}: its results cannot be "
                          f"reported per language there; add {language} articles (or change --seed; a split is drawn per article)")
    return result


def _quality_filter(table, quality: dict[str, Any], warnings: list[str]):
    """The votes that aggregation uses (without the annotators ``--min-annotator-accuracy`` left out), and the warnings."""
    gold, threshold = quality["gold"], quality["min_accuracy"]
    if gold["without_votes"]:
        warnings.append(f"{gold['without_votes']} gold sentence(s) have no annotation: "
                        "they are not in the version (a sentence enters the dataset through its annotations)")
    if threshold is None:
        return table, warnings
    left_out = {e["annotator"] for e in quality["excluded"]}
    if left_out and left_out >= set(quality["annotators"]):
        raise InputError(f"--min-annotator-accuracy {threshold}: every annotator is below it on the gold items "
                         "(see 'annotator_quality' in a build with a lower threshold); nothing was written")
    if not gold["items"]:
        warnings.append(f"--min-annotator-accuracy {threshold}: no gold items (--gold FILE or Label Studio ground truth), "
                        "so no annotator was left out")
    for entry in quality["excluded"]:
        warnings.append(f"annotator {entry['annotator']} left out of aggregation: {entry['reason']}")
    if quality["kept_without_gold"] and gold["items"]:
        warnings.append(f"{len(quality['kept_without_gold'])} annotator(s) labeled no gold item and were kept: "
                        + ", ".join(quality["kept_without_gold"]))
    return table[~table["annotator"].isin(left_out)], warnings


def build_version(
    exports: Sequence[str | os.PathLike],
    articles: Sequence[str | os.PathLike],
    dataset_dir: str | os.PathLike,
    config: BuildConfig | None = None,
    *,
    version: str | None = None,
    key: bytes | None = None,
    finish: Callable[[Path], None] | None = None,
    wait: float = 0.0,
    gold: str | os.PathLike | None = None,
    tasks: Sequence[str | os.PathLike] = (),
    adjudications: Sequence[str | os.PathLike] = (),
    allow_removal: bool = False,
) -> BuildResult:
    """Build a new dataset version from Label Studio exports and the articles they came from.

    The dataset is locked for the whole build (one writer at a time; see
    :func:`checkworthy.schemas.locks.folder_lock`), and the version is whole or absent
    (see :func:`commit_version`). A build that fails into a dataset folder that did not
    exist leaves no folder behind.

    Parameters
    ----------
    exports : sequence of path-like
        Label Studio exports (JSON preferred; JSON_MIN and CSV with a warning).
    articles : sequence of path-like
        The article files or folders the tasks were made from (re-read and re-split
        to check sentence ids and text hashes).
    dataset_dir : path-like
        The dataset directory; created when missing.
    config : BuildConfig, optional
        Build settings (defaults when None).
    version : str, optional
        ``MAJOR.MINOR.PATCH`` of the new version; bumped from the latest when None.
    key : bytes, optional
        Annotator pseudonym key; ``<dataset_dir>/annotator.key`` when None.
    finish : callable, optional
        ``finish(version_dir)`` writes the card (and evaluation) into the new version
        before it becomes visible.
    wait : float, default=0
        Seconds to wait for another command that holds the dataset's lock.
    gold : path-like, optional
        A gold file of ``sentence_id,label`` lines: gold labels, used as the sentences'
        labels and to measure each annotator's accuracy.
    tasks : sequence of path-like, optional
        Task directories written by ``checkworthy tasks --strategy``: their
        ``selection.json`` (strategy, budget, seed, model) goes into the manifest
        (``selection``) and the card, and into the fingerprint.
    adjudications : sequence of path-like, default=()
        Label Studio exports of the adjudication tasks that ``checkworthy review`` wrote;
        their labels override the aggregate (``label_source`` ``adjudication``).

    Returns
    -------
    BuildResult

    Raises
    ------
    InputError
        Invalid exports or gold file (every problem listed) or settings, or a task directory
        without a valid ``selection.json``.
    VersionExistsError
        ``version`` already exists.

    Examples
    --------
    >>> result = build_version(["export.json"], ["seeds/"], "data/ds")  # doctest: +SKIP
    >>> result.version, result.created  # doctest: +SKIP
    ('1.0.0', True)
    """

    config = config or BuildConfig()
    if version is not None:
        check_version(version)
    refuse_dataset_among_articles(dataset_dir, articles)
    with _build_lock(dataset_dir, wait):
        key = key if key is not None else annotator_key(dataset_dir)
        selections = [read_selection(directory) for directory in tasks]
        prepared = prepare_annotations(exports, articles, config, key, gold, adjudications)
        if selections:
            labeled = {row.sentence_id for row in prepared.rows}
            prepared.report["selection"] = [selection_summary(record, labeled) for _, record in selections]
            prepared.inputs["tasks"] = file_inputs(path for path, _ in selections)
            prepared.content = {**prepared.content, "selection": sorted(sha256_file(path) for path, _ in selections)}
        return commit_version(prepared, dataset_dir, config, version=version, finish=finish, allow_removal=allow_removal)


@contextlib.contextmanager
def _build_lock(dataset_dir: str | os.PathLike, wait: float) -> Iterator[None]:
    """Hold the dataset's lock for a build; if the build fails, take back what it made.

    Taking the lock creates the dataset folder (and its lock file), and a first build
    writes the annotator key before it reads its inputs. When the build then fails (an
    invalid export, say) before a version appeared, the key is removed if it was not there
    when the build got the lock (this build made it, and no version uses it), and a
    dataset folder that did not exist before the build is removed with the parent folders
    made for it, if nothing else is in it: "nothing was written" is then true. A key that
    was there, or that a new version uses, is never touched. (A build that waited for the
    lock of a folder removed this way goes on and makes the folder again.)
    """
    refuse_inside_a_version(dataset_dir)
    dataset_dir = Path(dataset_dir).absolute()
    refuse_output_folder(dataset_dir, "the dataset", "--dataset")
    made = [folder for folder in (dataset_dir, *dataset_dir.parents) if not folder.exists()]
    with folder_lock(dataset_dir, "build a version of this dataset", wait=wait):
        key_file = dataset_dir / KEY_FILE
        had_key, versions = key_file.exists(), list_versions(dataset_dir)
        try:
            yield
        except BaseException:
            if not had_key and list_versions(dataset_dir) == versions:
                key_file.unlink(missing_ok=True)
                if made:
                    _remove_if_empty(made)
            raise


def refuse_dataset_among_articles(dataset_dir: str | os.PathLike, articles: str | os.PathLike | Iterable[str | os.PathLike]) -> None:
    """Refuse a ``--dataset`` that is an ``--articles`` folder, is inside one, or holds one.

    The dataset and the articles it is built from would be mixed in one folder: the articles'
    readers would meet the dataset's files (its cards and ``CHANGELOG.md`` are ``.md`` files,
    its splits ``.parquet`` files, both article formats), and the dataset's folder would
    hold files that are not the dataset's. As ``tasks --overwrite`` refuses a folder it reads
    articles from. A glob pattern is judged by the files and folders it matches; a path
    that does not exist is left to the articles reader to report.

    Raises
    ------
    InputError
        Names the ``--articles`` path, how the dataset folder meets it, and another folder.
    """
    target = Path(dataset_dir).resolve()
    for raw in [articles] if isinstance(articles, (str, os.PathLike)) else articles:
        path = Path(raw)
        if path.exists():
            sources = [path]
        elif any(char in str(raw) for char in "*?["):
            sources = [Path(match) for match in sorted(glob.glob(str(raw)))]
        else:
            continue
        for source in sources:
            resolved = source.resolve()
            kind = "folder" if resolved.is_dir() else "file"
            if resolved == target:
                what, other = f"is the --articles folder {source}", Path(source).parent / f"{resolved.name}-dataset"
            elif resolved in target.parents:
                what, other = f"is inside the --articles {kind} {source}", Path(source).parent / target.name
            elif target in resolved.parents:
                what, other = f"holds the --articles {kind} {source}", None
            else:
                continue
            instead = f"a folder beside it (e.g. --dataset {other})" if other is not None else "a folder that does not hold the articles"
            raise InputError(
                f"{dataset_dir}: {what}; the dataset and the articles it is built from would be mixed in one folder (the articles' "
                "readers would meet the dataset's files: its cards and CHANGELOG.md are .md files, its splits .parquet files): "
                f"give --dataset {instead}; nothing was written")


def refuse_inside_a_version(dataset_dir: str | os.PathLike) -> None:
    """Refuse a ``--dataset`` that is, or is inside, a version folder or a dataset's ``versions/``.

    A version is never changed after it is built; a build into it (or into ``versions/``)
    would make a dataset inside the dataset: a version within a version, with the secret
    ``annotator.key``, the lock and a ``CHANGELOG.md`` among the files that ``publish``
    uploads. The path and its parents are looked at outermost first, so the message names
    the dataset's own folder.

    Raises
    ------
    InputError
        Names what the folder is and the dataset folder to give instead.
    """
    given = Path(dataset_dir)
    for path in dict.fromkeys((given.absolute(), given.resolve())):
        for folder in (*reversed(path.parents), path):
            root = dataset_around(folder)
            if root is None:
                continue
            shown = Path(os.path.relpath(root)) if not given.is_absolute() else root
            parts = path.relative_to(root).parts
            if root == folder:  # a copy of a version, not in a dataset's versions/
                what = "is a copy of a dataset version" if path == folder else f"is inside a copy of a dataset version ({shown})"
                raise InputError(f"{dataset_dir}: {what}: it holds manifest.json and data/, and a version is never changed after it "
                                 "is built; give --dataset a folder of its own; nothing was written")
            if parts == ("versions",):
                what = f"is the versions/ folder of the dataset {shown}, which holds only its versions"
            elif len(parts) >= 2 and dataset_around(root / "versions" / parts[1]) == root:
                what = (f"is version {parts[1]} of the dataset {shown}" if len(parts) == 2
                        else f"is inside version {parts[1]} of the dataset {shown}")
                what += ", which is never changed after it is built"
            else:
                what = f"is inside the versions/ folder of the dataset {shown}, which holds only its versions"
            raise InputError(f"{dataset_dir}: {what}; a build there would make a dataset inside the dataset (a version within a version, "
                             f"with the secret {KEY_FILE}, the lock and a CHANGELOG.md among the files that publish uploads): give "
                             f"--dataset {shown} (the dataset's own folder) to build its next version; nothing was written")


def _remove_if_empty(made: list[Path]) -> None:
    """Remove a dataset folder that holds only its lock file and an empty ``versions/``,
    then the parents made for it (``made``: deepest first, the dataset folder first)."""
    dataset_dir = made[0]
    if set(os.listdir(dataset_dir)) - {LOCK_FILE, "versions"}:
        return
    (dataset_dir / LOCK_FILE).unlink(missing_ok=True)
    for folder in (dataset_dir / "versions", *made):
        try:
            folder.rmdir()
        except FileNotFoundError:
            continue
        except OSError:  # not empty: something else lives there, keep it
            return


def _bump(parent_dir: Path | None, scheme: str, old_ids: set[str], new_ids: set[str]) -> str:
    """Next version: major for a scheme change, minor when sentences are added or removed, patch otherwise."""
    if parent_dir is None:
        return "1.0.0"
    major, minor, patch = version_key(parent_dir.name)
    if load_manifest(parent_dir).scheme != scheme:
        return f"{major + 1}.0.0"
    if old_ids != new_ids:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def check_nothing_dropped(prepared: Prepared, parent_dir: Path | None, parent_splits: dict[str, str]) -> None:
    """Refuse a version that would silently lose labels: labeled sentences of the latest
    version (built from exports) that none of the new exports holds at all. A version is
    built from all of its exports, so a build given only the newest round's export (a second
    project, say) would drop every earlier label. Sentences the exports still hold but that
    now have no label (a tie, a skip) are not counted: that is the data speaking. A corpus
    build (``--from``) is held to the same rule against a version of the same corpus: a
    sentence of the latest version that none of the corpus files holds (a file missing from
    the folder, an older release of the corpus) would be dropped.

    ``parent_splits`` is the split of each sentence of the latest version (:func:`_parent_splits`).

    Raises
    ------
    InputError
        How many sentences of which splits would be dropped, and the two ways on.
    """
    if parent_dir is None:
        return
    inputs = load_manifest(parent_dir).inputs
    if prepared.annotations is not None and "exports" in inputs:
        held = set(prepared.annotations["sentence_id"])
    elif prepared.annotations is None and "corpus" in inputs:
        held = {row.sentence_id for row in prepared.rows}
    else:
        return  # another kind of dataset: check_same_kind refuses it
    held |= {s.get("sentence_id") for s in prepared.report.get("skipped", [])}
    dropped = Counter(split for sid, split in parent_splits.items() if sid not in held)
    if dropped:
        per_split = ", ".join(f"{split} {count}" for split, count in sorted(dropped.items(), key=lambda kv: SPLITS.index(kv[0])))
        if prepared.annotations is None:
            files = ", ".join(item["name"] for item in prepared.inputs.get("corpus", []))
            raise InputError(
                f"{sum(dropped.values())} labeled sentence(s) of version {parent_dir.name} ({per_split}) are in none of these corpus "
                f"files ({files}), so the new version would drop them; nothing was written. A version of a corpus is built from all "
                "of its files: give the folder that holds them all (the version had "
                + ", ".join(item["name"] for item in inputs["corpus"])
                + "), or pass --allow-removal to drop them on purpose"
            )
        raise InputError(
            f"{sum(dropped.values())} labeled sentence(s) of version {parent_dir.name} ({per_split}) are in none of these exports, "
            "so the new version would drop them; nothing was written. A version is built from all of its exports: pass the "
            "earlier exports too (e.g. 'checkworthy build round1.json round2.json ...'; a task in several exports counts once, "
            "its latest update wins), or pass --allow-removal to drop them on purpose"
        )


def _kind(inputs: dict[str, Any], settings: dict[str, Any]) -> tuple[str, ...]:
    """What a version is built from: ``("exports",)``, or ``("corpus", kind, language)``."""
    if "corpus" in inputs:
        return "corpus", str(settings.get("corpus")), str(settings.get("language", "en"))
    return ("exports",)


def _describe_kind(kind: tuple[str, ...], files: list[dict[str, str]]) -> str:
    names = ", ".join(item["name"] for item in files)
    if kind[0] == "exports":
        return f"Label Studio exports ({names})"
    corpus = {"claimbuster": "ClaimBuster", "checkthat": "CheckThat!"}.get(kind[1], kind[1])
    language = f", language {kind[2]}" if kind[1] == "checkthat" else ""
    return f"the {corpus} corpus ({names}{language})"


def check_same_kind(prepared: Prepared, dataset_dir: Path, parent_dir: Path | None, settings: dict[str, Any]) -> None:
    """Refuse a version built from another kind of input than the dataset's latest version:
    a corpus into a dataset of Label Studio labels (or the reverse), or another corpus or
    CheckThat! language. Such a version would not revise the dataset but replace it: every
    sentence removed and others added, under one changelog and card, while review, train,
    evaluate and ``tasks --exclude`` read the latest version. ``--allow-removal`` does not
    apply: it drops some sentences of a dataset on purpose, not the dataset.

    Raises
    ------
    InputError
        Both kinds, how many labeled sentences the dataset holds, and a new folder to build into.
    """
    if parent_dir is None:
        return
    manifest = load_manifest(parent_dir)
    before = _kind(manifest.inputs, manifest.settings)
    now = _kind(prepared.inputs, settings)
    if before == now:
        return
    tag = "labels" if now[0] == "exports" else "-".join(now[1:] if now[2] != "en" else now[1:2])
    raise InputError(
        f"{dataset_dir}: its latest version {parent_dir.name} was built from {_describe_kind(before, manifest.inputs.get(before[0], []))}, "
        f"and this build reads {_describe_kind(now, prepared.inputs.get(now[0], []))}: a version of it would replace the dataset's "
        f"{manifest.counts.total} labeled sentence(s) with another collection rather than revise them (its changelog, diff and card "
        "would show every sentence removed); nothing was written. Build it into a dataset folder of its own "
        f"(e.g. --dataset {dataset_dir.with_name(f'{dataset_dir.name}-{tag}')}); --allow-removal does not apply here, it drops "
        "sentences of the same collection"
    )


def check_adjudications_kept(prepared: Prepared, parent_dir: Path | None, adjudicated: set[str]) -> None:
    """Refuse a version that would silently lose the latest version's adjudicated labels.

    A version is built from all of its inputs, adjudications included: a build of the next
    round given the exports but not the adjudication export(s) would put the majority back
    on every sentence a person adjudicated (and leave its ties unresolved). Compared by
    content, so a newer pull of the same adjudication project is as good as the old file.
    ``adjudicated``: the latest version's sentences labeled by adjudication (:func:`_parent_splits`).

    Raises
    ------
    InputError
        How many adjudicated labels would be lost, the files that decided them, and the two ways on.
    """
    if parent_dir is None or prepared.annotations is None:
        return
    manifest = load_manifest(parent_dir)
    if "adjudications" not in manifest.inputs:
        return
    kept = {row.sentence_id for row in prepared.rows if row.label_source == ADJUDICATION}
    lost = adjudicated - kept
    if lost:
        files = ", ".join(item["name"] for item in manifest.inputs["adjudications"])
        raise InputError(
            f"{len(lost)} label(s) of version {parent_dir.name} were decided by adjudication ({files}), and this build would put "
            "the annotators' majority (or an unresolved tie) back on them; nothing was written. A version is built from all of "
            "its inputs: pass the adjudication export(s) again with --adjudication FILE (a newer pull of the same project is "
            "fine), or pass --allow-removal to drop them on purpose"
        )


def _splits_moved(parent_dir: Path | None, before: dict[str, str], by_split: dict[str, list[Row]]) -> list[str]:
    """A warning when sentences of the latest version change split (a new ``--seed`` or
    ``--group-by`` redraws them): a model trained on the old train split would then be
    tested on some of its own training sentences. ``before``: :func:`_parent_splits`."""
    if parent_dir is None:
        return []
    moved = Counter((before[r.sentence_id], split) for split, rows in by_split.items() for r in rows
                    if r.sentence_id in before and before[r.sentence_id] != split)
    if not moved:
        return []
    settings = load_manifest(parent_dir).settings
    into_test = sum(count for (old, new), count in moved.items() if new == "test" and old == "train")
    return [f"{sum(moved.values())} sentence(s) of version {parent_dir.name} changed split ("
            + ", ".join(f"{old} -> {new} {count}" for (old, new), count in sorted(moved.items()))
            + f"; it was built with seed {settings.get('seed')} and group-by {settings.get('group_by')!r}): "
            + (f"a model trained on {parent_dir.name} would be tested on {into_test} of its own training sentences; " if into_test else "")
            + "keep the dataset's --seed and --group-by unless you mean to redraw the splits"]


def _parent_splits(parent_dir: Path | None) -> tuple[dict[str, str], set[str]]:
    """``sentence_id -> split`` of the latest version, and its sentences labeled by adjudication
    (both empty without one): its parquet files read once per build."""
    if parent_dir is None:
        return {}, set()
    import pyarrow.parquet as pq

    splits, adjudicated = {}, set()
    for file in sorted((parent_dir / "data").glob("*.parquet")):
        table = pq.read_table(file, columns=["sentence_id", "label_source"])
        for sid, source in zip(table.column("sentence_id").to_pylist(), table.column("label_source").to_pylist()):
            splits[sid] = file.stem
            if source == ADJUDICATION:
                adjudicated.add(sid)
    return splits, adjudicated


def commit_version(
    prepared: Prepared,
    dataset_dir: str | os.PathLike,
    config: BuildConfig,
    *,
    version: str | None = None,
    settings: dict[str, Any] | None = None,
    finish: Callable[[Path], None] | None = None,
    wait: float = 0.0,
    allow_removal: bool = False,
) -> BuildResult:
    """Assign splits, find leakage, and write a prepared version atomically (or find its twin).

    Parameters
    ----------
    prepared : Prepared
        Rows and reports from :func:`prepare_annotations` or a corpus adapter.
    dataset_dir : path-like
        The dataset directory.
    config : BuildConfig
        Build settings.
    version : str, optional
        The new version; bumped from the latest when None.
    settings : dict, optional
        Extra settings recorded in the manifest and the fingerprint (e.g. the corpus kind).
    finish : callable, optional
        ``finish(version_dir)`` adds what is made from the data before the version
        becomes visible (the card and Croissant, the evaluation): the version is whole
        or absent.
    wait : float, default=0
        Seconds to wait for another command that holds the dataset's lock.
    allow_removal : bool, default=False
        Let the new version drop labeled sentences of the latest version that none of its
        exports holds, or adjudicated labels that none of its adjudication exports decides
        (``build --allow-removal``); refused by default (see :func:`check_nothing_dropped`
        and :func:`check_adjudications_kept`).

    Returns
    -------
    BuildResult

    Raises
    ------
    InputError
        No row, a ``version`` below the latest, or (without ``allow_removal``) labeled sentences
        or adjudicated labels of the latest version that the inputs no longer hold; a dataset
        folder where ``CHANGELOG.md`` cannot be written (checked before the version is made).
    ChangelogNotWrittenError
        The version was made and kept (or found), but ``CHANGELOG.md`` could not be written
        (its ``result`` is the version); the same build again rebuilds it.
    """
    with _build_lock(dataset_dir, wait):
        return _commit_version(prepared, Path(dataset_dir), config, version, settings, finish, allow_removal)


def _commit_version(prepared: Prepared, dataset_dir: Path, config: BuildConfig, version: str | None,
                    settings: dict[str, Any] | None, finish: Callable[[Path], None] | None, allow_removal: bool = False) -> BuildResult:
    dataset_dir = Path(dataset_dir)
    cleaned = remove_unfinished(dataset_dir)
    scheme = load_scheme(config.scheme)
    all_settings = {**config.to_dict(), **(settings or {})}
    fp = fingerprint({"build_format": BUILD_FORMAT, "settings": all_settings, "scheme": [scheme.name, scheme.version], "content": prepared.content})
    for existing in list_versions(dataset_dir):
        manifest = load_manifest(dataset_dir / "versions" / existing)
        if manifest.fingerprint == fp:
            result = BuildResult(existing, dataset_dir / "versions" / existing, False, manifest,
                                 [f"version {existing} already has these inputs and settings (fingerprint {fp}); nothing was written"])
            if _refresh_changelog(dataset_dir, result):
                result.warnings[0] = (f"version {existing} already has these inputs and settings (fingerprint {fp}); no version was "
                                      f"written, but {dataset_dir / CHANGELOG} did not match the versions (a build that could not "
                                      "write it, or an edit) and was rebuilt from them")
            return result
    if not prepared.rows:
        raise InputError("no sentence has a gold label (no annotations, or every one unresolved or skipped); nothing was written")

    parent = latest_version(dataset_dir)
    parent_dir = dataset_dir / "versions" / parent if parent else None
    check_same_kind(prepared, dataset_dir, parent_dir, all_settings)
    parent_splits, parent_adjudicated = _parent_splits(parent_dir)
    in_parent = set(parent_splits)
    if not allow_removal:
        check_nothing_dropped(prepared, parent_dir, parent_splits)
        check_adjudications_kept(prepared, parent_dir, parent_adjudicated)
    if version is not None and (dataset_dir / "versions" / version).exists():
        raise VersionExistsError(f"{dataset_dir / 'versions' / version}: version {version} already exists and is never overwritten; choose another --version or omit it")
    if version is not None and parent is not None and version_key(version) < version_key(parent):
        raise InputError(f"--version {version} is below the latest version {parent} of {dataset_dir}; versions only go up (review, evaluate, "
                         "train and tasks --exclude read the latest one): choose a version above it, or omit --version to bump it")

    rows = prepared.rows
    splits = prepared.fixed_splits or [assign_split(g, config.seed) for g in prepared.groups]
    order = sorted(range(len(rows)), key=lambda i: (rows[i].sentence_id not in in_parent, i))
    ids = [rows[i].sentence_id for i in order]
    texts = [rows[i].text for i in order]
    ordered_splits = [splits[i] for i in order]
    clusters = find_leakage(texts, ordered_splits, threshold=config.near_duplicate_threshold)
    removed = {order[i] for i in later_copies(clusters, ordered_splits)} if config.dedupe else set()
    warnings = list(prepared.warnings) + [f"removed {name}, left by an interrupted build" for name in cleaned]
    items = leakage_report(clusters, ids, texts, ordered_splits)
    kinds = Counter(item["kind"] for item in items)
    leakage = Leakage(
        clusters=len(clusters),
        sentences=sum(len(c) for c in clusters),
        exact=kinds["exact"],
        near=kinds["near"],
        removed=sorted(rows[i].sentence_id for i in removed),
        items=items,
    )
    if clusters:
        warnings.append(
            f"{len(clusters)} group(s) of identical or near-identical sentences span several splits "
            + (f"({len(removed)} later copies removed by --dedupe{_removed_from(removed, splits)})" if config.dedupe
               else "(see 'leakage' in manifest.json; --dedupe removes the later copies)")
        )

    by_split: dict[str, list[Row]] = {s: [] for s in SPLITS}
    for i, row in enumerate(rows):
        if i not in removed:
            by_split[splits[i]].append(row)
    if version is None:
        version = _bump(parent_dir, scheme.name, in_parent, {r.sentence_id for split in by_split.values() for r in split})
    empty = [s for s in SPLITS if not by_split[s]]
    if empty and prepared.fixed_splits is not None:
        warnings.append(f"split(s) {', '.join(empty)} empty: the corpus has no rows for them; empty splits are not written")
    elif empty:
        warnings.append(
            f"split(s) {', '.join(empty)} empty: only {len(set(prepared.groups))} group(s) to split 80/10/10; "
            "add articles (or change --seed) for a usable split; empty splits are not written"
        )
    elif prepared.fixed_splits is None:
        groups_in = {split: set() for split in SPLITS}
        for i, split in enumerate(splits):
            if i not in removed:
                groups_in[split].add(prepared.groups[i])
        warnings += _lopsided_splits(by_split, groups_in, config)
    warnings += _languages_missing_from_splits(by_split)
    warnings += _splits_moved(parent_dir, parent_splits, by_split)
    manifest = Manifest(
        version=version,
        parent=parent,
        fingerprint=fp,
        scheme=scheme.name,
        scheme_version=scheme.version,
        settings=all_settings,
        inputs=prepared.inputs,
        counts=SplitCounts(**{s: len(by_split[s]) for s in SPLITS}, total=sum(len(v) for v in by_split.values())),
        label_distribution={s: {n: c for n, c in sorted(Counter(r.label for r in by_split[s]).items(), key=lambda kv: scheme.names.index(kv[0]))} for s in SPLITS},
        agreement=prepared.report.get("agreement"),
        agreement_by_language=prepared.report.get("agreement_by_language"),
        annotator_quality=gold_per_split(quality, by_split) if (quality := prepared.report.get("annotator_quality")) else None,
        annotations=prepared.report.get("annotations"),
        unresolved=prepared.report.get("unresolved", []),
        skipped=prepared.report.get("skipped", []),
        corpus_problems=prepared.report.get("corpus_problems", []),
        leakage=leakage,
        warnings=warnings,
        package_version=__version__,
        created_with=_created_with(),
        selection=prepared.report.get("selection"),
        adjudication=prepared.report.get("adjudication"),
    )
    validate(manifest.to_dict(), "manifest", "manifest.json")
    written: list[Manifest] = []

    def write(tmp: Path) -> None:
        _write_splits(tmp, scheme, by_split)
        if prepared.annotations is not None:
            _write_annotations(tmp / "annotations.parquet", prepared.annotations)
        final = dataclasses.replace(manifest, files=file_digests(tmp))
        atomic_write_json(tmp / "manifest.json", final.to_dict())
        write_readme(tmp, scheme, [s for s in SPLITS if by_split[s]], final)
        written.append(final)

    _check_changelog_writable(dataset_dir)
    target = commit_directory(dataset_dir, version, write, finish)
    result = BuildResult(version, target, True, written[0], warnings)
    try:
        if write_changelog(dataset_dir) is None:
            warnings.append(f"{dataset_dir / CHANGELOG} was not written by checkworthy: left alone (the card has the changelog)")
    except OSError as exc:
        raise ChangelogNotWrittenError(result, dataset_dir, exc) from exc
    return result


#: The changelog of a dataset, in its folder (:func:`checkworthy.builder.diff.write_changelog`).
CHANGELOG = "CHANGELOG.md"


class ChangelogNotWrittenError(CheckworthyError, OSError):
    """A build kept its new version (or found it) but could not write the dataset's ``CHANGELOG.md``.

    Attributes
    ----------
    result : BuildResult
        The version that was made (``created``) or found: it is whole and stays.
    """

    def __init__(self, result: BuildResult, dataset_dir: Path, exc: OSError):
        self.result = result
        made = (f"version {result.version} was built and kept at {result.path}" if result.created
                else f"version {result.version} at {result.path} already has these inputs and settings")
        super().__init__(f"{made}, but {dataset_dir / CHANGELOG} could not be written ({exc.strerror or exc}), so it does "
                         f"not match the versions; make {dataset_dir} writable (and the disk not full) and run the same build again: it makes no "
                         "new version and rebuilds CHANGELOG.md from the versions")


def _changelog_is_ours(dataset_dir: Path) -> str | None:
    """The text of the dataset's ``CHANGELOG.md`` ("" when there is none), or None when a
    ``CHANGELOG.md`` checkworthy did not write is there (builds leave it alone)."""
    path = dataset_dir / CHANGELOG
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8", errors="replace")
    return text if is_own_changelog(text) else None


def _check_changelog_writable(dataset_dir: Path) -> None:
    """Refuse, before the version is made, a build whose changelog could not be written
    afterwards (a dataset folder without write permission, while ``versions/`` has it)."""
    if _changelog_is_ours(dataset_dir) is None or os.access(dataset_dir, os.W_OK | os.X_OK):
        return
    raise InputError(f"{dataset_dir}: no permission to write in the dataset's folder, where every build rewrites {CHANGELOG} "
                     f"from the versions; nothing was written: make it writable (e.g. chmod u+w {dataset_dir}) and build again")


def _refresh_changelog(dataset_dir: Path, result: BuildResult) -> bool:
    """Rewrite the dataset's ``CHANGELOG.md`` when it is checkworthy's and differs from the
    versions (a build that kept its version but could not write it); True when rewritten.

    Raises
    ------
    ChangelogNotWrittenError
        It differs and could not be written.
    """
    current = _changelog_is_ours(dataset_dir)
    if current is None or current == changelog_text(dataset_dir):
        return False
    try:
        write_changelog(dataset_dir)
    except OSError as exc:
        raise ChangelogNotWrittenError(result, dataset_dir, exc) from exc
    return True


def _created_with() -> dict[str, str]:
    import datasets
    import pyarrow

    return {"checkworthy": __version__, "datasets": datasets.__version__, "pyarrow": pyarrow.__version__}


def _write_splits(root: Path, scheme: Scheme, by_split: dict[str, list[Row]]) -> None:
    """One parquet file per non-empty split, with the scheme's ``Features`` in its metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    feats = features(scheme)
    index = {name: i for i, name in enumerate(scheme.names)}
    (root / "data").mkdir()
    for split, rows in by_split.items():
        if not rows:
            continue
        columns = {name: [getattr(r, name) for r in rows] for name in feats}
        columns["label"] = [index[label] for label in columns["label"]]
        pq.write_table(pa.Table.from_pydict(columns, schema=feats.arrow_schema), root / "data" / f"{split}.parquet")


def _write_annotations(path: Path, table) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), path)


def _removed_from(removed: set[int], splits: Sequence[str]) -> str:
    """``: 3 from train, 1 from validation``: which splits ``--dedupe`` took sentences from
    (a corpus's validation loses its copies of sentences that are also in its test)."""
    counts = Counter(splits[i] for i in removed)
    return (": " + ", ".join(f"{counts[s]} from {s}" for s in SPLITS if counts[s])) if counts else ""
