"""Readers for existing check-worthiness corpora: CheckThat! 2019/2022-2024 and ClaimBuster.

Each reader returns a ``CorpusFile``: a tidy ``pandas.DataFrame`` plus the problems
found in the file (``#NAME?`` spreadsheet artefacts, case-insensitive duplicate
texts with conflicting labels). Problems in the data are reported, never hidden;
problems with the *format* (missing columns, unknown labels, wrong field counts)
raise ``InputError`` listing every offending line.

The format traps are documented in ``../shared/bench/README.md``: about half of the
CheckThat! 2024 texts are CSV-quoted with doubled quotes (parsed quote-aware), dev
and dev-test use CRLF, the 2019 debates are not quoted (split on tabs).
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from checkworthy.builder.restore import LetterRestorer, guess_damage, missing_letters
from checkworthy.schemas.errors import InputError, InputFileNotFoundError

if TYPE_CHECKING:
    import pandas as pd

#: ClaimBuster ``Verdict`` -> claimbuster scheme label.
CLAIMBUSTER_VERDICTS = {"1": "CFS", "0": "UFS", "-1": "NFS"}

#: CheckThat! 2022-2024 file name part -> our split name.
CHECKTHAT_SPLITS = {"train": "train", "dev": "validation", "dev-test": "test"}

SPREADSHEET_ARTEFACTS = ("#NAME?", "#VALUE!", "#REF!", "#N/A")

#: CheckThat! 2024 Task 1 languages: code -> the name in the lab's file names
#: (``CT24_checkworthy_<name>_{train,dev,dev-test}.tsv``).
CHECKTHAT_LANGUAGES = {"ar": "arabic", "en": "english", "es": "spanish", "nl": "dutch"}

#: An id a spreadsheet rewrote in scientific notation (``1.24105E+18``, ``1,45043E+18``):
#: the real tweet id is lost.
SPREADSHEET_ID = re.compile(r"^\d+[.,]\d+E[+-]?\d+$", re.IGNORECASE)


@dataclass
class CorpusFile:
    """A parsed corpus file.

    Attributes
    ----------
    path : Path
        The file read.
    frame : pandas.DataFrame
        One row per sentence; always has ``id``, ``text``, ``label`` and ``line``
        (the 1-based line number in the file), plus format-specific columns.
    problems : list of str
        Data problems found (each names the file, line and id); the rows stay in
        ``frame`` so that callers decide what to drop.
    """

    path: Path
    frame: pd.DataFrame
    problems: list[str] = field(default_factory=list)


def _require_file(path: str | os.PathLike) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InputFileNotFoundError(f"{path}: file not found")
    return path


def _read_table(path: Path, sep: str, required: list[str], what: str) -> pd.DataFrame:
    import pandas as pd  # 0.5 s to import; only the corpus readers need it

    try:
        frame = pd.read_csv(
            path, sep=sep, dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL, encoding="utf-8-sig"
        )
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: expected UTF-8 {what}, found undecodable bytes at byte {exc.start}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: not a readable {what} ({exc})") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path}: expected a {what} with columns {', '.join(required)}; "
            f"missing {', '.join(missing)} (found {', '.join(map(str, frame.columns))})"
        )
    frame["line"] = range(2, len(frame) + 2)
    return frame


def _data_problems(path: Path, frame: pd.DataFrame) -> list[str]:
    """Spreadsheet artefacts and case-insensitive duplicate texts with conflicting labels."""
    problems = [
        f"{path}: line {row.line} (id {row.id}): text is the spreadsheet artefact {row.text!r}"
        for row in frame.itertuples()
        if row.text.strip() in SPREADSHEET_ARTEFACTS
    ]
    key = frame["text"].str.strip().str.casefold()
    repeated = frame.assign(_key=key)[key.duplicated(keep=False)]
    artefacts = {a.casefold() for a in SPREADSHEET_ARTEFACTS}
    for text_key, group in repeated.groupby("_key", sort=True):
        if text_key in artefacts or group["label"].nunique() < 2:
            continue
        where = ", ".join(f"line {r.line} (id {r.id}) {r.label}" for r in group.itertuples())
        problems.append(f"{path}: duplicate text with conflicting labels: {group['text'].iloc[0]!r}: {where}")
    return problems


def _check_labels(path: Path, frame: pd.DataFrame, column: str, allowed: list[str]) -> None:
    bad = frame[~frame[column].isin(allowed)]
    if len(bad):
        raise InputError(
            [f"{path}: line {r.line}: {column} {getattr(r, column)!r} is not one of {', '.join(allowed)}" for r in bad.itertuples()],
            header=f"{path}: {len(bad)} row(s) with an unknown label; fix or remove them:",
        )


def _check_unique_ids(path: Path, frame: pd.DataFrame) -> None:
    dup = frame[frame["id"].duplicated(keep=False)]
    if len(dup):
        raise InputError(
            [f"{path}: line {r.line}: id {r.id!r} appears more than once" for r in dup.itertuples()],
            header=f"{path}: ids must be unique:",
        )


def _quoted_lines(path: Path, column: int) -> list[int]:
    """Line numbers (1-based) whose field ``column`` starts with a double quote (CSV-quoted text)."""
    lines = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.split("\t")
            if number > 1 and len(fields) > column and fields[column].startswith('"'):
                lines.append(number)
    return lines


def _tweet_problems(path: Path, frame: pd.DataFrame) -> list[str]:
    """The quirks of the CheckThat! 2024 tweet files (Arabic, Dutch, Spanish), one line each."""
    problems = [
        f"{path}: line {r.line} (id {r.id}): id is in spreadsheet scientific notation; the real tweet id is lost "
        f"(kept as the string {r.id!r}; its url is {r.url!r})"
        for r in frame.itertuples() if SPREADSHEET_ID.match(r.id.strip())
    ]
    na = frame[frame["url"].str.strip().isin(["NA", ""])]
    if len(na):
        problems.append(f"{path}: {len(na)} row(s) have no tweet url ('NA'), e.g. line {na['line'].iloc[0]} (id {na['id'].iloc[0]}): "
                        "not tweets (transcript sentences in Spanish dev-test); kept, with an empty url")
    quoted = _quoted_lines(path, 2)
    if quoted:
        problems.append(f"{path}: {len(quoted)} text(s) are CSV-quoted with doubled quotes (first at line {quoted[0]}); "
                        "read quote-aware, the outer quotes removed")
    texts = "".join(frame["text"])
    latin = sum(c.isascii() and c.isalpha() for c in texts)
    if latin >= 200 and "t" not in texts:
        problems.append(f"{path}: no lowercase 't' in {len(frame)} texts ({latin} Latin letters): the letter seems replaced "
                        "(each run of it by one space in the CT24 Dutch dev-test); kept as in the source unless restored "
                        "(build --restore-letters)")
    return problems


def read_checkthat_tsv(path: str | os.PathLike) -> CorpusFile:
    """Read a CheckThat! 2022-2024 Task 1 TSV, English or tweets.

    English files have ``Sentence_id``, ``Text``, ``class_label``; the Arabic, Dutch
    and Spanish tweet files have ``tweet_id``, ``tweet_url``, ``tweet_text``,
    ``class_label``.

    Parameters
    ----------
    path : path-like
        For example ``CT24_checkworthy_english_dev.tsv``.

    Returns
    -------
    CorpusFile
        ``frame`` columns: ``id``, ``text``, ``label`` (``Yes``/``No``), ``line``, and
        ``url`` for tweet files. Ids are strings (spreadsheet-notation ids such as
        ``1.24105E+18`` are kept and reported, as are ``NA`` urls, CSV-quoted texts and
        a missing lowercase ``t``).

    Raises
    ------
    InputError
        Missing columns, duplicate ids or labels other than ``Yes``/``No``.
    """
    path = _require_file(path)
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        header = handle.readline().rstrip("\r\n").split("\t")
    if "tweet_id" in header:
        frame = _read_table(path, "\t", ["tweet_id", "tweet_url", "tweet_text", "class_label"], "CheckThat! tweet TSV")
        frame = frame.rename(columns={"tweet_id": "id", "tweet_url": "url", "tweet_text": "text", "class_label": "label"})
        frame = frame[["id", "text", "label", "line", "url"]]
    else:
        frame = _read_table(path, "\t", ["Sentence_id", "Text", "class_label"], "CheckThat! TSV")
        frame = frame.rename(columns={"Sentence_id": "id", "Text": "text", "class_label": "label"})
        frame = frame[["id", "text", "label", "line"]]
    _check_labels(path, frame, "label", ["Yes", "No"])
    _check_unique_ids(path, frame)
    problems = _data_problems(path, frame)
    if "url" in frame.columns:
        problems += _tweet_problems(path, frame)
    return CorpusFile(path, frame.reset_index(drop=True), problems)


def restore_lost_letters(files: dict[str, CorpusFile], *, holdout: int = 5) -> dict[str, CorpusFile]:
    """Put back the letters a file lost, learned from the other files of the same language.

    A file lacks a letter when the letter is common in the other files (at least 1% of
    their lowercase letters) and absent from its own texts of 200 or more letters (the
    CT24 Dutch dev-test has no lowercase ``t``: each run of it became one space). Whether
    a run of the letter became one space or each letter a space is read from the file
    (:func:`~checkworthy.builder.restore.guess_damage`). A
    :class:`~checkworthy.builder.restore.LetterRestorer` learns from the other files'
    texts and puts the letter back; its accuracy is first measured on every
    ``holdout``-th of those clean texts, damaged the same way, with a restorer fitted on
    the rest.

    Parameters
    ----------
    files : dict
        Split name -> the ``CorpusFile`` of one language.

    Returns
    -------
    dict
        The same files; one that lacked a letter has its texts restored and a line added
        to its ``problems``: how many letters were put back, learned from what, and the
        measured accuracy.
    """
    restored = dict(files)
    for split, corpus in files.items():
        others = [c for s, c in files.items() if s != split]
        reference = [t for c in others for t in c.frame["text"]]
        for letter in missing_letters(corpus.frame["text"], reference):
            clean = [t for t in reference if t]
            held, kept = clean[::holdout], [t for i, t in enumerate(clean) if i % holdout]
            collapse, shares = guess_damage(corpus.frame["text"], clean, letter)
            try:
                measured = LetterRestorer(letter, collapse_runs=collapse).fit(kept).evaluate(held)
                restorer = LetterRestorer(letter, collapse_runs=collapse).fit(clean)
            except ValueError as error:
                raise InputError(f"{corpus.path}: has no {letter!r} and the other files are too small to learn it back "
                                 f"from ({len(clean)} texts: {error}); build without --restore-letters") from error
            texts = list(restored[split].frame["text"])
            new = restorer.restore(texts)
            changed = sum(a != b for a, b in zip(texts, new))
            note = (
                f"{corpus.path}: restored {letter!r}: {sum(t.count(letter) for t in new)} put back in {changed} of {len(new)} texts, "
                f"{'each run of it' if collapse else 'each one'} taken to have become one space (spaces followed by another: "
                f"{shares['observed']:.1%} here, {shares['runs']:.1%} in the other files with each run of {letter!r} a space, "
                f"{shares['each']:.1%} with each {letter!r} a space), "
                f"by a model learned from the {len(clean)} texts of {', '.join(c.path.name for c in others)}; measured on "
                f"{len(held)} of those texts held out and damaged the same way, it decides {measured['accuracy']:.1%} of "
                f"{measured['positions']} spaces right and {measured['words_found']:.1%} of their words come back "
                f"({measured['damaged_words_found']:.1%} without restoring)")
            restored[split] = CorpusFile(corpus.path, restored[split].frame.assign(text=new), [*restored[split].problems, note])
    return restored


def check_language(language: str) -> str:
    """``language`` if it is a CheckThat! 2024 language code, else ``InputError``."""
    if language not in CHECKTHAT_LANGUAGES:
        raise InputError(f"language {language!r} is not one of {', '.join(CHECKTHAT_LANGUAGES)} "
                         f"({', '.join(f'{k} = {v}' for k, v in CHECKTHAT_LANGUAGES.items())})")
    return language


def _language_of(stem: str) -> str | None:
    tokens = set(re.split(r"[_\-.\s]+", stem))
    for code, name in CHECKTHAT_LANGUAGES.items():
        if name in tokens or code in tokens:
            return code
    return None


def checkthat_split_files(directory: str | os.PathLike, language: str = "en", *, require_train: bool = True) -> dict[str, Path]:
    """Find the CheckThat! train / dev / dev-test TSVs of ``language`` in ``directory``, by our split name.

    Files are matched by name: ``CT24_checkworthy_<language>_<split>.tsv`` (the
    language's name, ``english``, ``arabic``, ``dutch``, ``spanish``, or its code, as a
    ``_``-separated part). When no file in the folder names any language, every
    ``*_train.tsv`` / ``*_dev.tsv`` / ``*_dev-test.tsv`` is taken as ``language``.

    Parameters
    ----------
    directory : path-like
    language : {"en", "ar", "nl", "es"}, default="en"
    require_train : bool, default=True
        Raise when there is no train file; when False, return the splits found
        (the Spanish train file is not public).

    Raises
    ------
    InputError
        No file of the language, no train file (when required), or two files for the same split.
    """
    check_language(language)
    directory = Path(directory)
    _check_corpus_folder(directory)
    candidates: dict[str, list[Path]] = {}
    for path in sorted(directory.glob("*.tsv")):
        stem = path.stem.lower()
        for part, split in sorted(CHECKTHAT_SPLITS.items(), key=lambda kv: -len(kv[0])):
            if stem.endswith(f"_{part}") or stem == part:
                candidates.setdefault(split, []).append(path)
                break
    named = {p: _language_of(p.stem.lower()) for ps in candidates.values() for p in ps}
    if any(code is not None for code in named.values()):
        found = {s: [p for p in ps if named[p] == language] for s, ps in candidates.items()}
        found = {s: ps for s, ps in found.items() if ps}
    else:
        found = candidates
    twice = {s: p for s, p in found.items() if len(p) > 1}
    if twice:
        raise InputError([f"{directory}: several files for split {s}: {', '.join(map(str, p))}" for s, p in twice.items()])
    expected = ", ".join(f"CT24_checkworthy_{CHECKTHAT_LANGUAGES[language]}_{part}.tsv" for part in CHECKTHAT_SPLITS)
    listing = ", ".join(p.name for p in sorted(directory.glob("*"))) or "nothing"
    if not found:
        raise InputError(f"{directory}: no CheckThat! file for language {language!r}; expected {expected}; found {listing}")
    if require_train and "train" not in found:
        raise InputError(f"{directory}: no train file for language {language!r} "
                         f"(expected CT24_checkworthy_{CHECKTHAT_LANGUAGES[language]}_train.tsv); found {listing}")
    return {split: paths[0] for split, paths in found.items()}


def missing_checkthat_splits(files: dict[str, Path], language: str) -> list[str]:
    """The expected file names of the splits absent from ``files`` (from :func:`checkthat_split_files`)."""
    return [f"CT24_checkworthy_{CHECKTHAT_LANGUAGES[language]}_{part}.tsv ({split})"
            for part, split in CHECKTHAT_SPLITS.items() if split not in files]


def read_claimbuster_csv(path: str | os.PathLike) -> CorpusFile:
    """Read ``crowdsourced.csv`` or ``groundtruth.csv`` of ClaimBuster (Arslan et al. 2020).

    Returns
    -------
    CorpusFile
        ``frame`` columns: ``id``, ``text``, ``label`` (``CFS``/``UFS``/``NFS`` from
        ``Verdict`` 1/0/-1), ``debate`` (``File_id``), ``line_number`` (int),
        ``speaker``, ``speaker_party``, ``line``.
    """
    import pandas as pd  # 0.5 s to import; only the corpus readers need it

    path = _require_file(path)
    required = ["Sentence_id", "Text", "Speaker", "Speaker_party", "File_id", "Line_number", "Verdict"]
    frame = _read_table(path, ",", required, "ClaimBuster CSV")
    _check_labels(path, frame, "Verdict", list(CLAIMBUSTER_VERDICTS))
    bad_lines = frame[~frame["Line_number"].str.fullmatch(r"\d+")]
    if len(bad_lines):
        raise InputError([f"{path}: line {r.line}: Line_number {r.Line_number!r} is not a whole number" for r in bad_lines.itertuples()])
    frame = pd.DataFrame(
        {
            "id": frame["Sentence_id"],
            "text": frame["Text"],
            "label": frame["Verdict"].map(CLAIMBUSTER_VERDICTS),
            "debate": frame["File_id"],
            "line_number": frame["Line_number"].astype(int),
            "speaker": frame["Speaker"],
            "speaker_party": frame["Speaker_party"],
            "line": frame["line"],
        }
    )
    _check_unique_ids(path, frame)
    return CorpusFile(path, frame, _data_problems(path, frame))


def read_checkthat2019_debate(path: str | os.PathLike) -> CorpusFile:
    """Read one CheckThat! 2019 Task 1 debate (``line_number<TAB>speaker<TAB>text<TAB>label``, no header).

    Returns
    -------
    CorpusFile
        ``frame`` columns: ``id`` (the line number as a string), ``line_number``
        (int), ``speaker``, ``text``, ``label`` (int 1/0), ``debate`` (file stem), ``line``.
    """
    import pandas as pd  # 0.5 s to import; only the corpus readers need it

    path = _require_file(path)
    rows, problems = [], []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for lineno, raw in enumerate(handle, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) != 4:
                problems.append(f"{path}: line {lineno}: expected 4 tab-separated fields, found {len(fields)}")
                continue
            number, speaker, text, label = fields
            if not number.strip().isdigit() or label.strip() not in ("0", "1"):
                problems.append(
                    f"{path}: line {lineno}: expected a line number and a 0/1 label, found {number!r} and {label!r}"
                )
                continue
            rows.append((number.strip(), int(number), speaker, text, int(label), path.stem, lineno))
    if problems:
        raise InputError(problems, header=f"{path}: not a CheckThat! 2019 debate file:")
    frame = pd.DataFrame(rows, columns=["id", "line_number", "speaker", "text", "label", "debate", "line"])
    _check_unique_ids(path, frame)
    return CorpusFile(path, frame, [])


def _check_corpus_folder(directory: Path) -> None:
    """A corpus is given as its folder: a missing path, or a file, is named as such."""
    if directory.is_file():
        raise InputError(f"{directory}: is a file; --from takes the corpus's folder (here {directory.parent}), whose files are read by name")
    if not directory.is_dir():
        raise InputFileNotFoundError(f"{directory}: directory not found")


def read_checkthat2019_dir(directory: str | os.PathLike) -> list[CorpusFile]:
    """Read every ``*.tsv`` debate of a CheckThat! 2019 folder, in sorted order."""
    directory = Path(directory)
    _check_corpus_folder(directory)
    paths = sorted(directory.glob("*.tsv"))
    if not paths:
        raise InputError(f"{directory}: expected CheckThat! 2019 debate files (*.tsv), found none")
    return [read_checkthat2019_debate(p) for p in paths]
