"""The records that flow between stages: ``Article`` and ``Sentence``.

Their JSON shape is declared once in ``schemas/article.schema.json`` and
``schemas/sentence.schema.json``; ``tests/schemas/test_contracts.py`` checks that the
dataclass fields and the schemas agree.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from checkworthy.schemas.io import sha256_text

ARTICLE_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]+$")

ROLES = ("headline", "body", "caption", "byline", "boilerplate")

#: A first line longer than this is body text, not a headline; a headline in a sentence's
#: context is cut to this length.
HEADLINE_MAX_CHARS = 300


@dataclass(frozen=True)
class Article:
    """One news article, normalised (UTF-8, ``\\n`` line ends, no BOM).

    ``text`` is exactly what the splitter sees, headline included; ``text_sha256``
    is its hash. ``meta`` keeps any extra fields of the source (for example
    ``{"fictional": true}``). ``language`` is an ISO 639-1 code, given by the input
    or detected (then ``language_confidence`` is the detector's probability; see
    ``checkworthy.builder.language``).
    """

    article_id: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    path: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    text_sha256: str = ""
    language: str | None = None
    language_confidence: float | None = None

    def __post_init__(self):
        if not self.text_sha256:
            object.__setattr__(self, "text_sha256", sha256_text(self.text))

    @property
    def file(self) -> str | None:
        """The file the article was read from: ``path`` without the ``:LINE`` of a JSONL article."""
        if self.path is None:
            return None
        return re.sub(r":\d+$", "", self.path)

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Article":
        return cls(**data)


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article, with character offsets into ``article.text``.

    ``article.text[start:end] == text`` always holds. ``context`` holds the text of
    the neighbouring sentences (``before``, ``after``) and the ``headline``;
    ``language`` is its article's.
    """

    sentence_id: str
    article_id: str
    index: int
    start: int
    end: int
    text: str
    role: str
    text_sha256: str = ""
    score: float | None = None
    reason: str | None = None
    context: dict[str, str] = field(default_factory=dict)
    language: str | None = None

    def __post_init__(self):
        if not self.text_sha256:
            object.__setattr__(self, "text_sha256", sha256_text(self.text))

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Sentence":
        return cls(**data)


def _plain(value: Any) -> Any:
    """A copy of JSON-like ``value`` (dicts and lists copied, the rest shared)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _to_dict(record: Any) -> dict[str, Any]:
    """``dataclasses.asdict`` for the flat records here, without its deep copies (much faster)."""
    return {f.name: _plain(getattr(record, f.name)) for f in dataclasses.fields(record)}


def sentence_id(article_id: str, text: str, occurrence: int = 1) -> str:
    """Stable id of a sentence: article id, a hash of the text, and its occurrence.

    The id depends only on the article id and the sentence's own text (and on
    ``occurrence`` when the same text appears more than once in the article), so it
    survives edits elsewhere in the article.

    Examples
    --------
    >>> sentence_id("a1", "Prices rose 4%.")
    'a1:6bb0846594ff'
    >>> sentence_id("a1", "Prices rose 4%.", occurrence=2)
    'a1:6bb0846594ff:2'
    """
    digest = sha256_text(" ".join(text.split()))[:12]
    return f"{article_id}:{digest}" if occurrence == 1 else f"{article_id}:{digest}:{occurrence}"
