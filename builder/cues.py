"""The heuristic scorer's cues in languages other than English.

English sentences keep the scorer of ``checkworthy.builder.select`` unchanged. For
another language, :func:`find_cues_in` looks for the same kinds of cue with that
language's word lists (``checkworthy.builder.languages``: number words, comparison,
attribution, hedge and opinion words, month names) and with cues that need no word
list: digits, percentages and currency amounts, years, a question mark (``?``,
``؟``, ``？``, ``¿``) and, in scripts with capital letters, capitalised names. A language
without word lists of its own gets only the language-independent cues. The reason
starts with the language and says which kind of cues were used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache, lru_cache

from checkworthy.builder.languages import WITH_CUES, rules_for

_TOKEN = re.compile(r"\w+", re.UNICODE)
_QUANTITY = re.compile(r"[$\u00a3\u20ac\u00a5]\s?\d(?:[\d,.]*\d)?|\d(?:[\d,.\u066b\u066c]*\d)?(?:\s?%|\s?\u066a)?|[\u0660-\u0669]+")
_YEAR = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)")
#: Arabic-Indic and Persian digits as ASCII digits, so that ``٢٠٢٣`` is read as a year (one character for one).
_ASCII_DIGITS = str.maketrans("\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9",
                              "01234567890123456789")
_QUESTION = re.compile(r"(?:[?\u061f\uff1f][\"'\u201d\u2019\u00bb)\u300d\u300f]*$)|^[\"'\u201c\u00ab(]*\u00bf")
#: Han ideographs and kana: Chinese and Japanese words are not separated by spaces.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ENTITY = re.compile(r"(?<=[\s(\"\u201c\u00ab])(?:[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+|[A-Z]{2,})(?:\s+(?:[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+|[A-Z]{2,}))*")
#: One-letter Arabic prefixes (and, so, with, for) that stick to the next word: ``وقال`` is ``و`` + ``قال``.
_ARABIC_PREFIXES = ("\u0648", "\u0641", "\u0628", "\u0644")
_ENTITY_CAP = 3
_SHORT = 6


def word_count(text: str) -> int:
    """The number of words of ``text``: its whitespace-separated tokens, where a token written
    in Chinese or Japanese characters counts two words per three characters (a Chinese word
    is about 1.5 characters long on average), at least one.

    Examples
    --------
    >>> word_count("El paro subió un 4%."), word_count("失业率降至4.9%，为三年来最低。")
    (5, 7)
    """
    return sum(max(1, len(_UNSPACED.findall(token)) * 2 // 3) for token in text.split())


#: Arabic short vowels and other marks over or under letters (tashkeel: fatha, shadda, sukun...),
#: Quranic annotation signs and the tatweel: left out before the cue words are looked up, which
#: are written without them (``عمّان`` is ``عمان``; with the shadda, ``\w`` cut the word in two).
_ARABIC_MARKS = dict.fromkeys([*range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE), 0x0640])


def _tokens(text: str, language: str) -> list[str]:
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    if language == "ar":
        tokens += [t[1:] for t in tokens if len(t) > 3 and t.startswith(_ARABIC_PREFIXES)]
    return tokens


def _first(tokens: list[str], words: frozenset[str]) -> str:
    return next((t for t in tokens if t in words), "") if words.intersection(tokens) else ""


@cache
def _month_phrases(language: str) -> re.Pattern | None:
    """The month names of several words of ``language`` (``تشرين الأول``), after an optional
    one-letter Arabic prefix (``وتشرين الأول``), or None."""
    phrases = [month for month in rules_for(language).months if " " in month]
    if not phrases:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, month.split())) for month in sorted(phrases, key=len, reverse=True))
    prefix = f"[{''.join(_ARABIC_PREFIXES)}]?" if language == "ar" else ""
    return re.compile(rf"(?<!\w){prefix}(?:{alternatives})(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=4096)
def find_cues_in(text: str, language: str, weights: tuple[tuple[str, float], ...]) -> tuple[tuple[str, float, str], ...]:
    """The cues found in ``text`` of ``language`` as ``(label, weight, matched text)``.

    Parameters
    ----------
    text : str
    language : str
        ISO 639-1 code; a language without word lists gets the language-independent cues only.
    weights : tuple of (str, float)
        The scorer's weights per cue label, in the order the cues are reported.

    Examples
    --------
    >>> weights = (("quantity", 0.3), ("attribution", 0.15), ("named entities", 0.05))
    >>> find_cues_in("El paro subió un 4%, dijo el INE.", "es", weights)
    (('quantity', 0.3, '4%'), ('attribution', 0.15, 'dijo'), ('named entities', 0.05, 'INE'))
    """
    weight = dict(weights)
    text = text[rules_for(language).dateline_end(text):]  # "عمّان، 5 تشرين الأول (بترا) - قال ...": not the sentence's cues
    if language == "ar":
        text = text.translate(_ARABIC_MARKS)
    rules = rules_for(language)
    cues = rules.cues if rules.code == language else None
    phrases = _month_phrases(language) if cues else None
    phrase = phrases.search(text) if phrases else None
    # a month of several words is a date, and its words are no other cue (``الأول`` of ``تشرين الأول``)
    tokens = _tokens(phrases.sub(" ", text) if phrase else text, language)
    quantity = _QUANTITY.search(text)
    year = _YEAR.search(text.translate(_ASCII_DIGITS))
    month = (phrase.group(0) if phrase else _first(tokens, rules.months)) if rules.code == language else ""
    found = {
        "quantity": quantity.group(0).strip() if quantity else (_first(tokens, cues.number) if cues else ""),
        "comparison": _first(tokens, cues.comparison) if cues else "",
        "attribution": _first(tokens, cues.attribution) if cues else "",
        "date": month or (text[year.start() : year.end()] if year else ""),
        "hedge": _first(tokens, cues.hedge) if cues else "",
        "first-person opinion": _first(tokens, cues.opinion) if cues else "",
        "question": "?" if _QUESTION.search(text.strip()) else "",
    }
    entities = _ENTITY.findall(text)
    if entities:
        found["named entities"] = ", ".join(entities[:_ENTITY_CAP])
    result = [
        (label, weight[label] * (min(len(entities), _ENTITY_CAP) if label == "named entities" else 1), "" if label == "question" else found[label])
        for label in weight
        if found.get(label)
    ]
    if word_count(text) < _SHORT and "short" in weight:
        result.append(("short", weight["short"], ""))
    return tuple(result)


def score_in_language(text: str, language: str, weights: Mapping[str, float], base: float) -> tuple[float, str]:
    """``(score, reason)`` of ``text`` in ``language``: ``base`` plus the weights of its cues, in [0, 1].

    The reason starts with the language and whether its own word lists were used:
    ``"language es: quantity (4%); attribution (dijo)"`` or ``"language sv, language-independent
    cues only: quantity (4%)"``.
    """
    cues = find_cues_in(text, language, tuple(weights.items()))
    value = min(1.0, max(0.0, base + sum(w for _, w, _ in cues)))
    prefix = f"language {language}" + ("" if language in WITH_CUES else ", language-independent cues only")
    found = "; ".join(f"{label} ({match})" if match else label for label, _, match in cues) or "no cue found"
    return round(value, 3), f"{prefix}: {found}"
