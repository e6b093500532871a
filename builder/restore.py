"""Put back a letter that a source replaced with spaces.

Some corpora arrive with one letter blanked out: the CheckThat! 2022 and 2024 Dutch test
files have every lowercase ``t`` replaced by a space ("Ik merk op da  \\"kleinere\\"
supermark en"). Every space in such a text is either a real space or the lost letter.
:class:`LetterRestorer` learns which from clean text of the same language: it blanks the
letter in the clean text itself, so it sees exactly what the damaged text looks like, and
fits a logistic regression that tells, for every space, whether it was the letter, from
the characters around it (hashed character windows and the word fragments on either side).

The restorer never changes anything but a space, so a restored text has the length of
the damaged one and every offset into it stays valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["LetterRestorer", "blank_letter", "restoration_scores"]

WINDOW = 6
SPACE = " "


def blank_letter(text: str, letter: str) -> str:
    """``text`` with every ``letter`` replaced by a space (the damage the restorer undoes)."""
    return text.replace(letter, SPACE)


def _fragment_left(text: str, i: int) -> str:
    start = text.rfind(SPACE, 0, i) + 1
    return text[start:i]


def _fragment_right(text: str, i: int) -> str:
    end = text.find(SPACE, i + 1)
    return text[i + 1:] if end < 0 else text[i + 1:end]


def _features(text: str, i: int) -> list[str]:
    """Features of the space at ``i`` of the damaged ``text``."""
    padded = "\x02" * WINDOW + text + "\x03" * WINDOW
    j = i + WINDOW
    left, right = padded[j - WINDOW:j], padded[j + 1:j + 1 + WINDOW]
    out = [f"l{k}={left[-k:]}" for k in range(1, WINDOW + 1)]
    out += [f"r{k}={right[:k]}" for k in range(1, WINDOW + 1)]
    out += [f"lr{a}{b}={left[-a:]}_{right[:b]}" for a in range(1, 4) for b in range(1, 4)]
    word_left, word_right = _fragment_left(text, i), _fragment_right(text, i)
    out += [f"wl={word_left}", f"wr={word_right}", f"w={word_left}_{word_right}",
            f"wl3={word_left[-3:]}_{right[:2]}", f"wr3={left[-2:]}_{word_right[:3]}"]
    return out


def _spaces(text: str) -> list[int]:
    return [i for i, c in enumerate(text) if c == SPACE]


@dataclass
class LetterRestorer:
    """Restore ``letter`` in texts where a source replaced it with spaces.

    Parameters
    ----------
    letter : str
        The lost letter, one character (``"t"`` for the CheckThat! Dutch test files).
    C : float
        Inverse regularisation of the logistic regressions.
    n_features : int
        Size of the hashed feature space.
    """

    letter: str = "t"
    C: float = 10.0
    n_features: int = 2 ** 21
    _model: object = field(default=None, repr=False)

    def __post_init__(self):
        if len(self.letter) != 1 or self.letter == SPACE:
            raise ValueError(f"letter must be one character other than a space, found {self.letter!r}")

    def _matrix(self, damaged: Sequence[str]):
        """Hashed features of every space of ``damaged``, and where each space is (text, offset)."""
        from sklearn.feature_extraction import FeatureHasher

        rows, where = [], []
        for n, text in enumerate(damaged):
            for i in _spaces(text):
                rows.append(_features(text, i))
                where.append((n, i))
        hasher = FeatureHasher(n_features=self.n_features, input_type="string", alternate_sign=False)
        return hasher.transform(rows), where

    def fit(self, clean_texts: Iterable[str]) -> LetterRestorer:
        """Learn from ``clean_texts``: texts of the same language that still have the letter."""
        from sklearn.linear_model import LogisticRegression

        clean = [t for t in clean_texts if t]
        if not any(self.letter in t for t in clean):
            raise ValueError(f"none of the {len(clean)} clean texts contains {self.letter!r}: nothing to learn from")
        damaged = [blank_letter(t, self.letter) for t in clean]
        X, where = self._matrix(damaged)
        truth = np.array([clean[n][i] == self.letter for n, i in where])
        self._model = LogisticRegression(C=self.C, max_iter=2000, solver="liblinear").fit(X, truth)
        return self

    def restore(self, damaged_texts: Sequence[str]) -> list[str]:
        """``damaged_texts`` with the letter put back at every space the model takes for it."""
        if self._model is None:
            raise RuntimeError("LetterRestorer.restore called before fit")
        damaged = list(damaged_texts)
        X, where = self._matrix(damaged)
        chars = [list(t) for t in damaged]
        if where:
            for (n, i), put in zip(where, self._model.predict(X)):
                if put:
                    chars[n][i] = self.letter
        return ["".join(c) for c in chars]


def restoration_scores(clean: Sequence[str], restored: Sequence[str], letter: str) -> dict[str, float]:
    """How well ``restored`` matches ``clean`` (same texts, same lengths), over the spaces of the damaged text.

    Returns the accuracy over all ambiguous positions, precision and recall of putting
    back the letter, the share of texts restored exactly and the share of words (split on
    the clean text's spaces) restored exactly.
    """
    hits = total = put = put_right = lost = 0
    exact_texts = words = exact_words = 0
    for original, guess in zip(clean, restored, strict=True):
        if len(original) != len(guess):
            raise ValueError(f"restored text has length {len(guess)}, clean text {len(original)}")
        damaged = blank_letter(original, letter)
        for i in _spaces(damaged):
            total += 1
            hits += original[i] == guess[i]
            put += guess[i] == letter
            put_right += guess[i] == letter == original[i]
            lost += original[i] == letter
        exact_texts += original == guess
        for a, b in zip(original.split(SPACE), _split_like(guess, original)):
            words += 1
            exact_words += a == b
    return {
        "positions": total,
        "accuracy": hits / total if total else 1.0,
        "precision": put_right / put if put else 1.0,
        "recall": put_right / lost if lost else 1.0,
        "texts_exact": exact_texts / len(clean) if clean else 1.0,
        "words_exact": exact_words / words if words else 1.0,
    }


def _split_like(text: str, reference: str) -> list[str]:
    """``text`` cut at the positions where ``reference`` has spaces."""
    out, start = [], 0
    for i in _spaces(reference):
        out.append(text[start:i])
        start = i + 1
    out.append(text[start:])
    return out
