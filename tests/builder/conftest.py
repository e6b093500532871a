"""Fixtures of the card, Croissant and publish tests: a small dataset version on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SPLIT_ROWS = {"train": 6, "validation": 2, "test": 2}


def make_version(dataset_dir: Path, version: str = "1.0.0") -> Path:
    """Write a small version in the layout of DESIGN.md (real parquet via ``datasets``)."""
    from datasets import ClassLabel, Dataset, Features, Sequence, Value

    from schemas import load_scheme

    scheme = load_scheme("claimbuster")
    features = Features(
        {
            "sentence_id": Value("string"),
            "article_id": Value("string"),
            "text": Value("string"),
            "label": ClassLabel(names=scheme.names),
            "votes": Sequence(Value("int64")),
            "n_annotators": Value("int64"),
            "agreement": Value("float64"),
            "start": Value("int64"),
            "end": Value("int64"),
            "role": Value("string"),
            "source": Value("string"),
            "url": Value("string"),
        }
    )
    version_dir = dataset_dir / "versions" / version
    (version_dir / "data").mkdir(parents=True)
    distribution = {}
    for split_index, (split, n) in enumerate(SPLIT_ROWS.items()):
        rows = []
        for i in range(n):
            label = (i + split_index) % 3
            votes = [0, 0, 0]
            votes[label] = 2
            rows.append(
                {
                    "sentence_id": f"{split}-a{i // 2}:{i:012x}",
                    "article_id": f"{split}-a{i // 2}",
                    "text": f"The council spent {i + 1} million on roads in {split}.",
                    "label": label,
                    "votes": votes,
                    "n_annotators": 2,
                    "agreement": 1.0,
                    "start": 0,
                    "end": 40,
                    "role": "body",
                    "source": "Fictional Gazette",
                    "url": None,
                }
            )
        Dataset.from_list(rows, features=features).to_parquet(version_dir / "data" / f"{split}.parquet")
        distribution[split] = {name: sum(r["label"] == k for r in rows) for k, name in enumerate(scheme.names)}
    annotations = [
        {"sentence_id": f"train-a0:{i:012x}", "annotator": f"ann-{a}", "label": "CFS", "lead_time": 1.5,
         "created_at": "2026-01-01T00:00:00Z", "cancelled": False}
        for i in range(2)
        for a in range(2)
    ]
    Dataset.from_list(annotations).to_parquet(version_dir / "annotations.parquet")
    manifest = {
        "version": version,
        "parent": None,
        "fingerprint": "0123456789abcdef",
        "scheme": "claimbuster",
        "scheme_version": "1.0.0",
        "settings": {"scheme": "claimbuster", "aggregate": "majority", "seed": 13, "group_by": "article",
                     "dedupe": False, "skip_invalid": False, "near_duplicate_threshold": 0.9, "config_version": 1},
        "inputs": {"exports": [{"name": "export.json", "sha256": "ab" * 32}], "articles": [{"name": "a.txt", "sha256": "cd" * 32}]},
        "counts": {**SPLIT_ROWS, "total": sum(SPLIT_ROWS.values())},
        "label_distribution": distribution,
        "agreement": {
            "items": 10, "items_with_2plus_votes": 10, "votes": 20, "annotators": 2, "percent": 0.9,
            "fleiss_kappa": 0.8, "krippendorff_alpha": 0.79,
            "per_label": {name: {"fleiss_kappa": 0.7, "krippendorff_alpha": None, "votes": 6} for name in scheme.names},
            "pairwise_cohen_kappa": [{"annotators": ["ann-0", "ann-1"], "items": 10, "percent": 0.9, "cohen_kappa": 0.81}],
            "annotator_vs_consensus": {"ann-0": {"items": 10, "percent": 1.0, "cohen_kappa": 1.0}},
        },
        "annotations": {"rows": 20, "skips": 0, "superseded": 0, "annotators": 2},
        "unresolved": [{"sentence_id": "x:1", "votes": [1, 1, 0], "reason": "tie"}],
        "skipped": [],
        "corpus_problems": [],
        "leakage": {"clusters": 1, "sentences": 2, "exact": 1, "near": 0, "removed": [],
                    "items": [{"kind": "exact", "text": "The council met.", "counts": {"train": 1, "test": 1}, "sentence_ids": ["a", "b"]}]},
        "warnings": [],
        "package_version": "0.1.0",
        "created_with": {"checkworthy": "0.1.0"},
    }
    (version_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    (version_dir / "README.md").write_text(
        "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train.parquet\n---\n# minimal\n",
        encoding="utf-8",
    )
    (dataset_dir / "CHANGELOG.md").write_text(f"# Changelog\n\n## {version}\n\nFirst version: 10 sentences.\n\n### train\n\nkept detail\n\n## 9.0.0\n\nA later one.\n", encoding="utf-8")
    return version_dir


@pytest.fixture
def version_dir(tmp_path):
    """A small dataset version under ``tmp_path/ds``."""
    return make_version(tmp_path / "ds")
