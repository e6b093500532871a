"""Read Label Studio exports into one long table of annotations, validated.

The lossless JSON export (``checkworthy pull``, or *Export -> JSON* in the Label
Studio UI) is the input of choice. JSON_MIN and CSV/TSV exports are accepted with a
warning: they lose skips, predictions and ground-truth flags.

Every problem is collected before anything is returned, and reported together
with the export file, task id, sentence id and field. With ``skip_invalid`` the
offending annotation (or task, or file) is left out and recorded instead.

Annotators are pseudonymised with a keyed hash (HMAC-SHA256) of their Label Studio
user id (or e-mail when only that is given). The key is a secret kept beside the
dataset (``annotator_key``), never in a published version, so the pseudonyms are
stable across builds of one dataset and cannot be reversed by guessing e-mails.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkworthy.schemas import FROM_NAME, Scheme, available_schemes, load_scheme, page_words
from checkworthy.schemas.errors import InputError, InputFileNotFoundError
from checkworthy.schemas.io import read_json, sha256_text
from checkworthy.schemas.records import Sentence

#: Columns of the annotation table (and of ``annotations.parquet``), in order.
COLUMNS = (
    "sentence_id",
    "annotator",
    "label",
    "lead_time",
    "created_at",
    "updated_at",
    "cancelled",
    "ground_truth",
    "export",
    "task_id",
    "annotation_id",
)

#: Name of the per-dataset key file used to pseudonymise annotators.
KEY_FILE = "annotator.key"

#: Problems listed in the error message (all of them are counted).
MAX_LISTED_PROBLEMS = 200

_LOSSY_WARNING = (
    "{file}: {fmt} export: skips, predictions and ground-truth flags are lost in this format "
    "(a task whose only annotation was a skip is missing); use the JSON export "
    "('checkworthy pull' or Export -> JSON) for a complete record"
)


@dataclass(frozen=True)
class Problem:
    """One validation problem, located by file, task, sentence and field."""

    file: str
    task_id: Any
    sentence_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.task_id is not None:
            where += f": task {self.task_id}"
        if self.sentence_id:
            where += f" (sentence_id {self.sentence_id!r})"
        return f"{where}: {self.field}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "task_id": self.task_id,
            "sentence_id": self.sentence_id,
            "field": self.field,
            "problem": self.message,
        }


@dataclass
class Annotations:
    """The result of :func:`read_annotations`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (sentence, annotator), with the :data:`COLUMNS`; ``label`` is
        ``None`` for a skip. Sorted by sentence id and annotator.
    skipped : list of dict
        Every item left out by ``skip_invalid`` (file, task_id, sentence_id, field, problem).
    warnings : list of str
        Lossy formats, replaced duplicates and other things a user should know.
    superseded : int
        Annotations replaced by a later (or identical) one of the same annotator on
        the same sentence, e.g. the same annotation in two exports.
    """

    table: Any
    skipped: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    superseded: int = 0


def annotator_key(dataset_dir: str | os.PathLike) -> bytes:
    """The secret key that pseudonymises annotators of one dataset.

    Read from ``<dataset_dir>/annotator.key``; created (32 random bytes, hex) on first
    use. Keep the file private and beside the dataset: it is never copied into a
    version, and the same key gives the same pseudonyms in every build.

    Parameters
    ----------
    dataset_dir : path-like
        The dataset directory (the parent of ``versions/``).

    Returns
    -------
    bytes
    """
    path = Path(dataset_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise InputError(f"{path}: the annotator key file is empty; restore it from a backup, or delete it to start new pseudonyms")
    return key.encode("utf-8")


class _Pseudonymiser:
    """Keyed, cached pseudonyms ``ann-<12 hex>`` for Label Studio user ids or e-mails."""

    def __init__(self, key: bytes):
        self._key = key
        self._cache: dict[str, str] = {}

    def __call__(self, who: Any) -> str | None:
        if isinstance(who, dict):
            who = who.get("id", who.get("email"))
        if who is None or who == "":
            return None
        ident = str(who).strip().lower()
        if ident not in self._cache:
            digest = hmac.new(self._key, ident.encode("utf-8"), hashlib.sha256).hexdigest()
            self._cache[ident] = "ann-" + digest[:12]
        return self._cache[ident]


def read_annotations(
    paths: Iterable[str | os.PathLike],
    *,
    key: bytes,
    scheme: str | Scheme = "claimbuster",
    sentences: Mapping[str, Sentence] | None = None,
    skip_invalid: bool = False,
) -> Annotations:
    """Read and validate Label Studio exports into one annotation per (sentence, annotator).

    Parameters
    ----------
    paths : iterable of path-like
        JSON exports (lossless), or JSON_MIN / CSV / TSV exports (lossy, with a warning).
    key : bytes
        Secret key of the annotator pseudonyms (see :func:`annotator_key`).
    scheme : str or Scheme, default="claimbuster"
        The label scheme the labels must belong to.
    sentences : mapping of str to Sentence, optional
        The sentences of the articles, by id. When given, each task's sentence id
        must be among them and its text hash must match.
    skip_invalid : bool, default=False
        Leave out invalid items and record them in ``skipped`` instead of raising.

    Returns
    -------
    Annotations

    Raises
    ------
    InputError
        Listing every problem of every file, unless ``skip_invalid``.

    Examples
    --------
    >>> anns = read_annotations(["export.json"], key=annotator_key("data/ds"))  # doctest: +SKIP
    >>> anns.table.groupby("sentence_id").label.agg(list)  # doctest: +SKIP
    """
    import pandas as pd

    scheme = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
    reader = _Reader(scheme, _Pseudonymiser(key), sentences)
    for path in paths:
        reader.read_file(Path(path))
    problems = reader.problems + reader.conflicting_ground_truth()
    if problems and not skip_invalid:
        listed = [str(p) for p in problems[:MAX_LISTED_PROBLEMS]]
        if len(problems) > MAX_LISTED_PROBLEMS:
            listed.append(f"... and {len(problems) - MAX_LISTED_PROBLEMS} more (rerun with --skip-invalid to see them all in manifest.json)")
        raise InputError(
            listed,
            header=f"{len(problems)} problem(s) in the Label Studio export(s); nothing was written. "
            "Fix the exports (or the articles), or rerun with --skip-invalid to build without these items:",
        )
    rows = sorted(reader.latest.values(), key=lambda r: (r[0], r[1]))
    table = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    table = table.astype({"lead_time": "float64", "cancelled": "bool", "ground_truth": "bool", "task_id": "Int64", "annotation_id": "Int64"})
    warnings = list(reader.warnings)
    if reader.superseded:
        warnings.append(
            f"{reader.superseded} annotation(s) replaced by a later or identical annotation of the same "
            "annotator on the same sentence (same annotation in several exports, or updated later)"
        )
    return Annotations(
        table=table,
        skipped=[p.to_dict() for p in problems],
        warnings=warnings,
        superseded=reader.superseded,
    )


def check_export(path: str | os.PathLike) -> tuple[int, list[str]]:
    """Validate one export on its own (``checkworthy validate``): every problem, nothing written.

    The scheme is the one named in the tasks' ``meta.scheme`` (``claimbuster`` when
    absent). Sentence ids and text hashes are not checked: that needs the articles
    (``checkworthy build``).

    Returns
    -------
    (int, list of str)
        The number of annotations read, and the problems.
    """

    path = Path(path)
    data = read_json(path) if path.suffix.lower() == ".json" else None
    meta = data[0].get("meta") if isinstance(data, list) and data and isinstance(data[0], dict) else None
    name = meta.get("scheme") if isinstance(meta, dict) else None
    reader = _Reader(load_scheme(name if name in available_schemes() else "claimbuster"), _Pseudonymiser(b"validate"), None)
    reader.read_file(path)
    problems = reader.problems + reader.conflicting_ground_truth()
    return len(reader.latest) + reader.superseded, [str(p) for p in problems]


class _Reader:
    """Accumulates annotations and problems over several export files."""

    def __init__(self, scheme: Scheme, pseudonym: _Pseudonymiser, sentences: Mapping[str, Sentence] | None):
        self.scheme = scheme
        self.names = set(scheme.names)
        self.pseudonym = pseudonym
        self.sentences = sentences
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.latest: dict[tuple[str, str], tuple] = {}
        self.superseded = 0

    # -- files -------------------------------------------------------------

    def read_file(self, path: Path) -> None:
        name = path.name
        if not path.exists():
            raise InputFileNotFoundError(f"{path}: export file not found")
        suffix = path.suffix.lower()
        if suffix in (".csv", ".tsv"):
            self._read_table(path, sep="\t" if suffix == ".tsv" else ",")
            return
        if suffix != ".json":
            self._not_an_export(name, f"expected a Label Studio export (.json, .csv or .tsv), found a {suffix or 'extension-less'} file")
            return
        try:
            data = read_json(path)
        except InputError as exc:
            self._not_an_export(name, str(exc).replace(str(path), "the file"))
            return
        if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
            self._not_an_export(name, f"expected a JSON list of tasks, found {type(data).__name__}")
        elif data and all("annotations" in t and "data" in t for t in data):
            for task in data:
                self._read_task(name, task)
        elif data and all("annotator" in t or "annotation_id" in t for t in data):
            self.warnings.append(_LOSSY_WARNING.format(file=name, fmt="JSON_MIN"))
            for row in data:
                self._read_min_row(name, row)
        elif data:
            self._not_an_export(
                name,
                "expected Label Studio tasks with 'data' and 'annotations' (JSON export) or rows with "
                "'annotator' (JSON_MIN export); found objects with keys "
                + ", ".join(sorted({k for t in data[:5] for k in t})),
            )
        else:
            self.warnings.append(f"{name}: the export holds no tasks")

    def _not_an_export(self, name: str, message: str) -> None:
        self.problems.append(Problem(name, None, None, "(file)", message + "; export the project from Label Studio as JSON"))

    def _read_table(self, path: Path, sep: str) -> None:
        import pandas as pd

        fmt = "TSV" if sep == "\t" else "CSV"
        try:
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            self._not_an_export(path.name, f"not a readable {fmt} file ({exc})")
            return
        if "annotator" not in frame.columns and "annotation_id" not in frame.columns:
            self._not_an_export(path.name, f"expected a {fmt} export with an 'annotator' column, found columns {', '.join(frame.columns)}")
            return
        self.warnings.append(_LOSSY_WARNING.format(file=path.name, fmt=fmt))
        for row in frame.to_dict("records"):
            value = row.get(FROM_NAME, "")
            if isinstance(value, str) and value.startswith("{"):
                try:
                    row[FROM_NAME] = json.loads(value)
                except (json.JSONDecodeError, RecursionError):  # not a JSON choice: the label check reports it
                    pass
            self._read_min_row(path.name, {k: (v if v != "" else None) for k, v in row.items()})

    # -- records -----------------------------------------------------------

    def _check_task(self, name: str, task_id: Any, data: Mapping[str, Any]) -> str | None:
        """Return the task's sentence id, or None (with a problem recorded) when the task is unusable."""
        sid = data.get("sentence_id")
        if not isinstance(sid, str) or not sid:
            self.problems.append(
                Problem(name, task_id, None, "data.sentence_id",
                        "the task has no sentence_id; label tasks made by 'checkworthy tasks' (their data carries sentence_id and text_sha256)")
            )
            return None
        shown = data.get("sentence")
        recorded = data.get("text_sha256")
        for key, value in (("sentence", shown), ("text_sha256", recorded)):
            if key in data and not isinstance(value, str):
                self.problems.append(Problem(name, task_id, sid, f"data.{key}", f"expected a string, found {_kind(value)}"))
                return None
        if self.sentences is None:
            if shown is not None and recorded is not None and sha256_text(shown) != recorded:
                self.problems.append(
                    Problem(name, task_id, sid, "data.sentence",
                            f"the task's text {_quote(shown)} does not match its text_sha256 ({recorded[:12]}...); the task was edited "
                            "after 'checkworthy tasks' made it, so nobody can tell which text was labeled: relabel it from fresh tasks")
                )
                return None
            return sid
        sentence = self.sentences.get(sid)
        if sentence is None:
            self.problems.append(
                Problem(name, task_id, sid, "data.sentence_id",
                        "not a sentence of the given articles; pass the articles the tasks were made from (--articles)")
            )
            return None
        found = recorded or (sha256_text(shown) if shown is not None else None)
        if found != sentence.text_sha256 or (shown is not None and shown != sentence.text):
            if shown is not None:
                differs = f"the task shows {_quote(shown)}, the articles give {_quote(sentence.text)}"
            else:
                differs = f"expected text hash {sentence.text_sha256[:12]}..., found {str(found)[:12]}..."
            self.problems.append(
                Problem(name, task_id, sid, "data.text_sha256",
                        f"the task's text no longer matches the sentence ({differs}); the article or the task changed "
                        "after the tasks were made: relabel the sentence or use the original articles")
            )
            return None
        return sid

    def _label_from_choices(self, name, task_id, sid, where: str, choices: Any) -> tuple[str | None, Problem | None]:
        if not isinstance(choices, list) or not choices:
            return None, Problem(name, task_id, sid, where, f"expected a list with one choice, found {choices!r}")
        if len(choices) > 1:
            return None, Problem(name, task_id, sid, where,
                                 f"several choices {choices} in single-choice scheme {self.scheme.name!r}; keep one per annotation")
        label = choices[0]
        if not isinstance(label, str):
            return None, Problem(name, task_id, sid, where, f"expected a label name, found {_kind(label)}")
        if label not in self.names:
            words = page_words(self.scheme.name).get(label)
            if words is not None:  # a choice's words, not its code: posted through the API with the page's text
                code, language = words
                return None, Problem(name, task_id, sid, where,
                                     f"label {label!r} is the words the {language!r} page shows for {code!r}, not a label code "
                                     f"({', '.join(self.scheme.names)}); Label Studio exports the code when the project has the "
                                     f"config of 'checkworthy tasks' (each choice's alias): post {code!r} in the annotation's "
                                     "choices, or fix the labeling config")
            return None, Problem(name, task_id, sid, where,
                                 f"label {label!r} is not in scheme {self.scheme.name!r} ({', '.join(self.scheme.names)}); "
                                 "fix the labeling config or pass the right --scheme")
        return label, None

    def _read_task(self, name: str, task: dict) -> None:
        task_id = task.get("id")
        data = task.get("data")
        if not isinstance(data, dict):
            self._not_an_export(name, f"task {task_id}: 'data' is not an object")
            return
        sid = self._check_task(name, task_id, data)
        if sid is None:
            return
        annotations = task.get("annotations")
        if annotations is not None and not isinstance(annotations, list):
            self.problems.append(Problem(name, task_id, sid, "annotations", f"expected a list of annotations, found {_kind(annotations)}"))
            return
        for number, ann in enumerate(annotations or []):
            field = f"annotations[{number}]"
            problem = self._annotation_type_problem(name, task_id, sid, field, ann)
            if problem is not None:
                self.problems.append(problem)
                continue
            cancelled = ann.get("was_cancelled", False)
            label = None
            if not cancelled:
                label, problem = self._label_from_result(name, task_id, sid, field, ann.get("result") or [])
            if problem is not None:
                self.problems.append(problem)
                continue
            self._add(sid, ann.get("completed_by"), label, ann.get("lead_time"), ann.get("created_at"),
                      ann.get("updated_at"), cancelled, ann.get("ground_truth", False), name, task_id, ann.get("id"),
                      Problem(name, task_id, sid, f"{field}.completed_by", "the annotation has no annotator"))

    def _annotation_type_problem(self, name, task_id, sid, field: str, ann: Any) -> Problem | None:
        """A problem for the first field of a JSON-export annotation that has the wrong type, else None."""
        if not isinstance(ann, dict):
            return Problem(name, task_id, sid, field, f"expected an annotation object, found {_kind(ann)}")
        expected = {
            "was_cancelled": ((bool,), "true or false"),
            "ground_truth": ((bool,), "true or false"),
            "result": ((list, type(None)), "a list of results"),
            "lead_time": ((int, float, type(None)), "a number of seconds or null"),
            "created_at": ((str, type(None)), "a timestamp string or null"),
            "updated_at": ((str, type(None)), "a timestamp string or null"),
            "id": ((int, type(None)), "an integer annotation id or null"),
        }
        for key, (types, wanted) in expected.items():
            value = ann.get(key)
            if key in ann and (not isinstance(value, types) or (bool not in types and isinstance(value, bool))):
                return Problem(name, task_id, sid, f"{field}.{key}", f"expected {wanted}, found {_kind(value)}; "
                               "the export was edited or is not a Label Studio JSON export")
        return _annotator_problem(name, task_id, sid, f"{field}.completed_by", ann.get("completed_by"))

    def _label_from_result(self, name, task_id, sid, field: str, result: list) -> tuple[str | None, Problem | None]:
        """The label chosen in an annotation's ``result`` (not a skip), or the problem with it."""
        for number, r in enumerate(result):
            if not isinstance(r, dict):
                return None, Problem(name, task_id, sid, f"{field}.result[{number}]", f"expected a result object, found {_kind(r)}")
            if r.get("from_name") != FROM_NAME:
                return None, Problem(name, task_id, sid, f"{field}.result[{number}].from_name",
                                     f"result from unknown control {r.get('from_name')!r}; expected {FROM_NAME!r} "
                                     "(use the labeling config made by 'checkworthy tasks')")
            if not isinstance(r.get("value"), dict):
                return None, Problem(name, task_id, sid, f"{field}.result[{number}].value",
                                     f"expected an object with 'choices', found {_kind(r.get('value'))}")
        if not result:
            return None, Problem(name, task_id, sid, f"{field}.result", "empty result that is not a skip; the annotator submitted no choice")
        if len(result) > 1:
            return None, Problem(name, task_id, sid, f"{field}.result",
                                 f"{len(result)} results for control {FROM_NAME!r} in single-choice scheme {self.scheme.name!r}")
        return self._label_from_choices(name, task_id, sid, f"{field}.result[0].value.choices", result[0]["value"].get("choices"))

    def _read_min_row(self, name: str, row: dict) -> None:
        task_id = row.get("id")
        sid = self._check_task(name, task_id, row)
        if sid is None:
            return
        for key in ("created_at", "updated_at"):
            if not isinstance(row.get(key), (str, type(None))):
                self.problems.append(Problem(name, task_id, sid, key, f"expected a timestamp string or null, found {_kind(row.get(key))}"))
                return
        problem = _annotator_problem(name, task_id, sid, "annotator", row.get("annotator"))
        if problem is not None:
            self.problems.append(problem)
            return
        value = row.get(FROM_NAME)
        label = None
        if value is not None:
            choices = value.get("choices") if isinstance(value, dict) else [value]
            label, problem = self._label_from_choices(name, task_id, sid, FROM_NAME, choices)
            if problem is not None:
                self.problems.append(problem)
                return
        self._add(sid, row.get("annotator"), label, _float_or_none(row.get("lead_time")),
                  row.get("created_at"), row.get("updated_at"), label is None, False, name, task_id,
                  row.get("annotation_id"), Problem(name, task_id, sid, "annotator", "the row has no annotator"))

    def _add(self, sid, who, label, lead_time, created_at, updated_at, cancelled, ground_truth, name, task_id,
             annotation_id, missing_annotator: Problem) -> None:
        annotator = self.pseudonym(who)
        if annotator is None:
            self.problems.append(missing_annotator)
            return
        row = (sid, annotator, label, lead_time, created_at, updated_at, cancelled, ground_truth, name,
               _int_or_none(task_id), _int_or_none(annotation_id))
        key = (sid, annotator)
        previous = self.latest.get(key)
        if previous is not None:
            self.superseded += 1
            if _recency(previous) > _recency(row):
                return
        self.latest[key] = row

    def conflicting_ground_truth(self) -> list[Problem]:
        """Problems for sentences whose ground-truth annotations disagree (their flags are then dropped)."""
        truths: dict[str, set[str]] = {}
        for row in self.latest.values():
            if row[7] and row[2] is not None:
                truths.setdefault(row[0], set()).add(row[2])
        problems = []
        for sid, labels in sorted(truths.items()):
            if len(labels) > 1:
                problems.append(Problem("(all exports)", None, sid, "ground_truth",
                                        f"ground-truth annotations disagree ({', '.join(sorted(labels))}); keep one ground truth per task"))
                for key, row in self.latest.items():
                    if key[0] == sid and row[7]:
                        self.latest[key] = row[:7] + (False,) + row[8:]
        return problems


def _kind(value: Any) -> str:
    """A value's JSON type and a short repr, for messages: ``string 'no'``."""
    names = {bool: "boolean", int: "number", float: "number", str: "string", list: "list", dict: "object", type(None): "null"}
    text = repr(value)
    return f"{names.get(type(value), type(value).__name__)} {text if len(text) <= 60 else text[:57] + '...'}"


def _quote(text: str, width: int = 200) -> str:
    """``text`` quoted for a message, shortened to ``width`` characters."""
    return repr(text if len(text) <= width else text[: width - 3] + "...")


def _annotator_problem(name: str, task_id: Any, sid: str, field: str, who: Any) -> Problem | None:
    """A problem when ``who`` is not an annotator as exports give one: a user id, an e-mail, or an
    object with ``id`` (number or string) or ``email`` (string); None otherwise (also when it is absent)."""
    ident = who.get("id", who.get("email")) if isinstance(who, dict) else who
    if ident is None or (isinstance(ident, (int, str)) and not isinstance(ident, bool)):
        return None
    return Problem(name, task_id, sid, field, f"expected a user id, an e-mail or an object with 'id' or 'email', found {_kind(who)}")


def _float_or_none(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _recency(row: tuple) -> tuple:
    """Order of two annotations by the same annotator on the same sentence: the later one wins."""
    return (row[5] or row[4] or "", row[10] if row[10] is not None else -1)
