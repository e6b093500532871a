"""Dataset versions from existing corpora: CheckThat! 2022-2024 and ClaimBuster.

The files are parsed by ``checkworthy.builder.corpora``; this module turns them into split rows.
Each corpus sentence carries one already-aggregated label: its ``votes`` are that
label one-hot, ``n_annotators`` is 1 and ``label_source`` is ``corpus`` (or
``ground_truth`` for ClaimBuster's ``groundtruth.csv``). Rows whose text is a
spreadsheet artefact (``#NAME?``) are left out and listed under ``skipped``; the
other data problems (conflicting duplicate texts) are kept and listed under
``corpus_problems`` in the manifest.

- ``checkthat``: the ``CT24_checkworthy_<language>_{train,dev,dev-test}.tsv`` files of one
  language (``en`` by default; ``ar``, ``nl``, ``es``) keep their splits (train,
  validation, test). There are no articles: each sentence is its own article, with
  offsets 0..len(text). A missing split file (the Spanish train file is not public) is
  named in a warning and the version has the splits that exist. A tweet id in two split
  files with the same text (one Arabic tweet is in train and dev-test) is kept in the
  later split only (dev-test over dev over train) and its earlier copy listed under
  ``skipped``. The rows come test first, then validation, then train: the build's order
  is what ``--dedupe`` keeps (the first copy of a sentence repeated across splits), so it
  removes the train copy and leaves the organisers' evaluation files whole. A tweet's
  ``tweet_url`` is its ``url`` (empty for ``NA``, the transcript sentences of the Spanish
  dev-test, and for English, whose files have no url). A non-English build records ``settings["language"]`` (English builds
  record nothing, so that their fingerprints stay those of earlier releases).
- ``claimbuster``: ``crowdsourced.csv`` and ``groundtruth.csv``; each debate
  (``File_id``) becomes an article, rebuilt in ``Line_number`` order with one line
  per sentence, and the splits are assigned by debate like any article.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from checkworthy.builder.build import BuildConfig, BuildResult, Prepared, commit_version, file_inputs
from checkworthy.builder.corpora import (
    CHECKTHAT_LANGUAGES,
    SPREADSHEET_ARTEFACTS,
    CorpusFile,
    check_language,
    checkthat_split_files,
    missing_checkthat_splits,
    read_checkthat_tsv,
    read_claimbuster_csv,
    restore_lost_letters,
)
from checkworthy.schemas import load_scheme
from checkworthy.schemas.errors import InputError, InputFileNotFoundError
from checkworthy.schemas.rows import SPLITS, Row

#: Corpus kind -> its label scheme.
CORPORA = {"checkthat": "checkthat", "claimbuster": "claimbuster"}

CLAIMBUSTER_FILES = {"crowdsourced.csv": "corpus", "groundtruth.csv": "ground_truth"}


def _clean(corpus: CorpusFile, skipped: list[dict], problems: list[str]):
    """The rows of a corpus file without spreadsheet artefacts; every problem recorded without absolute paths."""
    frame = corpus.frame
    artefact = frame["text"].str.strip().isin(SPREADSHEET_ARTEFACTS)
    for row in frame[artefact].itertuples():
        skipped.append({"file": corpus.path.name, "task_id": None, "sentence_id": str(row.id), "field": "text",
                        "problem": f"line {row.line}: text is the spreadsheet artefact {row.text!r}; row left out"})
    problems.extend(p.replace(str(corpus.path), corpus.path.name) for p in corpus.problems if "spreadsheet artefact" not in p)
    return frame[~artefact]


#: The ``tweet_url`` of a CheckThat! row that is not a tweet (a transcript sentence of the Spanish dev-test).
NO_URL = "NA"


def _row(sid: str, article_id: str, text: str, label: str, names: list[str], source: str, start: int, language: str = "en",
         url: str = "") -> Row:
    return Row(sentence_id=sid, article_id=article_id, text=text, label=label,
               votes=[int(n == label) for n in names], n_annotators=1, agreement=1.0, label_source=source,
               start=start, end=start + len(text), role="body", source="", url=url, language=language)


def prepare_checkthat(directory: str | os.PathLike, config: BuildConfig, language: str = "en", *,
                      restore_letters: bool = False) -> Prepared:
    """Rows of a CheckThat! 2022-2024 Task 1 folder for ``language``, keeping its splits.

    With ``restore_letters``, a file that lost a letter the other files have (the CT24
    Dutch dev-test's ``t``) gets it back (:func:`~checkworthy.builder.corpora.restore_lost_letters`),
    and what was done is listed under ``corpus_problems``.
    """
    names = load_scheme(config.scheme).names
    if names != ["Yes", "No"]:
        raise InputError(f"--from checkthat needs the 'checkthat' scheme (Yes, No), not {config.scheme!r}")
    files = checkthat_split_files(directory, check_language(language), require_train=False)
    frames, skipped, problems = {}, [], []
    corpora = {split: read_checkthat_tsv(files[split]) for split in SPLITS if split in files}
    unrestored = None
    if restore_letters:
        before = corpora
        corpora = restore_lost_letters(corpora)
        if all(corpora[s] is before[s] for s in corpora):
            unrestored = (f"--restore-letters: no {CHECKTHAT_LANGUAGES[language]} file lacks a letter the others have; "
                          "nothing was restored")
    for split, corpus in corpora.items():
        frames[split] = _clean(corpus, skipped, problems)
    # An id in two split files: the same tweet (same text) stays in the later split only.
    later: dict[str, str] = {}
    for split in reversed(SPLITS):
        if split not in frames:
            continue
        frame = frames[split]
        keep = []
        for row in frame.itertuples():
            if row.id not in later:
                keep.append(True)
                continue
            other, other_text = later[row.id]
            if row.text.strip() != other_text.strip():
                raise InputError(f"{directory}: sentence id {row.id!r} is in both {files[split].name} (line {row.line}) and {other} "
                                 "with different texts; ids must be unique across the split files")
            skipped.append({"file": files[split].name, "task_id": None, "sentence_id": str(row.id), "field": "id",
                            "problem": f"line {row.line}: the same id and text are in {other}; this copy left out, the later split's kept"})
            keep.append(False)
        frames[split] = frame = frame[keep]
        later.update({sid: (files[split].name, text) for sid, text in zip(frame["id"], frame["text"])})
    rows, splits = [], []
    for split in reversed(SPLITS):  # evaluation files first: --dedupe keeps the first copy, so train's goes
        if split not in frames:
            continue
        frame = frames[split]
        urls = frame["url"].str.strip() if "url" in frame.columns else [""] * len(frame)
        for sid, text, label, url in zip(frame["id"], frame["text"], frame["label"], urls):
            rows.append(_row(sid, sid, text, label, names, "corpus", 0, language, "" if url == NO_URL else url))
            splits.append(split)
    paths = [files[s] for s in sorted(files)]
    prepared = _prepared(rows, [r.sentence_id for r in rows], paths, skipped, problems, fixed_splits=splits)
    missing = missing_checkthat_splits(files, language)
    if missing:
        # the folder's name only: the warning goes into the manifest, which must not depend on where the corpus lies
        prepared.warnings.insert(0, f"{Path(directory).name}/: no file for {'; '.join(missing)}: the version has only the splits found "
                                    f"({', '.join(s for s in SPLITS if s in files)})")
    if unrestored:
        prepared.warnings.insert(0, unrestored)
    return prepared


def prepare_claimbuster(directory: str | os.PathLike, config: BuildConfig) -> Prepared:
    """Rows of a ClaimBuster folder, one article per debate, grouped by debate."""
    import pandas as pd

    names = load_scheme(config.scheme).names
    if names != ["CFS", "UFS", "NFS"]:
        raise InputError(f"--from claimbuster needs the 'claimbuster' scheme (CFS, UFS, NFS), not {config.scheme!r}")
    directory = Path(directory)
    paths = [directory / name for name in CLAIMBUSTER_FILES if (directory / name).is_file()]
    if not paths:
        raise InputFileNotFoundError(f"{directory}: expected ClaimBuster's {' and/or '.join(CLAIMBUSTER_FILES)}; found neither")
    skipped, problems, frames = [], [], []
    for path in paths:
        frame = _clean(read_claimbuster_csv(path), skipped, problems)
        frames.append(frame.assign(label_source=CLAIMBUSTER_FILES[path.name]))
    frame = pd.concat(frames, ignore_index=True)
    duplicated = frame[frame["id"].duplicated(keep=False)]
    if len(duplicated):
        raise InputError(f"{directory}: sentence ids in both files: {', '.join(sorted(set(duplicated['id'])))}")
    frame = frame.sort_values(["debate", "line_number", "id"], kind="stable")
    rows = []
    for debate, group in frame.groupby("debate", sort=True):
        article_id = Path(debate).stem
        offset = 0
        for sid, text, label, source in zip(group["id"], group["text"], group["label"], group["label_source"]):
            rows.append(_row(sid, article_id, text, label, names, source, offset))
            offset += len(text) + 1
    return _prepared(rows, [r.article_id for r in rows], paths, skipped, problems)


#: In the fingerprint of a corpus build: raised when the rows the same corpus files give change,
#: so that a rebuild makes a new version instead of finding the old one (2: CheckThat! tweet
#: urls kept, ``--dedupe`` keeps the organisers' evaluation copies).
CORPUS_FORMAT = 2


def _prepared(rows, groups, paths, skipped, problems, fixed_splits=None) -> Prepared:
    files = file_inputs(paths)
    return Prepared(
        rows=rows,
        groups=groups,
        inputs={"corpus": files},
        content={"corpus_format": CORPUS_FORMAT, "files": [f["sha256"] for f in files]},
        fixed_splits=fixed_splits,
        report={"agreement": None, "annotations": None, "skipped": skipped, "corpus_problems": problems},
        warnings=[f"{len(skipped)} row(s) left out and {len(problems)} data problem(s) kept; see 'skipped' and 'corpus_problems' in manifest.json"]
        if skipped or problems else [],
    )


def build_from_corpus(
    kind: str,
    directory: str | os.PathLike,
    dataset_dir: str | os.PathLike,
    config: BuildConfig | None = None,
    *,
    version: str | None = None,
    finish: Callable[[Path], None] | None = None,
    wait: float = 0.0,
    language: str = "en",
    restore_letters: bool = False,
    allow_removal: bool = False,
) -> BuildResult:
    """Build a dataset version from an existing corpus folder.

    Parameters
    ----------
    kind : {"checkthat", "claimbuster"}
        The corpus format.
    directory : path-like
        The corpus folder (e.g. ``../shared/bench/checkthat2024``).
    dataset_dir : path-like
        The dataset directory.
    config : BuildConfig, optional
        Build settings; the scheme defaults to the corpus's own.
    version : str, optional
        The new version; bumped from the latest when None.
    finish : callable, optional
        ``finish(version_dir)`` writes the card into the version before it becomes visible.
    wait : float, default=0
        Seconds to wait for another command that holds the dataset's lock.
    language : {"en", "ar", "nl", "es"}, default="en"
        CheckThat! only: the language whose files are read; recorded as
        ``settings["language"]`` in the manifest unless English.
    restore_letters : bool, default=False
        CheckThat! only: put back a letter a file lost (the CT24 Dutch dev-test's ``t``),
        learned from the language's other files; recorded as ``settings["restore_letters"]``
        and, with the restorer's measured accuracy, under ``corpus_problems``.
    allow_removal : bool, default=False
        Let the new version drop labeled sentences of the latest version that the corpus
        files no longer hold (refused by default, see
        :func:`~checkworthy.builder.build.check_nothing_dropped`). A dataset built from
        another kind of input (Label Studio exports, another corpus or language) is refused
        either way (:func:`~checkworthy.builder.build.check_same_kind`).

    Returns
    -------
    BuildResult

    Examples
    --------
    >>> build_from_corpus("checkthat", "../shared/bench/checkthat2024", "data/ct24")  # doctest: +SKIP
    """
    if kind not in CORPORA:
        raise InputError(f"unknown corpus {kind!r}; available: {', '.join(CORPORA)}")
    config = config or BuildConfig(scheme=CORPORA[kind])
    check_language(language)
    settings = {"corpus": kind}
    if kind == "checkthat":
        prepared = prepare_checkthat(directory, config, language, restore_letters=restore_letters)
        if language != "en":
            settings["language"] = language
        if restore_letters:
            settings["restore_letters"] = True
    elif restore_letters:
        raise InputError(f"--restore-letters is for --from checkthat; {kind} files have no lost letters to restore")
    elif language != "en":
        raise InputError(f"--language {language} is for --from checkthat; {kind} is English only")
    else:
        prepared = prepare_claimbuster(directory, config)
    return commit_version(prepared, dataset_dir, config, version=version, settings=settings, finish=finish, wait=wait,
                          allow_removal=allow_removal)
