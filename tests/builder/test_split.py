"""Sentence splitting: tricky cases, offsets, roles, ids, context, big input, fallback."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import pytest

from checkworthy.builder.articles import read_articles
from checkworthy.builder.select import score_sentences
from checkworthy.builder.split import RuleSegmenter, get_segmenter, line_role, segment, split_article
from checkworthy.builder.tasks import make_tasks
from checkworthy.schemas.records import Article, sentence_id

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_27e9f3fb14e76b8c.txt"

SEGMENTERS = [pytest.param("blingfire", id="blingfire"), pytest.param("rules", id="rules-fallback")]

TRICKY = [
    pytest.param("Talks with the U.S. resumed on Monday. Both sides agreed.", ["Talks with the U.S. resumed on Monday.", "Both sides agreed."], id="U.S.-midsentence"),
    pytest.param("He met U.S. Senator John Cornyn. They talked.", ["He met U.S. Senator John Cornyn.", "They talked."], id="U.S.-before-title"),
    pytest.param("In a speech to the U.N. General Assembly, Ri spoke. Nobody left.", ["In a speech to the U.N. General Assembly, Ri spoke.", "Nobody left."], id="U.N."),
    pytest.param("She lives in Concord, N.H. with her family. She votes.", ["She lives in Concord, N.H. with her family.", "She votes."], id="N.H."),
    pytest.param("Mr. Smith and Dr. Jones met Gov. Sununu and Sen. Shaheen. They talked.", ["Mr. Smith and Dr. Jones met Gov. Sununu and Sen. Shaheen.", "They talked."], id="titles"),
    pytest.param("The parade went down St. Charles Avenue. It was loud.", ["The parade went down St. Charles Avenue.", "It was loud."], id="St."),
    pytest.param("The vote was held on Nov. 17 in Geneva. It passed.", ["The vote was held on Nov. 17 in Geneva.", "It passed."], id="Nov.-17"),
    pytest.param("The meeting began at 9 a.m. and ended at noon. Then lunch.", ["The meeting began at 9 a.m. and ended at noon.", "Then lunch."], id="a.m.-lowercase"),
    pytest.param("At 5 a.m. Mr. Smith went to the bank. He left.", ["At 5 a.m. Mr. Smith went to the bank.", "He left."], id="a.m.-before-title"),
    pytest.param("They closed the deal with Pitt, Briggs & Co. at noon. It held.", ["They closed the deal with Pitt, Briggs & Co. at noon.", "It held."], id="Co.-midsentence"),
    pytest.param("Prices rose 3.5% to $4.25 in 2017. Wages fell 0.2 points.", ["Prices rose 3.5% to $4.25 in 2017.", "Wages fell 0.2 points."], id="decimals"),
    pytest.param('"We are not afraid of war," Kosachev said. "We want peace."', ['"We are not afraid of war," Kosachev said.', '"We want peace."'], id="quotes"),
    pytest.param("\u201cIs it over?\u201d she asked. Nobody answered.", ["\u201cIs it over?\u201d she asked.", "Nobody answered."], id="quoted-question"),
    pytest.param("He paused... Then he spoke again. Silence followed.", ["He paused...", "Then he spoke again.", "Silence followed."], id="ellipsis"),
    pytest.param("It was over\u2026 for now. Or was it?", ["It was over\u2026 for now.", "Or was it?"], id="ellipsis-char-lowercase"),
    pytest.param("My name is Jonas E. Smith. I write.", ["My name is Jonas E. Smith.", "I write."], id="initial"),
    pytest.param("They married in 2014. [17] [18] They have two daughters.", ["They married in 2014. [17] [18]", "They have two daughters."], id="citations"),
    pytest.param("Are you sure? Yes! Absolutely.", ["Are you sure?", "Yes!", "Absolutely."], id="question-exclamation"),
    pytest.param(
        "Pyongyang does not want escalation, senator says\nMOSCOW (Reuters) - North Korea is open to talks.\nA flag is pictured in Geneva, November 17, 2017",
        ["Pyongyang does not want escalation, senator says", "MOSCOW (Reuters) - North Korea is open to talks.", "A flag is pictured in Geneva, November 17, 2017"],
        id="headline-dateline-caption-lines",
    ),
    pytest.param("2.1. New Institutional Economics\n\nTheory matters.", ["2.1. New Institutional Economics", "Theory matters."], id="list-number"),
]


@pytest.mark.parametrize("name", SEGMENTERS)
@pytest.mark.parametrize(("text", "expected"), TRICKY)
def test_tricky_cases(text, expected, name):
    spans = segment(text, get_segmenter(name))
    assert [text[a:b] for a, b in spans] == expected


def _random_text(rng: random.Random) -> str:
    words = ["U.S.", "Dr.", "the", "Talks", "3.5%", "a.m.", "\u201cYes,\u201d", "caf\u00e9", "\u5317\u671d\u9c9c", "e.g.", "[12]", "\U0001f600", "...", "Nov.", "17", "(Reuters)", "-", "I.", "ok"]
    ends = [".", "!", "?", "\u2026", ".\u201d", "", ":"]
    spaces = [" ", " ", " ", "  ", "\t", "\n", "\n\n", "\u00a0", "\r"]
    pieces = []
    for _ in range(rng.randint(0, 60)):
        word = rng.choice(words)
        pieces.append(word + (rng.choice(ends) if rng.random() < 0.2 else ""))
        pieces.append(rng.choice(spaces))
    return "".join(pieces)


@pytest.mark.parametrize("name", SEGMENTERS)
def test_offsets_round_trip_over_random_text(name):
    rng = random.Random(20171208)
    segmenter = get_segmenter(name)
    for case in range(400):
        text = _random_text(rng)
        spans = segment(text, segmenter)
        covered = set()
        previous_end = 0
        for start, end in spans:
            piece = text[start:end]
            assert piece and piece == piece.strip(), (case, text, piece)
            assert "\n" not in piece, (case, text, piece)
            assert start >= previous_end, (case, text, spans)
            previous_end = end
            covered.update(range(start, end))
        missing = [i for i, char in enumerate(text) if not char.isspace() and i not in covered]
        assert not missing, (case, text, missing)


def test_long_lines_are_split_in_windows_with_the_same_result():
    sentence = "The U.S. economy grew 3.5% in the third quarter, Dr. Smith said on Nov. 17. "
    text = sentence * 3000  # about 230,000 characters on one line
    spans = segment(text)
    assert len(spans) == 3000
    assert all(text[a:b] == sentence.strip() for a, b in spans)


def test_twenty_megabyte_article_is_split_quickly():
    paragraph = (
        "Officials in Washington said on Nov. 17 that the U.S. economy grew {}.5% in the third quarter, the largest rise "
        "since the Commerce Department began publishing the series, and that wages rose in most of the fifty states. "
        "Dr. Smith of the U.N. disagreed, saying the figures for quarter {} would be revised when the survey data arrived, "
        "and \u201cwe will see then,\u201d she said in a statement to reporters gathered outside the building in Geneva.\n\n"
    )
    copies = 20_000_000 // len(paragraph)
    text = "Economy grows\n\n" + "".join(paragraph.format(i % 10, i) for i in range(copies))
    article = Article("big", text, title="Economy grows")
    started = time.perf_counter()
    sentences = split_article(article)
    elapsed = time.perf_counter() - started
    assert len(text) >= 19_900_000
    assert len(sentences) == 1 + 2 * copies
    assert all(text[s.start : s.end] == s.text for s in sentences[::997])
    assert sentences[-1].text.startswith("Dr. Smith of the U.N. disagreed") and sentences[-1].text.endswith("in Geneva.")
    assert elapsed < 60, f"20 MB took {elapsed:.1f} s"


def test_split_is_deterministic_and_pure():
    article = Article("a1", "Title\n\nOne. Two! One.\n\nThree?", title="Title")
    first, second = split_article(article), split_article(article)
    assert first == second
    assert article.text == "Title\n\nOne. Two! One.\n\nThree?"


def test_repeated_sentences_get_occurrence_numbers():
    article = Article("a1", "Prices rose. Wages fell. Prices rose.\nPrices  rose.")
    ids = [s.sentence_id for s in split_article(article)]
    rose, fell = "Prices rose.", "Wages fell."
    assert ids == [sentence_id("a1", rose), sentence_id("a1", fell), sentence_id("a1", rose, 2), sentence_id("a1", rose, 3)]
    assert len(set(ids)) == 4


def test_sentences_carry_offsets_indexes_roles_and_context():
    text = "Talks resume\n\nBy Jane Doe\n\nTalks began. They ended.\n\nA flag is pictured in Geneva.\n\nAll agreed.\n\nShare this article"
    sentences = split_article(Article("a1", text, title="Talks resume"))
    assert [(s.role, s.text) for s in sentences] == [
        ("headline", "Talks resume"),
        ("byline", "By Jane Doe"),
        ("body", "Talks began."),
        ("body", "They ended."),
        ("caption", "A flag is pictured in Geneva."),
        ("body", "All agreed."),
        ("boilerplate", "Share this article"),
    ]
    assert [s.index for s in sentences] == list(range(7))
    assert all(text[s.start : s.end] == s.text for s in sentences)
    they_ended = sentences[3]
    assert they_ended.context == {"headline": "Talks resume", "before": "Talks began.", "after": "All agreed."}
    assert sentences[2].context["before"] == "" and sentences[5].context["after"] == ""


def test_html_figcaption_is_a_caption(write):
    html = "<h1>Storm hits</h1><p>The storm hit at 9 a.m. on Monday.</p><figure><figcaption>Waves crash over the wall.</figcaption></figure>"
    [article] = read_articles([write("storm.html", html)])
    roles = {s.text: s.role for s in split_article(article)}
    assert roles == {"Storm hits": "headline", "The storm hit at 9 a.m. on Monday.": "body", "Waves crash over the wall.": "caption"}


@pytest.mark.parametrize(
    ("line", "role"),
    [
        ("Related Articles", "boilerplate"),
        ("Share this article", "boilerplate"),
        ("Advertisement", "boilerplate"),
        ("Photo: John Smith/Reuters", "boilerplate"),
        ("Home | World | Politics | Sport", "boilerplate"),
        ("By Heather Nauert and Rex Tillerson", "byline"),
        ("Reporting by Jane Doe; Editing by John Roe", "byline"),
        ("November 17, 2017", "byline"),
        ("Updated: Nov. 17, 2017 3:45 p.m.", "byline"),
        ("(Reporting by Jane Doe; Editing by John Roe)", "byline"),
        ("WASHINGTON (Reuters) \u2014", "byline"),
        ("Updated figures show that prices rose 4% in May.", "body"),
        ("Published reports say the deal is off.", "body"),
        ("A flag is pictured outside the Permanent Mission of North Korea in Geneva, Switzerland, November 17, 2017.", "caption"),
        ("Protesters march in Paris. REUTERS/Benoit Tessier", "caption"),
        ("Mayor Henrike Osterlund (left) and Bram Devaux (right) at the vote.", "caption"),
        ("Smoke was seen rising from the plant on Monday, residents said.", "body"),
        ("By the end of the year, prices had doubled.", "body"),
        ("Related events were reported in Seoul on Tuesday.", "body"),
        ("Copyright 2017 Reuters. All rights reserved.", "boilerplate"),
        ("Copyright claims against the site rose 40% last year.", "body"),
        ("Sign up for our newsletter", "boilerplate"),
        ("Sign up " + "rates for the scheme, which began in 2015 and now covers every region, " * 3 + "rose.", "body"),
    ],
    ids=lambda value: value[:30] if isinstance(value, str) else value,
)
def test_line_roles(line, role):
    assert line_role(line) == role


def test_seed_article():
    [article] = read_articles([SEED])
    sentences = split_article(article)
    by_role = {}
    for s in sentences:
        by_role.setdefault(s.role, []).append(s.text)
    assert by_role["headline"] == ["Pyongyang does not want escalation of tensions on Korean peninsula, senator says"]
    assert by_role["caption"] == ["A flag is pictured outside the Permanent Mission of North Korea in Geneva, Switzerland, November 17, 2017."]
    assert by_role["boilerplate"] == ["Related Articles"]
    assert any(t.startswith("North Korea is reportedly open to direct talks with the U.S. over its nuclear ambitions") and t.endswith("on Thursday.") for t in by_role["body"])
    assert any(t.startswith("In a speech to the U.N. General Assembly in September") for t in by_role["body"])
    assert not any(t.endswith(("U.S.", "U.N.")) for t in by_role["body"])
    assert len(by_role["body"]) == 10


def test_fallback_when_blingfire_cannot_load(monkeypatch):
    monkeypatch.setitem(sys.modules, "blingfire", None)  # what an interpreter without a usable wheel sees
    get_segmenter.cache_clear()
    try:
        with pytest.warns(RuntimeWarning, match="blingfire is not available"):
            segmenter = get_segmenter()
        assert isinstance(segmenter, RuleSegmenter)
        with pytest.raises(ImportError):
            get_segmenter("blingfire")
        [article] = read_articles([SEED])
        roles = [s.role for s in split_article(article, segmenter)]
        assert roles.count("body") == 10 and roles[0] == "headline" and roles[-1] == "boilerplate"
    finally:
        get_segmenter.cache_clear()


def test_photo_credit_inside_a_line_is_boilerplate():
    text = "Flood\n\nA ferry leaves the harbour on March 2, 2026. (Photo: Ana Ruiz/Northgate Wire)\n\nPrices rose. Advertisement"
    roles = [(s.role, s.text) for s in split_article(Article("f", text, title="Flood"))]
    assert roles == [
        ("headline", "Flood"),
        ("caption", "A ferry leaves the harbour on March 2, 2026."),
        ("boilerplate", "(Photo: Ana Ruiz/Northgate Wire)"),
        ("body", "Prices rose."),
        ("boilerplate", "Advertisement"),
    ]


CAPTION_LINES = [
    "Photo: A man walks past a destroyed building in Kharkiv, Ukraine, March 3, 2022.",
    "Photo: Firefighters at the scene on Tuesday. (AP Photo/Evan Vucci)",
    "Image: Supporters gather outside the court",
    "Picture: Jane Roe/Daily Example",
    "File photo: The central bank's headquarters in Frankfurt, Germany.",
    "FILE PHOTO - Oil pump jacks are seen at sunset in Midland, Texas, U.S.",
    "Video: Protesters clash with riot police in the capital",
    "Police officers stand guard outside the parliament building. AP Photo/Markus Schreiber",
    "A view of the damaged bridge after the strike. REUTERS/Gleb Garanich",
    "Emergency workers search the rubble of the hotel on Sunday. (Getty Images)",
    "The flooded main square of the town on Friday (Reuters)",
    "Pope Francis waves to the crowd. He spoke about migrants for ten minutes. Afterwards he met the mayor. (AFP)",
    "Rescue teams work through the night. The storm left 40,000 homes without power. Photo: Jane Roe",
    "AP Photo/Charlie Riedel",
    "(Getty Images)",
]

BODY_MENTIONING_PHOTOS = [
    "A photo shared on social media showed soldiers crossing the border at dawn.",
    "The photo was taken in 2019 by a Reuters photographer, the agency said.",
    "Getty Images said on Monday that it had removed the picture from its archive.",
    "Reuters reported that 12 people died in the floods, citing local officials.",
    "The image, which was viewed 2 million times, was later found to be doctored.",
    "He posted a video of the rally on Twitter, where it was shared 40,000 times.",
    "Police said the photographer, who works for AFP, was released after two hours.",
    "Asked about the picture, the minister said: It was taken out of context.",
]


@pytest.mark.parametrize("line", CAPTION_LINES, ids=lambda line: line[:40])
def test_caption_forms_are_captions_and_never_tasks(line):
    """A caption line is a caption, or boilerplate when it is a credit alone; a credit inside it is boilerplate."""
    assert line_role(line) in ("caption", "boilerplate")
    article = Article("c1", f"Storm hits\n\nThe storm hit at 9 a.m. on Monday, officials said.\n\n{line}", title="Storm hits")
    sentences = score_sentences(split_article(article), article)
    assert {s.role for s in sentences if s.text in line} <= {"caption", "boilerplate"}
    assert [task["data"]["sentence"] for task in make_tasks([article], sentences)] == ["The storm hit at 9 a.m. on Monday, officials said."]


@pytest.mark.parametrize("line", BODY_MENTIONING_PHOTOS, ids=lambda line: line[:40])
def test_body_sentences_that_mention_a_photo_stay_body(line):
    assert line_role(line) == "body"


# Inline lists: a colon, then items marked by spaced dashes, flattened onto one line.

INLINE_LISTS = [
    pytest.param(
        "nl",
        "Bij de voorlichting maken we onderscheid in: - voeding - veiligheid - beweging Het advies volgt later. Het werkt.",
        ["Bij de voorlichting maken we onderscheid in:", "- voeding", "- veiligheid", "- beweging Het advies volgt later.", "Het werkt."],
        id="nl-hyphen",
    ),
    pytest.param(
        "es",
        "El plan tiene tres partes: \u2013 vivienda \u2013 empleo juvenil \u2013 transporte. El Gobierno lo aprobó ayer.",
        ["El plan tiene tres partes:", "\u2013 vivienda", "\u2013 empleo juvenil", "\u2013 transporte.", "El Gobierno lo aprobó ayer."],
        id="es-en-dash",
    ),
    pytest.param(
        "en",
        "The report names two risks: - flooding in the north - heat waves. Officials agreed.",
        ["The report names two risks:", "- flooding in the north", "- heat waves.", "Officials agreed."],
        id="en-hyphen",
    ),
    pytest.param(
        "nl",
        "Te denken valt aan: - kinderen van 0 - 4 jaar - ouders\nDe uitslag was 2 - 1 - een zege - voor Ajax.",
        ["Te denken valt aan:", "- kinderen van 0 - 4 jaar", "- ouders", "De uitslag was 2 - 1 - een zege - voor Ajax."],
        id="range-in-an-item-and-the-list-ends-at-the-line",
    ),
]


def _pieces_at(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """The spans of ``pieces``, found one after the other in ``text``."""
    spans, start = [], 0
    for piece in pieces:
        start = text.index(piece, start)
        spans.append((start, start + len(piece)))
        start += len(piece)
    return spans


@pytest.mark.parametrize("name", SEGMENTERS)
@pytest.mark.parametrize(("language", "text", "expected"), INLINE_LISTS)
def test_an_inline_list_splits_into_lead_in_and_items_with_exact_offsets(language, text, expected, name):
    spans = segment(text, get_segmenter(name), language=language)
    assert spans == _pieces_at(text, expected)
    sentences = split_article(Article("a1", text, language=language), get_segmenter(name))
    assert [(s.start, s.end, s.text) for s in sentences] == [(a, b, text[a:b]) for a, b in spans]


def test_inline_list_offsets_by_hand():
    text = "Zie: - appels - peren. Klaar."
    assert segment(text, language="nl") == [(0, 4), (5, 13), (14, 22), (23, 29)]


DASHES_THAT_DO_NOT_SPLIT = [
    # a spaced dash inside a sentence, no colon before it
    pytest.param("nl", "De hervorming - zo zegt de minister - komt er snel - misschien al in mei. Dat is goed.", "De hervorming - zo zegt de minister - komt er snel - misschien al in mei.", id="nl-aside"),
    pytest.param("es", "La reforma - según el ministro - llegará pronto - quizá en mayo. Eso dicen.", "La reforma - según el ministro - llegará pronto - quizá en mayo.", id="es-aside"),
    pytest.param("en", "MOSCOW (Reuters) - North Korea is open to talks - for now - officials said. Nobody left.", "MOSCOW (Reuters) - North Korea is open to talks - for now - officials said.", id="en-dateline-aside"),
    # a colon before a single dash: a quotation opened (and closed) by a dash, not a list
    pytest.param("es", "Romero lo explica así: - Nos presentamos como una fuerza de gobierno -. Esta vez queremos gobernar.", "Romero lo explica así: - Nos presentamos como una fuerza de gobierno -.", id="es-quotation"),
    pytest.param("nl", "Hij riep: - Kom hier! Niemand kwam.", "Hij riep: - Kom hier!", id="nl-quotation"),
    # an em dash marks speech and asides: it never opens a list
    pytest.param("es", "Y entonces dijo: \u2014 Vamos \u2014 y se fue \u2014 sin más. Nadie le siguió.", "Y entonces dijo: \u2014 Vamos \u2014 y se fue \u2014 sin más.", id="es-em-dash-speech"),
    pytest.param("en", "She said: \u2014 we won \u2014 and left \u2014 quickly. Nobody followed.", "She said: \u2014 we won \u2014 and left \u2014 quickly.", id="en-em-dash-speech"),
    # a doubled dash is not a list marker
    pytest.param("es", "Lo peor: - - Raquetas rotas: el público lo vio - - y aplaudió. Así fue.", "Lo peor: - - Raquetas rotas: el público lo vio - - y aplaudió.", id="es-double-dash"),
]


@pytest.mark.parametrize("name", SEGMENTERS)
@pytest.mark.parametrize(("language", "text", "first"), DASHES_THAT_DO_NOT_SPLIT)
def test_dashes_that_are_not_an_inline_list_do_not_split(language, text, first, name):
    """``first`` stays one sentence; the sentence after it is the rest of the text."""
    spans = segment(text, get_segmenter(name), language=language)
    assert [text[a:b] for a, b in spans] == [first, text[len(first) + 1 :]]
