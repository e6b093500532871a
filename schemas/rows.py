"""The row of a dataset split, and its ``datasets.Features``, derived from the scheme.

This is the contract of every ``data/<split>.parquet`` in a version: the evaluation
harness, the card and the diff read these columns. ``tests/builder/test_versions.py``
checks that :class:`Row` and :func:`features` agree.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from checkworthy.schemas import Scheme

#: Split names, in order.
SPLITS = ("train", "validation", "test")

#: Where a gold label came from.
LABEL_SOURCES = ("majority", "dawid-skene", "ground_truth", "corpus")


@dataclass(frozen=True)
class Row:
    """One sentence of a dataset split.

    Attributes
    ----------
    sentence_id, article_id, text : str
        The sentence, its article and its exact text.
    label : str
        The gold label's name (stored as a ``ClassLabel`` index).
    votes : list of int
        Votes per label, aligned with ``scheme.names`` (the soft label).
    n_annotators : int
        Annotators who labeled the sentence (skips not counted).
    agreement : float
        Share of the votes that went to the gold label.
    label_source : str
        One of :data:`LABEL_SOURCES`.
    start, end : int
        Character offsets of the sentence in its article's text.
    role : str
        The sentence's role in the article (``headline``, ``body``, ...).
    source, url : str
        The article's outlet and address; empty when unknown.
    language : str
        The article's language (ISO 639-1, given or detected); empty when unknown.
    """

    sentence_id: str
    article_id: str
    text: str
    label: str
    votes: list[int]
    n_annotators: int
    agreement: float
    label_source: str
    start: int
    end: int
    role: str
    source: str
    url: str
    language: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def features(scheme: Scheme):
    """The ``datasets.Features`` of a split row for ``scheme``.

    Examples
    --------
    >>> from schemas import load_scheme
    >>> features(load_scheme("checkthat"))["label"].names
    ['Yes', 'No']
    """
    from datasets import Features, Sequence, Value

    return Features(
        {
            "sentence_id": Value("string"),
            "article_id": Value("string"),
            "text": Value("string"),
            "label": scheme.class_label(),
            "votes": Sequence(Value("int32")),
            "n_annotators": Value("int32"),
            "agreement": Value("float32"),
            "label_source": Value("string"),
            "start": Value("int32"),
            "end": Value("int32"),
            "role": Value("string"),
            "source": Value("string"),
            "url": Value("string"),
            "language": Value("string"),
        }
    )
