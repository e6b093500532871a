"""The language of an article: given by the input, or detected offline.

An article's language comes, in this order, from a ``--language`` flag for the whole
run, from the input (a JSONL ``language`` field, an HTML page's ``<html lang>``), or
from detection with py3langid (langid.py's model, BSD-3-Clause, numpy only, no
download at run time). Detection records its confidence (the normalised probability of
the best language); a language given by the input or the flag has none.
``benchmarks/language_bench.py`` compares py3langid with lingua and langdetect on
tweets, single sentences and whole documents in ar, en, es and nl.

Codes are ISO 639-1 (two letters) where one exists, else ISO 639-3; a region or script
subtag is dropped (``es-ES`` -> ``es``). A code given by the input is checked against the
IANA language subtag registry and written in that form (with ``langcodes``): ``spa`` and
``es`` are the same language, ``iw`` is ``he``, and a code the registry does not know
(``sp``, ``zz``) is an error rather than a language without rules. ``und`` is an article
with no letters to detect from.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import langcodes

from checkworthy.schemas import is_right_to_left
from checkworthy.schemas.errors import InputError
from checkworthy.schemas.records import Article

#: A language tag as inputs write it: a primary subtag, then optional subtags (``pt-BR``, ``zh_Hant``).
_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")

#: The code of an article whose language cannot be told (no letters).
UNDETERMINED = "und"

#: Detection looks at most at this many characters of an article (its start).
DETECT_CHARS = 4000


def normalise_language(value: object, where: str) -> str:
    """``value`` as a lower-case primary language subtag (``"es-ES"`` -> ``"es"``).

    Raises
    ------
    InputError
        ``value`` is not a language tag; the message names ``where``.

    Examples
    --------
    >>> normalise_language("pt-BR", "a.jsonl: line 3")
    'pt'
    >>> normalise_language("spa", "--language")
    'es'
    """
    match = _TAG.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise InputError(
            f"{where}: field 'language': expected a language code such as 'en', 'es' or 'pt-BR' "
            f"(ISO 639-1, or an IETF tag), found {value!r}; fix the code or leave the field out to detect the language"
        )
    primary = match.group(1).lower()
    if not langcodes.tag_is_valid(primary):
        raise InputError(
            f"{where}: field 'language': {value.strip()!r} is not a language code of the IANA "
            "registry (ISO 639); write the language's code, such as 'en', 'es', 'nl' or 'ar', or leave the field out to detect the language"
        )
    return langcodes.Language.get(primary).language or UNDETERMINED


@lru_cache(maxsize=1)
def _identifier():
    """py3langid's identifier with normalised probabilities, loaded once per process."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # numpy and a 3 MB model: only when a language is detected

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float]:
    """The language of ``text`` and the detector's confidence in it.

    Returns
    -------
    (str, float)
        An ISO 639-1 code and a probability in [0, 1] rounded to 4 places, or
        ``("und", 0.0)`` when ``text`` has no letters.

    Examples
    --------
    >>> detect_language("El Gobierno aprobó ayer la reforma de las pensiones.")[0]
    'es'
    """
    sample = _main_script_only(text[:DETECT_CHARS])
    if not any(char.isalpha() for char in sample):
        return UNDETERMINED, 0.0
    code, probability = _identifier().classify(sample)
    return code, round(float(probability), 4)


#: Scripts written together in one language (Japanese kanji and kana, Korean hangul and hanja):
#: :func:`_main_script_only` never removes them.
_SHARED_SCRIPTS = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL"})


def _letter_scripts(text: str) -> list[str]:
    """For each character of ``text``, the script of a letter (the first word of its Unicode
    name: ``LATIN``, ``ARABIC``, ``CJK``...; ``UNKNOWN`` when unnamed), and ``""`` for anything else."""
    return [unicodedata.name(char, "UNKNOWN").split(" ", 1)[0] if char.isalpha() else "" for char in text]


def _main_script_only(sample: str) -> str:
    """``sample`` with the letters of scripts other than its main one blanked.

    An English story quoting a minister in Arabic was detected as Arabic (``ary``, 0.83):
    the detector weighs a script's letters, not how many there are. The main script is
    the one most letters are in; the letters of another alphabet become spaces (a word in
    Latin letters in an Arabic text goes too). Kanji, kana and hangul are never blanked,
    nor anything when the main script is one of them.

    Examples
    --------
    >>> _main_script_only('He said "قال" in Amman.')
    'He said "   " in Amman.'
    """
    names = _letter_scripts(sample)
    scripts = Counter(name for name in names if name)
    if len(scripts) < 2:
        return sample
    main = max(scripts.items(), key=lambda item: (item[1], item[0]))[0]
    if main in _SHARED_SCRIPTS:
        return sample
    return "".join(" " if name and name != main and name not in _SHARED_SCRIPTS else char for char, name in zip(sample, names))


#: The Unicode name prefix of the letters of each ISO 15924 script a language is likely written in
#: (CLDR likely subtags); a text whose letters are mostly of another script is not in that language.
_SCRIPT_LETTERS = {
    "Latn": {"LATIN"}, "Arab": {"ARABIC"}, "Cyrl": {"CYRILLIC"}, "Grek": {"GREEK"}, "Hebr": {"HEBREW"},
    "Deva": {"DEVANAGARI"}, "Beng": {"BENGALI"}, "Guru": {"GURMUKHI"}, "Gujr": {"GUJARATI"}, "Taml": {"TAMIL"},
    "Telu": {"TELUGU"}, "Knda": {"KANNADA"}, "Mlym": {"MALAYALAM"}, "Sinh": {"SINHALA"}, "Thai": {"THAI"},
    "Laoo": {"LAO"}, "Khmr": {"KHMER"}, "Mymr": {"MYANMAR"}, "Armn": {"ARMENIAN"}, "Geor": {"GEORGIAN"},
    "Ethi": {"ETHIOPIC"}, "Thaa": {"THAANA"}, "Hans": {"CJK"}, "Hant": {"CJK"},
    "Jpan": {"CJK", "HIRAGANA", "KATAKANA"}, "Kore": {"HANGUL", "CJK"},
}

#: Languages commonly written in more than one script (Serbian in Cyrillic and Latin, Punjabi
#: in Gurmukhi and Shahmukhi...): their script says nothing against them.
_MANY_SCRIPTS = frozenset({"az", "bs", "kk", "ks", "ku", "ky", "mn", "ms", "pa", "sd", "sh", "sr", "tg", "tk", "tt", "ug", "uz", "zh"})

#: A text's script is judged from this many letters or more, when this share of them is of one script.
_SCRIPT_MIN_LETTERS, _SCRIPT_SHARE = 20, 0.8

#: English names of the scripts, for messages.
_SCRIPT_NAMES = {"CJK": "Chinese characters", "HANGUL": "Hangul", "HIRAGANA": "Japanese kana", "KATAKANA": "Japanese kana"}


#: The key of an article's ``meta`` that says why its page's ``<html lang>`` was not used.
HTML_LANG_IGNORED = "html_lang_ignored"


def script_conflict(language: str | None, text: str) -> str | None:
    """The script of ``text`` when it cannot be ``language``'s, else None.

    The text's script is that of most of its letters (at least 80% of 20 or more, in its
    first :data:`DETECT_CHARS` characters); it conflicts when ``language`` is likely written
    in another script (an Arabic text said to be ``en``). Languages written in several
    scripts (Serbian, Punjabi, Chinese...) and scripts without a known letter name never conflict.

    Examples
    --------
    >>> script_conflict("en", "انخفضت البطالة بنسبة أربعة في المئة في مارس الماضي.")
    'Arabic'
    >>> script_conflict("es", "El paro bajó un 4% en marzo, según el INE."), script_conflict("sr", "Влада је усвојила буџет за следећу годину.")
    (None, None)
    """
    if not language or language == UNDETERMINED or language in _MANY_SCRIPTS:
        return None
    try:
        expected = _SCRIPT_LETTERS.get(langcodes.Language.get(language).maximize().script or "")
    except (ValueError, LookupError):
        return None
    if expected is None:
        return None
    counts = Counter(script for script in _letter_scripts(text[:DETECT_CHARS]) if script)
    letters = sum(counts.values())
    if letters < _SCRIPT_MIN_LETTERS:
        return None
    script, count = max(counts.items(), key=lambda item: (item[1], item[0]))
    if count < _SCRIPT_SHARE * letters or script in expected or script == "UNKNOWN":
        return None
    return _SCRIPT_NAMES.get(script, script.title())


def language_conflict(article: Article, language: str | None = None) -> str | None:
    """Why the language ``--language`` gives ``article`` (or, without it, the article's own)
    looks wrong, or None: the article says another language, or its text is in a script
    that language is not written in. For a warning: the language given stays. An HTML page
    whose ``<html lang>`` was not used (:data:`HTML_LANG_IGNORED`) is reported too.

    Examples
    --------
    >>> language_conflict(Article(article_id="a1", text="Prices rose 4% in May.", language="en", path="in.jsonl:1"), "es")
    "in.jsonl:1: --language es, but the article says 'en'"
    """
    where = article.path or article.article_id
    given, own = (language, article.language) if language is not None else (article.language, None)
    if given is None:
        ignored = article.meta.get(HTML_LANG_IGNORED) if article.meta else None
        return f"{where}: {ignored}; its language was detected instead" if ignored else None
    code = normalise_language(given, "--language" if language is not None else where)
    source = f"--language {code}" if language is not None else f"language {given!r}"
    if own is not None and normalise_language(own, where) != code:
        return f"{where}: {source}, but the article says {own!r}"
    script = script_conflict(code, article.text)
    if script is not None:
        return f"{where}: {source}, but the text is written in {script}"
    return None


def warn_language_conflicts(conflicts: list[str], shown: int = 5) -> None:
    """One warning for the articles whose given language looks wrong (:func:`language_conflict`)."""
    if not conflicts:
        return
    listed = "; ".join(conflicts[:shown]) + (f"; ... and {len(conflicts) - shown} more" if len(conflicts) > shown else "")
    warnings.warn(f"{len(conflicts)} article(s) with a doubtful language (it decides the splitting rules, the cues and the "
                  f"card): {listed}. A language given by a 'language' field or --language is kept: fix it, or leave it out to "
                  "detect the language", LanguageConflictWarning, stacklevel=3)


class LanguageConflictWarning(UserWarning):
    """A language given by the input or ``--language`` that the article's text or own language contradicts."""


def with_language(article: Article, language: str | None = None) -> Article:
    """``article`` with its ``language`` set: ``language`` if given, else its own, else detected.

    Parameters
    ----------
    article : Article
    language : str, optional
        A code that overrides whatever the article says (the ``--language`` flag).

    Raises
    ------
    InputError
        The article's own ``language`` or ``language`` is not a language code.
    """
    where = article.path or article.article_id
    if language is not None:
        return dataclasses.replace(article, language=normalise_language(language, "--language"), language_confidence=None)
    if article.language is not None:
        code = normalise_language(article.language, where)
        return article if code == article.language else dataclasses.replace(article, language=code)
    code, confidence = detect_language(article.text)
    return dataclasses.replace(article, language=code, language_confidence=confidence)


def assign_languages(articles: Iterable[Article], language: str | None = None) -> list[Article]:
    """:func:`with_language` for every article; every bad code is listed at once.

    Raises
    ------
    InputError
        One problem per article whose ``language`` is not a language code.
    """
    if language is not None:
        normalise_language(language, "--language")
    result, problems = [], []
    for article in articles:
        try:
            result.append(with_language(article, language))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return result


def languages_of(codes: Iterable[str | None]) -> list[str]:
    """The distinct languages in ``codes``, sorted, without missing ones (for cards and Croissant).

    Examples
    --------
    >>> languages_of(["nl", "en", None, "nl"])
    ['en', 'nl']
    """
    return sorted({code for code in codes if code})
