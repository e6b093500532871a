"""The bulk input formats (``.jsonl.gz``, Parquet, web archives) and glob patterns, read by both engines."""

from __future__ import annotations

import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from checkworthy.builder.articles import SkippedInputWarning, discover_article_files, read_articles
from checkworthy.schemas.errors import InputError, InputFileNotFoundError

PAGE = (
    "<html><head><title>Port traffic</title></head><body><article><h1>Port traffic rose</h1>"
    "<p>The port handled 4.2 million containers in 2023, the authority said on Monday.</p>"
    "<p>That was 12 percent more than in 2022, according to its annual report.</p></article></body></html>"
)


def write_jsonl_gz(path, records, extra_lines=()):
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
        for line in extra_lines:
            handle.write(line + "\n")
    return path


def write_parquet(path, rows):
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def write_warc(path, pages):
    """A gzip-compressed WARC with one ``response`` record per ``(url, content_type, body[, status])``, and a request record."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, content_type, body, *status in pages:
            headers = StatusAndHeaders(status[0] if status else "200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body.encode("utf-8")), http_headers=headers))
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
    return path


def test_jsonl_gz_parquet_and_warc_are_read_like_their_plain_forms(tmp_path):
    write_jsonl_gz(tmp_path / "a.jsonl.gz", [{"id": "g1", "text": "Rates rose 2% in May.", "title": "Rates", "source": "Wire"}])
    write_parquet(tmp_path / "b.parquet", [{"id": "p1", "text": "Exports fell 3% last year.", "title": None, "url": "https://x.test/p1", "desk": "trade"}])
    write_warc(tmp_path / "c.warc.gz", [("https://news.test/port", "text/html; charset=utf-8", PAGE), ("https://news.test/logo.png", "image/png", "PNG")])
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")

    articles = {a.article_id: a for a in read_articles([tmp_path])}

    assert articles["g1"].text == "Rates\n\nRates rose 2% in May." and articles["g1"].source == "Wire"
    assert articles["p1"].url == "https://x.test/p1" and articles["p1"].meta == {"desk": "trade"} and articles["p1"].path.endswith("b.parquet:1")
    (warc,) = [a for a in articles.values() if a.path.startswith(str(tmp_path / "c.warc.gz"))]
    assert warc.text == articles["page"].text  # the same HTML reader as an .html file
    assert warc.url == "https://news.test/port"
    assert warc.meta["crawled"].startswith("20") and warc.meta["crawled"].endswith("Z")  # the record's WARC-Date
    # The page marks no date (its years are in the text), so the .html file has none and the record's date stands in.
    assert articles["page"].published is None and warc.published == warc.meta["crawled"]
    assert len(articles) == 4  # the image response and the request record are not articles


def test_glob_patterns_select_files_and_an_unmatched_pattern_is_an_error(tmp_path):
    (tmp_path / "crawl" / "day1").mkdir(parents=True)
    write_parquet(tmp_path / "crawl" / "day1" / "s1.parquet", [{"id": "p1", "text": "One."}])
    write_parquet(tmp_path / "crawl" / "s0.parquet", [{"id": "p0", "text": "Zero."}])
    (tmp_path / "crawl" / "notes.json").write_text("{}", encoding="utf-8")

    found = discover_article_files([str(tmp_path / "crawl" / "**" / "*.parquet")])

    assert [p.name for p in found] == ["s1.parquet", "s0.parquet"] or [p.name for p in found] == ["s0.parquet", "s1.parquet"]
    assert found == sorted(found)
    with pytest.raises(InputFileNotFoundError, match="no file matches the pattern"):
        discover_article_files([str(tmp_path / "crawl" / "*.warc.gz")])


def test_every_bad_record_of_every_bulk_file_is_listed_at_once(tmp_path):
    write_jsonl_gz(tmp_path / "a.jsonl.gz", [{"id": "ok1", "text": "Fine."}, {"text": "no id"}], extra_lines=["{truncated"])
    write_parquet(tmp_path / "b.parquet", [{"id": "bad id!", "text": "x"}, {"id": "ok2", "text": "Fine too."}])
    write_parquet(tmp_path / "c.parquet", [{"key": "k", "body": "wrong columns"}])
    (tmp_path / "d.jsonl.gz").write_bytes(gzip.compress(b'{"id": "t", "text": "x"}\n')[:-12])

    with pytest.raises(InputError) as caught:
        read_articles([tmp_path])

    text = str(caught.value)
    assert "a.jsonl.gz: line 2: missing required field(s) 'id'" in text
    assert "a.jsonl.gz: line 3: expected a JSON object, found invalid JSON" in text
    assert "b.parquet: row 1: field 'id': unsafe article id 'bad id!'" in text
    assert "c.parquet: missing required column(s) 'id', 'text'" in text and "found columns: key, body" in text
    assert "d.jsonl.gz" in text and "damaged or truncated" in text
    assert "--skip-invalid" in text


def test_skip_invalid_keeps_the_good_records_and_lists_the_bad_ones(tmp_path):
    write_jsonl_gz(tmp_path / "a.jsonl.gz", [{"id": "ok1", "text": "Fine."}, {"text": "no id"}])
    write_parquet(tmp_path / "b.parquet", [{"id": "ok1", "text": "Same id again."}, {"id": "ok2", "text": "Fine too."}])

    with pytest.warns(SkippedInputWarning, match=r"skipped 2 unreadable input\(s\)") as caught:
        articles = read_articles([tmp_path], skip_invalid=True)

    assert [a.article_id for a in articles] == ["ok1", "ok2"] and articles[0].text == "Fine."
    message = str(caught[0].message)
    assert "a.jsonl.gz: line 2" in message and "duplicate article id 'ok1'" in message


def test_a_crawl_leaves_out_what_is_not_an_article_and_reads_the_rest(tmp_path):
    """A 404 and a 301 page, an index page and a page crawled twice were tasks, or stopped the whole crawl."""
    from checkworthy.builder.articles import IgnoredFileWarning

    other = PAGE.replace("Port traffic", "Rail freight").replace("4.2 million containers", "9 million tonnes")
    index = "<html><head><title>World News</title></head><body><h1>World News</h1></body></html>"
    missing = "<html><head><title>Not found</title></head><body><h1>Not found</h1><p>The page you requested does not exist.</p></body></html>"
    updated = PAGE.replace("12 percent", "13 percent")
    write_warc(tmp_path / "crawl.warc.gz", [
        ("https://news.test/port", "text/html", PAGE),
        ("https://news.test/gone", "text/html", missing, "404 Not Found"),
        ("https://news.test/old", "text/html", missing, "301 Moved Permanently"),
        ("https://news.test/world", "text/html", index),
        ("https://news.test/port", "text/html", PAGE),  # the same page, crawled again
        ("https://news.test/rail", "text/html", other),
        ("https://news.test/port", "text/html", updated),  # the page, changed since
    ])
    with pytest.warns(IgnoredFileWarning) as caught:
        articles = read_articles([tmp_path / "crawl.warc.gz"])
    assert [(a.url, "13 percent" in a.text) for a in articles] == [
        ("https://news.test/port", False), ("https://news.test/rail", False), ("https://news.test/port", True)]
    (message,) = [str(w.message) for w in caught if w.category is IgnoredFileWarning]  # the index page may warn too
    assert "2 response(s) that are not pages left out (HTTP 301 x1, 404 x1)" in message
    assert "1 page(s) without an article body left out (an index, a login or a consent page): record 7 (https://news.test/world, " \
           "WARC-Record-ID " in message and "only the headline 'World News'" in message and "give its text as .txt" not in message
    assert "1 page(s) crawled again with the same URL and text left out: record 9 (https://news.test/port)" in message
    assert "1 URL(s) crawled more than once with different text, each version kept as an article: https://news.test/port (ids " in message
