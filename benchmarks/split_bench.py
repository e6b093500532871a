"""Benchmark the sentence splitters on sentence-boundary gold (run by hand).

Usage (from the repository root)::

    python benchmarks/split_bench.py --gold ../shared/bench/sentence-gold/gum.jsonl \
        [--rules ../shared/bench/sentence-gold/pysbd_golden_rules_en.jsonl] [--repeat 5]
    python benchmarks/split_bench.py --gold ../shared/bench/sentence-gold/ud-nl-alpino.jsonl --repeat 3
    python benchmarks/split_bench.py --gold ../shared/bench/sentence-gold/ud-nl-alpino.jsonl \
        --splitters blingfire --repeat 1 --misses   # what the misses are

The language of the gold is its documents' ``language`` key (``en`` when absent), or
``--language``. Our splitters get it (its abbreviations and month names,
``checkworthy.builder.languages``); ``blingfire-english-rules`` is the splitter with the
English rules whatever the language (the splitter before per-language rules), and
pySBD is run with its own rules for the language, with our repair pass (``pysbd``) and
without (``pysbd-alone``).

For each splitter (blingfire, blingfire without the repair pass, the portable
rule splitter, pySBD) it prints boundary precision, recall and F1 on all
documents and on the ``news`` genre, exact-sentence accuracy, throughput in MB/s
(single process, with offsets; median of ``--repeat`` runs, by the wall clock and
by the process's CPU time, which is less disturbed by other load), and the pass rate on
the golden rules when ``--rules`` is given. For the default splitter it also
prints the peak memory and the speed-up of ``--jobs`` processes over one.

Boundaries are compared ignoring whitespace: a boundary is the number of
non-whitespace characters before a sentence end; the end of a document is not
counted. ``punctF1`` counts only the boundaries after sentence-final punctuation, closing quotes
allowed (``. ''``), in the gold and the prediction: the Dutch gold has 45 boundaries without any
(headings and list items that the pseudo-documents run together), which no punctuation-based
splitter finds (the repair pass finds 15 of them: inline lists after a colon).
Every splitter gets the same input: the whole document, with a line
break always ending a sentence (``builder.split.segment``).
"""

from __future__ import annotations

import argparse
import array
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor

from checkworthy.builder.split import Segmenter, get_segmenter, segment, split_article  # noqa: E402
from checkworthy.schemas.records import Article  # noqa: E402


class PysbdSegmenter(Segmenter):
    """pySBD (rule-based, pure Python) with character spans, for comparison."""

    name = "pysbd"

    def __init__(self, language="en"):
        try:
            import pysbd  # only this benchmark uses it: the optional extra 'bench'
        except ImportError:
            raise SystemExit("split_bench.py: pySBD is not installed; install the benchmark extra: pip install -e '.[bench]'") from None

        self._segmenter = pysbd.Segmenter(language=language, clean=False, char_span=True)

    def spans(self, text):
        spans = []
        offset = 0
        for line in text.split("\n"):  # line by line: pySBD slows down badly on long texts
            if line.strip():
                spans.extend((offset + span.start, offset + span.end) for span in self._segmenter.segment(line))
            offset += len(line) + 1
        return spans


#: name -> (segmenter, repair pass, language given to the repair pass) for a gold language.
SPLITTERS = {
    "blingfire": lambda language: (get_segmenter("blingfire"), True, language),
    "blingfire-english-rules": lambda language: (get_segmenter("blingfire"), True, None),
    "blingfire-no-repair": lambda language: (get_segmenter("blingfire"), False, None),
    "rules": lambda language: (get_segmenter("rules"), True, language),
    "pysbd": lambda language: (PysbdSegmenter(language), True, language),
    "pysbd-alone": lambda language: (PysbdSegmenter(language), False, None),
}


def read_gold(path):
    """The gold documents: ``doc_id``, ``genre``, ``text``, ``sentences`` ([start, end] pairs)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def nonspace_positions(text):
    """``index[i]``: how many non-whitespace characters come before position ``i``."""
    index = [0] * (len(text) + 1)
    count = 0
    for i, char in enumerate(text):
        index[i] = count
        if not char.isspace():
            count += 1
    index[len(text)] = count
    return index


#: Sentence-final punctuation (before closing quotes and brackets): the boundaries a splitter can see.
_FINAL = ".!?\u2026\u061f\u06d4"
_CLOSERS = "\"'\u201d\u2019\u00bb)]"


def _punctuated(text, end):
    """Whether the sentence ending at ``end`` ends with sentence-final punctuation."""
    return text[:end].rstrip().rstrip(_CLOSERS).rstrip()[-1:] in tuple(_FINAL)


def compare(docs, spans_by_doc):
    """Boundary and exact-sentence counts per group: ``all``, ``news``, and ``punct`` (all documents,
    only the boundaries after sentence-final punctuation, in gold and prediction alike)."""
    counts = {group: {"tp": 0, "fp": 0, "fn": 0, "exact": 0, "gold": 0} for group in ("all", "news", "punct")}
    for doc, spans in zip(docs, spans_by_doc):
        text = doc["text"]
        index = nonspace_positions(text)
        last = index[len(text)]
        gold_spans = {(index[a], index[b]) for a, b in doc["sentences"]}
        pred_spans = {(index[a], index[b]) for a, b in spans}
        gold = {end for _, end in gold_spans} - {last}
        pred = {end for _, end in pred_spans} - {last}
        for group in ("all", "news") if doc["genre"] == "news" else ("all",):
            c = counts[group]
            c["tp"] += len(gold & pred)
            c["fp"] += len(pred - gold)
            c["fn"] += len(gold - pred)
            c["exact"] += len(gold_spans & pred_spans)
            c["gold"] += len(gold_spans)
        seen = {index[b]: b for _, b in list(doc["sentences"]) + list(spans)}
        gold_p = {e for e in gold if _punctuated(text, seen[e])}
        pred_p = {e for e in pred if _punctuated(text, seen[e])}
        c = counts["punct"]
        c["tp"] += len(gold_p & pred_p)
        c["fp"] += len(pred_p - gold_p)
        c["fn"] += len(gold_p - pred_p)
    return counts


def _ending(text, end):
    """What ends the sentence at ``end``: ``punctuation``, ``colon``, ``semicolon`` or ``none``, and
    ``before dash`` when the next sentence starts with a dash (a list item run into the text)."""
    last = text[:end].rstrip().rstrip(_CLOSERS).rstrip()[-1:]
    kind = "punctuation" if last in tuple(_FINAL) else {":": "colon", ";": "semicolon"}.get(last, "none")
    return kind + (" before dash" if text[end:].lstrip()[:1] in ("-", "\u2013") else "")


def boundary_misses(docs, spans_by_doc, width=50):
    """The gold boundaries a splitter missed and its false ones, each with what ends the gold
    sentence (:func:`_ending`) and the text around it; and how many spaced dashes (`` - ``) in the
    gold text are at a boundary and how many inside a sentence.

    Returns
    -------
    (lines, missed, found, dashes) : list of str, Counter, Counter, Counter
        ``missed`` and ``found`` count the gold boundaries by ending.
    """
    from collections import Counter

    lines, missed, found, dashes = [], Counter(), Counter(), Counter()
    for doc, spans in zip(docs, spans_by_doc):
        text = doc["text"]
        index = nonspace_positions(text)
        last = index[len(text)]
        gold = {index[b]: b for _, b in doc["sentences"] if index[b] != last}
        pred = {index[b]: b for _, b in spans if index[b] != last}
        for position, end in sorted(gold.items()):
            kind = _ending(text, end)
            (found if position in pred else missed)[kind] += 1
            if position not in pred:
                lines.append(f"missed [{kind}] {text[max(0, end - width):end]!r} || {text[end:end + width]!r}")
        for position in sorted(set(pred) - set(gold)):
            end = pred[position]
            lines.append(f"false  {text[max(0, end - width):end]!r} || {text[end:end + width]!r}")
        for i in range(len(text) - 2):
            if text[i:i + 3] == " - ":
                dashes["at a boundary" if index[i] in gold else "inside a sentence"] += 1
    return lines, missed, found, dashes


def prf(c):
    precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def golden_rules(path, segmenter, repair, language):
    """(passed, total) on the pySBD golden rules: the exact expected sentences."""
    passed = total = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            case = json.loads(line)
            got = [case["text"][a:b] for a, b in segment(case["text"], segmenter, repair=repair, language=language)]
            passed += got == [s.strip() for s in case["expected"]]
            total += 1
    return passed, total


def timed(function, repeat, clock=time.perf_counter):
    """Median seconds of ``repeat`` calls on ``clock`` (wall clock by default)."""
    times = []
    for _ in range(repeat):
        start = clock()
        function()
        times.append(clock() - start)
    return statistics.median(times)


def load_average():
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _segment_all(texts):
    return [segment(text) for text in texts]


def _segment_one(text):
    """Spans of one text (flat, as a compact array) and the CPU seconds this worker spent."""
    start = time.process_time()
    spans = array.array("q", [offset for span in segment(text) for offset in span])
    return spans, time.process_time() - start


def _busy(n):
    """A CPU-bound loop with no input or output: what the machine gives to a process."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_speedup(jobs, repeat, n=3_000_000):
    """Speed-up of ``jobs`` processes over one on ``_busy``, measured now: the ceiling
    that the current load leaves for any parallel work."""
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_busy, [1] * jobs))
        single = timed(lambda: [_busy(n) for _ in range(jobs)], repeat)
        parallel = timed(lambda: list(pool.map(_busy, [n] * jobs)), repeat)
    return single / parallel


def speedup(texts, jobs, repeat):
    """One process against ``jobs`` processes on ``texts``.

    Returns the median wall-clock seconds of each, and the median CPU seconds of
    each (the parallel one summed over the parent and the workers, start-up
    excluded). On a machine shared with other work the wall-clock ratio depends on
    the load; ``jobs * cpu_single / cpu_parallel`` is the speed-up the same work
    reaches on ``jobs`` idle cores (it counts the parallel overhead: pickling,
    queues).
    """
    single = timed(lambda: _segment_all(texts), repeat)
    cpu_single = timed(lambda: _segment_all(texts), repeat, time.process_time)
    walls, cpus = [], []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_segment_one, texts[: jobs * 4]))  # start and warm up the workers
        chunksize = max(1, len(texts) // (jobs * 16))
        for _ in range(repeat):
            wall, parent = time.perf_counter(), time.process_time()
            results = list(pool.map(_segment_one, texts, chunksize=chunksize))
            walls.append(time.perf_counter() - wall)
            parent = time.process_time() - parent
            workers = sum(cpu for _, cpu in results)
            cpus.append(parent + workers)
    return single, statistics.median(walls), cpu_single, statistics.median(cpus)


def peak_memory(text):
    """Peak Python memory (MB) while splitting ``text`` into sentences with offsets."""
    tracemalloc.start()
    segment(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", required=True, help="sentence gold (JSONL with doc_id, genre, text, sentences; optional language)")
    parser.add_argument("--language", help="the gold's language (default: the documents' 'language' key, else en)")
    parser.add_argument("--rules", help="pySBD golden rules (JSONL with text, expected)")
    parser.add_argument("--splitters", default=",".join(SPLITTERS), help="comma-separated, from: " + ", ".join(SPLITTERS))
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement; the median is reported")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the speed-up measurement")
    parser.add_argument("--copies", type=int, default=8, help="copies of the corpus in the speed-up measurement")
    parser.add_argument("--misses", action="store_true",
                        help="list the boundaries each splitter missed or invented, counted by what ends the gold sentence, "
                             "and the spaced dashes of the gold; then stop (no timing beyond the table)")
    args = parser.parse_args(argv)

    docs = read_gold(args.gold)
    language = args.language or docs[0].get("language", "en")
    texts = [doc["text"] for doc in docs]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    news = sum(doc["genre"] == "news" for doc in docs)
    print(f"gold: {args.gold} (language {language}): {len(docs)} documents ({news} news), {megabytes:.2f} MB; median of {args.repeat} runs; "
          f"cpus={os.cpu_count()}; load average {load_average()}")
    header = f"{'splitter':<24}{'P':>7}{'R':>7}{'F1':>7}{'newsP':>7}{'newsR':>7}{'newsF1':>8}{'punctF1':>8}{'exact':>7}{'MB/s':>7}{'cpuMB/s':>8}"
    if args.rules:
        header += f"{'rules':>8}"
    print(header)
    for name in args.splitters.split(","):
        segmenter, repair, rules_language = SPLITTERS[name](language)
        spans = [segment(t, segmenter, repair=repair, language=rules_language) for t in texts]
        counts = compare(docs, spans)
        p, r, f = prf(counts["all"])
        np_, nr, nf = prf(counts["news"])
        pf = prf(counts["punct"])[2]
        exact = counts["all"]["exact"] / counts["all"]["gold"]

        def run(segmenter=segmenter, repair=repair, rules_language=rules_language):
            return [segment(t, segmenter, repair=repair, language=rules_language) for t in texts]

        seconds = timed(run, args.repeat)
        cpu_seconds = timed(run, args.repeat, time.process_time)
        row = f"{name:<24}{p:7.4f}{r:7.4f}{f:7.4f}{np_:7.4f}{nr:7.4f}{nf:8.4f}{pf:8.4f}{exact:7.4f}{megabytes / seconds:7.2f}{megabytes / cpu_seconds:8.2f}"
        if args.rules:
            passed, total = golden_rules(args.rules, segmenter, repair, rules_language)
            row += f"{passed:>5}/{total}"
        print(row, flush=True)
        if args.misses:
            lines, missed, found, dashes = boundary_misses(docs, spans)
            print("\n".join(lines))
            print("  gold boundaries by ending, found / missed: "
                  + "; ".join(f"{kind} {found[kind]} / {missed[kind]}" for kind in sorted(set(found) | set(missed))))
            print(f"  spaced dashes ' - ' in the gold text: {dashes['at a boundary']} at a boundary, {dashes['inside a sentence']} inside a sentence\n")
    if args.misses:
        return 0

    articles = [Article(doc["doc_id"], doc["text"], language=language) for doc in docs]
    seconds = timed(lambda: [split_article(a) for a in articles], args.repeat)
    print(f"\nsplit_article (default splitter {get_segmenter().name}; roles, ids, context): {megabytes / seconds:.2f} MB/s")
    big = "\n\n".join(texts)
    big = big * (20_000_000 // len(big) + 1)
    print(f"peak memory: {peak_memory(' '.join(texts)):.1f} MB splitting GUM as one text; "
          f"{peak_memory(big[:20_000_000]):.1f} MB for a 20 MB text (Python allocations, tracemalloc); "
          f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    single, parallel, cpu_single, cpu_parallel = speedup(texts * args.copies, args.jobs, args.repeat)
    print(f"speed-up on {args.jobs} processes ({args.copies} copies of the corpus): wall clock {single:.2f} s -> {parallel:.2f} s = "
          f"{single / parallel:.2f}x (load average {load_average()}); CPU {cpu_single:.2f} s -> {cpu_parallel:.2f} s in all processes, "
          f"= {args.jobs * cpu_single / cpu_parallel:.2f}x on {args.jobs} idle cores")
    print(f"machine reference: a CPU-bound loop gets {machine_speedup(args.jobs, args.repeat):.2f}x from {args.jobs} processes right now "
          f"(load average {load_average()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
