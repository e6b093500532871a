"""Label files made outside Label Studio, such as the bundled ``seeds/demo/labels*.json``.

A label file (``schemas/labels.schema.json``) lists ``(sentence_id, sentence,
annotator, label, lead_time)`` rows. The main job posts them into a real Label
Studio as the annotators' work (``checkworthy.builder.labelstudio.post_annotations``), or, with
``--no-studio``, turns them into a Label Studio JSON export directly
(:func:`labels_to_export`), so that the rest of the pipeline reads the same format
either way.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkworthy.schemas import FROM_NAME, TO_NAME, Scheme, schema_errors
from checkworthy.schemas.errors import InputError
from checkworthy.schemas.io import read_json

#: E-mail domain of the demo annotators' Label Studio accounts (reserved, never routable).
ANNOTATOR_DOMAIN = "annotators.checkworthy.invalid"


@dataclass(frozen=True)
class LabelRow:
    """One label of one annotator on one sentence."""

    sentence_id: str
    annotator: str
    label: str
    lead_time: float | None

    @property
    def email(self) -> str:
        """The annotator's Label Studio login, e.g. ``annotator-1@annotators.checkworthy.invalid``."""
        return annotator_email(self.annotator)


def annotator_email(annotator: str) -> str:
    """The Label Studio e-mail used for a label file's annotator name."""
    return f"{annotator}@{ANNOTATOR_DOMAIN}"


def read_label_files(paths: Iterable[str | os.PathLike], scheme: Scheme, tasks: Sequence[Mapping[str, Any]]) -> list[LabelRow]:
    """Read and check label files against the scheme and the tasks they label.

    Parameters
    ----------
    paths : iterable of path-like
        Label files (``schemas/labels.schema.json``).
    scheme : Scheme
        Every file must name this scheme and use only its labels.
    tasks : sequence of dict
        The tasks (``tasks.json``); every label must name one of their sentence ids
        and repeat its sentence text exactly.

    Returns
    -------
    list of LabelRow
        In file order.

    Raises
    ------
    InputError
        Every problem of every file, each naming the file, the label's position and
        the field.
    """
    by_id = {task["data"]["sentence_id"]: task["data"]["sentence"] for task in tasks}
    rows: list[LabelRow] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    for path in map(Path, paths):
        data = read_json(path)
        errors = schema_errors(data, "labels")
        if errors:
            problems += [f"{path}: {e} (schema labels.schema.json)" for e in errors]
            continue
        if data["scheme"] != scheme.name:
            problems.append(f"{path}: scheme: the labels use scheme {data['scheme']!r}, the tasks use {scheme.name!r}; "
                            f"make the tasks with --scheme {data['scheme']}")
            continue
        for number, item in enumerate(data["labels"]):
            where = f"{path}: labels[{number}] (sentence_id {item['sentence_id']!r}, annotator {item['annotator']!r})"
            sid = item["sentence_id"]
            if item["label"] not in scheme.names:
                problems.append(f"{where}: label: {item['label']!r} is not in scheme {scheme.name!r} ({', '.join(scheme.names)})")
            if sid not in by_id:
                problems.append(f"{where}: sentence_id: not among the tasks; make the tasks from the same articles")
            elif by_id[sid] != item["sentence"]:
                problems.append(f"{where}: sentence: the text differs from the task's ({by_id[sid]!r}); the article changed after labeling")
            key = (sid, item["annotator"])
            if key in seen:
                problems.append(f"{where}: labelled twice by this annotator (first in {seen[key]}); keep one")
            seen[key] = f"{path}: labels[{number}]"
            rows.append(LabelRow(sid, item["annotator"], item["label"], item.get("lead_time")))
    if problems:
        raise InputError(problems, header=f"{len(problems)} problem(s) in the label files; nothing was used:")
    return rows


def labels_to_export(tasks: Sequence[Mapping[str, Any]], rows: Sequence[LabelRow]) -> list[dict[str, Any]]:
    """A Label Studio JSON export (the shape ``checkworthy pull`` writes) of ``tasks`` labelled with ``rows``.

    Task ids follow the task order (1, 2, ...), annotation ids the row order;
    annotators are ``{"id": n, "email": ...}`` numbered in order of first appearance;
    timestamps are ``None`` because files carry none. The result is deterministic.
    """
    user_ids: dict[str, int] = {}
    for row in rows:
        user_ids.setdefault(row.email, len(user_ids) + 1)
    by_sentence: dict[str, list[tuple[int, LabelRow]]] = {}
    for number, row in enumerate(rows, start=1):
        by_sentence.setdefault(row.sentence_id, []).append((number, row))
    export = []
    for task_id, task in enumerate(tasks, start=1):
        annotations = [
            {
                "id": number,
                "completed_by": {"id": user_ids[row.email], "email": row.email},
                "result": [{"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices", "value": {"choices": [row.label]}}],
                "was_cancelled": False,
                "ground_truth": False,
                "lead_time": row.lead_time,
                "created_at": None,
                "updated_at": None,
                "task": task_id,
            }
            for number, row in by_sentence.get(task["data"]["sentence_id"], [])
        ]
        export.append(
            {
                "id": task_id,
                "data": dict(task["data"]),
                "meta": dict(task.get("meta", {})),
                "annotations": annotations,
                "predictions": [dict(p, id=task_id) for p in task.get("predictions", [])],
                "total_annotations": len(annotations),
                "cancelled_annotations": 0,
            }
        )
    return export
