"""Throughput and driver memory of ``checkworthy tasks`` on the local engine and on Ray Data.

Generates a corpus of distinct articles from the bench article texts (each copy's
paragraphs get their own word permutation, so no two articles are identical), writes
it as ``.jsonl.gz`` shards of 1,000 articles under ``--work`` (never in the
repository), then times ``checkworthy tasks --top 3`` with the heuristic scorer:

- ``local``, one process (``--jobs 1``) and ``--jobs 2``;
- ``ray`` with ``--workers 1`` and ``--workers 2`` (Ray started on this machine; its
  start-up, a few seconds, is included);

and measures the driver's peak RSS on the corpus and on three times the corpus
(``ray``, 2 workers). Each figure is the median of ``--repeat`` runs. Ray's workers run at the
benchmark's own priority (``RAY_worker_niceness=0``; Ray's default lowers them by 15), so that
other work on a shared machine slows every setup alike; run it at a raised priority (e.g.
``nice -n -5``) when the machine is shared. Ends with a
projection for 10 million articles from the measured per-core throughput.

Run by hand (the extra 'scale' installed)::

    python benchmarks/scale_bench.py --data ../shared/bench/article-extraction/ground-truth.json \\
        --articles 100000 --work /tmp/scale_bench [--repeat 3] [--minilm MODEL_DIR --slice 5000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

SHARD_ARTICLES = 1000

#: Runs ``checkworthy tasks`` in a fresh process and prints its summary and the process's own peak RSS (KiB):
#: the driver only, not Ray's workers or the local engine's worker processes.
DRIVER = (
    "import json, resource, sys, contextlib, io\n"
    "from checkworthy.cli import main\n"
    "out = io.StringIO()\n"
    "with contextlib.redirect_stdout(out):\n"
    "    code = main(sys.argv[1:])\n"
    "summary = json.loads(out.getvalue())\n"
    "summary['peak_rss_kib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "print(json.dumps(summary))\n"
    "sys.exit(code)\n"
)


def base_texts(data: Path) -> list[tuple[str, str]]:
    """``(headline, body)`` of each bench article (``ground-truth.json`` of the article-extraction bench)."""
    truth = json.loads(data.read_text(encoding="utf-8"))
    texts = []
    for key, entry in sorted(truth.items()):
        body = entry.get("articleBody") or ""
        if len(body.split()) >= 50:
            texts.append((" ".join((entry.get("title") or f"Article {key[:8]}").split()), body))
    return texts


def permuted(body: str, rng: random.Random) -> str:
    """``body`` with the inner words of each sentence shuffled (first and last word kept): distinct, still sentence-shaped."""
    paragraphs = []
    for paragraph in body.split("\n\n"):
        sentences = []
        for sentence in re.split(r"(?<=[.!?])\s+", paragraph.strip()):
            words = sentence.split()
            if len(words) > 3:
                inner = words[1:-1]
                rng.shuffle(inner)
                words = [words[0], *inner, words[-1]]
            sentences.append(" ".join(words))
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def generate(data: Path, folder: Path, articles: int, seed: int = 0) -> Path:
    """Write ``articles`` distinct articles as ``.jsonl.gz`` shards into ``folder`` (once; reused when complete)."""
    done = folder / "DONE"
    if done.exists() and done.read_text() == str(articles):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.jsonl.gz"):
        old.unlink()
    texts = base_texts(data)
    rng = random.Random(seed)
    for shard in range(0, articles, SHARD_ARTICLES):
        with gzip.open(folder / f"shard-{shard // SHARD_ARTICLES:05d}.jsonl.gz", "wt", encoding="utf-8", compresslevel=1) as handle:
            for number in range(shard, min(articles, shard + SHARD_ARTICLES)):
                title, body = texts[number % len(texts)]
                handle.write(json.dumps({"id": f"a{number}", "title": title, "text": permuted(body, rng)}) + "\n")
    done.write_text(str(articles))
    return folder


def run(corpus: Path, out: Path, *options: str) -> dict:
    """One ``checkworthy tasks`` run: its summary, wall time and driver peak RSS (``--top 3`` unless ``options`` hold a ``--strategy``)."""
    select = [] if "--strategy" in options else ["--top", "3"]
    args = ["tasks", str(corpus), "--out", str(out), "--overwrite", "--quiet", "--json", *select, *options]
    # Ray lowers its workers' priority by 15 (its `worker_niceness`), so on a machine shared with other
    # work Ray's figures would measure that work; every setup runs at the benchmark's own priority.
    env = {**os.environ, "RAY_worker_niceness": os.environ.get("RAY_worker_niceness", "0")}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", DRIVER, *args], capture_output=True, text=True, check=False, env=env)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"scale_bench.py: checkworthy {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    return {**summary, "seconds": seconds}


def measure(name: str, corpus: Path, out: Path, repeat: int, *options: str) -> dict:
    runs = [run(corpus, out, *options) for _ in range(repeat)]
    seconds = statistics.median(r["seconds"] for r in runs)
    row = {
        "setup": name, "articles": runs[0]["articles"], "sentences": runs[0]["sentences"], "seconds": seconds,
        "articles_per_s": runs[0]["articles"] / seconds, "sentences_per_s": runs[0]["sentences"] / seconds,
        "driver_peak_rss_mib": statistics.median(r["peak_rss_kib"] for r in runs) / 1024,
    }
    print(f"{name:<28} {row['articles']:>9,} art {row['sentences']:>10,} sent {seconds:>8.1f} s "
          f"{row['articles_per_s']:>8.1f} art/s {row['sentences_per_s']:>9.1f} sent/s  driver peak RSS {row['driver_peak_rss_mib']:>7.1f} MiB",
          flush=True)
    return row


def projection(per_core: float, efficiency: float = 0.85, title: str = "heuristic scorer") -> list[str]:
    """Hours for 10 million articles on 1, 8 and 64 machines of 16 cores at ``per_core`` articles/s per core.

    Assumes the work spreads over every core (many input shards), ``efficiency`` of linear
    scaling (stragglers, Ray's scheduling, shared storage), and leaves out Ray's start-up
    and the driver's final assembly of ``tasks.json`` (proportional to the selected tasks).
    """
    lines = ["", f"Projection for 10,000,000 articles ({title}) at {per_core:.2f} articles/s per core and {efficiency:.0%} of linear scaling:",
             "| machines (16 cores) | cores | hours |", "|---:|---:|---:|"]
    for machines in (1, 8, 64):
        cores = 16 * machines
        hours = 10_000_000 / (per_core * cores * efficiency) / 3600
        lines.append(f"| {machines} | {cores} | {hours:.2f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="ground-truth.json of the article-extraction bench")
    parser.add_argument("--articles", type=int, default=100_000, help="articles in the generated corpus (default: %(default)s)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/scale_bench"), help="where the corpus and the outputs go (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per setup; the median is reported (default: %(default)s)")
    parser.add_argument("--skip", nargs="*", default=[], help="setups to leave out: local-1 local-2 ray-1 ray-2 ray-2-x3")
    parser.add_argument("--minilm", type=Path, help="a minilm-ft model directory: also time it on --slice articles per Ray worker")
    parser.add_argument("--slice", type=int, default=5000, help="articles for the --minilm run (default: %(default)s)")
    parser.add_argument("--strategy", help="also time a corpus-wide choice (ray, 2 workers) on the corpus and on 3 times it: "
                                           "the driver's peak RSS while it chooses, e.g. --strategy uncertainty")
    parser.add_argument("--budget", type=int, default=1000, help="--budget of the --strategy runs (default: %(default)s)")
    args = parser.parse_args()

    corpus = generate(args.data, args.work / f"corpus-{args.articles}", args.articles)
    out = args.work / "out"
    print(f"corpus: {args.articles:,} articles in {corpus} (shards of {SHARD_ARTICLES:,}); --top 3, heuristic scorer; median of {args.repeat} run(s)",
          flush=True)
    rows = {}
    setups = [("local-1", ("--jobs", "1")), ("local-2", ("--jobs", "2")), ("ray-1", ("--engine", "ray", "--workers", "1")),
              ("ray-2", ("--engine", "ray", "--workers", "2"))]
    for name, options in setups:
        if name not in args.skip:
            rows[name] = measure(name, corpus, out, args.repeat, *options)
    if "ray-2-x3" not in args.skip:
        triple = generate(args.data, args.work / f"corpus-{3 * args.articles}", 3 * args.articles)
        rows["ray-2-x3"] = measure("ray-2 (3x corpus)", triple, out, 1, "--engine", "ray", "--workers", "2")
    if args.strategy:
        chosen = ("--engine", "ray", "--workers", "2", "--strategy", args.strategy, "--budget", str(args.budget))
        rows["strategy"] = measure(f"ray-2 {args.strategy} {args.budget}", corpus, out, args.repeat, *chosen)
        triple = generate(args.data, args.work / f"corpus-{3 * args.articles}", 3 * args.articles)
        rows["strategy-x3"] = measure(f"ray-2 {args.strategy} (3x corpus)", triple, out, 1, *chosen)
    if args.minilm:
        part = generate(args.data, args.work / f"corpus-{args.slice}", args.slice)
        for workers in (1, 2):
            rows[f"minilm-{workers}"] = measure(f"ray-{workers} minilm-ft", part, out, 1, "--engine", "ray", "--workers", str(workers),
                                                "--scorer", str(args.minilm), "--batch-size", "100")

    print()
    if "ray-1" in rows and "ray-2" in rows:
        print(f"ray 2 workers / ray 1 worker: {rows['ray-2']['articles_per_s'] / rows['ray-1']['articles_per_s']:.2f}x (goal >= 1.7x)")
    if "ray-1" in rows and "local-1" in rows:
        print(f"ray 1 worker / local 1 process: {rows['ray-1']['articles_per_s'] / rows['local-1']['articles_per_s']:.2f} (goal >= 0.80)")
    if "ray-2" in rows and "ray-2-x3" in rows:
        print(f"driver peak RSS, 3x corpus / corpus: {rows['ray-2-x3']['driver_peak_rss_mib'] / rows['ray-2']['driver_peak_rss_mib']:.2f}x (goal < 1.5x)")
    if "strategy" in rows:
        print(f"driver peak RSS of --strategy {args.strategy}, 3x corpus / corpus: "
              f"{rows['strategy-x3']['driver_peak_rss_mib'] / rows['strategy']['driver_peak_rss_mib']:.2f}x (it holds the candidates' ids and scores)")
    if "minilm-1" in rows:
        one, two = rows["minilm-1"], rows["minilm-2"]
        print(f"minilm-ft sentences/s per worker: {one['sentences_per_s']:.1f} with 1 worker, {two['sentences_per_s'] / 2:.1f} with 2 "
              f"(2 workers / 1 worker: {two['sentences_per_s'] / one['sentences_per_s']:.2f}x)")
        minilm_per_core = min(one["articles_per_s"], two["articles_per_s"] / 2)
        print("\n".join(projection(minilm_per_core, title="minilm-ft scorer")))
    measured = [rows["local-1"]["articles_per_s"]] if "local-1" in rows else []
    measured += [rows["ray-2"]["articles_per_s"] / 2] if "ray-2" in rows else []
    if measured:  # per core: the lower of one local process and Ray's two workers on two cores
        print("\n".join(projection(min(measured))))

if __name__ == "__main__":
    main()
