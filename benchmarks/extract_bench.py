"""Benchmark article-body extraction on real news pages (run by hand).

Usage (from the repository root)::

    python benchmarks/extract_bench.py --data ../shared/bench/article-extraction [--repeat 3] [--worst 10]
    python benchmarks/extract_bench.py --data ../shared/bench/article-extraction --only checkworthy --save-pages before.json
    python benchmarks/extract_bench.py --data ../shared/bench/article-extraction --only checkworthy --compare before.json

The data folder holds ``html/<id>.html.gz`` and ``ground-truth.json`` (``{id:
{"articleBody", "url"}}``, the body only: no headline, byline, captions, comments or
related links). Three extractors are compared:

- ``checkworthy``: the project's HTML reader (``builder.articles.html_article``)
  followed by the sentence roles (``builder.split.split_article``): the text of
  the ``body`` sentences, i.e. what can become a task;
- ``trafilatura``: ``trafilatura.extract(html, include_comments=False)`` alone, as
  the benchmark's own runner calls it;
- ``get_text``: BeautifulSoup ``get_text()`` of the whole page (the full-text baseline).

The metric is the benchmark's (``evaluate.py`` of scrapinghub/article-extraction-benchmark,
as the data folder's README defines it): per page, texts become multisets of word
4-gram shingles (tokens are ``\\w+`` matches); precision and recall are computed per
page (an exact match is P = R = 1, an empty prediction P = 0) and averaged over pages;
F1 is the harmonic mean of the mean P and the mean R. Accuracy is the share of pages
whose token list equals the ground truth's. Speed is pages per second on one core
(median of ``--repeat`` runs by the process's CPU time, and by the wall clock).

``--save-pages FILE`` writes the project reader's precision and recall for each page (with
its URL); ``--compare FILE`` lists the pages whose F1 changed since such a file was written,
worst first, so that a rule that helps on average but breaks some pages is seen.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

from checkworthy.builder.articles import html_article
from checkworthy.builder.split import split_article
from checkworthy.schemas.errors import InputError

_TOKEN = re.compile(r"\w+")


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_scores(true: str, pred: str) -> tuple[float, float]:
    """Precision and recall of one page on word 4-gram shingles."""
    t, p = _shingles(true), _shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    if fp == fn == 0:
        return 1.0, 1.0
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)


def score(truth: dict[str, str], predicted: dict[str, str]) -> dict[str, float]:
    """Mean precision and recall over pages, their harmonic mean, and exact-token accuracy."""
    pairs = [page_scores(truth[key], predicted[key]) for key in truth]
    precision = statistics.mean(p for p, _ in pairs)
    recall = statistics.mean(r for _, r in pairs)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = statistics.mean(_TOKEN.findall(truth[key]) == _TOKEN.findall(predicted[key] or "") for key in truth)
    return {"f1": f1, "precision": precision, "recall": recall, "accuracy": accuracy}


def checkworthy_body(key: str, html: str) -> str:
    """The body sentences the project finds in a page, one a line ("" when the reader refuses the page)."""
    try:
        article = html_article(html, key)
    except InputError:
        return ""
    return "\n".join(s.text for s in split_article(article) if s.role == "body")


def trafilatura_body(key: str, html: str) -> str:
    import trafilatura  # only this extractor needs it

    return trafilatura.extract(html, include_comments=False) or ""


def get_text_body(key: str, html: str) -> str:
    from bs4 import BeautifulSoup  # only the baseline needs it: the optional extra 'bench'

    soup = BeautifulSoup(html, "html.parser")
    return (soup.body or soup).get_text(" ")


EXTRACTORS = {"checkworthy": checkworthy_body, "trafilatura": trafilatura_body, "get_text": get_text_body}


def page_f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def compare_pages(before: dict[str, dict], after: dict[str, dict], threshold: float = 0.001) -> list[str]:
    """One line per page whose F1 moved by more than ``threshold``, worst change first."""
    rows = []
    for key in sorted(after.keys() & before.keys()):
        old, new = before[key], after[key]
        change = page_f1(new["p"], new["r"]) - page_f1(old["p"], old["r"])
        if abs(change) > threshold:
            rows.append((change, f"    {change:+.3f} F1  P {old['p']:.3f} -> {new['p']:.3f}  R {old['r']:.3f} -> {new['r']:.3f}  {key[:12]} {new['url']}"))
    return [line for _, line in sorted(rows)]


def run(extractor, pages: dict[str, str], repeat: int) -> tuple[dict[str, str], float, float]:
    """Predictions and pages/s (by CPU time, by the wall clock), medians of ``repeat`` runs."""
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            predicted = {key: extractor(key, html) for key, html in pages.items()}
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return predicted, len(pages) / statistics.median(cpu), len(pages) / statistics.median(wall)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, type=Path, help="folder with html/<id>.html.gz and ground-truth.json")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per extractor (median); default 3")
    parser.add_argument("--only", choices=sorted(EXTRACTORS), action="append", help="run only these extractors")
    parser.add_argument("--worst", type=int, default=0, help="also list the N pages with the lowest F1 for the project's reader")
    parser.add_argument("--save-pages", type=Path, help="write the project reader's per-page precision and recall to this JSON file")
    parser.add_argument("--compare", type=Path, help="list the pages whose F1 changed since a --save-pages file")
    args = parser.parse_args(argv)
    truth_file = args.data / "ground-truth.json"
    if not truth_file.is_file():
        raise SystemExit(f"extract_bench.py: {truth_file}: no such file; pass --data the folder holding ground-truth.json and html/")
    records = json.loads(truth_file.read_text(encoding="utf-8"))
    truth = {key: value["articleBody"] for key, value in records.items()}
    pages = {}
    for key in truth:
        with gzip.open(args.data / "html" / f"{key}.html.gz", "rt", encoding="utf-8") as handle:
            pages[key] = handle.read()
    print(f"{len(pages)} pages from {args.data}")
    print(f"{'extractor':<12} {'F1':>6} {'P':>6} {'R':>6} {'acc':>6} {'pages/s (cpu)':>14} {'pages/s (wall)':>15}")
    for name in args.only or EXTRACTORS:
        predicted, cpu_rate, wall_rate = run(EXTRACTORS[name], pages, args.repeat)
        m = score(truth, predicted)
        print(f"{name:<12} {m['f1']:6.3f} {m['precision']:6.3f} {m['recall']:6.3f} {m['accuracy']:6.3f} {cpu_rate:14.1f} {wall_rate:15.1f}", flush=True)
        if name != "checkworthy":
            continue
        per_page = {}
        for key, text in truth.items():
            p, r = page_scores(text, predicted[key])
            per_page[key] = {"p": p, "r": r, "url": records[key].get("url", "")}
        for key in sorted(truth, key=lambda k: page_f1(per_page[k]["p"], per_page[k]["r"]))[: args.worst]:
            print(f"    {key[:12]} P {per_page[key]['p']:.3f} R {per_page[key]['r']:.3f}  {per_page[key]['url']}")
        if args.save_pages:
            args.save_pages.write_text(json.dumps(per_page, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        if args.compare:
            before = json.loads(args.compare.read_text(encoding="utf-8"))
            changed = compare_pages(before, per_page)
            print(f"  {len(changed)} page(s) changed F1 since {args.compare}:")
            print("\n".join(changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
