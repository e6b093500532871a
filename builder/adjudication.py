"""Adjudicated labels: read them from Label Studio exports and let them override the aggregate.

``checkworthy review`` writes adjudication tasks, marked by ``meta.adjudication``; people
label them in their own Label Studio project; ``checkworthy pull`` exports that project;
``checkworthy build EXPORT... --adjudication ADJUDICATION_EXPORT...`` reads it here.

- An adjudication export must hold adjudication tasks only, and a regular export none:
  an adjudicator's choice is a decision, never one more vote (passing the file in the
  wrong place is an error that says where it goes).
- The adjudicated label replaces the aggregate (``label_source`` ``adjudication``);
  the votes, ``annotations.parquet`` and the agreement figures stay those of the
  annotators. A tie that is adjudicated enters the splits. A gold label (``--gold``,
  ground truth) wins over an adjudication, with a warning.
- Several adjudications of one sentence must agree (else an error lists the sentences);
  a skip is not a decision. Adjudicators are pseudonymised with the dataset's key.
- The manifest key ``adjudication`` records the count, how many labels changed and each
  sentence's earlier and new label; the changelog and the card say "N labels changed by
  adjudication".
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkworthy.builder.aggregate import Aggregation
from checkworthy.builder.annotations import read_annotations
from checkworthy.builder.review import MARKER
from checkworthy.schemas import Scheme
from checkworthy.schemas.errors import InputError
from checkworthy.schemas.io import read_json
from checkworthy.schemas.records import Sentence

#: The ``label_source`` of an adjudicated label.
ADJUDICATION = "adjudication"

#: Label sources of gold labels (``build --gold``, Label Studio ground truth): an adjudication never overrides them.
GOLD_SOURCES = ("gold", "ground_truth")


@dataclass(frozen=True)
class Adjudications:
    """Decided labels by sentence id, and who decided (pseudonyms)."""

    labels: dict[str, str]
    adjudicators: dict[str, list[str]]
    warnings: list[str]


def marked_tasks(path: str | os.PathLike) -> tuple[int, int]:
    """``(adjudication tasks, all tasks)`` of a Label Studio JSON export (``(0, 0)`` for another format)."""
    path = Path(path)
    if path.suffix.lower() != ".json" or not path.is_file():
        return 0, 0
    try:
        data = read_json(path)
    except InputError:
        return 0, 0  # unreadable: read_annotations reports it with the file's name
    if not isinstance(data, list):
        return 0, 0
    tasks = [t for t in data if isinstance(t, dict)]
    return sum(1 for t in tasks if isinstance(t.get("meta"), dict) and MARKER in t["meta"]), len(tasks)


def check_regular_exports(exports: Sequence[str | os.PathLike]) -> None:
    """Refuse regular exports that hold adjudication tasks (an adjudicator is not one more annotator)."""
    wrong = [f"{Path(p).name}: {marked} of {total} tasks" for p in exports for marked, total in [marked_tasks(p)] if marked]
    if wrong:
        raise InputError(wrong, header="these exports hold adjudication tasks written by 'checkworthy review'; "
                                       "pass them with --adjudication so that they override the aggregate instead of adding a vote:")


def read_adjudications(paths: Sequence[str | os.PathLike], *, key: bytes, scheme: Scheme,
                       sentences: Mapping[str, Sentence] | None, skip_invalid: bool = False) -> Adjudications:
    """Read adjudication exports into one decided label per sentence.

    Parameters
    ----------
    paths : sequence of path-like
        Label Studio JSON exports of an adjudication project.
    key : bytes
        The dataset's annotator key (adjudicators are pseudonymised like annotators).
    scheme : Scheme
    sentences : mapping, optional
        The articles' sentences by id (ids and text hashes are checked as in ``build``).
    skip_invalid : bool, default=False

    Returns
    -------
    Adjudications

    Raises
    ------
    InputError
        A file that is not a JSON export of adjudication tasks, invalid annotations, or
        adjudications of one sentence that disagree (every such sentence listed).
    """
    problems = []
    for path in paths:
        path = Path(path)
        if path.suffix.lower() != ".json":
            problems.append(f"{path.name}: an adjudication export must be Label Studio's JSON export ('checkworthy pull'), found a {path.suffix or 'extension-less'} file")
            continue
        marked, total = marked_tasks(path)
        if path.is_file() and marked < total:
            problems.append(f"{path.name}: {total - marked} of {total} tasks are not adjudication tasks (no meta.{MARKER}); "
                            "export the project that holds the tasks of 'checkworthy review', or pass this file as a regular EXPORT")
    if problems:
        raise InputError(problems, header="not adjudication exports:")
    anns = read_annotations(paths, key=key, scheme=scheme, sentences=sentences, skip_invalid=skip_invalid)
    votes = anns.table[anns.table["label"].notna()]
    labels: dict[str, str] = {}
    adjudicators: dict[str, list[str]] = {}
    conflicts = []
    for sid, group in votes.groupby("sentence_id", sort=True):
        decided = sorted(set(group["label"]))
        if len(decided) > 1:
            conflicts.append(f"sentence_id {sid!r}: " + ", ".join(f"{a} chose {lab}" for a, lab in zip(group["annotator"], group["label"])))
            continue
        labels[str(sid)] = decided[0]
        adjudicators[str(sid)] = sorted(group["annotator"])
    if conflicts:
        raise InputError(conflicts, header=f"{len(conflicts)} sentence(s) adjudicated differently by different people; "
                                           "settle them in Label Studio (keep one decision per task) and export again:")
    # said of the adjudication exports, so that a warning the exports also give is not printed twice, alike
    return Adjudications(labels, adjudicators, [f"adjudication export(s): {warning}" for warning in anns.warnings])


def apply_adjudications(agg: Aggregation, adjudications: Adjudications, scheme: Scheme) -> dict[str, Any]:
    """Let the adjudicated labels override ``agg`` in place; returns the manifest's ``adjudication`` record
    plus ``warnings`` (a gold label, applied before, wins over an adjudication; the caller pops them).

    Raises
    ------
    InputError
        Adjudicated sentences that no regular export labeled (listed).
    """
    position = {sid: i for i, sid in enumerate(agg.sentence_ids)}
    unknown = sorted(set(adjudications.labels) - position.keys())
    if unknown:
        raise InputError([f"sentence_id {sid!r}" for sid in unknown],
                         header="adjudicated sentences that no EXPORT labeled; pass the exports the reviewed version was built from:")
    items, warnings = [], []
    for sid, label in sorted(adjudications.labels.items()):
        i = position[sid]
        if agg.label_source[i] in GOLD_SOURCES:
            warnings.append(f"sentence {sid!r} has a gold label ({scheme.names[agg.gold[i]]}, {agg.label_source[i]}); "
                            f"its adjudication ({label}) is not used: a gold label wins")
            continue
        before = scheme.names[agg.gold[i]] if agg.gold[i] >= 0 else None
        agg.gold[i] = scheme.names.index(label)
        agg.label_source[i] = ADJUDICATION
        items.append({"sentence_id": sid, "before": before, "label": label, "adjudicators": len(adjudications.adjudicators[sid])})
    decided = {item["sentence_id"] for item in items}
    agg.unresolved[:] = [u for u in agg.unresolved if u["sentence_id"] not in decided]
    return {
        "sentences": len(items),
        "changed": sum(1 for item in items if item["before"] is not None and item["before"] != item["label"]),
        "resolved_ties": sum(1 for item in items if item["before"] is None),
        "items": items,
        "warnings": warnings,
    }
