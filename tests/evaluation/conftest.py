"""Small datasets built inside the tests: check-worthy sentences carry numbers and policy words."""

from __future__ import annotations

import numpy as np
import pytest

from checkworthy.builder.from_corpus import build_from_corpus

POSITIVE = [
    "Unemployment fell by {n} percent last year.",
    "The deficit grew to {n} billion dollars under this plan.",
    "Crime rose {n} percent in our cities since the law passed.",
    "We spent {n} million dollars on the new border wall.",
    "Taxes on the middle class went up {n} percent.",
]
NEGATIVE = [
    "Thank you all for being here tonight, number {n}.",
    "I think my opponent is a good person, friend {n}.",
    "Let me finish, please, it is my turn {n}.",
    "We will see what happens next, round {n}.",
    "Good evening and welcome to debate {n}.",
]
UNIMPORTANT = [
    "I was born in a small town, in house {n}.",
    "My wife and I went to the store on day {n}.",
]


def make_split(n_articles: int, per_article: int, rng: np.random.Generator, scheme: str, prefix: str) -> dict:
    """Rows of one split: ``per_article`` sentences in each of ``n_articles`` articles."""
    rows = {"sentence_id": [], "article_id": [], "text": [], "label": []}
    for a in range(n_articles):
        for i in range(per_article):
            kind = rng.choice(["pos", "neg", "unimportant"] if scheme == "claimbuster" else ["pos", "neg"])
            templates = {"pos": POSITIVE, "neg": NEGATIVE, "unimportant": UNIMPORTANT}[kind]
            text = templates[rng.integers(len(templates))].format(n=int(rng.integers(1, 99)))
            if scheme == "claimbuster":
                label = {"pos": "CFS", "neg": "NFS", "unimportant": "UFS"}[kind]
            else:
                label = "Yes" if kind == "pos" else "No"
            rows["sentence_id"].append(f"{prefix}{a}-{i}")
            rows["article_id"].append(f"{prefix}{a}")
            rows["text"].append(text)
            rows["label"].append(label)
    return rows


def toy_dataset(scheme_name: str = "checkthat", seed: int = 0, sizes=((8, 12), (4, 10), (4, 10))):
    """A ``DatasetDict`` (train / validation / test) whose ``label`` is the scheme's ``ClassLabel``."""
    from datasets import Dataset, DatasetDict, Features, Value

    from checkworthy.schemas import load_scheme

    scheme = load_scheme(scheme_name)
    rng = np.random.default_rng(seed)
    features = Features({"sentence_id": Value("string"), "article_id": Value("string"), "text": Value("string"), "label": scheme.class_label()})
    splits = {}
    for name, (n_articles, per_article) in zip(("train", "validation", "test"), sizes):
        rows = make_split(n_articles, per_article, rng, scheme_name, prefix=name[:2])
        rows["label"] = [scheme.names.index(label) for label in rows["label"]]
        splits[name] = Dataset.from_dict(rows, features=features)
    return DatasetDict(splits), scheme


@pytest.fixture
def make_rows():
    """The factory :func:`make_split`, for tests that write their own corpus files."""
    return make_split


@pytest.fixture
def make_checkthat_version(tmp_path, write):
    """A factory: a checkthat dataset version built from a small CheckThat!-format folder
    (60 train, 30 dev, 30 dev-test sentences drawn with ``seed``)."""
    def _version(seed: int = 0):
        rng = np.random.default_rng(seed)
        header = "Sentence_id\tText\tclass_label"
        for name, n in (("train", 60), ("dev", 30), ("dev-test", 30)):
            rows = make_split(1, n, rng, "checkthat", prefix=name)
            lines = [f"{name}{i}\t{t}\t{y}" for i, (t, y) in enumerate(zip(rows["text"], rows["label"]))]
            write(f"ct/CT24_toy_{name}.tsv", "\n".join([header, *lines]) + "\n")
        return build_from_corpus("checkthat", tmp_path / "ct", tmp_path / "ds")

    return _version


@pytest.fixture
def make_dataset():
    """The factory :func:`toy_dataset`, for tests that need another scheme, seed or size."""
    return toy_dataset


@pytest.fixture
def checkthat_dataset():
    return toy_dataset("checkthat")


@pytest.fixture
def claimbuster_dataset():
    return toy_dataset("claimbuster")
