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
    sample = text[:DETECT_CHARS]
    if not any(char.isalpha() for char in sample):
        return UNDETERMINED, 0.0
    code, probability = _identifier().classify(sample)
    return code, round(float(probability), 4)


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
