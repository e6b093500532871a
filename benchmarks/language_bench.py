"""Benchmark offline language detectors on texts of known language (run by hand).

Usage (from the repository root)::

    python benchmarks/language_bench.py --checkthat ../shared/bench/checkthat2024 \
        --sentences ../shared/bench/sentence-gold [--per-language 500]

Texts: the CheckThat! 2024 tweets and debate sentences (``train`` files, and Spanish
``dev``: there is no Spanish train file; the Dutch dev-test is not used, its lowercase
``t`` are blanks), and the gold sentences of GUM (en), UD Spanish AnCora and UD Dutch
Alpino, each taken alone (short texts) and as whole documents. For each detector it
prints accuracy per language (the first ``--per-language`` texts of each source in file
order) and texts per second (median of ``--repeat`` runs, CPU time).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path


class Py3langid:
    """py3langid (BSD-3-Clause): langid.py's model, numpy only, probabilities normalised."""

    def __init__(self):
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def detect(self, text):
        return self._identifier.classify(text)


class Lingua:
    """lingua-language-detector (Apache-2.0), all languages, preloaded."""

    def __init__(self, low_accuracy=False):
        from lingua import LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models()
        self._detector = (builder.with_low_accuracy_mode() if low_accuracy else builder).build()

    def detect(self, text):
        values = self._detector.compute_language_confidence_values(text)
        best = values[0]
        return best.language.iso_code_639_1.name.lower(), best.value


class Langdetect:
    """langdetect (Apache-2.0), seeded for repeatable answers."""

    def __init__(self):
        from langdetect import DetectorFactory, detect_langs
        from langdetect.lang_detect_exception import LangDetectException

        DetectorFactory.seed = 0
        self._detect = detect_langs
        self._error = LangDetectException

    def detect(self, text):
        try:
            best = self._detect(text)[0]
        except self._error:  # no features in the text (digits, a URL)
            return "und", 0.0
        return best.lang, best.prob


class Checkworthy:
    """What the project runs: py3langid on the text's main script (``detect_language``)."""

    def __init__(self):
        from checkworthy.builder.language import detect_language

        self.detect = detect_language


DETECTORS = {"checkworthy": Checkworthy, "py3langid": Py3langid, "lingua": Lingua, "lingua-low": lambda: Lingua(True),
             "langdetect": Langdetect}


def get_detector(name):
    return DETECTORS[name]()

CHECKTHAT = {"ar": "arabic", "nl": "dutch", "es": "spanish", "en": "english"}
GOLD = {"en": "gum.jsonl", "es": "ud-es-ancora.jsonl", "nl": "ud-nl-alpino.jsonl"}


def checkthat_texts(folder: Path, language: str, limit: int) -> list[str]:
    split = "dev" if language == "es" else "train"
    path = folder / f"CT24_checkworthy_{CHECKTHAT[language]}_{split}.tsv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    column = "Text" if language == "en" else "tweet_text"
    return [row[column] for row in rows[:limit]]


def gold_texts(folder: Path, language: str, limit: int) -> tuple[list[str], list[str]]:
    with open(folder / GOLD[language], encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle if line.strip()]
    sentences = [doc["text"][a:b] for doc in docs for a, b in doc["sentences"]]
    return sentences[:limit], [doc["text"] for doc in docs[:limit]]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkthat", type=Path, required=True)
    parser.add_argument("--sentences", type=Path, required=True)
    parser.add_argument("--per-language", type=int, default=500)
    parser.add_argument("--detectors", default=",".join(DETECTORS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sets = {}
    for language in CHECKTHAT:
        sets[f"tweets/{language}"] = (language, checkthat_texts(args.checkthat, language, args.per_language))
    for language in GOLD:
        sentences, documents = gold_texts(args.sentences, language, args.per_language)
        sets[f"sentences/{language}"] = (language, sentences)
        sets[f"documents/{language}"] = (language, documents)
    print("texts: " + ", ".join(f"{name} {len(texts)}" for name, (_, texts) in sets.items()))
    print(f"{'detector':<12}" + "".join(f"{name:>15}" for name in sets) + f"{'texts/s':>10}")
    for name in args.detectors.split(","):
        detector = get_detector(name)
        row = f"{name:<12}"
        everything = []
        for language, texts in sets.values():
            found = [detector.detect(text)[0] for text in texts]
            row += f"{sum(f == language for f in found) / len(texts):15.3f}"
            everything.extend(texts)
        times = []
        for _ in range(args.repeat):
            start = time.process_time()
            for text in everything:
                detector.detect(text)
            times.append(time.process_time() - start)
        row += f"{len(everything) / statistics.median(times):10.0f}"
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
