"""Tiny articles and Label Studio JSON exports, written by the tests themselves.

The sentences come from the real reader and splitter, so the exports carry the same
sentence ids and text hashes as ``checkworthy tasks`` would.
"""

from __future__ import annotations

import json
from pathlib import Path

from checkworthy.builder.articles import read_articles
from checkworthy.builder.split import split_article
from checkworthy.schemas import FROM_NAME, TO_NAME

KEY = b"test-key"

ARTICLES = {
    f"art{i:02d}": [
        f"Report number {i} on the economy",
        f"Prices rose {i + 3} percent in {2000 + i}, the statistics office said.",
        f"The minister for region {i} called it a disaster for families.",
        f"Unemployment fell to {i}.5 percent in the {i}th quarter.",
    ]
    for i in range(12)
}


def write_articles(root: Path, articles: dict[str, list[str]] = ARTICLES) -> tuple[Path, dict]:
    """Write one ``.txt`` file per article (paragraphs = sentences); return the folder and its sentences by id."""
    folder = root / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    for article_id, paragraphs in articles.items():
        (folder / f"{article_id}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    sentences = {}
    for article in read_articles([folder]):
        for sentence in split_article(article):
            sentences[sentence.sentence_id] = sentence
    return folder, sentences


def annotation(user, label=None, *, ann_id=1, cancelled=False, ground_truth=False, updated="2024-01-01T00:00:00Z", result=None):
    """One annotation of a JSON export; ``label`` None with ``cancelled`` is a skip."""
    if result is None:
        result = [] if label is None else [
            {"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices", "value": {"choices": [label]}}
        ]
    return {
        "id": ann_id,
        "completed_by": user,
        "result": result,
        "was_cancelled": cancelled,
        "ground_truth": ground_truth,
        "lead_time": 3.5,
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": updated,
        "prediction": {},
    }


def task(sentence, annotations, task_id=1, **data_changes):
    """One task of a JSON export for ``sentence`` (a ``Sentence``)."""
    data = {
        "sentence_id": sentence.sentence_id,
        "article_id": sentence.article_id,
        "sentence": sentence.text,
        "text_sha256": sentence.text_sha256,
        "headline": "",
        "context_before": "",
        "context_after": "",
    }
    data.update(data_changes)
    return {"id": task_id, "data": data, "meta": {}, "annotations": annotations, "predictions": [],
            "total_annotations": len(annotations), "cancelled_annotations": 0}


def labeled_export(sentences: dict, labels_by_user: dict[int, str | list[str]], *, start_id: int = 1) -> list[dict]:
    """Tasks where each user labels every sentence (a label, or a list with one label per sentence)."""
    tasks = []
    for n, sentence in enumerate(sorted(sentences.values(), key=lambda s: s.sentence_id)):
        anns = []
        for user, labels in labels_by_user.items():
            label = labels if isinstance(labels, str) else labels[n % len(labels)]
            anns.append(annotation(user, label, ann_id=start_id + 100 * n + user))
        tasks.append(task(sentence, anns, task_id=start_id + n))
    return tasks


def write_export(path: Path, tasks: list[dict]) -> Path:
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path
