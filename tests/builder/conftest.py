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
        "settings": {"seed": 13, "aggregate": "majority", "group_by": "article"},
        "inputs": [{"path": "export.json", "sha256": "ab" * 32}],
        "counts": {"sentences": sum(SPLIT_ROWS.values()), "annotations": 4},
        "label_distribution": distribution,
        "agreement": {"percent_agreement": 0.9, "fleiss_kappa": 0.8, "krippendorff_alpha": {"overall": 0.79}},
        "leakage": {"pairs": 0},
        "skipped": [],
        "package_version": "0.1.0",
    }
    (version_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    (version_dir / "README.md").write_text(
        "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train.parquet\n---\n# minimal\n",
        encoding="utf-8",
    )
    (dataset_dir / "CHANGELOG.md").write_text(f"# Changelog\n\n## {version}\n\nFirst version: 10 sentences.\n\n## 9.0.0\n\nA later one.\n", encoding="utf-8")
    return version_dir


@pytest.fixture
def version_dir(tmp_path):
    """A small dataset version under ``tmp_path/ds``."""
    return make_version(tmp_path / "ds")
