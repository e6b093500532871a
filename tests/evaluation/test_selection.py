"""A baseline trained on the fly picks what to label next: ``tasks --model DIR[@VERSION]:BASELINE``."""

from __future__ import annotations

import json

import pytest

from checkworthy.builder.articles import read_articles
from checkworthy.builder.split import split_article
from checkworthy.cli import main
from checkworthy.evaluation.selection import BaselineScorer, parse_model_ref, train_scorer
from checkworthy.schemas.errors import InputError


@pytest.fixture
def toy_version(make_checkthat_version):
    return make_checkthat_version(seed=1)


NEWS = ("Headline of the day\n\nTaxes on the middle class went up 9 percent. Thank you all for being here tonight. "
        "The deficit grew to 4 billion dollars under this plan. We will see what happens next.\n")


def test_a_model_trained_on_the_fly_chooses_and_names_its_data(toy_version, tmp_path, write):
    write("news/a1.txt", NEWS)
    ref = f"{toy_version.path.parent.parent}@{toy_version.version}"
    out = tmp_path / "next"
    assert main(["tasks", str(tmp_path / "news"), "--out", str(out), "--model", f"{ref}:tfidf-lr",
                 "--strategy", "top", "--budget", "2", "--quiet"]) == 0
    tasks = json.loads((out / "tasks.json").read_text())
    wanted = f"tfidf-lr@{toy_version.version}+{toy_version.manifest.fingerprint[:12]}"
    assert {t["predictions"][0]["model_version"] for t in tasks} == {wanted}
    assert {t["data"]["sentence"] for t in tasks} == {"Taxes on the middle class went up 9 percent.",
                                                      "The deficit grew to 4 billion dollars under this plan."}
    record = json.loads((out / "selection.json").read_text())
    assert record["model_version"] == wanted and record["scorer"] == "baseline"
    scorer = train_scorer(f"{ref}:tfidf-lr")
    assert record["threshold"] == scorer.threshold == pytest.approx(scorer.metadata["threshold"])


def test_a_saved_model_and_one_trained_on_the_fly_agree(toy_version, tmp_path):
    ref = str(toy_version.path.parent.parent)
    assert main(["train", ref, "--baseline", "tfidf-lr", "--out", str(tmp_path / "m")]) == 0
    saved, fresh = BaselineScorer(tmp_path / "m"), train_scorer(f"{ref}:tfidf-lr")
    assert saved.model_version == fresh.model_version
    assert saved.threshold == fresh.threshold


@pytest.mark.parametrize("text, match", [
    ("data/ds", r"expected DIR\[@VERSION\]:BASELINE"),
    ("data/ds:", r"expected DIR\[@VERSION\]:BASELINE"),
    ("data/ds@1.0.0:svm", "unknown baseline 'svm'"),
], ids=["no baseline", "empty baseline", "unknown baseline"])
def test_model_reference_errors(text, match):
    with pytest.raises(InputError, match=match):
        parse_model_ref(text)


def test_a_scorer_runs_its_model_once_per_article_with_the_labels_of_predict(toy_version, tmp_path, monkeypatch):
    """The score and the predicted label come from one pass of the model (a fine-tuned transformer is the slow part)."""
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a1.txt").write_text(NEWS, encoding="utf-8")
    article = read_articles([tmp_path / "news"])[0]
    sentences = split_article(article)
    scorer = train_scorer(f"{toy_version.path.parent.parent}@{toy_version.version}:tfidf-lr")
    texts = [s.text for s in sentences]
    expected = scorer.model.predict(texts)

    inner = scorer.model.estimator_
    calls = []
    original = inner.predict_proba
    monkeypatch.setattr(inner, "predict_proba", lambda X: calls.append(len(X)) or original(X))
    scored = scorer.score(sentences, article)

    assert calls == [len(sentences)]
    assert [reason.split(" predicts ")[1].split(" ")[0] for _, reason in scored] == list(expected)
    assert len(set(expected)) == 2  # both labels occur, so the threshold rule was exercised
