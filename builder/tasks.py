"""Label Studio tasks from articles: read, split, score, select, write.

``make_tasks`` turns scored sentences into Label Studio import records (``data``,
``meta``, one heuristic ``prediction``); ``write_tasks`` runs the whole stage on
files and writes ``articles.jsonl``, ``sentences.jsonl``, ``tasks.json`` and
``label_config.xml`` into a temporary directory that is renamed into place only
when everything is written and valid, with a ``.checkworthy-output`` marker so that
``overwrite`` replaces only a folder this stage wrote.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import signal
import threading
import time
import warnings
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkworthy import __version__
from checkworthy.builder import processes
from checkworthy.builder.articles import read_articles
from checkworthy.builder.language import is_right_to_left, normalise_language
from checkworthy.builder.sampling import PRIORITY_MEANING, SELECTION_FILE, Pick, Sampling, choose, labeled_sentence_ids
from checkworthy.builder.select import THRESHOLD, Scorer, Selection, get_scorer, is_candidate, is_factual, score_sentences
from checkworthy.builder.split import describe_splitter, split_article
from checkworthy.schemas import FROM_NAME, TO_NAME, Scheme, load_scheme, page_languages, validate
from checkworthy.schemas.errors import InputError, VersionExistsError
from checkworthy.schemas.io import OUTPUT_MARKER, atomic_directory, canonical_json, check_replaceable, progress
from checkworthy.schemas.records import Article, Sentence

#: Output files of ``write_tasks``, in the order they are written.
OUTPUT_FILES = ("articles.jsonl", "sentences.jsonl", "tasks.json", "label_config.xml")
#: What a tasks output folder may hold, written by either engine (the Ray engine writes
#: ``sentences/`` and ``articles/`` folders of Parquet shards): ``--overwrite`` refuses a
#: folder holding anything else, a file of the user's that it would delete.
TASKS_FOLDER_NAMES = frozenset({*OUTPUT_FILES, "sentences", "articles", OUTPUT_MARKER})

#: Keys of a task's ``meta`` that carry the model's view; ``--blind`` leaves them out
#: (``meta.strategy`` stays: it says how the task was chosen, not what the model thinks).
BLIND_DROPS = ("score", "reason", "priority", "chosen")

#: Body sentences shown before and after the sentence to label (``tasks --context``).
CONTEXT_SENTENCES = 2

#: Below this many characters of input, splitting runs in this process.
PARALLEL_MIN_CHARS = 2_000_000


def predicted_label(scheme: Scheme, score: float, text: str, language: str | None = None) -> str:
    """The label a score predicts: the positive label at ``score >= 0.5``.

    Otherwise, for a two-label scheme, the other label; for a three-way scheme
    (``claimbuster``), the first negative label (UFS) when the sentence looks
    factual in its ``language`` (:func:`~checkworthy.builder.select.is_factual`; None
    is English) and the last one (NFS) when it does not.
    """
    if score >= THRESHOLD:
        return scheme.positive
    negatives = [name for name in scheme.names if name != scheme.positive]
    return negatives[0] if len(negatives) == 1 or is_factual(text, language) else negatives[-1]


def make_tasks(
    articles: Sequence[Article],
    sentences: Iterable[Sentence],
    scheme: str | Scheme = "claimbuster",
    *,
    selection: str | Selection = "all",
    model_version: str | None = None,
    context: int = CONTEXT_SENTENCES,
    exclude: Collection[str] = frozenset(),
    blind: bool = False,
) -> list[dict[str, Any]]:
    """Label Studio tasks for the selected body sentences.

    Parameters
    ----------
    articles : sequence of Article
        The articles the sentences come from (for provenance).
    sentences : iterable of Sentence
        Scored sentences (see ``checkworthy.builder.select.score_sentences``), any roles, in
        article then text order.
    scheme : str or Scheme, default="claimbuster"
        The label scheme of the prediction (``claimbuster`` or ``checkthat``).
    selection : str or Selection, default="all"
        ``"all"``, ``"top:K"`` (per article) or ``"min-score:X"``.
    model_version : str, optional
        Written in the predictions; defaults to the default scorer's (``"heuristic-1"``).
    context : int, default=CONTEXT_SENTENCES
        Body sentences shown before and after the sentence to label in ``data.passage``.
    exclude : collection of str, optional
        Sentence ids that never become tasks (already labeled).
    blind : bool, default=False
        Leave the prediction and the model score on the page out of the tasks.

    Returns
    -------
    list of dict
        Tasks in the Label Studio import format, valid against
        ``schemas/tasks.schema.json``.

    Raises
    ------
    InputError
        A body sentence has no score, or belongs to none of ``articles``.
    """
    scheme = load_scheme(scheme) if isinstance(scheme, str) else scheme
    selection = Selection.parse(selection) if isinstance(selection, str) else selection
    model_version = model_version or get_scorer().model_version
    known = {a.article_id for a in articles}
    groups: dict[str, list[Sentence]] = {}
    for sentence in sentences:
        groups.setdefault(sentence.article_id, []).append(sentence)
    unknown = sorted(set(groups) - known)
    if unknown:
        raise InputError(f"sentences of unknown article(s) {', '.join(map(repr, unknown))}; pass the articles they come from")
    unscored = [s.sentence_id for group in groups.values() for s in group if s.role == "body" and s.score is None]
    if unscored:
        raise InputError(f"{len(unscored)} body sentence(s) have no score (first: {', '.join(unscored[:5])}); run builder.select.score_sentences first")
    if context < 0:
        raise InputError(f"context must be 0 or more sentences, got {context}")
    tasks = []
    for article in articles:
        group = groups.get(article.article_id, [])
        body = [s for s in group if s.role == "body"]
        for sentence in selection.apply(group):
            if sentence.sentence_id not in exclude:
                tasks.append(_task(article, sentence, scheme, model_version, _passage_span(body, sentence, context), blind=blind))
    return tasks


def _passage_span(body: list[Sentence], target: Sentence, context: int) -> tuple[int, int]:
    """Offsets in the article text from ``context`` body sentences before ``target`` to ``context`` after it."""
    position = next(i for i, s in enumerate(body) if s.sentence_id == target.sentence_id)
    return body[max(0, position - context)].start, body[min(len(body) - 1, position + context)].end


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


#: The article panel holds the whole article up to this many characters; a longer article
#: shows this much around the sentence (half before, half after), so that a task's size
#: is bounded and the output grows linearly with the input, not with its square.
ARTICLE_PANEL_CHARS = 8_000


def article_window(text: str, start: int, end: int, limit: int = ARTICLE_PANEL_CHARS) -> tuple[int, int]:
    """The span of ``text`` that the article panel shows for the sentence ``text[start:end]``:
    all of it when it is at most ``limit`` characters long, else about ``limit / 2`` characters
    on each side of the sentence, cut at whitespace."""
    size = len(text.rstrip())
    if size <= limit:
        return 0, size
    half = limit // 2
    first = max(0, start - half)
    if first > 0:
        space = text.find(" ", first, start)
        first = space + 1 if space != -1 else first
    last = min(size, end + half)
    if last < size:
        space = text.rfind(" ", end, last)
        last = space if space != -1 else last
    return first, last


def marked_html(text: str, start: int, end: int, span: tuple[int, int] | None = None, *, ellipsis: bool = False) -> str:
    """``text[span]`` as HTML paragraphs, HTML-escaped, with ``text[start:end]`` in ``<mark>``.

    Blank lines end a paragraph, a single line break becomes ``<br>``.

    Examples
    --------
    >>> marked_html("A <b>.\\n\\nB. C.", 11, 13)
    '<p>A &lt;b&gt;.</p><p>B. <mark>C.</mark></p>'
    """
    first, last = span or (0, len(text.rstrip()))

    def paragraphs(piece: str) -> str:
        return _PARAGRAPH_BREAK.sub("</p><p>", html.escape(piece, quote=False)).replace("\n", "<br>")

    target = html.escape(" ".join(text[start:end].split()), quote=False)
    before = ("\u2026 " if ellipsis and first > 0 else "") + paragraphs(text[first:start])
    after = paragraphs(text[end:last]) + (" \u2026" if ellipsis and last < len(text.rstrip()) else "")
    body = f"{before}<mark>{target}</mark>{after}"
    return f"<p>{body.strip()}</p>".replace("<p></p>", "")


def load_page_scheme(scheme: str, page_language: str | None) -> Scheme:
    """Scheme ``scheme`` with its labeling page in ``page_language`` (``--page-language``, read
    as ``--language`` is: ``spa`` is ``es``); the scheme's own language when None."""
    if page_language is None:
        return load_scheme(scheme)
    return load_scheme(scheme, normalise_language(page_language, "--page-language"))


def text_direction(language: str | None, page_language: str | None = None) -> str:
    """The HTML attributes of a block of text in ``language`` on a page in ``page_language``:
    ``lang`` and ``dir="rtl"`` for a language written from right to left (Arabic, Hebrew,
    Urdu, Persian...), so that the labeling page aligns it to the right and puts its
    punctuation where its readers expect; ``dir="ltr"`` for a left-to-right language on a
    right-to-left page (a Spanish passage on the Arabic page, whose question marks and quotes
    would otherwise be moved to the wrong end); nothing when text and page run the same way.

    Examples
    --------
    >>> text_direction("ar"), text_direction("en"), text_direction("es", "ar")
    (' lang="ar" dir="rtl"', '', ' lang="es" dir="ltr"')
    """
    if is_right_to_left(language):
        return f' lang="{html.escape(language)}" dir="rtl"'
    if is_right_to_left(page_language):
        return (f' lang="{html.escape(language)}"' if language else "") + ' dir="ltr"'
    return ""


def passage_html(article: Article, sentence: Sentence, scheme: Scheme, span: tuple[int, int], *, blind: bool = False) -> str:
    """The labeling page's main block (task field ``passage``): what the annotator reads first.

    The headline under a small header, a line with source, date, a link to the
    original and the model score, then the passage ``span`` with the sentence to label
    in ``<mark>``. Every text is HTML-escaped; a missing part leaves no empty block.
    The words of the headers come from the scheme (``page``). ``blind`` leaves the model score out.
    """
    words = scheme.page
    parts = []
    direction = text_direction(sentence.language, scheme.language)
    headline = sentence.context.get("headline", "")
    if headline:
        parts.append(f"<h4>{html.escape(words.headline)}</h4><p class=\"cw-headline\"{direction}><b>{html.escape(headline)}</b></p>")
    info = []
    if article.source:
        info.append(f"{html.escape(words.source)}: {html.escape(article.source)}")
    if article.published:
        info.append(f"{html.escape(words.published)} {html.escape(article.published)}")
    if article.url and article.url.startswith(("https://", "http://")):
        info.append(f"<a href=\"{html.escape(article.url)}\" target=\"_blank\" rel=\"noopener noreferrer\">{html.escape(words.link)}</a>")
    if sentence.score is not None and not blind:
        info.append(f"{html.escape(words.model_score)} {scheme.number(sentence.score)}")
    if info:
        parts.append(f"<p class=\"cw-info\">{' · '.join(info)}</p>")
    parts.append(f"<h4>{html.escape(words.passage)}</h4><div class=\"cw-passage\"{direction}>{marked_html(article.text, sentence.start, sentence.end, span)}</div>")
    return "".join(parts)


def task_data(article: Article, sentence: Sentence, passage: str, page_language: str | None = None) -> dict[str, Any]:
    """A task's ``data``: the sentence, its ids and context, the ``passage`` shown around it and
    the article panel with the sentence marked (shared by labeling and adjudication tasks), on
    a page in ``page_language`` (see :func:`text_direction`)."""
    window = article_window(article.text, sentence.start, sentence.end)
    return {
        "sentence_id": sentence.sentence_id,
        "article_id": sentence.article_id,
        "sentence": sentence.text,
        "text_sha256": sentence.text_sha256,
        "headline": sentence.context.get("headline", ""),
        "context_before": sentence.context.get("before", ""),
        "context_after": sentence.context.get("after", ""),
        "passage": passage,
        "article": f"<div class=\"cw-article\"{text_direction(sentence.language, page_language)}>{marked_html(article.text, sentence.start, sentence.end, window, ellipsis=True)}</div>",
        "language": sentence.language,
    }


def _task(article: Article, sentence: Sentence, scheme: Scheme, model_version: str, span: tuple[int, int], *,
          blind: bool = False, pick: Pick | None = None, strategy: str | None = None) -> dict[str, Any]:
    """One task; a ``pick`` (of ``strategy``) gives the prediction score its priority and adds
    ``meta.strategy``, ``meta.priority`` and ``meta.chosen``; ``blind`` leaves the prediction out,
    and the model's score, reason and priority (:data:`BLIND_DROPS`) out of ``meta``."""
    label = predicted_label(scheme, sentence.score, sentence.text, sentence.language)
    task = {
        "data": task_data(article, sentence, passage_html(article, sentence, scheme, span, blind=blind), scheme.language),
        "meta": {
            "scheme": scheme.name,
            "start": sentence.start,
            "end": sentence.end,
            "index": sentence.index,
            "score": sentence.score,
            "reason": sentence.reason,
            "source": article.source,
            "url": article.url,
            "published": article.published,
            "article_sha256": article.text_sha256,
            "generator": f"checkworthy {__version__} (splitter {describe_splitter()})",
            **({"page_language": scheme.language} if scheme.language != load_scheme(scheme.name).language else {}),
        },
        "predictions": [
            {
                "model_version": model_version,
                "score": sentence.score if pick is None else pick.priority,
                "result": [{"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices", "value": {"choices": [label]}}],
            }
        ],
    }
    if pick is not None:
        task["meta"].update(strategy=strategy, priority=pick.priority, chosen=pick.reason)
    if blind:
        # Nothing of the model in the task: Label Studio shows meta in its data manager and
        # task source view. The scores stay in sentences.jsonl, the order in tasks.json.
        del task["predictions"]
        for key in BLIND_DROPS:
            task["meta"].pop(key, None)
    return task


def process_article(article: Article, scorer: str | Scorer = "heuristic") -> list[Sentence]:
    """Split and score one article: the pure, mappable unit of the stage."""
    return score_sentences(split_article(article), article, scorer)


@dataclass(frozen=True)
class _Job:
    """The settings every worker needs to turn one article into output lines."""

    scheme: Scheme
    selection: Selection
    scorer: str | Scorer
    model_version: str
    context: int = CONTEXT_SENTENCES
    exclude: frozenset[str] = frozenset()
    blind: bool = False
    #: With a strategy the tasks are chosen over all articles afterwards: return the scored sentences instead.
    collect: bool = False

    def __call__(self, article: Article) -> tuple[int, list[str], list[str], list[Sentence]]:
        """``(sentence count, sentences.jsonl lines, tasks.json entries, scored sentences if collect)``, validated and encoded."""
        sentences = process_article(article, self.scorer)
        lines = []
        for sentence in sentences:
            record = sentence.to_dict()
            validate(record, "sentence", f"sentences.jsonl: {sentence.sentence_id}")
            lines.append(canonical_json(record))
        if self.collect:
            return len(sentences), lines, [], sentences
        tasks = make_tasks([article], sentences, self.scheme, selection=self.selection, model_version=self.model_version,
                           context=self.context, exclude=self.exclude, blind=self.blind)
        validate(tasks, "tasks", f"tasks.json: tasks of article {article.article_id!r}")
        return len(sentences), lines, [canonical_json(task) for task in tasks], []


#: Seconds between a worker's checks that the process that started it is still there.
PARENT_POLL_SECONDS = 0.2


def _end_with_parent(parent: int) -> None:
    """Pool initializer: a worker ends as soon as the process that started the pool is gone.

    A parent killed outright (``kill -9``, the OOM killer) cannot shut its pool down,
    and its workers, each holding the other end of the task queue, would wait for
    work forever. A daemon thread checks every :data:`PARENT_POLL_SECONDS` that the
    worker's parent is unchanged and ``parent`` still runs, and ends the worker
    otherwise. Ctrl-C is left to the parent, which cancels the pool (see :func:`_run`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The CLI turns SIGTERM into an exception in its own process; a worker is ended by it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    first_parent = os.getppid()

    def watch() -> None:
        while os.getppid() == first_parent and processes.running(parent):
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="checkworthy-end-with-parent", daemon=True).start()


@contextlib.contextmanager
def _ctrl_c_held_back() -> Iterator[None]:
    """Hold a Ctrl-C (or a SIGTERM) back until the block is done, then deliver it.

    A KeyboardInterrupt while the pool starts its workers would leave workers that
    nothing stops; workers started meanwhile inherit the holding handler, so they
    cannot be interrupted either before :func:`_end_with_parent` ignores Ctrl-C.
    Only the main thread can set signal handlers; elsewhere nothing is held back.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.signal(signum, lambda signum, frame: received.append(signum)) for signum in held}
    try:
        yield
    finally:
        for signum in held:
            signal.signal(signum, previous[signum])
        if received:
            signal.raise_signal(received[0])


def _run(job: _Job, articles: Sequence[Article], jobs: int | None) -> Iterator[tuple[int, list[str], list[str], list[Sentence]]]:
    """``job`` over ``articles`` in order; in processes when asked or when the input is large.

    The worker processes end with this one: on any exception (Ctrl-C included) or
    when the caller stops early, queued work is cancelled and the workers are
    waited for; if this process is killed, they notice and exit (:func:`_end_with_parent`).
    """
    if jobs is None:
        large = sum(len(a.text) for a in articles) >= PARALLEL_MIN_CHARS
        jobs = (os.cpu_count() or 1) if large else 1
    bar = progress(total=len(articles), desc="splitting", unit="article")
    if jobs > 1 and len(articles) > 1:
        chunksize = max(1, min(64, len(articles) // (jobs * 8)))
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_end_with_parent, initargs=(os.getpid(),))
        try:
            with _ctrl_c_held_back():
                results = pool.map(job, articles, chunksize=chunksize)
            for result in results:
                bar.update()
                yield result
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        for article in articles:
            bar.update()
            yield job(article)
    bar.close()


def check_out_dir(out_dir: Path, paths: Sequence[str | os.PathLike], overwrite: bool) -> None:
    """Refuse an existing ``out_dir`` unless ``overwrite``, and then only one this tool wrote
    (both engines of ``checkworthy tasks``)."""
    if out_dir.exists() and not overwrite:
        raise VersionExistsError(f"{out_dir}: already exists; choose another --out directory or pass --overwrite to replace it")
    if overwrite:
        check_replaceable(out_dir, inputs=paths)
        if out_dir.is_dir():
            foreign = sorted(entry.name + ("/" if entry.is_dir() else "") for entry in os.scandir(out_dir)
                             if entry.name not in TASKS_FOLDER_NAMES)
            if foreign:
                shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
                raise InputError(f"{out_dir}: will not replace it: it holds {len(foreign)} file(s) or folder(s) that "
                                 f"'checkworthy tasks' did not write ({shown}), which --overwrite would delete; move them "
                                 "out of the folder, or choose a new --out folder; nothing was written")


def no_article_message(paths) -> str:
    """The error of a run whose inputs gave no article with text (every one empty or left out)."""
    shown = ", ".join(str(p) for p in list(paths)[:3]) + (", ..." if len(list(paths)) > 3 else "")
    return (f"no article with text in {shown}: every article was empty or left out (see the warnings above), "
            "so there is nothing to label; nothing was written")


def write_tasks(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    *,
    scheme: str = "claimbuster",
    select: str | Selection = "all",
    scorer: str | Scorer = "heuristic",
    overwrite: bool = False,
    jobs: int | None = None,
    context: int = CONTEXT_SENTENCES,
    sampling: Sampling | None = None,
    exclude: Sequence[str | os.PathLike] = (),
    blind: bool = False,
    skip_invalid: bool = False,
    language: str | None = None,
    page_language: str | None = None,
) -> dict[str, int]:
    """Read, split, score and select; write the four output files atomically.

    Parameters
    ----------
    paths : path-like or iterable of path-like
        Article files and directories (see ``checkworthy.builder.articles.read_articles``).
    out_dir : path-like
        The output directory; it appears only when every file is written and valid.
    scheme : {"claimbuster", "checkthat"}, default="claimbuster"
        Label scheme of the labeling config and of the predictions.
    select : str or Selection, default="all"
        ``"all"``, ``"top:K"`` per article, or ``"min-score:X"``.
    scorer : str or Scorer, default="heuristic"
        A registered scorer, a model directory (see ``checkworthy.builder.select.get_scorer``)
        or an instance (e.g. a baseline trained on the fly).
    overwrite : bool, default=False
        Replace an existing ``out_dir`` (only once the new one is complete), but
        only a folder that ``write_tasks`` wrote: it leaves a ``.checkworthy-output``
        marker in ``out_dir`` (see ``checkworthy.schemas.io.check_replaceable``).
    jobs : int, optional
        Processes for splitting, scoring and encoding. By default all cores when
        the input holds at least ``PARALLEL_MIN_CHARS`` characters, else this
        process only. The output does not depend on it.
    context : int, default=CONTEXT_SENTENCES
        Body sentences shown before and after the sentence to label on the labeling page.
    sampling : Sampling, optional
        Choose ``budget`` sentences over all articles by a strategy
        (``checkworthy.builder.sampling.choose``) instead of ``select``; the tasks are
        written best first, their prediction score is the strategy's priority.
    exclude : sequence of str, optional
        Dataset versions ``DIR[@VERSION]``: their labeled sentences never become tasks.
    blind : bool, default=False
        Leave predictions (and the model score on the page) out of the tasks.
    skip_invalid : bool, default=False
        Skip unreadable files and records, listed in a ``SkippedInputWarning``, instead of stopping.
    language : str, optional
        A language code for every article, over what the input says or detection finds.
    page_language : str, optional
        The language of the labeling page's words (question, labels, meanings, headers,
        instructions): a translation of the scheme in ``schemas/schemes/<language>/``
        (``es``, ``nl``, ``ar``); the scheme's own (English) when None. Recorded in each
        task's ``meta.page_language`` (only when not the scheme's own), which ``push``
        reads for the project instructions.

    Returns
    -------
    dict
        Counts: ``articles``, ``sentences``, ``tasks``; with ``sampling``, ``exclude`` or
        ``blind`` also ``candidates`` and ``excluded``, and ``selection.json`` records the
        settings and the chosen ids (see :func:`selection_record`).

    Raises
    ------
    InputError
        Unreadable inputs (all listed at once), an unknown scheme, scorer or selection;
        with ``overwrite``, an ``out_dir`` that is a file, an input or holds one, the
        current directory, or a folder checkworthy did not write.
    VersionExistsError
        ``out_dir`` exists and ``overwrite`` is False.

    Notes
    -----
    ``tasks.json`` is a JSON array with one task per line (compact, sorted keys),
    which Label Studio imports as is and which diffs line by line.
    """

    out_dir = Path(out_dir)
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    scheme_obj = load_page_scheme(scheme, page_language)
    selection = Selection.parse(select) if isinstance(select, str) else select
    if context < 0:
        raise InputError(f"--context must be 0 or more sentences, got {context}")
    if sampling is not None and selection.mode != "all":
        raise InputError(f"choose either a strategy ({sampling.strategy}) or a per-article selection ({selection}), not both")
    scorer_obj = get_scorer(scorer)
    excluded_ids: set[str] = set()
    excluded_from = []
    for ref in exclude:
        ids, info = labeled_sentence_ids(ref)
        excluded_ids |= ids
        excluded_from.append({**info, "labeled": len(ids)})
    job = _Job(scheme_obj, selection, scorer, scorer_obj.model_version, context, frozenset(excluded_ids), blind, sampling is not None)
    recorded = sampling is not None or bool(exclude) or blind
    check_out_dir(out_dir, paths, overwrite)
    articles = read_articles(paths, skip_invalid=skip_invalid, language=language)
    if not articles:
        raise InputError(no_article_message(paths))
    counts = {"articles": len(articles), "sentences": 0, "tasks": 0}
    scored: list[Sentence] = []
    with atomic_directory(out_dir, overwrite=overwrite, writer=f"checkworthy {__version__} tasks", inputs=paths) as tmp:
        with open(tmp / "articles.jsonl", "w", encoding="utf-8", newline="\n") as handle:
            for number, article in enumerate(articles, start=1):
                record = article.to_dict()
                validate(record, "article", f"articles.jsonl: line {number} (article_id {article.article_id!r})")
                handle.write(canonical_json(record) + "\n")
        with (
            open(tmp / "sentences.jsonl", "w", encoding="utf-8", newline="\n") as sentences_file,
            open(tmp / "tasks.json", "w", encoding="utf-8", newline="\n") as tasks_file,
            contextlib.closing(_run(job, articles, jobs)) as results,
        ):
            tasks_file.write("[")
            for count, lines, tasks, sentences in results:
                sentences_file.writelines(line + "\n" for line in lines)
                for task in tasks:
                    tasks_file.write(("\n" if counts["tasks"] == 0 else ",\n") + task)
                    counts["tasks"] += 1
                counts["sentences"] += count
                scored.extend(sentences)
            picks: list[Pick] = []
            if sampling is not None:
                picks, candidates = _write_chosen(tasks_file, articles, scored, job, sampling, scorer_obj.threshold)
                counts["tasks"] = len(picks)
            tasks_file.write("\n]\n" if counts["tasks"] else "]\n")
        (tmp / "label_config.xml").write_text(scheme_obj.label_config(), encoding="utf-8", newline="\n")
        if recorded:
            if sampling is None:
                candidates = counts["tasks"]
                picks = [Pick(i, json.loads(line)["data"]["sentence_id"], 0.0, "") for i, line in enumerate(_task_lines(tmp / "tasks.json"))]
            excluded = _count_excluded(tmp / "sentences.jsonl", job.exclude) if job.exclude else 0
            record = selection_record(sampling, selection, scorer_obj, blind=blind, exclude=excluded_from,
                                      counts={"candidates": candidates, "excluded": excluded, "chosen": len(picks)}, picks=picks)
            validate(record, "selection", str(out_dir / SELECTION_FILE))
            (tmp / SELECTION_FILE).write_text(canonical_json(record, indent=2) + "\n", encoding="utf-8", newline="\n")
            counts.update(candidates=record["counts"]["candidates"], excluded=record["counts"]["excluded"])
    warn_page_language({a.language for a in articles}, scheme_obj, page_language)
    return counts


def warn_page_language(languages: Collection[str | None], scheme: Scheme, page_language: str | None) -> None:
    """Warn when every article is in one language that the labeling page could be shown in,
    but it is shown in the scheme's own (no ``--page-language`` given)."""
    only = set(languages)
    if page_language is not None or len(only) != 1:
        return
    language = only.pop()
    if language and language != scheme.language and language in page_languages(scheme.name):
        warnings.warn(f"every article is in {language!r} but the labeling page is in {scheme.language!r}; "
                      f"--page-language {language} shows its question, labels and instructions in {language!r}",
                      UserWarning, stacklevel=3)


def _count_excluded(path: Path, exclude: frozenset[str]) -> int:
    """Body sentences of a written ``sentences.jsonl`` whose id is in ``exclude``."""
    with open(path, encoding="utf-8") as handle:
        return sum(1 for line in handle if (record := json.loads(line))["role"] == "body" and record["sentence_id"] in exclude)


def _task_lines(path: Path) -> list[str]:
    """The task lines of a ``tasks.json`` that :func:`write_tasks` wrote (one task a line)."""
    lines = path.read_text(encoding="utf-8").splitlines()[1:-1]
    return [line.rstrip(",") for line in lines]


def _write_chosen(tasks_file, articles: Sequence[Article], scored: list[Sentence], job: _Job, sampling: Sampling,
                  threshold: float) -> tuple[list[Pick], int]:
    """Choose among the scored body sentences not excluded; write their tasks in the order chosen.

    Returns the picks and the number of candidates.
    """
    by_article = {a.article_id: a for a in articles}
    bodies: dict[str, list[Sentence]] = {}
    for sentence in scored:
        if sentence.role == "body":
            bodies.setdefault(sentence.article_id, []).append(sentence)
    candidates = [s for group in bodies.values() for s in group if s.sentence_id not in job.exclude and is_candidate(s)]
    picks = choose([s.sentence_id for s in candidates], [s.article_id for s in candidates], [s.score for s in candidates],
                   [s.text for s in candidates], strategy=sampling.strategy, budget=sampling.budget, seed=sampling.seed,
                   threshold=threshold)
    for number, pick in enumerate(progress(picks, desc="writing tasks", unit="task")):
        sentence = candidates[pick.index]
        task = chosen_task(by_article[sentence.article_id], bodies[sentence.article_id], sentence, pick, job.scheme,
                           strategy=sampling.strategy, model_version=job.model_version, context=job.context, blind=job.blind)
        validate([task], "tasks", f"tasks.json: task {number} (sentence_id {sentence.sentence_id!r})")
        tasks_file.write(("\n" if number == 0 else ",\n") + canonical_json(task))
    return picks, len(candidates)


def chosen_task(article: Article, body: Sequence[Sentence], sentence: Sentence, pick: Pick, scheme: Scheme, *, strategy: str,
                model_version: str, context: int = CONTEXT_SENTENCES, blind: bool = False) -> dict[str, Any]:
    """The task of a sentence that a strategy chose (``pick``); ``body`` holds the body sentences of its
    article in text order (for the passage). Both engines write a chosen sentence's task with it."""
    return _task(article, sentence, scheme, model_version, _passage_span(list(body), sentence, context),
                 blind=blind, pick=pick, strategy=strategy)


def selection_record(sampling: Sampling | None, selection: Selection, scorer: Scorer, *, blind: bool,
                     exclude: list[dict[str, Any]], counts: dict[str, int], picks: Sequence[Pick]) -> dict[str, Any]:
    """The ``selection.json`` document: how the tasks of a directory were chosen.

    Holds the strategy, budget and seed (None without a strategy, then ``select``
    says how), the scorer and the ``model_version`` of the predictions (baseline,
    dataset version and fingerprint for a trained model), its decision threshold,
    what the prediction score means, whether predictions were left out (``blind``),
    the dataset versions whose labeled sentences were excluded, the counts, and the
    chosen sentence ids in the order to label. ``build --tasks`` reports it.
    """
    return {
        "strategy": sampling.strategy if sampling else None,
        "budget": sampling.budget if sampling else None,
        "seed": sampling.seed if sampling else None,
        "select": str(selection),
        "scorer": scorer.name,
        "model_version": scorer.model_version,
        "threshold": scorer.threshold,
        "priority": PRIORITY_MEANING[sampling.strategy] if sampling else "check-worthiness score",
        "blind": blind,
        "exclude": exclude,
        "counts": counts,
        "sentence_ids": [pick.sentence_id for pick in picks],
    }
