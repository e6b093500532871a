"""``checkworthy tasks --engine ray``: the tasks stage on Ray Data, on this machine or a cluster.

The unit of work is an input file (a *shard*: a ``.jsonl.gz``, Parquet file, web
archive, ...). Ray Data reads each shard into batches of ``batch_size`` articles
(``flat_map``), then splits, scores and selects each batch (``map_batches``: a plain
function for the registered scorers, a pool of actors that load the model once each
for ``--scorer MODEL_DIR``). Each batch is written by its worker, atomically, as
Parquet under a work folder beside ``--out`` (``.OUT.ray-work``): every scored sentence
(``sentences/``), the articles (``articles/``) and the tasks of the batch, made by the
same functions as the local engine (``checkworthy.builder.tasks.make_tasks``). The
driver only counts: a shard whose batches are all written is appended to the work
folder's manifest of finished shards, so a killed run started again on the same
``--out`` redoes only the unfinished shards. At the end the driver checks the ids
across shards, assembles ``tasks.json``, ``articles.jsonl`` (the articles that have a
selected sentence) and ``label_config.xml``, and moves everything into ``--out`` at once.
With ``--strategy``/``--budget`` the workers make no tasks: the driver chooses over the
whole corpus from a few columns of ``sentences/`` (``choose``, as the local engine) and
writes the chosen tasks from a second read of only the parts that hold them.

Ray is imported only here and only when the engine runs (the optional extra ``scale``).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import sys
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkworthy import __version__
from checkworthy.builder.articles import EmptyArticleWarning, discover_article_files, read_article_file, same_article, warn_skipped
from checkworthy.builder.language import assign_languages, language_conflict, normalise_language, warn_language_conflicts
from checkworthy.builder.sampling import SELECTION_FILE, Pick, Sampling, choose, labeled_sentence_ids
from checkworthy.builder.select import LETTER_RE2, MODEL_SCORERS, SCORERS, Scorer, Selection, get_scorer
from checkworthy.builder.split import describe_splitter
from checkworthy.builder.tasks import (
    CONTEXT_SENTENCES,
    check_out_dir,
    chosen_task,
    load_page_scheme,
    make_tasks,
    no_article_message,
    process_article,
    selection_record,
    warn_page_language,
)
from checkworthy.schemas import load_scheme, validate
from checkworthy.schemas.errors import CheckworthyError, InputError
from checkworthy.schemas.io import atomic_directory, canonical_json, is_quiet, progress
from checkworthy.schemas.records import Article, Sentence

#: Articles per batch of ``map_batches`` (``--batch-size``): large enough to keep per-batch
#: overheads small, small enough that a batch of long articles fits a worker's memory.
DEFAULT_BATCH_SIZE = 500

#: What ``write_tasks_ray`` writes into ``--out`` (folders of Parquet shards end in ``/``).
OUTPUT_FILES = ("articles.jsonl", "tasks.json", "label_config.xml", "sentences/", "articles/")

#: The work folder beside ``--out`` (``.OUT.ray-work``) that a restarted run resumes from.
WORK_SUFFIX = ".ray-work"

_SETTINGS_FILE = "settings.json"
_FINISHED_FILE = "finished.jsonl"


class RayNotInstalledError(InputError):
    """``--engine ray`` without the optional extra ``scale``."""


_NOT_INSTALLED = "--engine ray needs Ray Data: pip install 'checkworthy[scale]' (or pip install 'ray[data]'), or use --engine local"


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide the Ray engine runs.

    Parameters
    ----------
    address : str, optional
        A running Ray cluster (``ray://host:10001``, ``host:6379`` or ``auto``); else the
        ``RAY_ADDRESS`` environment variable; else Ray starts on this machine for the run.
    workers : int, optional
        Batches processed at once (tasks, or actors of a model scorer); by default
        every CPU of the cluster for the heuristic scorer and 2 actors for a model.
    batch_size : int, default=DEFAULT_BATCH_SIZE
        Articles per batch.
    """

    address: str | None = None
    workers: int | None = None
    batch_size: int = DEFAULT_BATCH_SIZE

    def __post_init__(self):
        if self.workers is not None and self.workers < 1:
            raise InputError(f"--workers must be 1 or more, got {self.workers}")
        if self.batch_size < 1:
            raise InputError(f"--batch-size must be 1 or more articles, got {self.batch_size}")


def write_tasks_ray(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    *,
    scheme: str = "claimbuster",
    select: str | Selection = "all",
    scorer: str | Scorer = "heuristic",
    overwrite: bool = False,
    context: int = CONTEXT_SENTENCES,
    sampling: Sampling | None = None,
    exclude: Sequence[str | os.PathLike] = (),
    blind: bool = False,
    skip_invalid: bool = False,
    language: str | None = None,
    page_language: str | None = None,
    options: RayOptions = RayOptions(),
) -> dict[str, int]:
    """``checkworthy.builder.tasks.write_tasks`` on Ray Data; same arguments, same ``tasks.json``.

    ``--out`` gets ``tasks.json`` and ``label_config.xml`` as from the local engine,
    ``articles.jsonl`` with only the articles that have a selected sentence, and
    every scored sentence and every article as Parquet shards (``sentences/``,
    ``articles/``) instead of ``sentences.jsonl``.

    ``sampling``, ``exclude`` and ``blind`` as for ``write_tasks``: with a strategy, the
    driver reads only the columns ``choose`` needs (ids, article ids, role, score; texts
    for ``diverse``) of every scored sentence once all shards are scored, chooses over
    the whole corpus with the same :func:`checkworthy.builder.sampling.choose`, then
    reads again only the parts holding a chosen sentence's article to write its task.
    ``selection.json`` records the choice as on the local engine. A ``Scorer`` instance
    (``tasks --model``: trained once, here) goes to a pool of actors like a model directory.

    Raises
    ------
    RayNotInstalledError
        Ray Data is not installed (``pip install 'checkworthy[scale]'``).
    InputError
        As ``write_tasks``: every unreadable file and record listed at once (unless
        ``skip_invalid``), an unknown scheme, scorer or selection, a bad ``out_dir``.
    VersionExistsError
        ``out_dir`` exists and ``overwrite`` is False.
    """
    out_dir = Path(out_dir)
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    scheme_obj = load_page_scheme(scheme, page_language)
    selection = Selection.parse(select) if isinstance(select, str) else select
    if context < 0:
        raise InputError(f"--context must be 0 or more sentences, got {context}")
    if language is not None:
        language = normalise_language(language, "--language")
    check_out_dir(out_dir, paths, overwrite)
    if sampling is not None and selection.mode != "all":
        raise InputError(f"choose either a strategy ({sampling.strategy}) or a per-article selection ({selection}), not both")
    scorer_obj = get_scorer(scorer)
    model_version = scorer_obj.model_version
    excluded_ids: set[str] = set()
    excluded_from = []
    for ref in exclude:
        ids, info = labeled_sentence_ids(ref)
        excluded_ids |= ids
        excluded_from.append({**info, "labeled": len(ids)})
    files = discover_article_files(paths)
    if importlib.util.find_spec("ray") is None:
        raise RayNotInstalledError(_NOT_INSTALLED)
    if isinstance(scorer, Scorer):
        scorer_name = f"{scorer.name}-{scorer.version}:{model_version}"
    else:
        scorer_name = scorer if scorer in SCORERS else str(Path(scorer).resolve())
    settings = {
        "checkworthy": __version__, "splitter": describe_splitter(), "scheme": scheme_obj.name, "select": str(selection),
        "scorer": scorer_name, "model_version": model_version,
        "context": context, "batch_size": options.batch_size, "skip_invalid": skip_invalid,
        "blind": blind, "collect": sampling is not None,
    }
    if language is not None:  # absent unless given, so that runs resumed from before it existed still match
        settings["language"] = language
    if scheme_obj.language != load_scheme(scheme).language:  # absent unless asked for, as "language" above
        settings["page_language"] = scheme_obj.language
    if language is not None:  # the languages of the workers' articles are not known here
        warn_page_language({language}, scheme_obj, page_language)
    work = out_dir.parent / f".{out_dir.name}{WORK_SUFFIX}"
    finished = _resume(work, settings, files)
    pending = [(index, path) for index, path in enumerate(files) if index not in finished]
    if pending:
        if isinstance(scorer, Scorer):
            factory = _Given(scorer)
        else:
            factory = None if scorer in SCORERS else next(iter(MODEL_SCORERS.values()))
        with _ray(options.address):
            _run(pending, work, settings, factory, options, finished, total=len(files))
    shards = [finished[index] for index in range(len(files))]
    problems = [problem for shard in shards for problem in shard["problems"]]
    for shard in shards:
        for message in shard["empty"]:
            warnings.warn(message, EmptyArticleWarning, stacklevel=2)
    warn_language_conflicts([c for shard in shards for c in shard.get("conflicts", [])])  # not in a shard done before they were kept
    duplicates, skipped = _duplicates(work, shards)
    problems += duplicates
    if problems and not skip_invalid:
        raise InputError(problems, header=f"cannot read the articles ({len(problems)} problem(s)); fix or remove these inputs, or pass --skip-invalid "
                                          f"(the shards already done are kept in {work} for the next run):")
    if problems:
        warn_skipped(problems)
    if not sum(shard["articles"] for shard in shards):
        shutil.rmtree(work)  # nothing to resume: every article was empty or left out
        raise InputError(no_article_message(paths))
    plan = _Plan(scheme_obj, selection, scorer_obj, context, sampling, frozenset(excluded_ids), excluded_from, blind)
    counts = _write_output(work, out_dir, shards, skipped, plan, overwrite=overwrite, inputs=paths)
    shutil.rmtree(work)
    return counts


@contextlib.contextmanager
def _ray(address: str | None) -> Iterator[None]:
    """Connect to ``address`` (or ``RAY_ADDRESS``), or start Ray on this machine; quiet, no dashboard.

    A Ray already initialised by the caller (a notebook, the tests) is used as it is and left running.
    Without an address a new Ray is started (``address="local"``): a bare ``ray.init()``
    would instead connect to the last cluster ``ray start`` made on this machine, as
    ``/tmp/ray/ray_current_cluster`` names it even after that cluster has gone.
    """
    try:
        import ray  # the optional extra 'scale': imported only when the engine runs
    except ImportError:
        raise RayNotInstalledError(_NOT_INSTALLED) from None
    if ray.is_initialized():
        yield
        return
    address = address or os.environ.get("RAY_ADDRESS") or None
    kwargs: dict[str, Any] = {"address": address} if address else {"address": "local", "include_dashboard": False}
    ray.init(**kwargs, log_to_driver=False, logging_level=logging.ERROR)
    try:
        yield
    finally:
        ray.shutdown()


def _run(pending: list[tuple[int, Path]], work: Path, settings: dict, factory, options: RayOptions, finished: dict, *, total: int) -> None:
    """Process the ``pending`` shards on Ray Data; record each shard in ``finished`` (and the manifest) once all its batches are written."""
    import ray.data  # the optional extra 'scale'

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # one bar of our own (shards done), not Ray's per-operator bars
    context.print_on_execution_start = False
    context.enable_auto_log_stats = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    for folder in ("sentences", "articles", "tasks"):
        (work / folder).mkdir(parents=True, exist_ok=True)
    rows = [{"shard": index, "path": str(path)} for index, path in pending]
    dataset = ray.data.from_items(rows, override_num_blocks=len(rows))
    # Reads take no CPU (below), so Ray would start one per shard at once, each a worker process
    # of some 200 MB (100 of them on a 2-core machine): as many as there are CPUs in the cluster.
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    readers = options.workers or cpus
    # Reading (gunzip and JSON; languages are detected on the workers) is light beside splitting and
    # scoring, so it reserves no CPU, and as many reads run at once as there are workers: with a CPU
    # each, a read took one of the workers' CPUs and 2 workers ran at 1.1x the speed of 1. Beside a
    # pool of model actors it must take none anyway: the actors can hold every CPU while they wait
    # for batches that no read task may start to make.
    dataset = dataset.flat_map(_read_shard, fn_kwargs={"batch_size": options.batch_size, "skip_invalid": settings["skip_invalid"],
                                                          "language": settings.get("language")},
                               num_cpus=0, concurrency=readers)
    worker_settings = {**settings, "work": str(work)}
    if factory is None:
        dataset = dataset.map_batches(_process_batches, fn_kwargs={"settings": worker_settings}, batch_size=1, concurrency=options.workers)
    else:
        # max_restarts=0: Ray Data restarts a dead actor forever by default (and retries its batch forever:
        # a model too large for a worker's memory would never end), and Ray's core worker prints an error
        # line on stderr for every such actor whose arguments are in the object store (ray-project/ray#53727).
        # A dead actor ends the run instead; the shards written so far are kept, and the next run resumes.
        with warnings.catch_warnings():  # Ray 2.60 names no max_restarts parameter yet, and warns on extra remote args
            warnings.filterwarnings("ignore", message="`ray_remote_args` is deprecated")
            dataset = dataset.map_batches(_BatchWorker, fn_constructor_kwargs={"settings": worker_settings, "factory": factory}, batch_size=1,
                                          concurrency=options.workers or 2, max_restarts=0)
    if not is_quiet():
        resumed = f", {total - len(pending)} already done (resuming from {work})" if len(pending) < total else ""
        print(f"ray: {len(pending)} shard(s) to split and score{resumed}", file=sys.stderr)
    bar = progress(total=total, initial=total - len(pending), desc="shards", unit="shard")
    done: dict[int, list[dict]] = {}
    paths = dict(pending)
    with open(work / _FINISHED_FILE, "a", encoding="utf-8") as manifest, _worker_deaths(work, finished):
        for row in dataset.iter_rows():
            batches = done.setdefault(row["shard"], [])
            batches.append(row)
            if len(batches) < row["batches"]:
                continue
            shard = _shard_entry(row["shard"], paths[row["shard"]], sorted(batches, key=lambda b: b["batch"]))
            manifest.write(canonical_json(shard) + "\n")
            manifest.flush()
            os.fsync(manifest.fileno())
            finished[shard["shard"]] = shard
            del done[row["shard"]]
            bar.update()
            bar.set_postfix(articles=sum(s["articles"] for s in finished.values()))
    bar.close()


@contextlib.contextmanager
def _worker_deaths(work: Path, finished: dict):
    """A Ray worker or model actor that died (out of memory, killed) ends the run with a
    :class:`~checkworthy.schemas.errors.CheckworthyError` that says what is kept and how to go on."""
    import ray.exceptions

    died = tuple(getattr(ray.exceptions, name) for name in ("ActorDiedError", "WorkerCrashedError", "OutOfMemoryError", "NodeDiedError")
                 if hasattr(ray.exceptions, name))
    try:
        yield
    except died as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CheckworthyError(
            f"a Ray worker died while splitting and scoring ({type(exc).__name__}: {first}); {len(finished)} finished shard(s) "
            f"are kept in {work}: run the same command again to resume. If it was memory (a large model or --batch-size), "
            "give fewer --workers or a smaller --batch-size"
        ) from exc


def _shard_entry(index: int, path: Path, batches: list[dict]) -> dict:
    """The manifest line of a finished shard."""
    stat = path.stat()
    return {
        "shard": index, "path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
        "batches": [b["batch"] for b in batches if b["written"]],
        "articles": sum(b["articles"] for b in batches), "sentences": sum(b["sentences"] for b in batches), "tasks": sum(b["tasks"] for b in batches),
        "problems": [p for b in batches for p in json.loads(b["problems"])], "empty": [e for b in batches for e in json.loads(b["empty"])],
        "conflicts": [c for b in batches for c in json.loads(b["conflicts"])],
        "nodes": sorted({b["node"] for b in batches}),
    }


def _resume(work: Path, settings: dict, files: list[Path]) -> dict[int, dict]:
    """The finished shards of an earlier run with the same settings and unchanged files; a fresh work folder otherwise."""
    finished: dict[int, dict] = {}
    settings_file = work / _SETTINGS_FILE
    if settings_file.is_file() and json.loads(settings_file.read_text(encoding="utf-8")) == settings:
        with open(work / _FINISHED_FILE, encoding="utf-8") as handle:
            for line in handle:
                try:
                    shard = json.loads(line)
                except json.JSONDecodeError:  # the last line of a run killed while writing it
                    continue
                index = shard["shard"]
                if index < len(files) and _unchanged(shard, files[index], work):
                    finished[index] = shard
        return finished
    if work.exists() and not settings_file.is_file():
        raise InputError(f"{work}: exists but is not the work folder of 'checkworthy tasks --engine ray' (no {_SETTINGS_FILE}); move it away")
    if work.exists():  # an earlier run with other settings: start again
        shutil.rmtree(work)
    work.mkdir(parents=True)
    (work / _FINISHED_FILE).touch()
    settings_file.write_text(canonical_json(settings, indent=2) + "\n", encoding="utf-8")
    return finished


def _unchanged(shard: dict, path: Path, work: Path) -> bool:
    if str(path) != shard["path"] or not path.is_file():
        return False
    stat = path.stat()
    parts = [work / folder / _part_name(shard["shard"], batch) for batch in shard["batches"] for folder in ("sentences", "articles")]
    return stat.st_size == shard["size"] and stat.st_mtime_ns == shard["mtime_ns"] and all(part.is_file() for part in parts)


def _part_name(shard: int, batch: int) -> str:
    return f"part-{shard:06d}-{batch:05d}.parquet"


# --- on the workers -------------------------------------------------------------------


def _read_shard(row: dict[str, Any], *, batch_size: int, skip_invalid: bool, language: str | None = None) -> list[dict[str, Any]]:
    """One shard as batches of ``batch_size`` articles (JSON), with the shard's problems in the first.

    A shard with problems, when they are not to be skipped, gives no articles: the run
    stops at the end anyway, and the shard is read again once it is fixed.
    """
    path = Path(row["path"])
    articles, problems = read_article_file(path)
    empty = [f"{a.path}: empty article {a.article_id!r} (no text); skipped" for a in articles if not a.text.strip()]
    articles = [a for a in articles if a.text.strip()]
    kept, conflicts = [], []
    for article in articles:  # one by one, so that a bad language code skips only its article
        if language is None and article.language is None:
            kept.append(article)  # detected on the worker: the read stays light, the CPU work is the workers'
        else:
            try:
                kept.extend(assign_languages([article], language))
            except InputError as exc:
                problems = problems + exc.problems
                continue
        if conflict := language_conflict(article, language):
            conflicts.append(conflict)
    articles = kept
    if problems and not skip_invalid:
        articles = []
    batches = [articles[i : i + batch_size] for i in range(0, len(articles), batch_size)] or [[]]
    return [
        {
            "shard": row["shard"], "batch": number, "batches": len(batches),
            "articles": json.dumps([a.to_dict() for a in batch], ensure_ascii=False),
            "problems": json.dumps(problems if number == 0 else []), "empty": json.dumps(empty if number == 0 else []),
            "conflicts": json.dumps(conflicts if number == 0 else []),
        }
        for number, batch in enumerate(batches)
    ]


class _Given:
    """The model factory of a scorer made in the driver (``tasks --model``): each actor gets a copy of it."""

    def __init__(self, scorer: Scorer):
        self.scorer = scorer

    def __call__(self, name: str) -> Scorer:
        return self.scorer


class _BatchWorker:
    """Splits, scores and selects batches of articles and writes them; holds the scorer (a model is loaded once per actor)."""

    def __init__(self, settings: dict[str, Any], factory=None):
        self.settings = settings
        self.work = Path(settings["work"])
        self.scheme = load_scheme(settings["scheme"], settings.get("page_language"))
        self.selection = Selection.parse(settings["select"])
        self.scorer = factory(settings["scorer"]) if factory is not None else get_scorer(settings["scorer"])

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        results = [self._one(*row) for row in zip(batch["shard"], batch["batch"], batch["batches"], batch["articles"], batch["problems"], batch["empty"],
                                            batch["conflicts"])]
        return {key: [result[key] for result in results] for key in results[0]}

    def _one(self, shard: int, number: int, batches: int, articles_json: str, problems: str, empty: str, conflicts: str) -> dict[str, Any]:
        import pyarrow as pa  # a dependency of Ray Data, loaded on the workers only

        articles = assign_languages([Article.from_dict(record) for record in json.loads(articles_json)], self.settings.get("language"))
        sentence_rows: list[dict[str, Any]] = []
        article_rows: dict[str, list] = {"article_id": [], "id_hash": [], "record": [], "tasks": []}
        tasks_total = 0
        for article in articles:
            sentences = process_article(article, self.scorer)
            for sentence in sentences:
                record = sentence.to_dict()
                validate(record, "sentence", f"sentences: {sentence.sentence_id}")
                sentence_rows.append({**record, "context": canonical_json(record["context"])})
            tasks = [] if self.settings["collect"] else make_tasks(
                [article], sentences, self.scheme, selection=self.selection, model_version=self.settings["model_version"],
                context=self.settings["context"], blind=self.settings["blind"])
            validate(tasks, "tasks", f"tasks.json: tasks of article {article.article_id!r}")
            record = article.to_dict()
            validate(record, "article", f"articles.jsonl: article_id {article.article_id!r}")
            article_rows["article_id"].append(article.article_id)
            article_rows["id_hash"].append(id_hash(article.article_id))
            article_rows["record"].append(canonical_json(record))
            article_rows["tasks"].append([canonical_json(task) for task in tasks])
            tasks_total += len(tasks)
        if articles:
            _write_parquet(pa.Table.from_pylist(sentence_rows, schema=sentence_schema()), self.work / "sentences" / _part_name(shard, number))
            _write_parquet(pa.Table.from_pydict(article_rows, schema=article_schema()), self.work / "articles" / _part_name(shard, number))
        return {"shard": shard, "batch": number, "batches": batches, "node": _node_id(), "written": bool(articles), "articles": len(articles),
                "sentences": len(sentence_rows), "tasks": tasks_total, "problems": problems, "empty": empty,
                "conflicts": conflicts}


def _process_batches(batch: dict[str, Any], *, settings: dict[str, Any]) -> dict[str, list]:
    """The plain batch function of the registered scorers (the heuristic): no state to keep."""
    return _BatchWorker(settings)(batch)


def _node_id() -> str:
    """The Ray node this worker runs on (recorded in the manifest: which machine did which shard)."""
    import ray  # on a worker, Ray is there

    return ray.get_runtime_context().get_node_id()


def id_hash(article_id: str) -> int:
    """A 64-bit hash of an article id: the ids of millions of articles are compared as numbers."""
    return int.from_bytes(hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).digest(), "big")


def sentence_schema():
    """The columns of ``sentences/*.parquet``: a sentence record, its ``context`` as canonical JSON."""
    import pyarrow as pa  # a dependency of Ray Data

    return pa.schema([
        ("sentence_id", pa.string()), ("article_id", pa.string()), ("index", pa.int32()), ("start", pa.int64()), ("end", pa.int64()),
        ("text", pa.string()), ("role", pa.string()), ("text_sha256", pa.string()), ("score", pa.float64()), ("reason", pa.string()),
        ("context", pa.string()), ("language", pa.string()),
    ])


def article_schema():
    """The columns of ``articles/*.parquet``: the article record as written in ``articles.jsonl``, and its selected tasks."""
    import pyarrow as pa  # a dependency of Ray Data

    return pa.schema([("article_id", pa.string()), ("id_hash", pa.uint64()), ("record", pa.string()), ("tasks", pa.list_(pa.string()))])


def _write_parquet(table, path: Path) -> None:
    """Write ``table`` to ``path`` atomically: a retried or restarted batch replaces its file whole, never doubles it."""
    import pyarrow.parquet as pq  # a dependency of Ray Data

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


# --- at the end, on the driver ----------------------------------------------------------


def _parts(work: Path, shards: list[dict], folder: str) -> Iterator[Path]:
    for shard in shards:
        for batch in shard["batches"]:
            yield work / folder / _part_name(shard["shard"], batch)


def _duplicates(work: Path, shards: list[dict]) -> tuple[list[str], set[tuple[str, str]]]:
    """Problems for article ids used twice across the corpus, and the ``(part, id)`` of each later use
    (a later use that is the same article, :func:`~checkworthy.builder.articles.same_article`, is dropped without a problem).

    The driver holds 8 bytes per article (:func:`id_hash`); only the parts holding a
    repeated hash are read again to name the articles.
    """
    import numpy as np
    import pyarrow.parquet as pq  # a dependency of Ray Data

    parts = list(_parts(work, shards, "articles"))
    if not parts:
        return [], set()
    hashes = np.concatenate([pq.read_table(part, columns=["id_hash"])["id_hash"].to_numpy() for part in parts])
    values, counts = np.unique(hashes, return_counts=True)
    repeated = set(values[counts > 1].tolist())
    if not repeated:
        return [], set()
    first: dict[str, dict] = {}
    problems, skipped = [], set()
    for part in parts:
        table = pq.read_table(part, columns=["article_id", "id_hash", "record"]).to_pylist()
        for row in table:
            if row["id_hash"] not in repeated:
                continue
            record = json.loads(row["record"])
            if row["article_id"] not in first:
                first[row["article_id"]] = record
                continue
            skipped.add((part.name, row["article_id"]))
            if not same_article(first[row["article_id"]], record):  # the same article read twice is read once, as on the local engine
                problems.append(f"{record['path']}: duplicate article id {row['article_id']!r}, already used by "
                                f"{first[row['article_id']]['path']}; give each article its own id")
    return problems, skipped


@dataclass(frozen=True)
class _Plan:
    """What the driver does with the scored corpus: per-article tasks, or a choice over all of it."""

    scheme: Any
    selection: Selection
    scorer: Scorer
    context: int
    sampling: Sampling | None
    exclude: frozenset[str]
    exclude_from: list[dict]
    blind: bool

    @property
    def recorded(self) -> bool:
        """Whether ``selection.json`` is written (as on the local engine)."""
        return self.sampling is not None or bool(self.exclude_from) or self.blind


def _write_output(work: Path, out_dir: Path, shards: list[dict], skipped: set[tuple[str, str]], plan: _Plan, *, overwrite: bool, inputs) -> dict[str, int]:
    """``tasks.json``, ``articles.jsonl``, ``label_config.xml`` (``selection.json``) and the Parquet shards, into ``out_dir`` at once."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq  # a dependency of Ray Data

    counts = {"articles": 0, "sentences": 0, "tasks": 0}
    parts = list(_parts(work, shards, "articles"))
    exclude = _strings(sorted(plan.exclude)) if plan.exclude else None
    excluded = 0
    with atomic_directory(out_dir, overwrite=overwrite, writer=f"checkworthy {__version__} tasks", inputs=inputs) as tmp:
        for folder in ("sentences", "articles"):
            (tmp / folder).mkdir()
        for part in parts:
            dropped = {article_id for name, article_id in skipped if name == part.name}
            if dropped:
                keep = _strings(sorted(dropped))
                table = pq.read_table(part)
                sentences = pq.read_table(work / "sentences" / part.name)
                table = table.filter(pc.invert(pc.is_in(table["article_id"], value_set=keep)))
                sentences = sentences.filter(pc.invert(pc.is_in(sentences["article_id"], value_set=keep)))
                pq.write_table(table, tmp / "articles" / part.name)
                pq.write_table(sentences, tmp / "sentences" / part.name)
            else:
                _link(part, tmp / "articles" / part.name)
                _link(work / "sentences" / part.name, tmp / "sentences" / part.name)
            counts["articles"] += pq.read_metadata(tmp / "articles" / part.name).num_rows
            counts["sentences"] += pq.read_metadata(tmp / "sentences" / part.name).num_rows
            if exclude is not None:
                ids = pq.read_table(tmp / "sentences" / part.name, columns=["sentence_id", "role"])
                ids = ids.filter(pc.equal(ids["role"], "body"))
                excluded += pc.sum(pc.is_in(ids["sentence_id"], value_set=exclude)).as_py() or 0
        names = [part.name for part in parts]
        if plan.sampling is None:
            picks = _write_article_tasks(tmp, names, plan, counts)
            candidates = len(picks)
        else:
            picks, candidates = _write_chosen_tasks(tmp, names, plan, exclude)
            counts["tasks"] = len(picks)
        (tmp / "label_config.xml").write_text(plan.scheme.label_config(), encoding="utf-8", newline="\n")
        if plan.recorded:
            record = selection_record(plan.sampling, plan.selection, plan.scorer, blind=plan.blind, exclude=plan.exclude_from,
                                      counts={"candidates": candidates, "excluded": excluded, "chosen": len(picks)}, picks=picks)
            validate(record, "selection", str(out_dir / SELECTION_FILE))
            (tmp / SELECTION_FILE).write_text(canonical_json(record, indent=2) + "\n", encoding="utf-8", newline="\n")
            counts.update(candidates=candidates, excluded=excluded)
    return counts


def _write_article_tasks(tmp: Path, names: list[str], plan: _Plan, counts: dict[str, int]) -> list[Pick]:
    """``tasks.json`` and ``articles.jsonl`` from the tasks the workers made per article (``--top``, ``--min-score``, all),
    less the excluded sentences; the picks (sentence ids in order) for ``selection.json``."""
    import pyarrow.parquet as pq  # a dependency of Ray Data

    picks: list[Pick] = []
    with (
        open(tmp / "articles.jsonl", "w", encoding="utf-8", newline="\n") as articles_file,
        open(tmp / "tasks.json", "w", encoding="utf-8", newline="\n") as tasks_file,
    ):
        tasks_file.write("[")
        for name in names:
            table = pq.read_table(tmp / "articles" / name, columns=["record", "tasks"])
            for record, tasks in zip(table["record"].to_pylist(), table["tasks"].to_pylist()):
                if plan.recorded:
                    kept = [(task, sentence_id) for task in tasks if (sentence_id := json.loads(task)["data"]["sentence_id"]) not in plan.exclude]
                    picks += [Pick(len(picks) + n, sentence_id, 0.0, "") for n, (_, sentence_id) in enumerate(kept)]
                    tasks = [task for task, _ in kept]
                if not tasks:
                    continue
                articles_file.write(record + "\n")
                for task in tasks:
                    tasks_file.write(("\n" if counts["tasks"] == 0 else ",\n") + task)
                    counts["tasks"] += 1
        tasks_file.write("\n]\n" if counts["tasks"] else "]\n")
    return picks


def _write_chosen_tasks(tmp: Path, names: list[str], plan: _Plan, exclude) -> tuple[list[Pick], int]:
    """Choose ``plan.sampling`` over every scored body sentence of the corpus; write the chosen tasks, best first,
    and their articles (in input order). Returns the picks and the number of candidates.

    First pass: only the columns :func:`choose` needs, part by part. Second pass: only the
    parts holding a chosen sentence, only the rows of the chosen sentences' articles.
    """
    import numpy as np
    import pyarrow.compute as pc
    import pyarrow.parquet as pq  # a dependency of Ray Data

    sampling = plan.sampling
    columns = ["sentence_id", "article_id", "role", "score", "text"]  # text: a sentence without a word is no candidate
    ids: list[str] = []
    articles: list[str] = []
    texts: list[str] = []
    scores, where = [], []
    for number, name in enumerate(progress(names, desc="reading scores", unit="part")):
        table = pq.read_table(tmp / "sentences" / name, columns=columns)
        table = table.filter(pc.and_(pc.equal(table["role"], "body"), pc.match_substring_regex(table["text"], LETTER_RE2)))  # is_candidate
        if exclude is not None:
            table = table.filter(pc.invert(pc.is_in(table["sentence_id"], value_set=exclude)))
        ids += table["sentence_id"].to_pylist()
        articles += table["article_id"].to_pylist()
        if sampling.strategy == "diverse":
            texts += table["text"].to_pylist()
        scores.append(table["score"].to_numpy(zero_copy_only=False).astype(float))
        where.append(np.full(table.num_rows, number, dtype=np.int32))
    candidates = len(ids)
    scores_all = np.concatenate(scores) if scores else np.empty(0)
    picks = choose(ids, articles, scores_all, texts if sampling.strategy == "diverse" else None, strategy=sampling.strategy, budget=sampling.budget,
                   seed=sampling.seed, threshold=plan.scorer.threshold) if candidates else []
    part_of = np.concatenate(where) if where else np.empty(0, dtype=np.int32)
    wanted: dict[int, dict[str, int]] = {}  # part -> {chosen sentence id: rank}
    wanted_articles: dict[int, set[str]] = {}  # part -> the chosen sentences' articles
    for rank, pick in enumerate(picks):
        number = int(part_of[pick.index])
        wanted.setdefault(number, {})[pick.sentence_id] = rank
        wanted_articles.setdefault(number, set()).add(articles[pick.index])
    del ids, articles, texts, scores, scores_all
    tasks: list[str | None] = [None] * len(picks)
    with open(tmp / "articles.jsonl", "w", encoding="utf-8", newline="\n") as articles_file:
        for number in sorted(wanted):
            name = names[number]
            keep = _strings(sorted(wanted_articles[number]))
            table = pq.read_table(tmp / "articles" / name, columns=["article_id", "record"])
            table = table.filter(pc.is_in(table["article_id"], value_set=keep))
            rows = pq.read_table(tmp / "sentences" / name)
            rows = rows.filter(pc.is_in(rows["article_id"], value_set=keep))
            bodies: dict[str, list[Sentence]] = {}
            for row in rows.to_pylist():
                if row["role"] == "body":
                    bodies.setdefault(row["article_id"], []).append(Sentence.from_dict({**row, "context": json.loads(row["context"])}))
            for record in table["record"].to_pylist():
                articles_file.write(record + "\n")
                article = Article.from_dict(json.loads(record))
                for sentence in bodies.get(article.article_id, []):
                    rank = wanted[number].get(sentence.sentence_id)
                    if rank is None:
                        continue
                    task = chosen_task(article, bodies[article.article_id], sentence, picks[rank], plan.scheme, strategy=sampling.strategy,
                                       model_version=plan.scorer.model_version, context=plan.context, blind=plan.blind)
                    validate([task], "tasks", f"tasks.json: task {rank} (sentence_id {sentence.sentence_id!r})")
                    tasks[rank] = canonical_json(task)
    with open(tmp / "tasks.json", "w", encoding="utf-8", newline="\n") as tasks_file:
        tasks_file.write("[")
        for number, task in enumerate(tasks):
            tasks_file.write(("\n" if number == 0 else ",\n") + task)
        tasks_file.write("\n]\n" if tasks else "]\n")
    return picks, candidates


def _strings(values: list[str]):
    """A pyarrow string array (for filters)."""
    import pyarrow as pa  # a dependency of Ray Data

    return pa.array(values, type=pa.string())


def _link(source: Path, target: Path) -> None:
    """A hard link (instant, no copy) where the file system allows it, else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
