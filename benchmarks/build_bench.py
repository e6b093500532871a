"""Benchmark of ``checkworthy build``: time and peak memory per size, and the corpus adapters.

Generates articles and a Label Studio JSON export with N tasks (one per sentence), each
labeled by 3 of 20 annotators, then runs ``checkworthy build`` on them in a fresh
process and reports wall time and peak RSS. Then builds the CheckThat! 2024 and
ClaimBuster corpora from the benchmark folder (given as a path, never copied) and
reports their row counts and label distributions.

Run from the repository root (the builds run as ``python -m checkworthy`` there)::

    python benchmarks/build_bench.py --bench ../shared/bench
    python benchmarks/build_bench.py --sizes 10000 100000 300000 --work /tmp/build-bench
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from checkworthy.builder.articles import read_articles
from checkworthy.builder.split import split_article
from checkworthy.schemas import FROM_NAME, TO_NAME, load_scheme

ROOT = Path(__file__).resolve().parent.parent
SENTENCES_PER_ARTICLE = 20
ANNOTATORS = 20
PER_TASK = 3
WORDS = (
    "government budget tax percent million billion rose fell year report minister said economy jobs "
    "unemployment inflation school hospital police city council election vote voters court law health "
    "prices energy oil gas climate emissions housing rent wages workers company profits bank rates"
).split()


def generate(n_tasks: int, folder: Path, seed: int = 0) -> None:
    """Write ``folder/articles/`` and ``folder/export.json`` (a JSON export of ``n_tasks`` labeled sentences)."""
    import numpy as np


    rng = np.random.default_rng(seed)
    names = load_scheme("claimbuster").names
    articles = folder / "articles"
    articles.mkdir(parents=True)
    n_articles = -(-n_tasks // SENTENCES_PER_ARTICLE)
    for a in range(n_articles):
        paragraphs = [f"Article {a} headline about the {WORDS[a % len(WORDS)]}"]
        for s in range(SENTENCES_PER_ARTICLE - 1):
            words = rng.choice(WORDS, size=rng.integers(8, 16))
            paragraphs.append(f"In {1990 + s} the {' '.join(words)} was {a * 100 + s} units.")
        (articles / f"a{a:06d}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    tasks = []
    for article in read_articles([articles]):
        for sentence in split_article(article):
            if len(tasks) == n_tasks:
                break
            truth = rng.integers(0, len(names))
            users = rng.choice(ANNOTATORS, size=PER_TASK, replace=False)
            anns = []
            for k, user in enumerate(users):
                label = names[truth] if rng.random() < 0.75 else names[rng.integers(0, len(names))]
                anns.append({
                    "id": len(tasks) * PER_TASK + k, "completed_by": int(user) + 1, "was_cancelled": False, "ground_truth": False,
                    "result": [{"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices", "value": {"choices": [label]}}],
                    "lead_time": 4.2, "created_at": "2024-05-01T10:00:00.000000Z", "updated_at": "2024-05-01T10:00:00.000000Z",
                })
            tasks.append({
                "id": len(tasks) + 1,
                "data": {"sentence_id": sentence.sentence_id, "article_id": sentence.article_id, "sentence": sentence.text,
                         "text_sha256": sentence.text_sha256, "headline": "", "context_before": "", "context_after": ""},
                "meta": {}, "annotations": anns, "predictions": [], "total_annotations": PER_TASK, "cancelled_annotations": 0,
            })
    (folder / "export.json").write_text(json.dumps(tasks), encoding="utf-8")


def timed(args: list[str]) -> tuple[float, float, str]:
    """Run ``python ARGS`` in a fresh process; return (seconds, peak RSS in MB, stdout).

    The benchmark process itself stays small (it generates data in a child too):
    a child's peak RSS counts the pages it shares with its parent before ``exec``.
    """
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"python {' '.join(args)} failed:\n{err}")
    return seconds, usage.ru_maxrss / 1024, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 300_000], help="numbers of tasks")
    parser.add_argument("--work", type=Path, default=Path("/tmp/checkworthy-build-bench"), help="scratch folder (emptied)")
    parser.add_argument("--bench", type=Path, help="the shared benchmark folder (checkthat2024/, claimbuster/)")
    parser.add_argument("--generate-only", type=int, metavar="N", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate_only:
        generate(args.generate_only, args.work)
        return 0
    shutil.rmtree(args.work, ignore_errors=True)

    print("| tasks | annotations | export MB | build s | peak RSS MB | s per 10k tasks |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        folder = args.work / str(size)
        timed([__file__, "--generate-only", str(size), "--work", str(folder)])
        articles, export = folder / "articles", folder / "export.json"
        seconds, rss, _ = timed(["-m", "checkworthy", "build", str(export), "--articles", str(articles), "--dataset", str(folder / "ds")])
        mb = export.stat().st_size / 1e6
        print(f"| {size:,} | {size * PER_TASK:,} | {mb:.0f} | {seconds:.1f} | {rss:.0f} | {seconds / size * 1e4:.2f} |", flush=True)
        shutil.rmtree(folder)

    if args.bench:
        print("\n| corpus | build s | peak RSS MB | train | validation | test | labels (train / validation / test) | skipped | problems | leakage groups |")
        print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|")
        for kind, sub in (("checkthat", "checkthat2024"), ("claimbuster", "claimbuster")):
            ds = args.work / kind
            seconds, rss, _ = timed(["-m", "checkworthy", "build", "--from", kind, str(args.bench / sub), "--dataset", str(ds)])
            manifest = json.loads(next((ds / "versions").glob("*/manifest.json")).read_text())
            counts, dist = manifest["counts"], manifest["label_distribution"]
            labels = " / ".join(", ".join(f"{k} {v}" for k, v in dist[s].items()) for s in ("train", "validation", "test"))
            print(f"| {kind} ({sub}) | {seconds:.1f} | {rss:.0f} | {counts['train']} | {counts['validation']} | {counts['test']} | "
                  f"{labels} | {len(manifest['skipped'])} | {len(manifest['corpus_problems'])} | {manifest['leakage']['clusters']} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
