"""Candidate selection: score body sentences for check-worthiness, pick which to label.

A scorer is anything that implements ``Scorer.score(sentences, article)`` and is
registered by name with ``register_scorer``; ``get_scorer("heuristc")`` answers "Did
you mean 'heuristic'?". The default, ``HeuristicScorer``, is transparent: its
score is a sum of visible cues (quantities, comparisons, attributions, named
entities; minus hedges, questions and first-person opinion) and its reason names
the cues it found. Trained baselines plug in as further scorers.
"""

from __future__ import annotations

import abc
import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from checkworthy.builder.cues import find_cues_in, score_in_language
from checkworthy.builder.languages import ENGLISH
from checkworthy.schemas import did_you_mean
from checkworthy.schemas.errors import CheckworthyError, InputError
from checkworthy.schemas.records import Article, Sentence

#: Scores at or above this are predicted check-worthy (CFS / Yes).
THRESHOLD = 0.5

SELECT_MODES = ("all", "top", "min-score")


class Scorer(abc.ABC):
    """Scores sentences for check-worthiness.

    Subclasses set ``name`` and ``version`` and implement ``score``; register them
    with ``@register_scorer``. ``model_version`` (``"heuristic-1"``) is written into
    the Label Studio predictions.
    """

    name: str = ""
    version: str = "1"
    #: The score at which the scorer's prediction turns positive (``tasks --strategy uncertainty`` is least sure there).
    threshold: float = THRESHOLD

    @property
    def model_version(self) -> str:
        """``"<name>-<version>"``, as written in task predictions."""
        return f"{self.name}-{self.version}"

    @abc.abstractmethod
    def score(self, sentences: Sequence[Sentence], article: Article) -> list[tuple[float, str]]:
        """One ``(score, reason)`` per sentence: a score in [0, 1] and a short reason.

        Parameters
        ----------
        sentences : sequence of Sentence
            The body sentences of ``article``, in text order.
        article : Article
            The article they come from (for context-aware scorers).
        """


SCORERS: dict[str, type[Scorer]] = {}

#: Makes the scorer of a trained model's directory. The models live a floor up
#: (``checkworthy.evaluation``), so it is filled from there by ``checkworthy.registry``
#: (which the CLI and the main job import), never imported from here.
MODEL_SCORERS: dict[str, Callable[[str], Scorer]] = {}


def register_model_scorer(factory: Callable[[str], Scorer], name: str = "model") -> None:
    """Let :func:`get_scorer` accept the directory of a trained model: ``factory(directory)``."""
    MODEL_SCORERS[name] = factory
    _model_scorer.cache_clear()


def register_scorer(cls: type[Scorer]) -> type[Scorer]:
    """Class decorator: make a ``Scorer`` available by its ``name``."""
    if not cls.name:
        raise ValueError(f"{cls.__name__}: a registered scorer needs a non-empty 'name'")
    SCORERS[cls.name] = cls
    return cls


def get_scorer(name: str | Scorer = "heuristic") -> Scorer:
    """The scorer registered as ``name``, or a trained model's (an instance is returned as is).

    ``name`` may also be the directory of a model saved by ``checkworthy train``
    (holding ``model.json``): the model then scores the candidates (loaded once per
    process; see ``checkworthy.evaluation.selection.BaselineScorer``).

    Raises
    ------
    InputError
        ``name`` is neither registered nor a model directory; the message lists the
        registered names and suggests the closest.
    """
    if isinstance(name, Scorer):
        return name
    if name in SCORERS:
        return SCORERS[name]()
    if (Path(name) / "model.json").is_file():
        return _model_scorer(str(Path(name).resolve()))
    names = sorted(SCORERS)
    raise InputError(
        f"unknown scorer {name!r}; available: {', '.join(names)}, or the directory of a model saved by "
        f"'checkworthy train'.{did_you_mean(name, names)}"
    )


@lru_cache(maxsize=8)
def _model_scorer(directory: str) -> Scorer:
    if not MODEL_SCORERS:
        raise InputError(
            f"{directory}: a trained model can score candidates only once checkworthy.evaluation registered its "
            "scorer; import checkworthy.registry first (the CLI does), or pass "
            "checkworthy.evaluation.selection.BaselineScorer(directory) as the scorer"
        )
    return next(iter(MODEL_SCORERS.values()))(directory)


#: Weight of each cue in the heuristic score (``named entities`` counts once per entity, up to three).
WEIGHTS = {
    "quantity": 0.30,
    "comparison": 0.15,
    "attribution": 0.15,
    "date": 0.10,
    "hedge": -0.15,
    "first-person opinion": -0.35,
    "question": -0.40,
    "named entities": 0.05,
    "short": -0.15,
}

_words = str.split
NUMBER_WORDS = frozenset(_words("hundred hundreds thousand thousands million millions billion billions trillion trillions dozen dozens half twice double doubled triple tripled percent"))
COMPARISON_WORDS = frozenset(_words("record highest lowest largest biggest smallest most least increase increased decrease decreased rose risen fell fallen doubled tripled surged dropped grew declined first only"))
COMPARISON_PAIRS = frozenset({(a, "than") for a in _words("more less fewer higher lower larger smaller bigger greater")} | {("compared", "to"), ("compared", "with"), ("up", "from"), ("down", "from")})
ATTRIBUTION_WORDS = frozenset(_words("said says told reported announced stated claimed confirmed denied estimated found showed revealed accused admitted warned insisted reportedly allegedly"))
ATTRIBUTION_PAIRS = frozenset({("according", "to")})
HEDGE_WORDS = frozenset(_words("might could perhaps possibly probably likely unlikely"))
HEDGE_PAIRS = frozenset({(a, "to") for a in _words("appear appears seem seems expected")})
OPINION_PAIRS = frozenset({(a, b) for a in ("i", "we") for b in _words("think believe feel hope guess wish want love hate like suppose")} | {("my", "opinion"), ("my", "view")})
MONTHS = frozenset(_words("january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec"))
WEEKDAYS = frozenset(_words("monday tuesday wednesday thursday friday saturday sunday"))
DATE_PAIRS = frozenset({(a, b) for a in ("last", "this", "next") for b in ("year", "month", "week")})

_TOKEN = re.compile(r"[A-Za-z]+|\d+")
QUANTITY = re.compile(r"[$\u00a3\u20ac\u00a5]\s?\d[\d,.]*|\d[\d,.]*(?:\s?%|\s?percent\b|\s?per cent\b)?")
_YEAR = re.compile(r"\bin (?:1[5-9]|20)\d\d\b")
_QUESTION = re.compile(r"\?[\"'\u201d\u2019)]*$")
_ENTITY = re.compile(r"(?<=[\s(\"\u201c])(?:[A-Z][a-z]+|[A-Z]{2,}|[A-Z]\.(?:[A-Z]\.)+)(?:\s+(?:[A-Z][a-z]+|[A-Z]{2,}))*")
_ENTITY_CAP = 3
_BASE = 0.15
_SHORT = 6


def _first_word(tokens: list[str], lower: list[str], words: frozenset) -> str:
    """The first token (original case) whose lower case is in ``words``, or ""."""
    hits = words.intersection(lower)
    return next((t for t, low in zip(tokens, lower) if low in hits), "") if hits else ""


def _first_pair(tokens: list[str], pairs: list[tuple[str, str]], wanted: frozenset) -> str:
    """The first two-word phrase (original case) whose lower case is in ``wanted``, or ""."""
    hits = wanted.intersection(pairs)
    return next((f"{tokens[i]} {tokens[i + 1]}" for i, pair in enumerate(pairs) if pair in hits), "") if hits else ""


def _month_date(tokens: list[str], lower: list[str]) -> str:
    """The first capitalised month before a number or after "in" ("Nov 17", "in May"), or ""."""
    if not MONTHS.intersection(lower):
        return ""
    for i, low in enumerate(lower):
        if low in MONTHS and tokens[i][0].isupper():
            if i + 1 < len(tokens) and tokens[i + 1][0].isdigit():
                return f"{tokens[i]} {tokens[i + 1]}"
            if i > 0 and lower[i - 1] == "in":
                return f"{tokens[i - 1]} {tokens[i]}"
    return ""


@lru_cache(maxsize=4096)
def find_cues(text: str) -> tuple[tuple[str, float, str], ...]:
    """The cues found in ``text`` as ``(label, weight, matched text)``, in ``WEIGHTS`` order.

    Words are looked up in sets (case-insensitive, except ``may``, which is a
    hedge only in lower case); quantities, years and named entities are regular
    expressions.

    Examples
    --------
    >>> find_cues("Prices rose 4% in May, the bureau said.")[:2]
    (('quantity', 0.3, '4%'), ('comparison', 0.15, 'rose'))
    """
    text = text[ENGLISH.dateline_end(text):]  # "LONDON, Oct 5 (Reuters) - ...": the dateline's date and agency are no cues
    tokens = _TOKEN.findall(text)
    lower = [t.lower() for t in tokens]
    pairs = list(zip(lower, lower[1:]))
    quantity = QUANTITY.search(text)
    year = _YEAR.search(text)
    found = {
        "quantity": quantity.group(0).strip() if quantity else _first_word(tokens, lower, NUMBER_WORDS),
        "comparison": _first_word(tokens, lower, COMPARISON_WORDS) or _first_pair(tokens, pairs, COMPARISON_PAIRS),
        "attribution": _first_word(tokens, lower, ATTRIBUTION_WORDS) or _first_pair(tokens, pairs, ATTRIBUTION_PAIRS),
        "date": _month_date(tokens, lower) or (year.group(0) if year else "") or _first_word(tokens, lower, WEEKDAYS) or _first_pair(tokens, pairs, DATE_PAIRS),
        "hedge": ("may" if "may" in tokens else "") or _first_word(tokens, lower, HEDGE_WORDS) or _first_pair(tokens, pairs, HEDGE_PAIRS),
        "first-person opinion": _first_pair(tokens, pairs, OPINION_PAIRS),
        "question": "?" if _QUESTION.search(text) else "",
    }
    cues = [(label, WEIGHTS[label], "" if label == "question" else match) for label, match in found.items() if match]
    entities = _ENTITY.findall(text)
    if entities:
        cues.append(("named entities", WEIGHTS["named entities"] * min(len(entities), _ENTITY_CAP), ", ".join(entities[:_ENTITY_CAP])))
    if len(text.split()) < _SHORT:
        cues.append(("short", WEIGHTS["short"], ""))
    return tuple(cues)


def is_factual(text: str, language: str | None = None) -> bool:
    """Whether a sentence looks like a statement of fact (no question, no opinion).

    Used to choose between "unimportant factual" and "non-factual" when a
    three-way scheme's prediction is not the positive label. The cues are those the
    heuristic scorer uses for ``language``: the English ones for English (or None),
    the language's own word lists where ``checkworthy.builder.languages`` has them,
    and otherwise only the cues no word list needs (digits, years, month names,
    question marks, capitalised names; see ``checkworthy.builder.cues``).

    Parameters
    ----------
    text : str
    language : str, optional
        ISO 639-1 code of the sentence; None is English.

    Examples
    --------
    >>> is_factual("El ministro dijo que la inflación bajó.", "es")
    True
    >>> is_factual("Creo que el Gobierno miente.", "es")
    False
    """
    cues = find_cues(text) if (language or "en") == "en" else find_cues_in(text, language, tuple(WEIGHTS.items()))
    labels = {label for label, _, _ in cues}
    return not labels & {"question", "first-person opinion", "hedge"} and bool(labels & {"quantity", "attribution", "date", "named entities", "comparison"})


@register_scorer
class HeuristicScorer(Scorer):
    """The transparent default scorer.

    ``score = 0.15 + sum of cue weights``, clipped to [0, 1] and rounded to three
    decimals: quantity +0.30, comparison +0.15, attribution +0.15, date +0.10,
    each named entity +0.05 (at most three), hedge -0.15, first-person opinion
    -0.35, question -0.40, fewer than six words -0.15. The reason lists the cues
    with what matched. A sentence in another language is scored with that
    language's word lists (``checkworthy.builder.cues``), and its reason says so.

    Examples
    --------
    >>> article = Article("a1", "Prices rose 4% in May, the bureau said.")
    >>> sentence = Sentence("a1:x", "a1", 0, 0, 40, article.text, "body")
    >>> HeuristicScorer().score([sentence], article)
    [(0.9, 'quantity (4%); comparison (rose); attribution (said); date (in May); named entities (May)')]
    """

    name = "heuristic"
    version = "1"

    def score(self, sentences: Sequence[Sentence], article: Article) -> list[tuple[float, str]]:
        return [self._score_text(s.text) if (s.language or "en") == "en" else score_in_language(s.text, s.language, WEIGHTS, _BASE)
                for s in sentences]

    @staticmethod
    def _score_text(text: str) -> tuple[float, str]:
        cues = find_cues(text)
        value = min(1.0, max(0.0, _BASE + sum(weight for _, weight, _ in cues)))
        reason = "; ".join(f"{label} ({match})" if match else label for label, _, match in cues) or "no cue found"
        return round(value, 3), reason


def score_sentences(sentences: Sequence[Sentence], article: Article, scorer: str | Scorer = "heuristic") -> list[Sentence]:
    """Give every body sentence a ``score`` in [0, 1] and a ``reason``.

    Parameters
    ----------
    sentences : sequence of Sentence
        The sentences of ``article`` (all roles), e.g. from ``split_article``.
    article : Article
        The article they come from.
    scorer : str or Scorer, default="heuristic"
        A registered scorer name or an instance.

    Returns
    -------
    list of Sentence
        The same sentences; body sentences carry ``score`` and ``reason``, the
        others keep ``None`` (they are never candidates).

    Raises
    ------
    CheckworthyError
        The scorer returned the wrong number of scores or a score outside [0, 1].
    """
    scorer = get_scorer(scorer)
    body = [s for s in sentences if s.role == "body"]
    results = scorer.score(body, article) if body else []
    if len(results) != len(body):
        raise CheckworthyError(f"scorer {scorer.name!r} returned {len(results)} scores for {len(body)} sentences of article {article.article_id!r}")
    scored = {}
    for sentence, (value, reason) in zip(body, results):
        if not 0.0 <= float(value) <= 1.0:
            raise CheckworthyError(f"scorer {scorer.name!r}: score {value!r} for {sentence.sentence_id} is outside [0, 1]")
        scored[sentence.index] = dataclasses.replace(sentence, score=float(value), reason=str(reason))
    return [scored.get(s.index, s) for s in sentences]


@dataclass(frozen=True)
class Selection:
    """Which scored body sentences become labeling tasks.

    Parameters
    ----------
    mode : {"all", "top", "min-score"}, default="all"
        ``all`` body sentences; the ``top`` K per article by score (ties broken by
        position); or those with a score of at least ``min-score``.
    value : float, optional
        K for ``top`` (a positive integer), the threshold for ``min-score`` (in [0, 1]).

    Examples
    --------
    >>> Selection.parse("top:5")
    Selection(mode='top', value=5)
    """

    mode: str = "all"
    value: float | None = None

    def __post_init__(self):
        if self.mode not in SELECT_MODES:
            raise InputError(f"unknown selection mode {self.mode!r}; available: {', '.join(SELECT_MODES)}.{did_you_mean(self.mode, list(SELECT_MODES))}")
        if self.mode == "all" and self.value is not None:
            raise InputError("selection 'all' takes no value")
        if self.mode == "top" and (not isinstance(self.value, int) or isinstance(self.value, bool) or self.value < 1):
            raise InputError(f"selection 'top' needs a positive whole number K, found {self.value!r}")
        if self.mode == "min-score" and (not isinstance(self.value, (int, float)) or not 0.0 <= self.value <= 1.0):
            raise InputError(f"selection 'min-score' needs a score between 0 and 1, found {self.value!r}")

    @classmethod
    def parse(cls, text: str) -> "Selection":
        """``"all"``, ``"top:K"`` or ``"min-score:X"`` as a ``Selection``."""
        mode, _, raw = str(text).partition(":")
        if not raw:
            return cls(mode)
        try:
            value: float = int(raw) if mode == "top" else float(raw)
        except ValueError:
            raise InputError(f"selection {text!r}: expected a number after ':', found {raw!r} (e.g. 'top:5', 'min-score:0.5')") from None
        return cls(mode, value)

    def __str__(self) -> str:
        return self.mode if self.value is None else f"{self.mode}:{self.value}"

    def apply(self, sentences: Sequence[Sentence]) -> list[Sentence]:
        """The selected body sentences of one article (:func:`is_candidate`), in text order."""
        body = [s for s in sentences if is_candidate(s)]
        if self.mode == "top":
            best = sorted(body, key=_rank)[: int(self.value)]
            return sorted(best, key=lambda s: s.index)
        if self.mode == "min-score":
            return [s for s in body if s.score is not None and s.score >= self.value]
        return body


#: A letter of any script: a body sentence without one is no claim to label.
_LETTER = re.compile(r"[^\W\d_]")
#: The same test for Arrow's RE2 (``pyarrow.compute.match_substring_regex``), for the Ray engine.
LETTER_RE2 = r"\pL"


def is_candidate(sentence: Sentence) -> bool:
    """Whether a sentence may become a task: a body sentence with at least one word.

    A cell of a table (``5040``, ``2.900.000``), a score (``2-1``) or a rule (``* * *``)
    is body text of the article (the extraction benchmark counts it as such) but no claim:
    300 of 6,054 tasks of the benchmark's 120 pages were such cells.

    Examples
    --------
    >>> from checkworthy.schemas.records import Sentence
    >>> [is_candidate(Sentence(sentence_id=f"a:{t}", article_id="a", index=0, start=0, end=len(t), text=t, role="body"))
    ...  for t in ("5040", "Jobs rose 5%.", "٣٤٥")]
    [False, True, False]
    """
    return sentence.role == "body" and _LETTER.search(sentence.text) is not None


def _rank(sentence: Sentence) -> tuple[float, int]:
    return -(sentence.score or 0.0), sentence.index
