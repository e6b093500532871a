"""Small CheckThat! 2024 tweet files for the corpus tests (never the bench data)."""

from __future__ import annotations

TWEET_HEADER = "tweet_id\ttweet_url\ttweet_text\tclass_label"


def tweets_tsv(rows) -> str:
    """A CT24 tweet file's text: the header, then ``(tweet_id, tweet_url, tweet_text, class_label)`` rows."""
    return "\n".join([TWEET_HEADER] + [f"{i}\t{url}\t{text}\t{label}" for i, url, text, label in rows]) + "\n"
