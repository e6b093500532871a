"""Check any file of the pipeline against ``schemas/``: detect its kind, list every problem.

File kinds live in a small registry: ``register_kind(FileKind(...))`` adds one. Every
kind the pipeline writes or reads is registered at the end of this module, so
``validate_file`` knows them all as soon as this module is imported (from Python as
from the CLI). Kinds are tried in ``priority`` order (lowest first); the first whose
``detect`` accepts the file checks it. Nothing is ever written.
"""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from checkworthy.builder.annotations import check_export
from checkworthy.builder.articles import (
    check_article_records,
    control_character_problems,
    discover_article_files,
    drop_repeats,
    is_article_file,
    read_article_file,
    read_article_records,
)
from checkworthy.builder.engine_ray import article_schema, id_hash, sentence_schema
from checkworthy.builder.language import normalise_language
from checkworthy.builder.quality import check_gold_file, is_gold_file
from checkworthy.builder.review import ADJUDICATION_DIR, REASONS, ReviewItem
from checkworthy.builder.review import OUTPUT_FILES as REVIEW_FILES
from checkworthy.builder.store import check_manifest, resolve_version_dir
from checkworthy.schemas import FROM_NAME, TO_NAME, available_schemes, load_scheme, schema_errors
from checkworthy.schemas.errors import CheckworthyError, InputError
from checkworthy.schemas.io import OUTPUT_MARKER, iter_jsonl, read_json, read_output_marker, sha256_text


@dataclass(frozen=True)
class FileKind:
    """One kind of file that ``checkworthy validate`` understands.

    Parameters
    ----------
    name : str
        Shown in the report, e.g. ``"tasks.json"``.
    detect : callable
        ``detect(path) -> bool``: cheap; looks at the name and at most the start of the file.
    check : callable
        ``check(path) -> (count, problems)``: the number of records checked and every
        problem found, each naming the file and record.
    priority : int, default=100
        Lower is tried first; put name-based detectors before content sniffers.
    """

    name: str
    detect: Callable[[Path], bool]
    check: Callable[[Path], tuple[int, list[str]]]
    priority: int = 100


KINDS: dict[str, FileKind] = {}


def register_kind(kind: FileKind) -> FileKind:
    """Add (or replace) a file kind in the registry; returns it."""
    KINDS[kind.name] = kind
    return kind


def detect_kind(path: str | Path) -> FileKind | None:
    """The registered kind of ``path``, or None when no kind recognises it."""
    path = Path(path)
    for kind in sorted(KINDS.values(), key=lambda k: (k.priority, k.name)):
        if kind.detect(path):
            return kind
    return None


def validate_file(path: str | Path) -> tuple[str, int, list[str]]:
    """Validate one file; returns ``(kind name, records checked, problems)``.

    A missing file or an unknown kind is reported as a problem, so that a run over
    many files lists everything at once.
    """
    ref = str(path)
    path = Path(path)
    if path.is_dir() and not (path / "manifest.json").is_file() and _parquet_parts(path):
        return _check_parts(path)
    if path.is_dir() and (path / "tasks.json").is_file() and (path / "label_config.xml").is_file():
        return _check_task_dir(path)
    if path.is_dir() and all((path / name).is_file() for name in REVIEW_FILES):
        return _check_review_dir(path)
    if path.is_dir() and not (path / "versions").is_dir() and not (path / "manifest.json").is_file() and _has_articles(path):
        return _check_article_dir(path)
    if path.is_dir() or ("@" in ref and not path.exists()):
        return _check_version_ref(ref)
    if not path.is_file():
        return "missing", 0, [f"{path}: file not found"]
    kind = detect_kind(path)
    if kind is None:
        names = ", ".join(sorted(KINDS))
        return "unknown", 0, [f"{path}: not a file kind that can be validated (known kinds: {names})"]
    try:
        count, problems = kind.check(path)
    except CheckworthyError as exc:
        return kind.name, 0, getattr(exc, "problems", None) or [str(exc)]
    return kind.name, count, problems


def _first_record(path: Path) -> dict | None:
    """The first JSON object of a JSONL file, or None when it cannot be read."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    return record if isinstance(record, dict) else None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # the kind's check then reports the line
        return None
    return None


def _is_jsonl_with(path: Path, name: str, keys: set[str], absent: frozenset[str] = frozenset()) -> bool:
    """A ``.jsonl`` whose first record has ``keys`` and none of ``absent``; or one named
    ``name`` whose first record is unreadable or of no known shape (so its problems are
    reported against this kind), unless it holds raw articles (``id`` and ``text``)."""
    if path.suffix != ".jsonl":
        return False
    record = _first_record(path)
    if record is not None and keys <= record.keys() and not absent & record.keys():
        return True
    raw = record is not None and "id" in record and "article_id" not in record
    return path.name == name and not raw


def _check_records(path: Path, schema: str, extra: Callable[[str, dict], list[str]]) -> tuple[int, list[str]]:
    problems: list[str] = []
    count = 0
    for lineno, record in iter_jsonl(path):
        count += 1
        where = f"{path}: line {lineno}"
        errors = schema_errors(record, schema)
        problems += [f"{where}: {e} (schema {schema}.schema.json)" for e in errors]
        if not errors:
            problems += extra(where, record)
    return count, problems


def _check_articles(path: Path) -> tuple[int, list[str]]:
    articles, problems = check_article_records(path)
    return len(articles), problems


def _check_sentences(path: Path) -> tuple[int, list[str]]:
    beside = path.with_name("articles.jsonl")
    texts = {a.article_id: a.text for a in read_article_records(beside)} if beside.is_file() and beside != path else None
    ids: Counter[str] = Counter()

    def extra(where: str, record: dict) -> list[str]:
        sid = record["sentence_id"]
        where = f"{where} (sentence_id {sid!r})"
        ids[sid] += 1
        problems = []
        if ids[sid] == 2:
            problems.append(f"{where}: duplicate sentence_id")
        if not sid.startswith(record["article_id"] + ":"):
            problems.append(f"{where}: sentence_id does not start with its article_id {record['article_id']!r}")
        if sha256_text(record["text"]) != record["text_sha256"]:
            problems.append(f"{where}: text_sha256 does not match the text")
        if record["end"] - record["start"] != len(record["text"]):
            problems.append(f"{where}: end - start = {record['end'] - record['start']} but the text has {len(record['text'])} characters")
        if texts is not None:
            article = texts.get(record["article_id"])
            if article is None:
                problems.append(f"{where}: article {record['article_id']!r} is not in {beside}")
            elif article[record["start"] : record["end"]] != record["text"]:
                problems.append(f"{where}: the text is not at [{record['start']}:{record['end']}] of article {record['article_id']!r} in {beside}")
        return problems

    return _check_records(path, "sentence", extra)


def _is_tasks(path: Path) -> bool:
    if path.name == "tasks.json":
        return True
    if path.suffix != ".json":
        return False
    try:
        data = read_json(path)
    except CheckworthyError:
        return False
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and {"data", "meta"} <= set(data[0])


def _check_tasks(path: Path) -> tuple[int, list[str]]:
    tasks = read_json(path)
    problems = [f"{path}: task {e} (schema tasks.schema.json)" for e in schema_errors(tasks, "tasks")]
    if problems:
        return len(tasks) if isinstance(tasks, list) else 0, problems
    schemes = {name: load_scheme(name) for name in available_schemes()}
    seen: Counter[str] = Counter()
    for number, task in enumerate(tasks):
        data, meta = task["data"], task["meta"]
        where = f"{path}: task {number} (sentence_id {data['sentence_id']!r})"
        seen[data["sentence_id"]] += 1
        if seen[data["sentence_id"]] == 2:
            problems.append(f"{where}: duplicate sentence_id; each sentence may be one task only")
        if sha256_text(data["sentence"]) != data["text_sha256"]:
            problems.append(f"{where}: text_sha256 does not match the sentence")
        problems += control_character_problems(data, ("sentence", "headline", "context_before", "context_after"), f"{where}: data")
        problems += control_character_problems(meta, ("source", "url", "published"), f"{where}: meta")
        scheme = schemes.get(meta["scheme"])
        if scheme is None:
            problems.append(f"{where}: meta.scheme {meta['scheme']!r} is not a known scheme ({', '.join(schemes)})")
            continue
        for prediction in task.get("predictions", []):
            for result in prediction["result"]:
                unknown = [c for c in result["value"]["choices"] if c not in scheme.names]
                if unknown:
                    problems.append(f"{where}: predicted label(s) {', '.join(map(repr, unknown))} not in scheme {scheme.name!r} ({', '.join(scheme.names)})")
    return len(tasks), problems


def _check_label_config(path: Path) -> tuple[int, list[str]]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        return 0, [f"{path}: not well-formed XML ({exc})"]
    choices = root.find(f".//Choices[@name='{FROM_NAME}']")
    if choices is None:
        return 1, [f"{path}: expected a <Choices name={FROM_NAME!r}> control, found none"]
    problems = []
    if choices.get("toName") != TO_NAME:
        problems.append(f"{path}: <Choices name={FROM_NAME!r}> must have toName={TO_NAME!r}, found {choices.get('toName')!r}")
    if root.find(f".//HyperText[@name='{TO_NAME}']") is None and root.find(f".//Text[@name='{TO_NAME}']") is None:
        problems.append(f"{path}: expected a <HyperText name={TO_NAME!r}> (or, in configs before the labeling page, <Text>) object, found none")
    values = [c.get("alias") or c.get("value") for c in choices.findall("Choice")]  # the exported values
    known = {name: load_scheme(name).names for name in available_schemes()}
    if values not in known.values():
        listed = "; ".join(f"{name}: {', '.join(names)}" for name, names in known.items())
        problems.append(f"{path}: choices {', '.join(map(str, values))} match no scheme ({listed})")
    return 1, problems


def _is_raw_article(path: Path) -> bool:
    return is_article_file(path)  # also the bulk formats: .jsonl.gz, .parquet, .warc(.gz)


def _check_raw_article(path: Path) -> tuple[int, list[str]]:
    articles, problems = _read_raw_article(path)
    return len(articles), problems


def _read_raw_article(path: Path) -> tuple[list, list[str]]:
    """The articles of an article file and its problems, as ``tasks`` reads it."""
    articles, problems = read_article_file(path)
    for article in articles:  # as 'tasks' reads it: 'Spanish' or 'sp' is refused there
        if article.language is not None:
            try:
                normalise_language(article.language, article.path or str(path))
            except InputError as exc:
                problems += exc.problems
    seen: Counter[str] = Counter(a.article_id for a in articles)
    problems += [f"{path}: article id {article_id!r} used {count} times; give each article its own id" for article_id, count in seen.items() if count > 1]
    return articles, problems


def _has_articles(path: Path) -> bool:
    """A folder with article files in it (not a dataset: no ``versions/``)."""
    return any(is_article_file(p) for p in path.rglob("*") if p.is_file())


def _check_article_dir(path: Path) -> tuple[str, int, list[str]]:
    """A folder of articles, checked whole as ``tasks`` reads it: every file, and each article
    id used by one article only across the files."""
    articles, problems = [], []
    for file in discover_article_files([path]):
        found, more = _read_raw_article(file)
        articles, problems = articles + found, problems + more
    kept, repeated = drop_repeats(articles)  # the same article in two files is read once, as by 'tasks'
    return "article folder", len(kept), problems + repeated


# --- the Parquet parts of 'checkworthy tasks --engine ray' (sentences/, articles/) -------------


def _parquet_columns(path: Path) -> list[str] | None:
    """The column names of a Parquet file (its footer only), or None when it is not one."""
    if path.suffix.lower() != ".parquet":
        return None
    import pyarrow.parquet as pq  # only for Parquet files

    try:
        return pq.read_schema(path).names
    except (OSError, ValueError):  # not Parquet after all: the raw-article kind reports it
        return None


def _is_sentence_part(path: Path) -> bool:
    columns = _parquet_columns(path)
    return columns is not None and columns == sentence_schema().names


def _is_article_part(path: Path) -> bool:
    columns = _parquet_columns(path)
    return columns is not None and columns == article_schema().names


def _parquet_rows(path: Path, batch_rows: int = 4096):
    """``(row number, row)`` of a Parquet file, a batch of rows at a time (memory stays small)."""
    import pyarrow.parquet as pq  # only for Parquet files

    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows):
        for row in batch.to_pylist():
            yield number, row
            number += 1


def _check_sentence_part(path: Path) -> tuple[int, list[str]]:
    """A part of ``sentences/``: every row a sentence record (``context`` as JSON), ids, hashes and offsets consistent."""
    problems: list[str] = []
    ids: Counter[str] = Counter()
    count = 0
    for number, row in _parquet_rows(path):
        count += 1
        where = f"{path}: row {number} (sentence_id {row['sentence_id']!r})"
        try:
            record = {**row, "context": json.loads(row["context"])}
        except (TypeError, json.JSONDecodeError) as exc:
            problems.append(f"{where}: context is not JSON ({exc})")
            continue
        errors = schema_errors(record, "sentence")
        problems += [f"{where}: {e} (schema sentence.schema.json)" for e in errors]
        if errors:
            continue
        ids[record["sentence_id"]] += 1
        if ids[record["sentence_id"]] == 2:
            problems.append(f"{where}: duplicate sentence_id")
        if not record["sentence_id"].startswith(record["article_id"] + ":"):
            problems.append(f"{where}: sentence_id does not start with its article_id {record['article_id']!r}")
        if sha256_text(record["text"]) != record["text_sha256"]:
            problems.append(f"{where}: text_sha256 does not match the text")
        if record["end"] - record["start"] != len(record["text"]):
            problems.append(f"{where}: end - start = {record['end'] - record['start']} but the text has {len(record['text'])} characters")
    return count, problems


def _check_article_part(path: Path) -> tuple[int, list[str]]:
    """A part of ``articles/``: every row an article record, its id and id hash, and its tasks valid."""
    problems: list[str] = []
    count = 0
    for number, row in _parquet_rows(path):
        count += 1
        where = f"{path}: row {number} (article_id {row['article_id']!r})"
        try:
            record = json.loads(row["record"])
            tasks = [json.loads(task) for task in row["tasks"] or []]
        except (TypeError, json.JSONDecodeError) as exc:
            problems.append(f"{where}: record or tasks are not JSON ({exc})")
            continue
        errors = schema_errors(record, "article")
        problems += [f"{where}: record: {e} (schema article.schema.json)" for e in errors]
        if not errors and record["article_id"] != row["article_id"]:
            problems.append(f"{where}: the record's article_id is {record['article_id']!r}")
        if not errors and sha256_text(record["text"]) != record["text_sha256"]:
            problems.append(f"{where}: text_sha256 does not match the text")
        if row["id_hash"] != id_hash(row["article_id"]):
            problems.append(f"{where}: id_hash does not match the article_id")
        problems += [f"{where}: tasks: {e} (schema tasks.schema.json)" for e in schema_errors(tasks, "tasks")]
        problems += [f"{where}: task {n} is of article {t['data']['article_id']!r}" for n, t in enumerate(tasks)
                     if isinstance(t, dict) and isinstance(t.get("data"), dict) and t["data"].get("article_id") != row["article_id"]]
    return count, problems


#: What ``checkworthy tasks`` writes, in the order a task folder is checked (the Ray engine writes
#: ``sentences/`` and ``articles/`` Parquet parts in place of the two JSONL files).
TASK_DIR_FILES = ("articles.jsonl", "articles", "sentences.jsonl", "sentences", "tasks.json", "label_config.xml", "selection.json")


def _check_task_dir(folder: Path) -> tuple[str, int, list[str]]:
    """A folder written by ``checkworthy tasks``: each of its files, as if named one by one, and
    every task's sentence (``sentence_id``, ``text_sha256``) among the folder's sentences."""
    total, problems = 0, []
    for name in TASK_DIR_FILES:
        if (folder / name).exists():
            _, count, found = validate_file(folder / name)
            total += count
            problems += found
    try:
        hashes = {record["sentence_id"]: record["text_sha256"] for _, record in iter_jsonl(folder / "sentences.jsonl")}
        tasks = [(task["data"]["sentence_id"], task["data"]["text_sha256"]) for task in read_json(folder / "tasks.json")]
    except (OSError, ValueError, KeyError, TypeError, CheckworthyError):
        tasks = []  # no sentences.jsonl (the Ray engine's parts), or a file the checks above already report
    for number, (sentence_id, digest) in enumerate(tasks):
        if hashes.get(sentence_id) != digest:
            found = "not in sentences.jsonl" if sentence_id not in hashes else "text_sha256 differs from sentences.jsonl's"
            problems.append(f"{folder / 'tasks.json'}: task {number} (sentence_id {sentence_id!r}): {found}; "
                            "the folder was edited by hand or mixes two runs: write it again with 'checkworthy tasks'")
    return "tasks folder", total, problems


def _parquet_parts(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.parquet"))


def _check_parts(folder: Path) -> tuple[str, int, list[str]]:
    """A ``sentences/`` or ``articles/`` folder of the Ray engine: every part, and the ids unique across parts."""
    import pyarrow.parquet as pq  # only for Parquet files

    parts = _parquet_parts(folder)
    kinds = {part: detect_kind(part) for part in parts}
    names = {kind.name for kind in kinds.values() if kind is not None}
    wrong = [str(part) for part, kind in kinds.items() if kind is None or kind.name not in (SENTENCE_PARTS, ARTICLE_PARTS)]
    if wrong or len(names) != 1:
        return "unknown", 0, [(f"{folder}: expected only the Parquet parts of 'checkworthy tasks --engine ray' (sentences/ or articles/), "
                               f"found {', '.join(wrong) or 'both kinds'}")]
    name = names.pop()
    total, problems = 0, []
    seen: Counter[str] = Counter()
    key = "sentence_id" if name == SENTENCE_PARTS else "article_id"
    for part in parts:
        try:
            count, found = KINDS[name].check(part)
        except InputError as exc:
            count, found = 0, exc.problems
        total += count
        problems += found
        seen.update(pq.read_table(part, columns=[key])[key].to_pylist())
    problems += [f"{folder}: {key} {value!r} is in {count} rows across the parts; each must be there once" for value, count in seen.items() if count > 1]
    return f"{folder.name}/ ({name})", total, problems


SENTENCE_PARTS = "sentences part (Parquet)"
ARTICLE_PARTS = "articles part (Parquet)"


# --- the output folder of 'checkworthy review' (review.jsonl, summary.json, adjudication/) --------------

#: The fields of a line of ``review.jsonl`` (no JSON Schema declares it: the ``ReviewItem`` dataclass is its contract).
REVIEW_FIELDS = tuple(f.name for f in dataclasses.fields(ReviewItem))
#: The counts of ``summary.json`` that are checked against ``review.jsonl`` and ``adjudication/tasks.json``.
REVIEW_SUMMARY_KEYS = ("items", "doubtful", "reasons", "adjudication_tasks")
#: What ``review --articles`` writes into ``adjudication/``, checked as a task folder.
ADJUDICATION_FILES = ("tasks.json", "label_config.xml", "articles.jsonl")


def _review_items(path: Path) -> tuple[list[dict], list[str]]:
    """The readable items of a ``review.jsonl`` and every problem: fields, ranks 1, 2, ... in file order, one line a
    sentence, a doubt in [0, 1], reasons of :data:`~checkworthy.builder.review.REASONS`."""
    try:
        records = list(iter_jsonl(path))
    except InputError as exc:
        return [], exc.problems
    items, problems = [], []
    seen: dict[str, int] = {}
    fix = "write the folder again with 'checkworthy review'"
    for rank, (lineno, record) in enumerate(records, start=1):
        where = f"{path}: line {lineno}"
        missing, unknown = [k for k in REVIEW_FIELDS if k not in record], sorted(set(record) - set(REVIEW_FIELDS))
        if missing or unknown:
            found = "; ".join(part for part in (missing and f"missing {', '.join(missing)}", unknown and f"unknown {', '.join(unknown)}") if part)
            problems.append(f"{where}: expected the fields of a review item ({', '.join(REVIEW_FIELDS)}): {found}; {fix}")
            continue
        items.append(record)
        where = f"{where} (sentence_id {record['sentence_id']!r})"
        if record["sentence_id"] in seen:
            problems.append(f"{where}: duplicate sentence_id (first on line {seen[record['sentence_id']]}); {fix}")
        seen.setdefault(record["sentence_id"], lineno)
        if record["rank"] != rank:
            problems.append(f"{where}: rank {record['rank']!r}, expected {rank}: items are ranked 1, 2, ... in file order; {fix}")
        doubt = record["doubt"]
        if isinstance(doubt, bool) or not isinstance(doubt, (int, float)) or not 0 <= doubt <= 1:
            problems.append(f"{where}: doubt {doubt!r} is not a number in [0, 1]")
        reasons = record["reasons"] if isinstance(record["reasons"], list) else [None]
        bad = [r for r in reasons if not isinstance(r, dict) or r.get("reason") not in REASONS]
        if bad:
            problems.append(f"{where}: reasons {bad!r} are not objects with a reason of {', '.join(REASONS)}")
    return items, problems


def _check_review_items(path: Path) -> tuple[int, list[str]]:
    items, problems = _review_items(path)
    return len(items), problems


def _is_review_summary(path: Path) -> bool:
    return path.name == REVIEW_FILES[1] and (path.parent / REVIEW_FILES[0]).is_file()


def _check_review_summary(path: Path) -> tuple[int, list[str]]:
    """A review's ``summary.json``: its counts against the ``review.jsonl`` beside it and ``adjudication/tasks.json``."""
    summary = read_json(path)
    if not isinstance(summary, dict) or any(key not in summary for key in REVIEW_SUMMARY_KEYS):
        return 1, [f"{path}: expected a JSON object with {', '.join(REVIEW_SUMMARY_KEYS)} (the summary 'checkworthy review' writes)"]
    items, problems = _review_items(path.parent / REVIEW_FILES[0])
    if problems:
        return 1, []  # review.jsonl's own check reports them; its counts cannot be compared
    fix = "the folder was edited by hand or mixes two runs: write it again with 'checkworthy review'"
    counts = {
        "items": len(items),
        "doubtful": sum(1 for item in items if item["reasons"]),
        "reasons": {reason: sum(1 for i in items if any(r["reason"] == reason for r in i["reasons"])) for reason in REASONS},
    }
    problems = [f"{path}: {key} is {summary[key]!r} but review.jsonl has {value!r}; {fix}" for key, value in counts.items() if summary[key] != value]
    tasks_file = path.parent / ADJUDICATION_DIR / "tasks.json"
    try:
        tasks = len(read_json(tasks_file)) if tasks_file.is_file() else None
    except (InputError, TypeError):
        tasks = None  # the adjudication folder's own check reports it
    if tasks_file.is_file() and tasks is not None and summary["adjudication_tasks"] != tasks:
        problems.append(f"{path}: adjudication_tasks is {summary['adjudication_tasks']!r} but {tasks_file} holds {tasks} task(s); {fix}")
    if not tasks_file.is_file() and summary["adjudication_tasks"] is not None:
        problems.append(f"{path}: adjudication_tasks is {summary['adjudication_tasks']!r} but {tasks_file} is missing; {fix}")
    return 1, problems


def _check_review_dir(folder: Path) -> tuple[str, int, list[str]]:
    """A folder written by ``checkworthy review``: ``review.jsonl`` (every item, ranked), ``summary.json``
    (its counts against the items and the tasks), ``adjudication/`` as a task folder, and the output marker."""
    total, problems = 0, []
    for name in (*REVIEW_FILES, OUTPUT_MARKER):
        if (folder / name).exists():
            _, count, found = validate_file(folder / name)
            total += count
            problems += found
    adjudication = folder / ADJUDICATION_DIR
    if adjudication.is_dir():
        _, count, found = _check_task_dir(adjudication)
        missing = [name for name in ADJUDICATION_FILES if not (adjudication / name).is_file()]
        total += count
        problems += found + [f"{adjudication / name}: missing; write the folder again with 'checkworthy review ... --articles SEEDS'" for name in missing]
    return "review folder", total, problems


register_kind(FileKind("articles.jsonl", lambda p: _is_jsonl_with(p, "articles.jsonl", {"article_id", "text_sha256"}, {"sentence_id"}), _check_articles, 10))
register_kind(FileKind("sentences.jsonl", lambda p: _is_jsonl_with(p, "sentences.jsonl", {"sentence_id", "start", "end"}), _check_sentences, 10))
register_kind(FileKind("tasks.json", _is_tasks, _check_tasks, 20))
register_kind(FileKind("label_config.xml", lambda p: p.suffix.lower() == ".xml", _check_label_config, 20))
register_kind(FileKind(SENTENCE_PARTS, _is_sentence_part, _check_sentence_part, 30))
register_kind(FileKind(ARTICLE_PARTS, _is_article_part, _check_article_part, 30))
register_kind(FileKind("raw article", _is_raw_article, _check_raw_article, 90))
register_kind(FileKind("review.jsonl", lambda path: path.name == REVIEW_FILES[0], _check_review_items, 10))
register_kind(FileKind("review summary.json", _is_review_summary, _check_review_summary, 10))


def _is_export(path: Path) -> bool:
    """A ``.json`` whose first task has ``data`` and ``annotations`` (a Label Studio JSON export)."""
    if path.suffix.lower() != ".json":
        return False
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        head = handle.read(4096)
    return head.lstrip().startswith("[") and '"annotations"' in head and '"data"' in head


def _check_results(path: Path) -> tuple[int, list[str]]:
    return 1, [f"{path}: {e} (schema results.schema.json)" for e in schema_errors(read_json(path), "results")]


def _check_output_marker(path: Path) -> tuple[int, list[str]]:
    if read_output_marker(path.parent) is None:
        problem = (f"{path}: expected a JSON object with \"tool\": \"checkworthy\" and a \"writer\" string (the marker checkworthy "
                   "leaves in its output folders); it was edited or is not checkworthy's: delete the folder and write it again")
        return 1, [problem]
    return 1, []


def _check_selection(path: Path) -> tuple[int, list[str]]:
    record = read_json(path)
    problems = [f"{path}: {e} (schema selection.schema.json)" for e in schema_errors(record, "selection")]
    if not problems and record["counts"]["chosen"] != len(record["sentence_ids"]):
        problems.append(f"{path}: counts.chosen is {record['counts']['chosen']} but {len(record['sentence_ids'])} sentence_ids are listed; "
                        "write the directory again with 'checkworthy tasks'")
    return (len(record["sentence_ids"]) if not problems else 0), problems


register_kind(FileKind("selection.json", lambda path: path.name == "selection.json", _check_selection, 10))
register_kind(FileKind("Label Studio export", _is_export, check_export, 15))
register_kind(FileKind("output marker", lambda path: path.name == OUTPUT_MARKER, _check_output_marker, 10))
register_kind(FileKind("manifest.json", lambda path: path.name == "manifest.json", check_manifest, 10))
register_kind(FileKind("results.json", lambda path: path.name == "results.json", _check_results, 10))
register_kind(FileKind("gold labels", is_gold_file, check_gold_file, 15))


#: What a complete version holds besides its data: the card and the Croissant file.
VERSION_COMPLETION = ("README.md", "croissant.json")


def _check_version_ref(ref: str) -> tuple[str, int, list[str]]:
    """A dataset version given as its directory, ``DIR@X.Y.Z`` or ``DIR`` (the latest):
    the manifest against its schema and the parquet counts, every data file against its
    SHA-256, and that the card and ``croissant.json`` are there (a version that an older
    release left without them is reported, with the command that completes it)."""
    try:
        path = resolve_version_dir(ref)
    except CheckworthyError as exc:
        return "dataset version", 0, [str(exc)]
    # name the version checked: DIR alone is its latest version only, not every version
    kind = f"dataset version {path.name}" + (" (the latest; DIR@X.Y.Z checks another)" if "@" not in str(ref) and (Path(ref) / "versions").is_dir() else "")
    count, problems = check_manifest(path / "manifest.json")
    for name in VERSION_COMPLETION:
        if not (path / name).is_file():
            problems.append(f"{path / name}: missing; the version is incomplete (made by an older release or interrupted): "
                            f"run 'checkworthy card {path}' to complete it")
    card = path / "README.md"
    text = card.read_text(encoding="utf-8", errors="replace") if card.is_file() else ""
    if "<!-- checkworthy:begin" in text and "checkworthy:begin baselines" not in text:
        problems.append(f"{card}: only the minimal card of the build; run 'checkworthy card {path}' to write the full card")
    return kind, count, problems
