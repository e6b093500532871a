"""Candidate selection: the heuristic scorer, the scorer registry, the selection modes."""

from __future__ import annotations

import pytest

from checkworthy.builder.select import SCORERS, HeuristicScorer, Scorer, Selection, get_scorer, is_factual, register_scorer, score_sentences
from checkworthy.builder.split import split_article
from checkworthy.schemas.errors import CheckworthyError, InputError
from checkworthy.schemas.records import Article

ARTICLE = Article(
    "a1",
    "Budget talks\n\n"
    "The deficit rose 12% to $1.2 trillion in 2023, the Treasury said.\n"
    "I think this is a disgrace.\n"
    "Will Congress act?\n"
    "The weather was nice.\n"
    "Unemployment fell to 3.9%, the lowest level since 1969.\n\n"
    "Related Articles",
    title="Budget talks",
)


def _score(text: str) -> tuple[float, str]:
    article = Article("x", text)
    return HeuristicScorer().score(split_article(article), article)[0]


@pytest.mark.parametrize(
    ("text", "low", "high", "cue"),
    [
        ("The deficit rose 12% to $1.2 trillion in 2023, the Treasury said.", 0.7, 1.0, "quantity (12%)"),
        ("Unemployment fell to 3.9%, the lowest level since 1969.", 0.5, 1.0, "comparison (fell)"),
        ("I think this is a disgrace.", 0.0, 0.2, "first-person opinion (I think)"),
        ("Will Congress act on the budget before the deadline?", 0.0, 0.3, "question"),
        ("The plan could perhaps work.", 0.0, 0.3, "hedge (could)"),
        ("The weather was nice.", 0.0, 0.3, "short"),
    ],
    ids=["quantity-attribution", "comparison", "opinion", "question", "hedge", "plain"],
)
def test_heuristic_scores_and_reasons(text, low, high, cue):
    score, reason = _score(text)
    assert low <= score <= high, (score, reason)
    assert cue in reason


def test_scores_are_in_unit_interval_and_deterministic():
    texts = ["", "?", "I think I believe I hope we feel?", "1 2 3 4 5 % $ million billion record most said told according to May 5 " * 5]
    for text in texts:
        score, reason = HeuristicScorer._score_text(text)
        assert 0.0 <= score <= 1.0 and reason
        assert HeuristicScorer._score_text(text) == (score, reason)


def test_is_factual():
    assert is_factual("The deficit rose 12% in 2023.")
    assert not is_factual("Is the deficit rising?")
    assert not is_factual("I think the deficit is a disgrace.")


def test_score_sentences_scores_body_only():
    sentences = score_sentences(split_article(ARTICLE), ARTICLE)
    roles = {s.role for s in sentences if s.score is None}
    assert roles == {"headline", "boilerplate"}
    body = [s for s in sentences if s.role == "body"]
    assert all(0 <= s.score <= 1 and s.reason for s in body)
    ranked = sorted(body, key=lambda s: -s.score)
    assert ranked[0].text.startswith("The deficit rose 12%")
    lowest = {s.text for s in body if s.score == ranked[-1].score}
    assert {"I think this is a disgrace.", "Will Congress act?"} <= lowest


def test_unknown_scorer_suggests_a_name():
    with pytest.raises(InputError, match=r"unknown scorer 'heuristc'; available: .*heuristic.* Did you mean 'heuristic'\?"):
        get_scorer("heuristc")


class _LengthScorer(Scorer):
    name = "test-length"
    version = "2"

    def score(self, sentences, article):
        return [(min(1.0, len(s.text) / 100), f"{len(s.text)} characters") for s in sentences]


class _BrokenScorer(Scorer):
    name = "test-broken"

    def score(self, sentences, article):
        return [(1.5, "too high") for _ in sentences]


def test_a_registered_scorer_plugs_in():
    register_scorer(_LengthScorer)
    try:
        scorer = get_scorer("test-length")
        assert scorer.model_version == "test-length-2"
        sentences = score_sentences(split_article(ARTICLE), ARTICLE, "test-length")
        first = next(s for s in sentences if s.role == "body")
        assert first.reason == f"{len(first.text)} characters"
    finally:
        SCORERS.pop("test-length")


def test_a_scorer_returning_bad_scores_is_refused():
    with pytest.raises(CheckworthyError, match=r"scorer 'test-broken': score 1.5 for a1:\w+ is outside \[0, 1\]"):
        score_sentences(split_article(ARTICLE), ARTICLE, _BrokenScorer())


def test_selection_modes():
    sentences = score_sentences(split_article(ARTICLE), ARTICLE)
    body = [s for s in sentences if s.role == "body"]
    assert Selection().apply(sentences) == body
    top2 = Selection("top", 2).apply(sentences)
    assert len(top2) == 2 and [s.index for s in top2] == sorted(s.index for s in top2)
    assert {s.score for s in top2} == set(sorted((s.score for s in body), reverse=True)[:2])
    assert all(s.score >= 0.5 for s in Selection("min-score", 0.5).apply(sentences))
    assert Selection("min-score", 0.0).apply(sentences) == body
    assert Selection("top", 100).apply(sentences) == body


@pytest.mark.parametrize(
    ("text", "expected"),
    [("all", Selection()), ("top:5", Selection("top", 5)), ("min-score:0.25", Selection("min-score", 0.25))],
    ids=["all", "top", "min-score"],
)
def test_selection_parse(text, expected):
    assert Selection.parse(text) == expected
    assert Selection.parse(str(expected)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("best:3", r"unknown selection mode 'best'"),
        ("top:0", r"'top' needs a positive whole number K, found 0"),
        ("top:x", r"expected a number after ':', found 'x'"),
        ("min-score:1.5", r"'min-score' needs a score between 0 and 1, found 1.5"),
        ("al", r"Did you mean 'all'\?"),
    ],
    ids=["unknown-mode", "top-zero", "not-a-number", "score-above-one", "typo"],
)
def test_bad_selection(text, message):
    with pytest.raises(InputError, match=message):
        Selection.parse(text)
