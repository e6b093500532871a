"""Put back a letter that a source replaced with spaces.

Some corpora arrive with one letter blanked out: the CheckThat! 2022 and 2024 Dutch test
files have every lowercase ``t`` replaced by a space ("Ik merk op da  \\"kleinere\\"
supermark en"), a double ``tt`` by a single space (``https`` is always ``h ps`` there).
Every space in such a text is a real space, or stands for one or more of the lost letter.
:class:`LetterRestorer` learns which from clean text of the same language: it damages the
clean text itself the same way, so it sees exactly what damaged text looks like, and fits
a logistic regression that tells, for every space, how many letters it stood for (0 for a
real space), from the characters around it (character windows and the word fragments on
either side).

A restored text is longer than the damaged one wherever a space stood for ``tt``, so
offsets into the damaged text do not carry over.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["LetterRestorer", "blank_letter", "guess_damage", "missing_letters"]

WINDOW = 6
SPACE = " "


def blank_letter(text: str, letter: str, *, collapse_runs: bool = True) -> str:
    """``text`` with ``letter`` replaced by a space: each run of it by one space (``collapse_runs``), or each one."""
    return re.sub(re.escape(letter) + "+", SPACE, text) if collapse_runs else text.replace(letter, SPACE)


def missing_letters(texts: Iterable[str], reference_texts: Iterable[str], *, min_share: float = 0.01,
                    min_expected: float = 50.0) -> list[str]:
    """Lowercase letters common in ``reference_texts`` but absent from ``texts``.

    A letter is reported when it makes up at least ``min_share`` of the reference's
    lowercase letters, never occurs in ``texts``, and ``texts`` has enough lowercase
    letters that at least ``min_expected`` of it were due at the reference's rate (a
    short text, or one in another script, lacks letters by chance).
    """
    seen = "".join(texts)
    lower = sum(c.islower() for c in seen)
    counts: dict[str, int] = {}
    for text in reference_texts:
        for c in text:
            if c.islower():
                counts[c] = counts.get(c, 0) + 1
    total = sum(counts.values())
    present = set(seen)
    return sorted(c for c, n in counts.items()
                  if n / total >= min_share and n / total * lower >= min_expected and c not in present)


def _double_space_share(texts: Iterable[str]) -> float:
    joined = "".join(texts)
    spaces = joined.count(SPACE)
    return joined.count(SPACE * 2) / spaces if spaces else 0.0


def guess_damage(damaged_texts: Iterable[str], clean_texts: Iterable[str], letter: str) -> tuple[bool, dict[str, float]]:
    """Whether a run of ``letter`` became one space (True) or each letter a space (False).

    Decided by the share of spaces followed by another space: ``damaged_texts`` is
    compared with ``clean_texts`` damaged both ways, and the closer way wins (a ``tt``
    leaves two spaces only when each letter became one).

    Returns
    -------
    collapse_runs : bool
    shares : dict
        The share in ``damaged_texts`` (``observed``) and in the clean texts damaged each
        way (``runs``, ``each``).
    """
    clean = list(clean_texts)
    shares = {
        "observed": _double_space_share(damaged_texts),
        "runs": _double_space_share(blank_letter(t, letter) for t in clean),
        "each": _double_space_share(blank_letter(t, letter, collapse_runs=False) for t in clean),
    }
    return abs(shares["observed"] - shares["runs"]) <= abs(shares["observed"] - shares["each"]), shares


def _decisions(clean: str, letter: str, collapse_runs: bool) -> list[int]:
    """For each space of ``blank_letter(clean)``, how many letters it stands for (0: a real space)."""
    out = []
    for match in re.finditer(f"{re.escape(letter)}+|{SPACE}", clean):
        run = match.group()
        if run == SPACE:
            out.append(0)
        elif collapse_runs:
            out.append(len(run))
        else:
            out.extend([1] * len(run))
    return out


def _fragment_left(text: str, i: int) -> str:
    start = text.rfind(SPACE, 0, i) + 1
    return text[start:i]


def _fragment_right(text: str, i: int) -> str:
    end = text.find(SPACE, i + 1)
    return text[i + 1:] if end < 0 else text[i + 1:end]


def _pad(text: str) -> str:
    return "\x02" * WINDOW + text + "\x03" * WINDOW


def _features(text: str, padded: str, i: int) -> list[str]:
    """Features of the space at ``i`` of the damaged ``text`` (``padded`` is ``_pad(text)``)."""
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
    collapse_runs : bool
        True when a run of the letter became one space (``tt`` -> `` ``, as in the
        CheckThat! Dutch files); False when each letter became a space.
    C : float
        Inverse regularisation of the logistic regression.
    """

    letter: str = "t"
    collapse_runs: bool = True
    C: float = 10.0
    _vectorizer: object = field(default=None, repr=False)
    _model: object = field(default=None, repr=False)

    def __post_init__(self):
        if len(self.letter) != 1 or self.letter == SPACE:
            raise ValueError(f"letter must be one character other than a space, found {self.letter!r}")

    def _rows(self, damaged: Sequence[str]):
        """Features of every space of ``damaged``, and where each space is (text, offset)."""
        rows, where = [], []
        for n, text in enumerate(damaged):
            padded = _pad(text)
            for i in _spaces(text):
                rows.append(dict.fromkeys(_features(text, padded, i), 1))
                where.append((n, i))
        return rows, where

    def damage(self, text: str) -> str:
        """``text`` damaged the way this restorer undoes."""
        return blank_letter(text, self.letter, collapse_runs=self.collapse_runs)

    def fit(self, clean_texts: Iterable[str]) -> LetterRestorer:
        """Learn from ``clean_texts``: texts of the same language that still have the letter."""
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        clean = [t for t in clean_texts if t]
        if not any(self.letter in t for t in clean):
            raise ValueError(f"none of the {len(clean)} clean texts contains {self.letter!r}: nothing to learn from")
        rows, _ = self._rows([self.damage(t) for t in clean])
        truth = np.array([k for t in clean for k in _decisions(t, self.letter, self.collapse_runs)])
        if truth.all():
            raise ValueError(f"the {len(clean)} clean texts have no real space: nothing to tell the letter's spaces from")
        self._vectorizer = DictVectorizer()
        self._model = LogisticRegression(C=self.C, max_iter=2000).fit(self._vectorizer.fit_transform(rows), truth)
        return self

    def decide(self, damaged_texts: Sequence[str]) -> list[list[int]]:
        """For each text, for each of its spaces, how many letters the model puts back (0: keep the space)."""
        if self._model is None:
            raise RuntimeError("LetterRestorer used before fit")
        damaged = list(damaged_texts)
        out: list[list[int]] = [[] for _ in damaged]
        rows, where = self._rows(damaged)
        if rows:
            for (n, _), k in zip(where, self._model.predict(self._vectorizer.transform(rows))):
                out[n].append(int(k))
        return out

    def restore(self, damaged_texts: Sequence[str]) -> list[str]:
        """``damaged_texts`` with the letter put back at every space the model takes for it."""
        damaged = list(damaged_texts)
        return [_put_back(text, counts, self.letter) for text, counts in zip(damaged, self.decide(damaged))]

    def evaluate(self, clean_texts: Sequence[str]) -> dict[str, float]:
        """Damage ``clean_texts``, restore them and compare with the originals.

        Returns the number of ambiguous spaces, the accuracy of the decision at each,
        precision and recall of putting back at least one letter, the share of texts
        restored exactly and the share of the clean texts' words found in the restored
        ones (matched in order with :class:`difflib.SequenceMatcher`); the same two shares
        for the damaged texts, as the floor.
        """
        clean = list(clean_texts)
        damaged = [self.damage(t) for t in clean]
        decided = self.decide(damaged)
        truth = [_decisions(t, self.letter, self.collapse_runs) for t in clean]
        pairs = [(t, d) for ts, ds in zip(truth, decided) for t, d in zip(ts, ds, strict=True)]
        restored = [_put_back(text, counts, self.letter) for text, counts in zip(damaged, decided)]
        put = sum(d > 0 for _, d in pairs)
        lost = sum(t > 0 for t, _ in pairs)
        put_right = sum(t > 0 and d > 0 for t, d in pairs)
        return {
            "positions": len(pairs),
            "accuracy": sum(t == d for t, d in pairs) / len(pairs) if pairs else 1.0,
            "precision": put_right / put if put else 1.0,
            "recall": put_right / lost if lost else 1.0,
            "texts_exact": _share_exact(clean, restored),
            "words_found": _words_found(clean, restored),
            "damaged_texts_exact": _share_exact(clean, damaged),
            "damaged_words_found": _words_found(clean, damaged),
        }


def _put_back(text: str, counts: Sequence[int], letter: str) -> str:
    parts, start = [], 0
    for i, k in zip(_spaces(text), counts, strict=True):
        parts.append(text[start:i])
        parts.append(letter * k if k else SPACE)
        start = i + 1
    parts.append(text[start:])
    return "".join(parts)


def _share_exact(clean: Sequence[str], other: Sequence[str]) -> float:
    return sum(a == b for a, b in zip(clean, other, strict=True)) / len(clean) if clean else 1.0


def _words_found(clean: Sequence[str], other: Sequence[str]) -> float:
    found = total = 0
    for a, b in zip(clean, other, strict=True):
        words = a.split(SPACE)
        matcher = difflib.SequenceMatcher(None, words, b.split(SPACE), autojunk=False)
        found += sum(block.size for block in matcher.get_matching_blocks())
        total += len(words)
    return found / total if total else 1.0
