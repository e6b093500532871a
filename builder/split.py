"""Split an article into sentences with character offsets and roles.

``split_article`` is a pure function of one article, so that it can be mapped over
processes or a distributed engine. A line break always ends a sentence, so that a
headline, a dateline or a photo caption never runs into the next one. The
segmenter is blingfire, a trained sentence breaker; when its native library cannot
be loaded (no wheel for the platform) a portable rule-based segmenter takes over.
Both are followed by the same repair pass (``U.S.``, ``Gov.``, ``Nov. 17``,
``a.m.``, initials, list numbers, citation marks, inline lists after a colon). ``benchmarks/split_bench.py``
measures them on the GUM sentence gold: with the repair pass both reach a boundary
F1 of about 0.986.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from functools import lru_cache

from checkworthy.builder.languages import ENGLISH, LanguageRules, rules_for
from checkworthy.schemas.records import HEADLINE_MAX_CHARS, Article, Sentence, sentence_id

Span = tuple[int, int]

#: A neighbouring sentence in a sentence's context is cut to this many characters, so that
#: the output grows linearly with the input however long the sentences are.
CONTEXT_MAX_CHARS = 1000

#: Texts longer than this are segmented in windows of this size, so memory stays bounded.
WINDOW = 1 << 16

#: English rules: titles, abbreviations and sentence starters (see ``checkworthy.builder.languages``).
TITLES = ENGLISH.titles
BEFORE_NUMBER = ENGLISH.before_number
SENTENCE_STARTERS = ENGLISH.starters
NEVER_FINAL = ENGLISH.never_final

#: A whole "sentence" that is only a list number or label: ``2.``, ``4.1.``, ``a)``, ``Figure 1.``.
_LIST_NUMBER = re.compile(r"(?:[\u2022\u2043*-]?\s*\(?\d{1,3}(?:\.\d{1,3})*(?:\.\)|[.)])|[A-Za-z][.)]|(?:Figure|Fig|Table|Chapter|Section|Part|Step)\.? ?\d+(?:\.\d+)*\.)")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}")
_WORD = re.compile(r"\w+")
#: Sentence ends after which a lower-case word still continues the sentence.
_CONTINUES_LOWER = ".!?\u2026\"'\u201d\u2019"
_CLOSING_QUOTES = "\"'\u201d\u2019"
_QUESTION_OR_EXCLAMATION = ("!", "?", "\u2026")
_OPENERS = "(\"'\u201c\u2018"
#: A short speech tag after a quoted question or exclamation: ``"Ready?" she asked.``
_SPEECH = re.compile(r"(?:\S+\s+){0,2}(?:said|says|say|asked|asks|ask|replied|cried|shouted|called|howled|whispered|started)\b")
#: A sentence end followed by citation marks (``... in 2014. [17] [18] They ...``).
_CITATION_BREAK = re.compile(r"(?<=[.!?\"\u201d])(?:\s*\[[^\]\n]{1,20}\])+(?=\s+[A-Z\u00c0-\u00de])")
#: A sentence that starts with a closing quote written as two apostrophes (``... zien. '' Roze ...``):
#: the quote belongs to the sentence before.
_LEADING_CLOSING_QUOTE = re.compile(r"\s*''(?=\s|$)")
#: A day number just before the last word of a span (``12`` in ``Madrid, 12 oct.``).
_DAY_BEFORE = re.compile(r"(?<!\d)\d{1,2}\s+$")
#: An ordinal number at the end of a span (``am 3.``): before a month name the sentence goes on.
_ORDINAL = re.compile(r"\d{1,2}\.")
#: Sentence ends of scripts that have their own full stop, which no abbreviation uses:
#: Devanagari and Bengali danda (``।`` ``॥``: Hindi, Marathi, Nepali, Bengali...), Ethiopic
#: (``።``), Armenian (``։``), Myanmar (``။``), Urdu (``۔``), the Arabic question mark
#: (``؟``) and the CJK full stop, exclamation and question marks (``。！？｡``), each with the
#: closing quotes or brackets after it. A break follows them wherever the segmenter missed it.
_SCRIPT_END = re.compile(
    r"[\u0964\u0965\u1362\u0589\u104b\u06d4\u061f\u3002\uff01\uff1f\uff61]+"
    r"[\u201d\u2019\u300d\u300f\uff09\u300b\u3009\u3011\u3015\u00bb)\]\"']*(?=\s*\S)"
)
#: Closing quotes and brackets that a segmenter may leave at the start of the next sentence
#: (``改革。`` | ``”这是...``): moved back to the sentence they close. ASCII quotes and ``»``
#: are left alone, since they also open quotations.
_LEADING_CLOSERS = re.compile(r"[\u201d\u2019\u300d\u300f\uff09\u300b\u3009\u3011\u3015]+")
#: Sentence-final punctuation before such a closing quote.
_FINAL_PUNCTUATION = frozenset(".!?\u2026\u0964\u0965\u1362\u0589\u104b\u06d4\u061f\u3002\uff01\uff1f\uff61")
#: Japanese quotative particles: after a closing bracket they continue the sentence
#: (``「行く。」と彼は言った。`` is one sentence).
_QUOTATIVE = re.compile(r"(?:\u3068|\u3063\u3066)")
#: The Greek question mark is written as a semicolon (U+037E is canonically ``;``).
_GREEK_QUESTION = re.compile(r"[;\u037e](?=\s+[\"'\u201c\u00ab(]*[\u0386-\u038f\u0391-\u03ab])")
#: An inline list opened by a colon: the colon, then a spaced hyphen or en dash (the list marker,
#: group 1) before the first item's first character (not a dash, not punctuation).
_LIST_OPEN = re.compile(r":[ \t]+([-\u2013])[ \t]+(?=[^\s\-\u2013\u2014.,;:!?])")


class Segmenter:
    """Sentence segmentation of a text: ``spans(text) -> [(start, end), ...]``.

    Attributes
    ----------
    name : str
        Recorded in the benchmark and in ``describe_splitter()``.
    """

    name = ""

    def spans(self, text: str) -> list[Span]:
        """Sentence spans of ``text``, before repair and before the cuts at line breaks."""
        raise NotImplementedError


class BlingfireSegmenter(Segmenter):
    """blingfire's sentence breaker, called through its C API with byte offsets.

    The C function is called directly, with output buffers that are reused from
    call to call: blingfire's Python wrapper allocates them anew and maps byte
    offsets to characters one byte at a time in Python, which is most of its run
    time.

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
        self._size = 0

    def _buffers(self, size: int):
        if size > self._size:
            ctypes = self._ctypes
            self._size = max(size, 2 * self._size, 1 << 12)
            self._out = ctypes.create_string_buffer(self._size)
            self._starts = (ctypes.c_int32 * self._size)()
            self._ends = (ctypes.c_int32 * self._size)()
        return self._out, self._starts, self._ends

    def spans(self, text: str) -> list[Span]:
        ctypes = self._ctypes
        data = text.encode("utf-8")
        size = len(data) * 2 + 1
        out, starts, ends = self._buffers(size)
        length = self._function(data, len(data), ctypes.byref(out), ctypes.byref(starts), ctypes.byref(ends), size)
        if length <= 0 or length > size:
            return [(0, len(text))]
        count = ctypes.string_at(out, length).count(b"\n") + 1
        byte_spans = list(zip(starts[:count], [end + 1 for end in ends[:count]]))
        if len(data) == len(text):
            return byte_spans
        return _bytes_to_chars(data, byte_spans)


class RuleSegmenter(Segmenter):
    """A portable segmenter: a break after ``.``, ``!``, ``?`` or ``…`` (and closing
    quotes or brackets, and the dash of a Spanish dateline's ``(EFE).-``) followed by
    whitespace and a word that may start a sentence: a capital letter of the Latin, Greek,
    Cyrillic or Armenian alphabets, a digit, an Arabic letter, or an elided article before a
    capital, as a Dutch sentence starts (``'s Avonds``, ``’t Is``)."""

    name = "rules"
    _BREAK = re.compile(
        r"[.!?\u2026\u061f\u06d4]+[\"'\u201d\u2019\u00bb)\]]*-?(?:\s+'')?(?=\s+(?:[\"'\u201c\u2018\u00ab(\[\u00bf\u00a1]*[A-Z0-9\u00c0-\u00de\u0386-\u03ab\u0400-\u042f\u0531-\u0556\u0621-\u064a]"
        r"|['\u2019][a-z]{1,2}\s+[A-Z]))"
    )

    def spans(self, text: str) -> list[Span]:
        spans = []
        start = 0
        for match in self._BREAK.finditer(text):
            spans.append((start, match.end()))
            start = match.end()
        spans.append((start, len(text)))
        return spans


def _bytes_to_chars(data: bytes, byte_spans: list[Span]) -> list[Span]:
    """Map UTF-8 byte offsets (at character boundaries) to character offsets."""
    import numpy as np

    if not byte_spans:
        return []
    codes = np.frombuffer(data, dtype=np.uint8)
    # chars_before[b] = number of characters that start before byte b
    chars_before = np.concatenate(([0], np.cumsum((codes & 0xC0) != 0x80)))
    mapped = chars_before[np.asarray(byte_spans, dtype=np.int64)].tolist()
    return [(a, b) for a, b in mapped]


@lru_cache(maxsize=None)
def get_segmenter(name: str | None = None) -> Segmenter:
    """The segmenter ``name`` ({"blingfire", "rules"}), or the best available one.

    With ``name=None``, blingfire is used when its native library loads; otherwise
    the portable rule segmenter is used and a ``RuntimeWarning`` says why.

    Raises
    ------
    ImportError, OSError
        ``name="blingfire"`` and blingfire cannot be loaded.
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


def segment(text: str, segmenter: Segmenter | None = None, *, repair: bool = True, language: str | None = None) -> list[Span]:
    """Sentence spans of ``text``; a line break always ends a sentence.

    The segmenter sees the text in windows of at most ``WINDOW`` characters (so
    memory stays bounded on huge articles). For a language other than English,
    blingfire's breaks (trained on English, it misses breaks after words that are
    English abbreviations, such as Dutch ``op.`` or ``in.``) are joined with the
    portable segmenter's. The spans are then repaired
    (abbreviations, initials, citations, list numbers, inline lists), cut at every line break
    and trimmed of whitespace.

    Parameters
    ----------
    text : str
        Any text.
    segmenter : Segmenter, optional
        Defaults to ``get_segmenter()`` (blingfire, or the portable fallback).
    repair : bool, default=True
        Apply the repair pass (turned off only to measure it).
    language : str, optional
        The text's language (ISO 639-1): the repair pass uses its abbreviations,
        titles and month names (``checkworthy.builder.languages.rules_for``);
        English when None.

    Returns
    -------
    list of (int, int)
        ``text[start:end]`` is a sentence: not empty, no line break inside, no
        leading or trailing whitespace.

    Examples
    --------
    >>> text = "Talks with the U.S. resumed on Nov. 17.\\nA second line"
    >>> [text[a:b] for a, b in segment(text)]
    ['Talks with the U.S. resumed on Nov. 17.', 'A second line']
    """
    segmenter = segmenter or get_segmenter()
    rules = rules_for(language)
    result: list[Span] = []
    start = 0
    while start < len(text):
        stop = len(text) if len(text) - start <= WINDOW else _window_end(text, start)
        window = text[start:stop]
        raw = segmenter.spans(window)
        if rules is not ENGLISH and not isinstance(segmenter, RuleSegmenter):
            raw = _with_breaks(raw, _RULE_SEGMENTER.spans(window))
        raw = _with_script_breaks(window, raw, language)
        raw = [(start + a, start + b) for a, b in raw]
        pieces = _cut_lines(text, _repair(text, raw, rules) if repair else raw)
        if stop < len(text) and len(pieces) > 1:
            pieces.pop()
            start = pieces[-1][1]
        else:
            start = stop
        result.extend(pieces)
    return result


_RULE_SEGMENTER = RuleSegmenter()


def _with_script_breaks(text: str, spans: list[Span], language: str | None) -> list[Span]:
    """``spans`` also cut after every full stop of a script that has its own (``_SCRIPT_END``)
    and, in Greek, after a question mark written as ``;``."""
    breaks = [match.end() for match in _SCRIPT_END.finditer(text)]
    if language == "el":
        breaks += [match.end() for match in _GREEK_QUESTION.finditer(text)]
    if not breaks:
        return spans
    return _with_breaks(spans, [(0, end) for end in breaks] + [(0, len(text))])


def _with_breaks(spans: list[Span], other: list[Span]) -> list[Span]:
    """``spans`` also cut at every end in ``other`` (the repair pass then undoes the false breaks)."""
    ends = sorted({end for _, end in spans} | {end for _, end in other})
    result, start = [], 0
    for end in ends:
        if end > start:
            result.append((start, end))
            start = end
    return result


def _window_end(text: str, start: int) -> int:
    """End of a window: the last line break, else whitespace, in its second half."""
    low, high = start + WINDOW // 2, start + WINDOW
    cut = text.rfind("\n", low, high)
    if cut < 0:
        cut = text.rfind(" ", low, high)
    return cut if cut > 0 else high


def _lines(text: str):
    """Yield ``(offset, line)`` for every line of ``text`` that is not blank."""
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            yield offset, line
        offset += len(line) + 1


def _cut_lines(text: str, spans: list[Span]) -> list[Span]:
    """Cut every span at its line breaks; trim whitespace; drop empty pieces."""
    pieces = []
    for start, end in spans:
        if start >= end:
            continue
        if text.find("\n", start, end) < 0 and not text[start].isspace() and not text[end - 1].isspace():
            pieces.append((start, end))
            continue
        while start < end:
            newline = text.find("\n", start, end)
            stop = end if newline < 0 else newline
            piece = text[start:stop]
            stripped = piece.strip()
            if stripped:
                left = start + len(piece) - len(piece.lstrip())
                pieces.append((left, left + len(stripped)))
            start = stop + 1
    return pieces


def _repair(text: str, spans: list[Span], rules: LanguageRules = ENGLISH) -> list[Span]:
    """Merge the spans split at a false break; split at citations before a new sentence and
    before the items of an inline list (``_split_inline_list``)."""
    merged: list[Span] = []
    for start, end in spans:
        quote = _LEADING_CLOSING_QUOTE.match(text, start, end) if merged else None
        if quote:
            merged[-1] = (merged[-1][0], quote.end())
            start = quote.end()
        closers = _LEADING_CLOSERS.match(text, start, end) if merged and merged[-1][1] == start else None
        if closers and text[start - 1] in _FINAL_PUNCTUATION:
            merged[-1] = (merged[-1][0], closers.end())
            start = closers.end()
            if start >= end:
                continue
        if merged and merged[-1][1] == start and _LEADING_CLOSERS.match(text, start - 1) and _QUOTATIVE.match(text, start, end):
            merged[-1] = (merged[-1][0], end)
            continue
        if merged and _continues(text, merged[-1][0], merged[-1][1], start, end, rules):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    if merged and text.find("[", merged[0][0], merged[-1][1]) >= 0:
        result = []
        for start, end in merged:
            for match in _CITATION_BREAK.finditer(text, start, end):
                result.append((start, match.end()))
                start = match.end()
            result.append((start, end))
        merged = result
    if merged and _LIST_OPEN.search(text, merged[0][0], merged[-1][1]):
        merged = [piece for start, end in merged for piece in _split_inline_list(text, start, end)]
    return merged


def _split_inline_list(text: str, start: int, end: int) -> list[Span]:
    """The span ``text[start:end]`` cut before the items of an inline list in it.

    An inline list is a colon followed by a spaced hyphen or en dash (``... onderscheid
    worden gemaakt in: - Risicoreducerende voorlichting - Zorggerichte voorlichting``):
    a list flattened onto one line. The lead-in ends at the colon and every further
    spaced dash of the same kind starts an item, up to the end of the span (the next
    sentence end the segmenter found) or of the line. The last item runs into whatever
    follows it up to there: without punctuation or a line break its end cannot be seen.

    A list has at least two items, so a colon before a single dash (a quotation opened
    by a dash: ``Romero lo explica así: - Nos presentamos ... -.``) is not cut. A dash
    between digits (``2 - 0``, ``0 - 4 jaar``), next to another dash (``- -``) or before
    punctuation is not an item marker. An em dash never opens a list: it marks speech
    and asides.
    """
    opening = _LIST_OPEN.search(text, start, end)
    if opening is None:
        return [(start, end)]
    marker = opening.group(1)
    stop = text.find("\n", opening.end(), end)
    stop = end if stop < 0 else stop
    items = []
    position = text.find(marker, opening.end(), stop)
    while position >= 0:
        if _is_item_dash(text, position, stop):
            items.append(position)
        position = text.find(marker, position + 1, stop)
    if not items:
        return [(start, end)]
    pieces = [(start, opening.start() + 1)]
    for begin, finish in zip([opening.start(1), *items], [*items, stop]):
        pieces.append((begin, finish))
    if stop < end:
        pieces[-1] = (pieces[-1][0], end)
    return pieces


def _is_item_dash(text: str, position: int, stop: int) -> bool:
    """Whether the dash at ``position`` is spaced and starts a list item (see ``_split_inline_list``)."""
    before = position
    while before > 0 and text[before - 1] in " \t":
        before -= 1
    after = position + 1
    while after < stop and text[after] in " \t":
        after += 1
    if before == position or after == position + 1 or after >= stop or before == 0:
        return False
    previous, following = text[before - 1], text[after]
    if previous in "-\u2013\u2014" or following in "-\u2013\u2014.,;:!?" or following.isspace():
        return False
    return not (previous.isdigit() and following.isdigit())


def _continues(text: str, start: int, end: int, next_start: int, next_end: int, rules: LanguageRules = ENGLISH) -> bool:
    """Whether ``text[next_start:next_end]`` continues the sentence ``text[start:end]``.

    True at a false break: before a lower-case word or a citation mark, before a
    speech tag after a quoted question or exclamation, and after a title
    (``Dr.``, Arabic ``د.`` unless a number comes before it), an abbreviation that
    never ends a sentence (``e.g.``), a month or ``No.`` before a number, an ordinal
    before a month (``am 3. Mai``), an initial (``Jonas E. Smith``) or a list number,
    with the abbreviations of ``rules``.
    """
    while end > start and text[end - 1].isspace():
        end -= 1
    while next_start < next_end and text[next_start].isspace():
        next_start += 1
    if end == start or next_start == next_end or text.find("\n", end, next_start) >= 0:
        return False
    last, first = text[end - 1], text[next_start]
    if last == "." and first.isupper() and text[end - 2 : end - 1].islower() and text[end - 5 : end - 1].isalpha():
        return text[max(text.rfind(" ", start, end), start) : end].strip(" (\"'\u201c\u2018").lower()[:-1] in rules.title_like
    while start < end and text[start].isspace():
        start += 1
    start = max(start, text.rfind("\n", start, end) + 1)
    if first == "[" or (first.islower() and last in _CONTINUES_LOWER):
        return True
    if last in _CLOSING_QUOTES and text[end - 2 : end - 1] in _QUESTION_OR_EXCLAMATION and _SPEECH.match(text, next_start, next_end):
        return True
    if last != ".":
        return False
    token_start = max(text.rfind(" ", start, end) + 1, start)
    if end - start <= 20 and _LIST_NUMBER.fullmatch(text, start, end):
        return True
    token = text[token_start:end].lstrip(_OPENERS)
    word = token[:-1].lower()
    if word in rules.titles or word in rules.never_final:
        return True
    if word in rules.titles_unless_number and not text[start:token_start].rstrip()[-1:].isdigit():
        return True
    if word in rules.before_number and first.isdigit():
        return True
    if rules.months and _ORDINAL.fullmatch(token):
        following = _next_word(text, next_start, next_end)
        if following.lower() in rules.months or (following.lower() in rules.month_abbreviations
                                                  and text[next_start + len(following) : next_start + len(following) + 1] == "."):
            return True
    if first == "(" and word in rules.month_abbreviations and _DAY_BEFORE.search(text, start, token_start):
        return True
    if first.isupper() and _INITIALISM.fullmatch(token):
        return _next_word(text, next_start, next_end) not in rules.starters
    return len(token) == 2 and token[0].isupper() and first.isupper() and token_start > start


def _next_word(text: str, start: int, end: int) -> str:
    match = _WORD.match(text, start, end)
    return match.group(0) if match else ""


# ---------------------------------------------------------------------------
# Roles

_BOILERPLATE = re.compile(
    r"^(related( articles| stories| coverage| content| posts| news| links)?|share( this( article| story| page)?| on \w+)?"
    r"|advertisement|sponsored( content)?|read more\b.*|see also\b.*|more from\b.*|you (may|might) also like\b.*"
    r"|recommended( for you)?|top stories|most (read|popular|viewed)|trending( now)?|subscribe\b.*|sign up\b.*"
    r"|follow us\b.*|click here\b.*|(photo|image|picture|video) (credit|courtesy|source)s?\b.*|image copyright\b.*"
    r"|copyright\s*(\u00a9|\(c\)|\d{4}).*|\u00a9.*|all rights reserved\.?|skip to (main )?content|back to top|comments?( \(\d+\))?"
    r"|(leave|post) a comment|print|email|tweet|home|menu|search|log ?in|sign in|(getty images|reuters|ap photo|afp)(/.*)?"
    r"|\(?(photo|picture|image|file photo)s?:[^.]*\)?|\w+( \w+)?/(reuters|ap|afp|getty images)|tags?:.*|filed under:?.*"
    # a cookie consent banner or page: "We use cookies and data to deliver ...", "Accept all", "More options"
    r"|(we|we and our partners|this (site|website)|our (site|website)) uses? cookies\b.*|(accept|reject|allow|manage) (all|cookies)\b.*"
    r"|cookie (settings|policy|preferences|consent)\b.*|if you choose to (accept|reject) all\b.*|more options|manage (privacy|consent)\b.*"
    # teasers and page furniture: "Related: ...", "SEE MORE: ...", "DON'T MISS", reprint and e-mail widgets
    r"|(related|see more|watch|listen|also read|more|latest|editor'?s picks?)\s*:.*|don'?t miss\b.*|print article|order reprints"
    r"|this copy is for your personal,? non-commercial use only\.?.*|an error has occurred,? please try again( later)?\.?"
    r"|this article has been sent to\b.*|thank you( for (signing up|subscribing|reading))?[.!]?)$",
    re.IGNORECASE,
)
#: Longer lines are never boilerplate ("Read more: ..." is short; a body sentence may start with "Sign up").
_BOILERPLATE_MAX = 150
#: A line that is only a link (``http://amzn.to/2hWEIX7``, ``<www.example.org/x>``): never a sentence to label.
_LINK_LINE = re.compile(r"^[<(\[]?(?:https?://|www\.)\S+?[>)\]]?[.,;]?$", re.IGNORECASE)
_NAVIGATION = re.compile(r"^[^.!?|]{1,30}(\s*[|\u00b7\u2022>\u203a]\s*[^.!?|]{1,30}){2,}$")
_BYLINE = re.compile(
    r"^(by\s+(our|a|an|the)\s+(own\s+)?(staff|special|foreign|political|economics|business|science|sports|local)?\s*"
    r"(reporter|correspondent|staff|writer|editor|team)s?(\s+(in|at)\s+(?-i:[A-Z][\w.'\u2019-]*)(\s+(?-i:[A-Z][\w.'\u2019-]*)){0,2})?"
    r"|by\s+(?-i:[A-Z][\w.'\u2019-]*(\s+[A-Z][\w.'\u2019-]*){0,3}([,;]?\s+(and\s+)?[A-Z][\w.'\u2019-]*(\s+[A-Z][\w.'\u2019-]*){0,3}){0,3})([,|\u2013-]\s*.{0,40})?"
    r"|\(?((additional )?reporting|writing|editing|compiled|written|posted) by\s.{1,150}"
    r"|(last\s+)?(updated|published|posted)(\s+on)?:?\s+(\d|(mon|tues|wednes|thurs|fri|satur|sun)day|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d).{0,60}"
    r"|(?-i:[A-Z][A-Z.,' ]{1,40}[A-Z.])(\s*\([^)]{1,30}\))?\s*[-\u2013\u2014]"
    r"|((mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}.{0,30}"
    r"|\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{4}.{0,30})$",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"\b(is|are) (pictured|seen|shown|photographed)\b|^pictured\b|\bposes? for (a )?(photo|picture)s?\b|\((left|right|centre|center|l-r)\)"
    r"|\bFILE PHOTO\b|\((photo|picture|image|file)\b|\b(photo|picture|image) (by|courtesy|credit)\b"
    r"|\b(REUTERS|AP Photo|AFP|Getty Images)/",
    re.IGNORECASE,
)
#: A caption in the forms newsrooms use, whatever its length: a photo or video prefix
#: ("Photo: ...", "File photo - ..."), or an agency credit at its end ("... AP Photo/Jane Roe",
#: "... REUTERS/Gleb Garanich", "... (Getty Images)"), or a credit alone.
_CAPTION_FORM = re.compile(
    r"^\(?(file |AP |AFP )?(photo|image|picture|video)s?( \d+)?\s*[:|\u2013\u2014-]\s*\S"
    r"|\b(AP Photo|REUTERS|AFP|EPA(-EFE)?|Getty Images|Xinhua)\s*/\s*[^()/]{1,60}\)?\.?$"
    r"|[(\[](AP( Photo)?|Reuters|AFP|EPA|Getty Images|Shutterstock|Alamy)( via [^()]{1,40})?[)\]]\.?$"
    r"|(^|[.!?]\s+)(photo|picture|image)( credit)?:\s*[^.]{1,60}$",
    re.IGNORECASE,
)
#: Lines longer than this are never caption forms (a caption runs over a few sentences, not a page).
_CAPTION_MAX = 1000
#: Cheap substring tests (on the lower-cased line), one of which must pass before ``_CAPTION`` is tried.
_CAPTION_HINTS = ("pictur", "seen", "shown", "photo", "pose", "image", "file", "reuters", "afp", "getty", "(l", "(r", "(c")
_SHORT_LINE = 300


def _has_caption_hint(line: str) -> bool:
    lower = line.lower()
    return any(hint in lower for hint in _CAPTION_HINTS)


def line_role(line: str, *, is_headline: bool = False, is_caption: bool = False, language: str | None = None) -> str:
    """The role of one line of an article.

    Parameters
    ----------
    line : str
        The line, without its line break.
    is_headline : bool, default=False
        The line is the article's title.
    is_caption : bool, default=False
        The source marks the line as a caption (HTML ``figcaption``).
    language : str, optional
        The article's language: its own byline, caption and boilerplate prefixes
        (``"Lees ook: ..."``, ``"Foto: ..."``, ``"اقرأ أيضا"``) and datelines (``"Madrid, 12 oct
        (EFE).-"``) are tried before the English patterns, and its agencies' credits
        (``"... EFE/Mariscal"``) with the English ones.

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
    if _LINK_LINE.match(stripped):
        return "boilerplate"
    rules = rules_for(language)
    role = rules.line_role(stripped) if len(stripped) <= _BOILERPLATE_MAX else None
    if role is not None:
        return role
    if len(stripped) <= _BOILERPLATE_MAX and (_BOILERPLATE.match(stripped) or _NAVIGATION.match(stripped)):
        return "boilerplate"
    if len(stripped) <= _CAPTION_MAX and (_CAPTION_FORM.search(stripped) or rules.has_credit(stripped)):
        return "caption"
    if len(stripped) <= 200 and _BYLINE.match(stripped):
        return "byline"
    if len(stripped) <= _SHORT_LINE and _has_caption_hint(stripped) and _CAPTION.search(stripped):
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
        In text order, every role included, each with the article's ``language``, whose
        rules (``checkworthy.builder.languages``) the splitter and the role patterns use. ``article.text[s.start:s.end] == s.text``;
        ``s.context`` holds the ``headline`` and the neighbouring body sentences
        (``before``, ``after``); ``score`` and ``reason`` are left to
        ``checkworthy.builder.select.score_sentences``.

    Examples
    --------
    >>> article = Article("a1", "Talks resume\\n\\nTalks with the U.S. resume. Dr. Ri agreed.", title="Talks resume")
    >>> [(s.role, s.text) for s in split_article(article)]
    [('headline', 'Talks resume'), ('body', 'Talks with the U.S. resume.'), ('body', 'Dr. Ri agreed.')]
    """
    text = article.text
    captions = article.meta.get("captions") if isinstance(article.meta, dict) else None
    caption_starts = {c[0] for c in captions if isinstance(c, list) and c} if isinstance(captions, list) else set()
    title = " ".join(article.title.split()) if article.title else None
    lines = []
    for number, (line_start, line) in enumerate(_lines(text)):
        leading = len(line) - len(line.lstrip())
        role = line_role(
            line,
            is_headline=number == 0 and title is not None and " ".join(line.split()) == title,
            is_caption=line_start + leading in caption_starts,
            language=article.language,
        )
        lines.append((line_start + len(line), role))
    rules = rules_for(article.language)
    pieces = []
    line = 0
    for start, end in segment(text, segmenter, language=article.language):
        while lines[line][0] < end:
            line += 1
        role = lines[line][1]
        if role in ("body", "caption") and end - start <= _BOILERPLATE_MAX and _BOILERPLATE.match(text[start:end]):
            role = "boilerplate"  # a photo credit or "Advertisement" inside a longer line
        elif role == "body" and _LINK_LINE.match(text[start:end].strip()):
            role = "boilerplate"  # a link cut from its paragraph: "... said. http://amzn.to/2hWEIX7"
        elif role == "body" and end - start <= _BOILERPLATE_MAX:
            role = rules.sentence_role(text[start:end]) or role  # a dateline cut from its paragraph: "Madrid, 12 oct. (EFE).-"
        pieces.append((start, end, role))
    return _sentences(article, pieces)


def _sentences(article: Article, pieces: list[tuple[int, int, str]]) -> list[Sentence]:
    text = article.text
    texts = [text[start:end] for start, end, _ in pieces]
    headline = clip(" ".join(t for t, (_, _, role) in zip(texts, pieces) if role == "headline"), HEADLINE_MAX_CHARS)
    body = [i for i, (_, _, role) in enumerate(pieces) if role == "body"]
    neighbours = {i: ["", ""] for i in body}
    for previous, current in zip(body, body[1:]):
        neighbours[current][0] = clip(texts[previous], CONTEXT_MAX_CHARS, keep="end")
        neighbours[previous][1] = clip(texts[current], CONTEXT_MAX_CHARS)
    occurrences: Counter[str] = Counter()
    sentences = []
    for index, ((start, end, role), sentence_text) in enumerate(zip(pieces, texts)):
        base = sentence_id(article.article_id, sentence_text)
        occurrences[base] += 1
        occurrence = occurrences[base]
        before, after = neighbours.get(index, ("", ""))
        sentences.append(
            Sentence(
                sentence_id=base if occurrence == 1 else sentence_id(article.article_id, sentence_text, occurrence),
                article_id=article.article_id,
                index=index,
                start=start,
                end=end,
                text=sentence_text,
                role=role,
                context={"headline": headline, "before": before, "after": after},
                language=article.language,
            )
        )
    return sentences


def clip(text: str, limit: int, *, keep: str = "start") -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis.

    Parameters
    ----------
    keep : {"start", "end"}, default="start"
        The part kept: the start (a headline, the next sentence) or the end (the previous sentence).

    Examples
    --------
    >>> clip("Talks resume in Vienna after a long pause", 20)
    'Talks resume in\u2026'
    >>> clip("Talks resume in Vienna after a long pause", 20, keep="end")
    '\u2026after a long pause'
    """
    if len(text) <= limit:
        return text
    if keep == "end":
        tail = text[len(text) - limit + 1 :]
        space = tail.find(" ")
        return "\u2026" + (tail[space + 1 :] if 0 <= space < limit // 2 else tail)
    head = text[: limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head) + "\u2026"


def describe_splitter() -> str:
    """Name of the segmenter in use, e.g. ``"blingfire"`` (recorded in outputs)."""
    return get_segmenter().name
