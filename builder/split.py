"""Split an article into sentences with character offsets and roles.

``split_article`` is a pure function of one article, so that it can be mapped over
processes or a distributed engine. Each line of the text is segmented on its own,
so that a headline, a dateline or a photo caption never runs into the next
sentence. Within a line the segmenter is blingfire (the most accurate and fastest
splitter measured on the GUM sentence gold, see ``benchmarks/split_bench.py``);
when its native library cannot be loaded (no wheel for the platform) a portable
rule-based segmenter takes over. Both are followed by the same abbreviation-repair
pass (``U.S.``, ``Gov.``, ``Nov. 17``, ``a.m.``, initials, ...).
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

from builder.records import Article, Sentence, sentence_id

Span = tuple[int, int]

#: Lines longer than this are segmented in windows, so memory stays bounded.
WINDOW = 1 << 16

#: Titles that are never the end of a sentence (the next word is a name).
TITLES = frozenset(
    "mr mrs ms mx dr prof gov sen rep gen lt col capt cpt sgt maj adm cmdr cdr rev fr hon pres supt "
    "insp det st mt ft messrs mme mlle sr jr".split()
)
#: Abbreviations that never end a sentence when a number follows (``Nov. 17``, ``No. 5``).
BEFORE_NUMBER = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec no nos vol p pp fig figs art sec ch para tel ca approx est".split()
)
#: Abbreviations that end a sentence only when the next word is capitalised.
ABBREVIATIONS = frozenset(
    "co corp inc ltd llc plc bros dept univ assn ave blvd rd etc vs v e.g i.e a.m p.m u.s u.k u.n "
    "cf al et viz approx dept est fig".split()
)

_LAST_TOKEN = re.compile(r"(\S+)\s*$")
_SINGLE_INITIAL = re.compile(r"^\(?[A-Z]\.$")


class Segmenter:
    """Sentence segmentation of one line of text: ``spans(text) -> [(start, end), ...]``.

    Attributes
    ----------
    name : str
        Recorded in the benchmark and in ``describe_splitter()``.
    """

    name = ""

    def spans(self, text: str) -> list[Span]:
        """Sentence spans of ``text`` (no line breaks inside), before repair."""
        raise NotImplementedError


class BlingfireSegmenter(Segmenter):
    """blingfire's sentence breaker, called through its C API with byte offsets.

    The C function is called directly: blingfire's Python wrapper maps byte offsets
    to characters one byte at a time in Python, which is most of its run time.

    Raises
    ------
    ImportError, OSError
        blingfire is not installed or its native library cannot be loaded.
    """

    name = "blingfire"

    def __init__(self):
        import ctypes

        import blingfire

        self._ctypes = ctypes
        self._function = blingfire.blingfire.TextToSentencesWithOffsets

    def spans(self, text: str) -> list[Span]:
        ctypes = self._ctypes
        data = text.encode("utf-8")
        size = len(data) * 2 + 1
        out = ctypes.create_string_buffer(size)
        starts = (ctypes.c_int32 * size)()
        ends = (ctypes.c_int32 * size)()
        length = self._function(ctypes.c_char_p(data), ctypes.c_int(len(data)), ctypes.byref(out), ctypes.byref(starts), ctypes.byref(ends), ctypes.c_int(size))
        if length <= 0 or length > size:
            return [(0, len(text))] if text.strip() else []
        count = out.value.count(b"\n") + 1
        byte_spans = [(starts[i], ends[i] + 1) for i in range(count)]
        if len(data) == len(text):
            return byte_spans
        return _bytes_to_chars(data, byte_spans)


class RuleSegmenter(Segmenter):
    """A portable segmenter: a break after ``.``, ``!``, ``?`` or ``…`` (and closing
    quotes or brackets) followed by whitespace and a word that may start a sentence."""

    name = "rules"
    _BREAK = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]*[A-Z0-9\u00c0-\u00de])")

    def spans(self, text: str) -> list[Span]:
        spans = []
        start = 0
        for match in self._BREAK.finditer(text):
            spans.append((start, match.end()))
            start = match.end()
        spans.append((start, len(text)))
        return spans


def _bytes_to_chars(data: bytes, byte_spans: list[Span]) -> list[Span]:
    """Map UTF-8 byte offsets (at character boundaries, ascending) to characters."""
    positions = sorted({p for span in byte_spans for p in span})
    chars = {}
    byte_at = char_at = 0
    for position in positions:
        char_at += len(data[byte_at:position].decode("utf-8", errors="replace"))
        byte_at = position
        chars[position] = char_at
    return [(chars[a], chars[b]) for a, b in byte_spans]


@lru_cache(maxsize=None)
def get_segmenter(name: str | None = None) -> Segmenter:
    """The segmenter ``name`` ({"blingfire", "rules"}), or the best available one.

    With ``name=None``, blingfire is used when its native library loads; otherwise
    the portable rule segmenter is used and a ``RuntimeWarning`` says why.
    """
    if name == "rules":
        return RuleSegmenter()
    try:
        return BlingfireSegmenter()
    except (ImportError, OSError, AttributeError) as exc:
        if name == "blingfire":
            raise
        warnings.warn(f"blingfire is not available ({exc}); using the portable rule-based sentence splitter", RuntimeWarning, stacklevel=2)
        return RuleSegmenter()


def segment(text: str, segmenter: Segmenter | None = None) -> list[Span]:
    """Sentence spans of ``text``: each line on its own, repaired, whitespace trimmed.

    Parameters
    ----------
    text : str
        Any text; ``\\n`` always ends a sentence.
    segmenter : Segmenter, optional
        Defaults to ``get_segmenter()`` (blingfire, or the portable fallback).

    Returns
    -------
    list of (int, int)
        ``text[start:end]`` is a sentence with no leading or trailing whitespace.

    Examples
    --------
    >>> text = "Talks with the U.S. resumed on Nov. 17.\\nA second line"
    >>> [text[a:b] for a, b in segment(text)]
    ['Talks with the U.S. resumed on Nov. 17.', 'A second line']
    """
    segmenter = segmenter or get_segmenter()
    return [span for start, line in _lines(text) for span in _segment_line(line, start, segmenter.spans)]


def _lines(text: str):
    """Yield ``(offset, line)`` for every line of ``text`` that is not blank."""
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            yield offset, line
        offset += len(line) + 1


def _segment_line(line: str, offset: int, spans_of: Callable[[str], list[Span]]) -> list[Span]:
    """Segment one line, in windows of ``WINDOW`` characters when it is long."""
    result: list[Span] = []
    start = 0
    while start < len(line):
        stop = len(line) if len(line) - start <= WINDOW else _window_end(line, start)
        pieces = _repair(line, [(start + a, start + b) for a, b in spans_of(line[start:stop])])
        if stop < len(line) and len(pieces) > 1:
            pieces.pop()
            next_start = pieces[-1][1]
        else:
            next_start = stop
        result.extend((offset + a, offset + b) for a, b in pieces)
        start = next_start
    return result


def _window_end(line: str, start: int) -> int:
    """End of a window: the last whitespace before ``start + WINDOW`` (or that point)."""
    cut = line.rfind(" ", start + WINDOW // 2, start + WINDOW)
    return cut if cut > 0 else start + WINDOW


def _repair(text: str, spans: list[Span]) -> list[Span]:
    """Trim whitespace and merge the spans that were split after an abbreviation."""
    trimmed = []
    for start, end in spans:
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            left = start + len(piece) - len(piece.lstrip())
            trimmed.append((left, left + len(stripped)))
    merged: list[Span] = []
    for span in trimmed:
        if merged and _continues(text[merged[-1][0] : merged[-1][1]], text[span[0] : span[1]]):
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    return merged


def _continues(previous: str, following: str) -> bool:
    """Whether ``following`` continues the sentence ``previous`` (a false break)."""
    if not previous.endswith("."):
        return previous[-1] not in ".!?\u2026\"'\u201d\u2019)]" and following[:1].islower()
    token = _LAST_TOKEN.search(previous).group(1).lstrip("(\"'\u201c\u2018")
    word = token[:-1].lower()
    first = following[:1]
    if word in TITLES:
        return True
    if word in BEFORE_NUMBER and first.isdigit():
        return True
    if _SINGLE_INITIAL.match(token) and first.isupper() and len(previous) > len(token):
        return True
    if first.islower() and (word in ABBREVIATIONS or "." in word or len(word) <= 3):
        return True
    return False


# ---------------------------------------------------------------------------
# Roles

_BOILERPLATE = re.compile(
    r"^(related( articles| stories| coverage| content| posts| news| links)?|share( this( article| story| page)?| on \w+)?"
    r"|advertisement|sponsored( content)?|read more\b.*|see also\b.*|more from\b.*|you (may|might) also like\b.*"
    r"|recommended( for you)?|top stories|most (read|popular|viewed)|trending( now)?|subscribe\b.*|sign up\b.*"
    r"|follow us\b.*|click here\b.*|(photo|image|picture|video) (credit|courtesy|source)s?\b.*|image copyright\b.*"
    r"|copyright\b.*|\u00a9.*|all rights reserved\.?|skip to (main )?content|back to top|comments?( \(\d+\))?"
    r"|(leave|post) a comment|print|email|tweet|home|menu|search|log ?in|sign in|(getty images|reuters|ap photo|afp)(/.*)?"
    r"|\(?(photo|picture|image|file photo)s?:[^.]*\)?|\w+( \w+)?/(reuters|ap|afp|getty images)|tags?:.*|filed under:?.*)$",
    re.IGNORECASE,
)
_NAVIGATION = re.compile(r"^[^.!?|]{1,30}(\s*[|\u00b7\u2022>\u203a]\s*[^.!?|]{1,30}){2,}$")
_BYLINE = re.compile(
    r"^(by\s+[A-Z][\w.'\u2019-]*(\s+[A-Z][\w.'\u2019-]*){0,3}([,;]?\s+(and\s+)?[A-Z][\w.'\u2019-]*(\s+[A-Z][\w.'\u2019-]*){0,3}){0,3}([,|\u2013-]\s*.{0,40})?"
    r"|((reporting|writing|editing|additional reporting|compiled|written|posted|updated|published)( by| on)?[: ].{0,150})"
    r"|((mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}.{0,30}"
    r"|\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{4}.{0,30})$",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"\b(is|are|was|were) (pictured|seen|shown|photographed)\b|\bpictured\b|\bposes? for (a )?(photo|picture)s?\b"
    r"|\bFILE PHOTO\b|\((photo|picture|image|file)\b|\b(photo|picture|image) (by|courtesy|credit)\b"
    r"|\b(REUTERS|AP Photo|AFP|Getty Images)/",
    re.IGNORECASE,
)
_SHORT_LINE = 300


def line_role(line: str, *, is_headline: bool = False, is_caption: bool = False) -> str:
    """The role of one line of an article.

    Parameters
    ----------
    line : str
        The line, without its line break.
    is_headline : bool, default=False
        The line is the article's title.
    is_caption : bool, default=False
        The source marks the line as a caption (HTML ``figcaption``).

    Returns
    -------
    {"headline", "body", "caption", "byline", "boilerplate"}

    Examples
    --------
    >>> line_role("Related Articles")
    'boilerplate'
    >>> line_role("A flag is pictured outside the mission in Geneva, November 17, 2017.")
    'caption'
    """
    stripped = " ".join(line.split())
    if is_headline:
        return "headline"
    if is_caption:
        return "caption"
    if _BOILERPLATE.match(stripped) or _NAVIGATION.match(stripped):
        return "boilerplate"
    if len(stripped) <= 200 and _BYLINE.match(stripped):
        return "byline"
    if len(stripped) <= _SHORT_LINE and _CAPTION.search(stripped):
        return "caption"
    return "body"


def split_article(article: Article, segmenter: Segmenter | None = None) -> list[Sentence]:
    """Split one article into sentences with offsets, roles, ids and context.

    A pure function of ``article``: it can be mapped over processes.

    Parameters
    ----------
    article : Article
        A normalised article (``\\n`` line ends), as returned by ``read_articles``.
    segmenter : Segmenter, optional
        Defaults to ``get_segmenter()``: blingfire, or the portable fallback.

    Returns
    -------
    list of Sentence
        In text order, every role included. ``article.text[s.start:s.end] == s.text``;
        ``s.context`` holds the ``headline`` and the neighbouring body sentences
        (``before``, ``after``); ``score`` and ``reason`` are left to
        ``builder.select.score_sentences``.

    Examples
    --------
    >>> article = Article("a1", "Talks resume\\n\\nTalks with the U.S. resume. Dr. Ri agreed.", title="Talks resume")
    >>> [(s.role, s.text) for s in split_article(article)]
    [('headline', 'Talks resume'), ('body', 'Talks with the U.S. resume.'), ('body', 'Dr. Ri agreed.')]
    """
    segmenter = segmenter or get_segmenter()
    text = article.text
    captions = article.meta.get("captions", []) if isinstance(article.meta, dict) else []
    caption_starts = {start for start, _ in captions} if isinstance(captions, list) and all(isinstance(c, list) and len(c) == 2 for c in captions) else set()
    title = " ".join(article.title.split()) if article.title else None
    pieces: list[tuple[int, int, str]] = []
    for number, (line_start, line) in enumerate(_lines(text)):
        leading = len(line) - len(line.lstrip())
        role = line_role(
            line,
            is_headline=number == 0 and title is not None and " ".join(line.split()) == title,
            is_caption=line_start + leading in caption_starts,
        )
        pieces.extend((a, b, role) for a, b in _segment_line(line, line_start, segmenter.spans))
    return _sentences(article, pieces)


def _sentences(article: Article, pieces: list[tuple[int, int, str]]) -> list[Sentence]:
    text = article.text
    headline = " ".join(text[a:b] for a, b, role in pieces if role == "headline")
    body = [i for i, (_, _, role) in enumerate(pieces) if role == "body"]
    before: dict[int, str] = {}
    after: dict[int, str] = {}
    for previous, current in zip(body, body[1:]):
        before[current] = text[pieces[previous][0] : pieces[previous][1]]
        after[previous] = text[pieces[current][0] : pieces[current][1]]
    occurrences: Counter[str] = Counter()
    sentences = []
    for index, (start, end, role) in enumerate(pieces):
        sentence_text = text[start:end]
        base = sentence_id(article.article_id, sentence_text)
        occurrences[base] += 1
        sentences.append(
            Sentence(
                sentence_id=sentence_id(article.article_id, sentence_text, occurrences[base]),
                article_id=article.article_id,
                index=index,
                start=start,
                end=end,
                text=sentence_text,
                role=role,
                context={"headline": headline, "before": before.get(index, ""), "after": after.get(index, "")},
            )
        )
    return sentences


def describe_splitter() -> str:
    """Name of the segmenter in use, e.g. ``"blingfire"`` (recorded in outputs)."""
    return get_segmenter().name
