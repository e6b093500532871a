"""Shared by the Ray engine's tests: whether Ray is required, a generated corpus in every input format, output readers."""

from __future__ import annotations

import gzip
import importlib.util
import io
import json
import os

import pytest

RAY_INSTALLED = importlib.util.find_spec("ray") is not None

#: CI sets CHECKWORTHY_REQUIRE_RAY=1 after installing the extra 'scale': there the Ray tests fail instead of being skipped.
RAY_REQUIRED = os.environ.get("CHECKWORTHY_REQUIRE_RAY") == "1"

needs_ray = pytest.mark.skipif(not RAY_INSTALLED and not RAY_REQUIRED, reason="optional extra 'scale' not installed (pip install -e '.[scale]')")

SENTENCES = [
    "Exports rose {n} percent in {month}, the ministry said on Monday.",
    "I think the new plan is a good idea for the city.",
    "The council approved a budget of ${n} million for {year}.",
    "Will the mayor run again next year?",
    "Unemployment fell to {n}.{m}% according to the national statistics office.",
    "Residents gathered at the square on a sunny afternoon.",
    "The company employs {n},000 people in {count} countries, more than any rival.",
    "Officials might announce further measures later.",
]
MONTHS = ["January", "March", "May", "July", "October"]


def article_text(number: int) -> tuple[str, str]:
    """The headline and body of generated article ``number``: a few paragraphs of varied sentences."""
    body = []
    for paragraph in range(2 + number % 3):
        picks = [SENTENCES[(number * 3 + paragraph * 5 + k) % len(SENTENCES)] for k in range(3 + (number + paragraph) % 3)]
        body.append(" ".join(p.format(n=3 + (number * 7 + k) % 90, m=k, month=MONTHS[(number + k) % 5], year=2000 + number % 25, count=2 + k)
                             for k, p in enumerate(picks)))
    return f"Report number {number} on the regional economy", "\n\n".join(body)


def write_corpus(folder, articles: int = 60) -> list:
    """Generated articles spread over every input format: two .jsonl.gz shards, a Parquet shard, a web archive, .txt files."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    folder.mkdir(parents=True, exist_ok=True)
    numbers = list(range(articles))
    quarter = max(1, articles // 5)
    groups = [numbers[i * quarter : (i + 1) * quarter] for i in range(4)] + [numbers[4 * quarter :]]
    for name, group in (("a.jsonl.gz", groups[0]), ("b.jsonl.gz", groups[1])):
        with gzip.open(folder / name, "wt", encoding="utf-8") as handle:
            for n in group:
                title, body = article_text(n)
                handle.write(json.dumps({"id": f"g{n}", "title": title, "text": body, "source": "Wire", "published": "2024-05-01"}) + "\n")
    rows = [dict(zip(("title", "text"), article_text(n)), id=f"p{n}", url=f"https://example.test/p{n}") for n in groups[2]]
    pq.write_table(pa.Table.from_pylist(rows), folder / "c.parquet")
    with open(folder / "d.warc.gz", "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for n in groups[3]:
            title, body = article_text(n)
            paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
            page = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://news.test/{n}", "response", payload=io.BytesIO(page.encode()), http_headers=headers))
    (folder / "txt").mkdir(exist_ok=True)
    for n in groups[4]:
        title, body = article_text(n)
        (folder / "txt" / f"t{n}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return [folder]


def read_sentences(out) -> list[dict]:
    """Every sentence record of a Ray output (``sentences/*.parquet``), ``context`` decoded, in file order."""
    import pyarrow.parquet as pq

    rows = []
    for part in sorted((out / "sentences").glob("*.parquet")):
        rows += [{**row, "context": json.loads(row["context"])} for row in pq.read_table(part).to_pylist()]
    return rows


def read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
