"""The card's publication dates: ``published`` strings read as dates, not compared as text."""

from __future__ import annotations

import warnings

import pytest
from huggingface_hub import DatasetCard

from checkworthy.builder.card import write_card
from checkworthy.builder.facts import ArticleFacts, UnreadableDateWarning, publication_day
from checkworthy.schemas.records import Article


@pytest.mark.parametrize(
    ("published", "day"),
    [
        ("Tue Nov 19 2019 05:44:06 GMT+0000", "2019-11-19"),
        ("November 20, 2019 13:42", "2019-11-20"),
        ("2025-03-06", "2025-03-06"),
        ("2010-10-22T10:00:00Z", "2010-10-22"),
        ("2025-03-06T23:30:00-05:00", "2025-03-06"),  # the day where it was published, not in UTC
        ("Tue, 19 Nov 2019 05:44:06 +0300", "2019-11-19"),
        (" 2025-03-06 ", "2025-03-06"),
        ("19.11.2019", "2019-11-19"),
        ("today", None),  # pandas reads it as the current time
        ("now", None),
        ("yesterday", None),
        ("2019-02-30", None),
        ("<b>2020</b>", None),
        ("", None),
        (None, None),
    ],
    ids=["javascript-date", "month-name", "iso-date", "iso-utc", "iso-offset-late", "rfc-2822", "spaces", "dotted",
         "today", "now", "yesterday", "no-such-day", "markup", "empty", "none"],
)
def test_publication_day(published, day):
    assert publication_day(published) == day


def _article(article_id, published):
    return Article(article_id=article_id, text="x", published=published)


def test_the_range_is_the_earliest_and_latest_day_not_text_order():
    articles = [
        _article("a", "Tue Nov 19 2019 05:44:06 GMT+0000"),  # sorts last as text
        _article("b", "November 20, 2019 13:42"),
        _article("c", "2010-10-22"),
        _article("d", "2025-03-06T08:00:00Z"),  # the true latest
        _article("e", None),
        _article("f", "not in the version"),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no unreadable date here: no warning
        facts = ArticleFacts.from_articles(articles, {"a", "b", "c", "d", "e"})
    assert facts.published == ("2010-10-22", "2025-03-06")
    assert facts.n_undated == 1


def test_unreadable_dates_are_counted_and_named_in_a_warning():
    articles = [_article("a", "2019-11-19"), _article("b", "last Tuesday"), _article("c", "2024-03-05 12:00 CET"), _article("d", None)]
    with pytest.warns(UnreadableDateWarning, match=r"2 article\(s\) .*b \('last Tuesday'\), c \('2024-03-05 12:00 CET'\).*YYYY-MM-DD"):
        facts = ArticleFacts.from_articles(articles, {"a", "b", "c", "d"})
    assert facts.published == ("2019-11-19", "2019-11-19")
    assert facts.n_undated == 3


def test_the_count_is_recorded_only_when_some_article_has_no_date():
    dated = ArticleFacts.from_articles([_article("a", "2019-11-19")], {"a"})
    assert "n_undated" not in dated.to_yaml()  # cards made before the count read back and render unchanged
    undated = ArticleFacts.from_articles([_article("a", "2019-11-19"), _article("b", None)], {"a", "b"})
    assert undated.to_yaml()["n_undated"] == 1


def test_the_card_states_iso_dates_and_records_the_undated_articles(version_dir):
    articles = [
        _article("art00", "Tue Nov 19 2019 05:44:06 GMT+0000"),
        _article("art01", "November 20, 2019 13:42"),
        _article("art02", "2010-10-22"),
        _article("art03", "2025-03-06"),
        _article("art04", None),
    ]
    write_card(version_dir, articles=articles)
    card = DatasetCard.load(version_dir / "README.md")
    assert "Publication dates range from 2010-10-22 to 2025-03-06. 1 of the articles has no publication date" in card.text
    recorded = card.data["checkworthy"]["articles"]
    assert recorded["published"] == ["2010-10-22", "2025-03-06"] and recorded["n_undated"] == 1
    write_card(version_dir)  # regenerated from the recorded facts, without the articles
    assert DatasetCard.load(version_dir / "README.md").data["checkworthy"]["articles"] == recorded
