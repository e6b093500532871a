"""Read news articles from ``.txt``, ``.md``, ``.html`` and ``.jsonl`` files, and from the bulk
formats of ``checkworthy.builder.sources`` (``.jsonl.gz``, Parquet, web archives).

The reader is the boundary of the pipeline: it checks every file, collects every
problem (not UTF-8, binary, truncated JSONL, missing or unsafe ids, duplicates) and
raises one ``InputError`` that lists them all. What it returns is trusted by the
later stages: ``Article`` records with ``\\n`` line ends, no BOM, and the headline as
the first line of ``text``.
"""

from __future__ import annotations

import copy
import dataclasses
import fnmatch
import json
import os
import re
import warnings
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from checkworthy.builder.language import (
    HTML_LANG_IGNORED,
    assign_languages,
    language_conflict,
    normalise_language,
    script_conflict,
    warn_language_conflicts,
)
from checkworthy.builder.sources import BULK_SUFFIXES, bulk_suffix, declared_charset, declared_charset_name, iter_jsonl_gz, iter_parquet, iter_warc
from checkworthy.builder.store import dataset_around, list_versions
from checkworthy.schemas import schema_errors
from checkworthy.schemas.errors import InputError, InputFileNotFoundError, SchemaError
from checkworthy.schemas.io import OUTPUT_MARKER, iter_jsonl, sha256_text
from checkworthy.schemas.records import ARTICLE_ID_PATTERN, HEADLINE_MAX_CHARS, Article

#: File extensions read as articles; any other file in a directory is ignored.
#: Single articles compressed with gzip (a saved page ``story.html.gz``): read as the file inside.
GZIP_SUFFIXES = (".txt.gz", ".md.gz", ".html.gz", ".htm.gz")
ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", *GZIP_SUFFIXES, *BULK_SUFFIXES)

#: Optional string fields of a JSONL article; every other extra key goes to ``meta``.
OPTIONAL_FIELDS = ("title", "url", "source", "published", "language")

#: HTML elements that start a new block of text (a line of ``Article.text``).
_HTML_BLOCKS = frozenset(
    ["address", "article", "aside", "blockquote", "body", "dd", "details", "div", "dl", "dt", "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "br"]
)
#: HTML elements whose text is never article text.
_HTML_DROP = frozenset(("head", "script", "style", "nav", "footer", "noscript", "template", "iframe", "svg", "button", "select", "textarea"))

_BINARY_PROBE = 8192

#: The largest article (a ``.txt``, ``.md`` or ``.html`` file, or the ``text`` of a JSONL record)
#: that is read; a larger one is refused, so that memory stays bounded.
MAX_ARTICLE_BYTES = 16 * 1024 * 1024

#: C0 control characters other than tab, line feed and carriage return (NUL, ESC, ...): never article text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class EmptyArticleWarning(UserWarning):
    """An article file holds no text; it is skipped."""


class FallbackWarning(UserWarning):
    """No article body was found in an HTML page; the page is read whole."""


class LongFirstLineWarning(UserWarning):
    """The first line of a text article is too long to be a headline; it is read as body text."""


class IgnoredFileWarning(UserWarning):
    """A file named on the command line is not an article file; it is skipped."""


class ControlCharacterWarning(UserWarning):
    """An article holds control characters (NUL, ESC, ...); they are removed."""


class SkippedInputWarning(UserWarning):
    """Unreadable files or records were skipped (``--skip-invalid``); the message lists them."""


def read_articles(paths: str | os.PathLike | Iterable[str | os.PathLike], *, skip_invalid: bool = False,
                  language: str | None = None) -> list[Article]:
    """Read every article under ``paths``, each with its language.

    Parameters
    ----------
    paths : path-like or iterable of path-like
        Files, directories and glob patterns (``news/*.warc.gz``, ``crawl/**/*.parquet``).
        Directories are read recursively in sorted order; files ending in ``.txt``,
        ``.md``, ``.html``/``.htm``, ``.jsonl``, ``.jsonl.gz``, ``.parquet``, ``.warc.gz``
        or ``.warc`` are read; other files (``.json``, ...) are ignored, with an
        ``IgnoredFileWarning`` when they were named explicitly.
    skip_invalid : bool, default=False
        Leave out unreadable files and records (and the later of two articles with
        the same id) instead of raising; one ``SkippedInputWarning`` lists them.
    language : str, optional
        A language code for every article, over what the input says or detection
        finds (see ``checkworthy.builder.language.with_language``).

    Returns
    -------
    list of Article
        In file order (sorted within each directory), then line order for JSONL.
        Empty articles are left out with an ``EmptyArticleWarning`` naming the file.
        ``language`` is set on every article: ``language``, else the JSONL field
        ``language`` or the page's ``<html lang>``, else detected.

    Raises
    ------
    InputFileNotFoundError
        A path does not exist.
    InputError
        Lists every unreadable file or record at once: not UTF-8, binary data,
        truncated or non-object JSONL lines, a missing ``id`` or ``text``, an unsafe
        or duplicate article id, a ``language`` that is not a language code.

    Examples
    --------
    >>> articles = read_articles(["seeds"])  # doctest: +SKIP
    >>> articles[0].title  # doctest: +SKIP
    'Pyongyang does not want escalation of tensions on Korean peninsula, senator says'
    """
    problems: list[str] = []
    articles: list[Article] = []
    for path in discover_article_files(paths):
        found, bad = read_article_file(path)
        articles.extend(found)
        problems.extend(bad)
    articles, duplicates = drop_repeats(articles)
    problems.extend(duplicates)
    if language is not None:
        normalise_language(language, "--language")
    with_languages, conflicts = [], []
    for article in articles:  # one by one: a bad language code is a bad record, listed (or skipped) with the others
        try:
            with_languages.extend(assign_languages([article], language) if article.text.strip() else [article])
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if article.text.strip() and (conflict := language_conflict(article, language)):
            conflicts.append(conflict)
    warn_language_conflicts(conflicts)
    if problems and not skip_invalid:
        raise InputError(problems, header=f"cannot read the articles ({len(problems)} problem(s)); fix or remove these inputs, or pass --skip-invalid:")
    articles = with_languages
    if problems:
        warn_skipped(problems)
        if duplicates:
            seen: set[str] = set()
            articles = [a for a in articles if a.article_id not in seen and not seen.add(a.article_id)]
    for article in articles:
        if not article.text.strip():
            warnings.warn(f"{article.path}: empty article {article.article_id!r} (no text); skipped", EmptyArticleWarning, stacklevel=2)
    return [a for a in articles if a.text.strip()]


def read_article_records(path: str | os.PathLike) -> list[Article]:
    """Read an ``articles.jsonl`` written by ``checkworthy tasks``.

    Each line is validated against ``schemas/article.schema.json``, the text hash
    is checked (so that a record edited by hand is caught) and ids must be unique.

    Raises
    ------
    SchemaError
        Lists every record that does not match the schema or its ``text_sha256``,
        and every duplicate id.
    """
    articles, problems = check_article_records(path)
    if problems:
        raise SchemaError(problems)
    return articles


def check_article_records(path: str | os.PathLike) -> tuple[list[Article], list[str]]:
    """The valid article records of an ``articles.jsonl`` and every problem found.

    The worker behind ``read_article_records`` and ``checkworthy validate``.
    """

    problems: list[str] = []
    articles: list[Article] = []
    seen: dict[str, int] = {}
    for lineno, record in iter_jsonl(path):
        where = f"{path}: line {lineno}"
        errors = schema_errors(record, "article")
        if errors:
            problems += [f"{where}: {e} (schema article.schema.json)" for e in errors]
            continue
        where = f"{where} (article_id {record['article_id']!r})"
        first = seen.setdefault(record["article_id"], lineno)
        if first != lineno:
            problems.append(f"{where}: duplicate article_id, already on line {first}")
        if sha256_text(record["text"]) != record["text_sha256"]:
            problems.append(f"{where}: text_sha256 does not match the text; the text was edited after the file was written: rerun 'checkworthy tasks'")
            continue
        found = control_character_problems(record, ("text", *OPTIONAL_FIELDS), where)
        if found:
            problems += found
            continue
        articles.append(Article.from_dict(record))
    return articles, problems


def control_character_problems(record: dict[str, Any], fields: Iterable[str], where: str) -> list[str]:
    """One problem for each field of ``record`` whose string holds a C0 control character (:data:`CONTROL_CHARACTERS`)."""
    problems = []
    for key in fields:
        value = record.get(key)
        match = CONTROL_CHARACTERS.search(value) if isinstance(value, str) else None
        if match:
            problems.append(
                f"{where}: field {key!r}: control character U+{ord(match.group()):04X} at character {match.start()}; "
                "text may hold no control characters but tab and line ends: remake the file with 'checkworthy tasks', "
                "which removes them from the articles it reads"
            )
    return problems


#: The control characters that separate lines (form feed, vertical tab, the file, group and
#: record separators, as :meth:`str.splitlines` reads them): they become line breaks, so that
#: the sentences on either side stay apart ("10.\x0cFifth" was one sentence, "10.Fifth").
LINE_SEPARATING_CONTROLS = re.compile(r"[\x0b\x0c\x1c\x1d\x1e]")


def remove_control_characters(text: str, where: str, *, lines: bool = True) -> str:
    """``text`` without C0 control characters (:data:`CONTROL_CHARACTERS`): with ``lines`` (an
    article's text) those that separate lines (:data:`LINE_SEPARATING_CONTROLS`) become line
    breaks, and the others are removed; without (a one-line field: a title, a source) all are
    removed. A ``ControlCharacterWarning`` names ``where`` when there were some."""
    first = CONTROL_CHARACTERS.search(text)
    if first is None:
        return text
    text, breaks = LINE_SEPARATING_CONTROLS.subn("\n", text) if lines else (text, 0)
    cleaned, count = CONTROL_CHARACTERS.subn("", text)
    line = first.string.count("\n", 0, first.start()) + 1
    separators = "that separate lines (form feed, vertical tab, record separators) into line breaks"
    if count and breaks:
        done = f"removed {count} control character(s) and turned {breaks} {separators}"
    elif count:
        done = f"removed {count} control character(s)"
    else:
        done = f"turned {breaks} control character(s) {separators}"
    warnings.warn(
        f"{where}: {done} (the first, U+{ord(first.group()):04X}, on line {line}); "
        "they are not text and would reach the tasks",
        ControlCharacterWarning,
        stacklevel=2,
    )
    return cleaned


def warn_skipped(problems: list[str]) -> None:
    """One ``SkippedInputWarning`` listing the skipped files and records."""
    listed = "\n".join(f"  {problem}" for problem in problems)
    warnings.warn(f"skipped {len(problems)} unreadable input(s) (--skip-invalid):\n{listed}", SkippedInputWarning, stacklevel=3)


def is_article_file(path: Path) -> bool:
    """Whether ``path`` has the name of an article file (one of :data:`ARTICLE_SUFFIXES`)."""
    return path.name.lower().endswith(ARTICLE_SUFFIXES)


def discover_article_files(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """The article files named by ``paths`` (files, directories read recursively, glob patterns), in reading order.

    Raises
    ------
    InputFileNotFoundError
        Lists every path that does not exist and every pattern that matches nothing.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files: list[Path] = []
    missing = []
    for raw in paths:
        path = Path(raw)
        if not path.exists() and any(char in str(raw) for char in "*?["):
            matches = _pattern_matches(str(raw))
            found = [match for match in matches if match.is_file() and is_article_file(match)]
            found += [file for match in matches if match.is_dir() for file in _directory_files(match)]
            # 'in/**' names a file and the folder that holds it, and a link may lead back: each file once, first path
            unique: dict[Path, Path] = {}
            for file in found:
                unique.setdefault(file.resolve(), file)
            files.extend(unique.values())
            if not matches:
                missing.append(f"{raw}: no file matches the pattern")
        elif path.is_dir():
            files.extend(_directory_files(path))
        elif path.is_file():
            if is_article_file(path):
                files.append(path)
            else:
                warnings.warn(
                    f"{path}: not an article file (expected {', '.join(ARTICLE_SUFFIXES)}, found {path.suffix or 'no extension'}); ignored",
                    IgnoredFileWarning,
                    stacklevel=3,
                )
        else:
            missing.append(f"{path}: not a file or a folder (a pipe, a socket or a device)" if path.exists() else f"{path}: no such file or directory")
    if missing:
        raise InputFileNotFoundError("\n".join(missing))
    return files


def _is_output_folder(path: Path) -> bool:
    """A folder checkworthy wrote (its output marker: a tasks, run, evaluation or model folder),
    a version of a dataset or a copy of one (:func:`~checkworthy.builder.store.dataset_around`)
    or a dataset (a ``versions/`` folder of versions, beside its ``CHANGELOG.md``): never articles."""
    return (path / OUTPUT_MARKER).is_file() or dataset_around(path) is not None or bool(list_versions(path))


def _walk(root: Path) -> tuple[list[Path], list[Path], list[Path]]:
    """Files and folders under ``root`` (sorted, ``root`` itself left out), and the output folders left out.

    Each real folder is entered once, under its first path in sorted order, so a symbolic
    link that points back up (``ln -s . loop``) adds nothing. Hidden files and folders
    (``.git``, a command's temporary ``.NAME.*.tmp``) are left out, as are the folders
    that checkworthy wrote (:func:`_is_output_folder`): an earlier ``--out`` inside the
    input folder is not read back as articles.
    """
    files: list[Path] = []
    folders: list[Path] = []
    outputs: list[Path] = []
    try:
        info = root.stat()
    except OSError:
        return files, folders, outputs
    seen = {(info.st_dev, info.st_ino)}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        below = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = folder / entry.name
            try:
                folder_stat = entry.stat() if entry.is_dir() else None
            except OSError:
                continue
            if folder_stat is not None:
                key = (folder_stat.st_dev, folder_stat.st_ino)
                if key in seen:
                    continue
                seen.add(key)
                if _is_output_folder(child):
                    outputs.append(child)
                else:
                    folders.append(child)
                    below.append(child)
            elif entry.is_file():
                files.append(child)
        stack.extend(reversed(below))
    return sorted(files), sorted(folders), outputs


def _pattern_matches(pattern: str) -> list[Path]:
    """The files and folders a glob pattern names (``**`` for any folders below), sorted.

    :func:`glob.glob` follows symbolic links without end: two links to ``.`` made
    ``'in/**/*.html'`` run for minutes. The matching is glob's, on :func:`_walk`'s tree.
    """
    parts = Path(pattern).parts
    fixed = next((i for i, part in enumerate(parts) if any(char in part for char in "*?[")), len(parts))
    root = Path(*parts[:fixed]) if fixed else Path(".")
    if not root.is_dir():
        return []
    regex = re.compile(_glob_regex(parts[fixed:]))
    files, folders, _ = _walk(root)
    return sorted(p for p in files + folders if regex.fullmatch(p.relative_to(root).as_posix()))


def _glob_regex(parts: tuple[str, ...]) -> str:
    """The regular expression of a relative glob pattern's parts: ``**`` any folders, ``*``, ``?``
    and ``[...]`` within one name (hidden names are never matched: :func:`_walk` leaves them out).

    Examples
    --------
    >>> import re
    >>> bool(re.fullmatch(_glob_regex(("**", "*.html")), "a/b/c.html")), bool(re.fullmatch(_glob_regex(("*.html",)), "a/c.html"))
    (True, False)
    """
    pieces = []
    for i, part in enumerate(parts):
        if part == "**":
            pieces.append("[^/]+(?:/[^/]+)*" if i == len(parts) - 1 else "(?:[^/]+/)*")
            continue
        name, k = [], 0
        while k < len(part):
            char = part[k]
            close = part.find("]", k + 2) if char == "[" else -1
            if char == "*":
                name.append("[^/]*")
            elif char == "?":
                name.append("[^/]")
            elif close != -1:
                inside = part[k + 1:close]
                name.append("[" + ("^" + inside[1:] if inside.startswith("!") else inside).replace("\\", "\\\\") + "]")
                k = close
            else:
                name.append(re.escape(char))
            k += 1
        pieces.append("".join(name) + ("/" if i < len(parts) - 1 else ""))
    return "".join(pieces)


def _directory_files(path: Path) -> list[Path]:
    """The article files under the folder ``path``; when there is none, a warning names the
    kinds of the files left out (other files beside articles, such as labels, are expected).
    Folders that checkworthy wrote are left out with a warning (see :func:`_walk`)."""
    files, _, outputs = _walk(path)
    if outputs:
        shown = ", ".join(str(p) for p in outputs[:3]) + (f" and {len(outputs) - 3} more" if len(outputs) > 3 else "")
        warnings.warn(
            f"{path}: {len(outputs)} folder(s) that checkworthy wrote left out ({shown}): an output or a dataset "
            "version is not read back as articles; name a file in it to read that file",
            IgnoredFileWarning,
            stacklevel=4,
        )
    others = [p for p in files if not is_article_file(p)]
    if others and len(others) == len(files):
        kinds = sorted({"".join(p.suffixes[-2:]).lower() or "no extension" for p in others})
        warnings.warn(
            f"{path}: {len(others)} file(s) that are not articles ignored ({', '.join(kinds[:8])}{', ...' if len(kinds) > 8 else ''}; "
            f"e.g. {others[0]}); article files end in {', '.join(ARTICLE_SUFFIXES)}",
            IgnoredFileWarning,
            stacklevel=4,
        )
    return [p for p in files if is_article_file(p)]


def read_article_file(path: str | os.PathLike) -> tuple[list[Article], list[str]]:
    """The readable articles of one article file and every problem found in it.

    The unit of work of both engines of ``checkworthy tasks``; :func:`read_articles`
    adds the checks across files (duplicate ids) and the decision to stop or skip.
    """
    path = Path(path)
    bulk = bulk_suffix(path)
    try:
        if bulk == ".parquet":
            return _read_records(iter_parquet(path), path)
        if bulk == ".jsonl.gz":
            return _read_records(iter_jsonl_gz(path), path)
        if bulk is not None:
            return _read_warc(path)
        if path.suffix.lower() == ".jsonl":
            _check_binary(path, path.read_bytes())
            if _is_article_records(path):
                return read_article_records(path), []
            return _read_records(iter_jsonl(path, inline=True), path)  # a bad line is one problem among the file's others
        return _read_file(path), []
    except InputError as exc:
        return [], exc.problems


def _read_warc(path: Path) -> tuple[list[Article], list[str]]:
    """The HTML responses of a web archive, read like ``.html`` files, with the record's URL and date.

    A crawl holds more than articles, so what is not one is left out with one warning
    instead of stopping the run: responses that are not pages (HTTP status other than
    2xx: a 404 page, a 301 "moved" page), pages without an article body (an index, a
    login or consent page), and a page crawled again with the same URL and the same text
    (only the first is read; a later one with other text is kept, and named).
    """
    articles, problems = [], []
    not_pages: Counter[str] = Counter()
    left_out: list[str] = []
    by_url: dict[str, Article] = {}
    repeated, changed = [], []
    for number, page in iter_warc(path):
        if isinstance(page, str):
            problems.append(page)
            continue
        if not page["status"].startswith("2"):
            not_pages[page["status"] or "no status"] += 1
            continue
        where = f"{path}: record {number}"
        try:
            article = html_article(remove_control_characters(normalise_newlines(page["html"]), where), page["id"], f"{path}:{number}")
        except InputError as exc:
            reason = exc.problems[0].removeprefix(f"{path}:{number}: ").split("; save the article", 1)[0]
            left_out.append(f"record {number} ({page['url'] or 'no URL'}, WARC-Record-ID {page['id']}): {reason}")
            continue
        meta = {**article.meta, "crawled": page["date"]} if page["date"] else article.meta
        article = dataclasses.replace(article, url=page["url"] or article.url, published=article.published or page["date"], meta=meta)
        first = by_url.get(article.url) if article.url else None
        if first is not None and first.text == article.text:
            repeated.append(f"record {number} ({article.url})")
            continue
        if first is not None:
            changed.append(f"{article.url} (ids {first.article_id}, {article.article_id})")
        elif article.url:
            by_url[article.url] = article
        articles.append(article)
    _warn_crawl(path, not_pages, left_out, repeated, changed)
    return articles, problems


def _warn_crawl(path: Path, not_pages: Counter[str], left_out: list[str], repeated: list[str], changed: list[str]) -> None:
    """One warning for what :func:`_read_warc` left out of a web archive (or kept twice)."""
    notes = []
    if not_pages:
        notes.append(f"{sum(not_pages.values())} response(s) that are not pages left out (HTTP "
                     + ", ".join(f"{status} x{count}" for status, count in sorted(not_pages.items())) + ")")
    if left_out:
        notes.append(f"{len(left_out)} page(s) without an article body left out (an index, a login or a consent page): "
                     + "; ".join(left_out[:5]) + ("; ..." if len(left_out) > 5 else ""))
    if repeated:
        notes.append(f"{len(repeated)} page(s) crawled again with the same URL and text left out: " + ", ".join(repeated[:5])
                     + (", ..." if len(repeated) > 5 else ""))
    if changed:
        notes.append(f"{len(changed)} URL(s) crawled more than once with different text, each version kept as an article: "
                     + ", ".join(changed[:5]) + (", ..." if len(changed) > 5 else ""))
    if notes:
        warnings.warn(f"{path}: " + "; ".join(notes), IgnoredFileWarning, stacklevel=4)


def _read_file(path: Path) -> list[Article]:
    compressed = path.name.lower().endswith(GZIP_SUFFIXES)
    name = Path(path.stem) if compressed else path
    suffix = name.suffix.lower()
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        raise InputError(_too_large(f"{path}", f"{size:,} bytes"))
    data = _gunzip(path) if compressed else path.read_bytes()
    text = _decode(path, data, declared_charset(data) if suffix in (".html", ".htm") else None)
    stem_id = _check_id(name.stem, f"{path}", "file name")
    if suffix in (".html", ".htm"):
        return [html_article(text, stem_id, str(path))]
    if suffix == ".md":
        text = _markdown_to_text(text)
    title = _first_line(text)
    if title is not None and len(title) > HEADLINE_MAX_CHARS:
        warnings.warn(
            f"{path}: the first line has {len(title):,} characters, too long for a headline (at most {HEADLINE_MAX_CHARS}); "
            "it is read as body text: put the headline on a line of its own",
            LongFirstLineWarning,
            stacklevel=4,
        )
        title = None
    return [Article(article_id=stem_id, text=text, title=title, path=str(path))]


def _gunzip(path: Path) -> bytes:
    """The content of a gzip-compressed article, at most :data:`MAX_ARTICLE_BYTES` of it.

    Raises
    ------
    InputError
        The file is not gzip data, is cut short, or holds more than the limit.
    """
    import gzip
    import zlib

    try:
        with gzip.open(path, "rb") as handle:
            data = handle.read(MAX_ARTICLE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{path}: expected gzip-compressed text (the name ends in .gz), found data that cannot be "
                         f"decompressed ({exc}); decompress it by hand to check, or rename it") from None
    if len(data) > MAX_ARTICLE_BYTES:
        raise InputError(_too_large(f"{path}", f"more than {MAX_ARTICLE_BYTES:,} bytes once decompressed"))
    return data


def _too_large(where: str, found: str) -> str:
    return (
        f"{where}: expected an article of at most {MAX_ARTICLE_BYTES:,} bytes (MAX_ARTICLE_BYTES), found {found}; "
        "split it into several articles (for example a .jsonl file, one article a line)"
    )


def _is_article_records(path: Path) -> bool:
    """True for an ``articles.jsonl`` written by ``checkworthy tasks`` (its first record has ``article_id`` and ``text_sha256``)."""
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        for line in handle:
            if line.strip():
                try:
                    first = json.loads(line)
                except (json.JSONDecodeError, RecursionError):  # the reader then reports the line
                    return False
                return isinstance(first, dict) and "article_id" in first and "text_sha256" in first and "id" not in first
    return False


def _check_binary(path: Path, data: bytes) -> None:
    nul = data.find(b"\x00", 0, _BINARY_PROBE)
    if nul >= 0:
        raise InputError(f"{path}: expected a UTF-8 text file, found binary data (NUL byte at byte {nul}); remove the file or export it as text")


def _decode(path: Path, data: bytes, charset: str | None = None) -> str:
    """UTF-8 (with or without BOM) to text with ``\\n`` line ends; an HTML page that is not
    UTF-8 is read in the ``charset`` it declares (``<meta charset="windows-1256">``)."""
    _check_binary(path, data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if charset is not None and charset != "utf-8":
            try:
                return remove_control_characters(normalise_newlines(data.decode(charset)), str(path))
            except UnicodeDecodeError:
                pass
        line = data.count(b"\n", 0, exc.start) + 1
        declared = f" (nor {charset}, which the page declares)" if charset is not None and charset != "utf-8" else ""
        raise InputError(
            f"{path}: line {line}: expected UTF-8 text{declared}, found the byte {data[exc.start]:#04x} at byte {exc.start}; "
            "re-save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)"
            + _charset_advice(path, data, charset)
        ) from None
    return remove_control_characters(normalise_newlines(text), str(path))


def _charset_advice(path: Path, data: bytes, charset: str | None) -> str:
    """The end of the not-UTF-8 error of an HTML page: declare its charset, or correct the one it declares."""
    if charset is not None or path.suffix.lower() not in (".html", ".htm"):
        return ""
    declared = declared_charset_name(data)
    if declared is not None:
        return f", or correct the charset it declares ({declared!r} is not one Python knows; e.g. <meta charset=\"windows-1252\">)"
    return ", or declare its charset (<meta charset=...>)"


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_id(value: Any, where: str, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(f"{where}: {what}: expected a string article id, found {type(value).__name__} {value!r}")
    value = str(value)
    if not ARTICLE_ID_PATTERN.match(value):
        raise InputError(
            f"{where}: {what}: unsafe article id {value!r}; ids may use only ASCII letters and digits, '.', '_' and '-': "
            "rename it (ids are never rewritten silently)"
        )
    return value


def _headline_key(line: str) -> str:
    """A headline as compared with a record's ``title``: case, spacing, a Markdown ``#`` and
    the closing full stop aside (``# PRICES RISE 5%.`` is the title ``Prices rise 5%``)."""
    return " ".join(line.lstrip("#").split()).rstrip(".").casefold()


def _first_line(text: str) -> str | None:
    for line in text.split("\n"):
        if line.strip():
            return line.strip()
    return None


def _read_records(records, path: Path) -> tuple[list[Article], list[str]]:
    """Articles from ``(line, record or problem)`` pairs of a JSONL-like file, and the problems found."""
    articles = []
    problems = []
    unit = "row" if bulk_suffix(path) == ".parquet" else "line"
    for lineno, record in records:
        if isinstance(record, str):
            problems.append(record)
            continue
        where = f"{path}: {unit} {lineno}"
        missing = [key for key in ("id", "text") if key not in record]
        if missing:
            problems.append(f"{where}: missing required field(s) {', '.join(map(repr, missing))}; each line needs 'id' and 'text' (found keys: {', '.join(sorted(record)) or 'none'})")
            continue
        try:
            article_id = _check_id(record["id"], where, "field 'id'")
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        fields: dict[str, Any] = {}
        bad = False
        for key in ("text", *OPTIONAL_FIELDS):
            value = record.get(key)
            if key in record and not isinstance(value, str) and not (key != "text" and value is None):
                problems.append(f"{where}: field {key!r}: expected a string, found {type(value).__name__}")
                bad = True
            elif isinstance(value, str):
                value = remove_control_characters(value, f"{where}: field {key!r}", lines=key == "text")
            fields[key] = value
        if isinstance(fields["text"], str) and len(fields["text"]) > MAX_ARTICLE_BYTES // 4 and len(fields["text"].encode("utf-8")) > MAX_ARTICLE_BYTES:
            problems.append(_too_large(f"{where}: field 'text'", f"{len(fields['text'].encode('utf-8')):,} bytes"))
            bad = True
        if bad:
            continue
        meta = dict(record["meta"]) if isinstance(record.get("meta"), dict) else {}
        meta.update({k: v for k, v in record.items() if k not in ("id", "text", "meta", *OPTIONAL_FIELDS)})
        if "meta" in record and not isinstance(record["meta"], dict):
            meta["meta"] = record["meta"]
        text = normalise_newlines(fields.pop("text")).lstrip("\ufeff")
        title = fields.pop("title")
        if title is not None:
            title = " ".join(title.split())
            first = _first_line(text)
            if title and (first is None or _headline_key(first) != _headline_key(title)):
                text = f"{title}\n\n{text}"
        articles.append(Article(article_id=article_id, text=text, title=title or None, path=f"{path}:{lineno}", meta=meta, **fields))
    return articles, problems


def same_article(record: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether two article records (``Article.to_dict()``) are the same article read from two
    files: equal in everything but the ``path`` they were read from and the language
    confidence, with the same language or one not determined yet (a file read before detection).

    Examples
    --------
    >>> same_article({"article_id": "a", "text": "T.", "path": "in/a.txt", "language": None},
    ...              {"article_id": "a", "text": "T.", "path": "out/articles.jsonl:1", "language": "en", "language_confidence": 0.9})
    True
    >>> same_article({"article_id": "a", "text": "T."}, {"article_id": "a", "text": "Other."})
    False
    """
    loose = ("path", "language", "language_confidence")
    if {k: v for k, v in record.items() if k not in loose} != {k: v for k, v in other.items() if k not in loose}:
        return False
    return record.get("language") is None or other.get("language") is None or record["language"] == other["language"]


def drop_repeats(articles: list[Article]) -> tuple[list[Article], list[str]]:
    """The articles without the repeats of an article read twice (the same id and the same
    record, e.g. from the original file and from an ``articles.jsonl`` that holds it), and a
    problem for each id that another article uses again."""
    seen: dict[str, Article] = {}
    kept, problems = [], []
    for article in articles:
        first = seen.setdefault(article.article_id, article)
        if first is not article:
            if same_article(first.to_dict(), article.to_dict()):
                continue
            if first.path != article.path:
                problems.append(f"{article.path}: duplicate article id {article.article_id!r}, already used by {first.path}; give each article its own id")
            else:  # an articles.jsonl keeps the path its articles were first read from
                problems.append(f"{article.path}: duplicate article id {article.article_id!r}, read twice with different content (an articles.jsonl "
                                "made from another version of the file?); pass one of them, or give each article its own id")
        kept.append(article)
    return kept, problems


#: YAML front matter at the top of a Markdown file (``---`` lines around ``title: ...``).
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def _markdown_to_text(text: str) -> str:
    """Markdown to plain text, one line per block, read with markdown-it-py (CommonMark and tables).

    Headings, paragraphs, list items and quotations keep their words without their marks
    (``#``, ``- ``, ``> ``, emphasis, links' targets); a table is one line per row, its cells
    joined by `` | ``; code blocks and images are left out. YAML front matter is not text:
    its ``title`` becomes the headline when the file has no heading before its first paragraph.
    """
    from markdown_it import MarkdownIt  # only for Markdown inputs

    title = None
    front = _FRONT_MATTER.match(text)
    if front:
        text = text[front.end():]
        try:
            fields = yaml.safe_load(front.group(1) or "") or {}
        except yaml.YAMLError:
            fields = {}
        title = fields.get("title") if isinstance(fields, dict) and isinstance(fields.get("title"), str) else None
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    lines: list[str] = []
    row: list[str] | None = None
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            lines.append(" | ".join(cell for cell in row if cell))
            row = None
        elif token.type == "inline":
            words = " ".join(_inline_text(token.children or []).split())
            if row is not None:
                row.append(words)
            elif words:
                lines.append(words)
    if title and (not tokens or tokens[0].type != "heading_open"):
        lines.insert(0, " ".join(title.split()))
    return "\n\n".join(lines)


def _inline_text(children) -> str:
    """The words of a Markdown block's inline tokens: text and code spans, no images or link targets."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def html_article(html: str, article_id: str, path: str = "<page>") -> Article:
    """An HTML page as an article: the headline, then the article body found by trafilatura.

    trafilatura decides which blocks of the page are the article (no menus, sidebars,
    related links or comments); the page's own block structure gives the lines, and
    ``figcaption`` blocks inside the article are kept as caption lines. General rules
    correct what the extractor gets wrong on real pages:

    - a body cut into several containers of one kind (advertisements between them) is
      read whole, not only its first container (:func:`_join_body_chunks`);
    - a quotation (``<blockquote>``, e.g. an embedded post) between two blocks of the
      article belongs to it;
    - a list of links ("More stories", related articles) and its title are left out;
    - the headline is the ``<h1>`` closest to the page's title, not a site logo.

    A page that trafilatura cannot read (nested deeper than the HTML parser allows) is read whole.

    Parameters
    ----------
    html : str
        The page, decoded.
    article_id : str
        A safe id (checked by the caller).
    path : str, default="<page>"
        Where the page comes from, for messages and ``Article.path``.

    Returns
    -------
    Article
        ``text`` is the headline, then one line per block; ``meta`` holds the
        ``captions`` offsets and, when the page names them, ``author`` and ``site_name``.

    Raises
    ------
    InputError
        The page has no article text besides its headline.
    """
    page = _parse_html(html)
    found = _extract(page) if page is not None else None
    if found is not None and found.text:
        found = _join_body_chunks(page, found)
    events = _tree_events(page) if page is not None else _stream_events(html)
    blocks = _html_blocks(events)
    title = _headline(page, found) if page is not None else _stream_headline(events)
    if found is not None and found.text:
        blocks = _article_blocks(blocks, found.text)
    elif page is not None:
        warnings.warn(f"{path}: no article body found by the extractor; the whole page is read", FallbackWarning, stacklevel=4)
    else:
        warnings.warn(f"{path}: the page nests its elements deeper than the HTML parser allows; it is read whole, "
                      "without the extractor (menus and sidebars included): check its tasks", FallbackWarning, stacklevel=4)
    if title:  # the headline leads the text, even when the page puts a label or a date above its <h1>
        blocks = [(title, "text")] + [block for block in blocks if block[0] != title]
    if not any(text for text, _ in blocks[1 if title else 0 :]):
        raise InputError(
            f"{path}: expected an article body, found {'only the headline ' + repr(title) if title else 'no text'} in the page; "
            "save the article's own page (not an index, a login or a consent page) or give its text as .txt"
        )
    lines: list[str] = []
    captions = []
    offset = 0
    for block, kind in blocks:
        if kind == "caption":
            captions.append([offset, offset + len(block)])
        lines.append(block)
        offset += len(block) + 2
    meta: dict[str, Any] = {"captions": captions} if captions else {}
    for key, value in (("author", found and found.author), ("site_name", found and found.sitename)):
        if value:
            meta[key] = value
    text, language = "\n\n".join(lines), _page_language(page)
    script = script_conflict(language, text)
    if script is not None:  # a template's lang (an Arabic story on an English site's layout): detected instead
        meta[HTML_LANG_IGNORED] = f"<html lang> says {language!r} but the text is written in {script}"
        language = None
    return Article(
        article_id=article_id,
        text=text,
        title=title or None,
        url=(found and found.url) or _canonical_url(page),
        published=_published(page) or (found and found.date) or None,
        path=str(path),
        meta=meta,
        language=language,
    )


def _parse_html(html: str):
    """The page as an lxml tree, or None when the parser gives up (nesting too deep)."""
    import lxml.html  # lxml is only needed for HTML articles

    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        page = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
    except (ValueError, lxml.etree.ParserError):
        return None
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        return None
    return page


#: htmldate's settings: the page's first publication date, from its markup only (see :func:`_extract`).
_DATE_PARAMS = {"original_date": True, "extensive_search": False}


def _extract(page):
    """trafilatura's article body and metadata (``.text``, ``.title``, ``.author``, ...) of a parsed page, or None.

    trafilatura reads a copy of ``page``, which it prunes. Its date (``.date``, through htmldate)
    comes from what the page marks as dates (meta tags, JSON-LD, ``<time>``, the URL, full
    timestamps), never from htmldate's extensive search, which falls back to a copyright year
    or any year in the text ("unemployment is the lowest since 2010" gave ``2010-01-01``).
    """
    import trafilatura  # trafilatura (lxml, dateparser) is only needed for HTML articles

    try:
        return trafilatura.bare_extraction(
            page, with_metadata=True, include_comments=False, include_tables=True, include_images=False, deduplicate=False,
            date_extraction_params=_DATE_PARAMS,
        )
    except (RecursionError, ValueError):
        return None


def _headline(page, found) -> str | None:
    """The page's ``<h1>`` closest to its title, else the title trafilatura found, else ``<title>``.

    A page may have several ``<h1>`` (a site logo, a section name, the article's headline):
    the one that shares the most words with the title of the page's metadata (``og:title``,
    ``<title>``, ... as trafilatura reads them) is the headline; when none shares a word, the first.
    """
    if page is None:
        return None
    h1s = [text for text in (" ".join(node.text_content().split()) for node in page.iter("h1")) if text]
    title = " ".join(found.title.split()) if found is not None and found.title else ""
    if h1s:
        best = max(h1s, key=lambda h1: _word_overlap(h1, title))
        return best if _word_overlap(best, title) > 0 else h1s[0]
    texts = [title, *(" ".join(node.text_content().split()) for node in page.iter("title"))]
    return next((text for text in texts if text), None)


def _page_language(page) -> str | None:
    """The primary subtag of ``<html lang>`` (``es-ES`` -> ``es``), or None when absent or not a tag."""
    value = (page.get("lang") or page.get("xml:lang") or "") if page is not None else ""
    try:
        return normalise_language(value, "<html lang>") if value.strip() else None
    except InputError:
        return None


_WORD = re.compile(r"\w+")


def _word_overlap(a: str, b: str) -> float:
    """Jaccard overlap of the (lower-cased) word sets of ``a`` and ``b``."""
    words_a, words_b = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    return len(words_a & words_b) / len(words_a | words_b) if words_a and words_b else 0.0


def _canonical_url(page) -> str | None:
    if page is None:
        return None
    return next((node.get("href") for node in page.iter("link") if (node.get("rel") or "").lower() == "canonical"), None)


def _published(page) -> str | None:
    """The page's ``article:published_time``, else the first ``<time datetime>``: the date as the page writes it."""
    if page is None:
        return None
    for node in page.iter("meta"):
        if node.get("property") == "article:published_time" and node.get("content"):
            return node.get("content")
    return next((node.get("datetime") for node in page.iter("time") if node.get("datetime")), None)


#: Blocks shorter than this are kept only when they match whole lines of the extracted body
#: (a menu item "Home" occurs inside many bodies); longer ones when the body contains them.
_MIN_CONTAINED = 40


def _article_blocks(blocks: list[tuple[str, str]], body: str) -> list[tuple[str, str]]:
    """The blocks of the page that make up the extracted ``body``, with the quotations and captions among them.

    A quotation (``<blockquote>``: an embedded post, a quoted letter) between two blocks of the
    article belongs to it, even when the extractor left it out; so does a caption next to it.
    """
    lines = [" ".join(line.split()) for line in body.split("\n")]
    lines = [line.removeprefix("- ") for line in lines if line]
    lines = [cell.strip() for line in lines for cell in (line.strip("|").split("|") if line.startswith("|") else [line])]  # table rows: their cells
    joined = " ".join(lines)
    starts, ends, offset = set(), set(), 0
    for line in lines:
        starts.add(offset)
        offset += len(line)
        ends.add(offset)
        offset += 1
    kept = [len(text) >= _MIN_CONTAINED and text in joined or _matches_lines(text, joined, starts, ends) for text, _ in blocks]
    before, after = _neighbours_kept(blocks, kept, lambda kind: kind == "text")
    kept = [keep or (kind == "quote" and b and a) for (_, kind), keep, b, a in zip(blocks, kept, before, after)]
    before, after = _neighbours_kept(blocks, kept, lambda kind: kind != "caption")  # other captions aside
    return [block for block, keep, b, a in zip(blocks, kept, before, after) if keep or (block[1] == "caption" and (b or a))]


def _neighbours_kept(blocks: list[tuple[str, str]], kept: list[bool], counted) -> tuple[list[bool], list[bool]]:
    """For each block, whether the nearest block before it, and the nearest after it, whose kind
    is ``counted`` (a predicate on the kind) is kept."""
    before, after = [], []
    last = False
    for (_, kind), keep in zip(blocks, kept):
        before.append(last)
        last = keep if counted(kind) else last
    last = False
    for (_, kind), keep in zip(reversed(blocks), reversed(kept)):
        after.append(last)
        last = keep if counted(kind) else last
    return before, after[::-1]


#: How far above the body's container a container of the same kind may meet it.
_CHUNK_LEVELS = 3


def _join_body_chunks(page, found):
    """``found`` again, from a page whose body containers after the first are joined into it.

    Some pages cut the body into several containers of the same kind (an advertisement or an
    embed between them), and the extractor keeps the first. The container that holds most of the
    extracted paragraphs names the kind (tag and ``class``). A container of that kind continues
    the body when it follows the first, holds a paragraph the extractor left out, and sits in the
    same structure (the same tags and classes up to a common ancestor at most
    :data:`_CHUNK_LEVELS` levels up, which holds at most one ``<h1>``: not a comment, not the next
    article). Such containers are moved into the first, and the page is read again; the new
    reading is kept when it is longer.
    """
    main, chunks = _body_chunks(page, found.text)
    if not chunks:
        return found
    tree = copy.deepcopy(page)
    paths = page.getroottree()
    main = tree.xpath(paths.getpath(main))[0]
    for chunk in [tree.xpath(paths.getpath(chunk))[0] for chunk in chunks]:
        main.extend(list(chunk))
        chunk.getparent().remove(chunk)
    joined = _extract(tree)
    return joined if joined is not None and joined.text and len(joined.text) > len(found.text) else found


def _body_chunks(page, body: str) -> tuple[Any, list[Any]]:
    """The container holding most of the extracted ``body`` (None when no paragraph is left out),
    and the containers of its kind that continue it (see :func:`_join_body_chunks`)."""
    joined = " ".join(body.split())
    weight: dict[Any, int] = {}
    missing = set()
    for node in page.iter("p"):
        text = " ".join(node.text_content().split())
        if len(text) < _MIN_CONTAINED:
            continue
        if text in joined:
            weight[node.getparent()] = weight.get(node.getparent(), 0) + len(text)
        else:
            missing.add(node)
    if not weight or not missing:
        return None, []
    main = max(weight, key=weight.get)
    if not main.get("class"):
        return main, []
    ancestors = []
    for ancestor in main.iterancestors():
        if len(ancestors) == _CHUNK_LEVELS or sum(1 for _ in ancestor.iter("h1")) > 1:
            break
        ancestors.append(ancestor)
    chunks = []
    after = False
    for node in ancestors[-1].iter(main.tag) if ancestors else ():
        if node is main:
            after = True
        elif after and node.get("class") == main.get("class") and any(p in missing for p in node.iter("p")):
            meet = next(a for a in node.iterancestors() if any(a is b for b in ancestors))
            if _kinds(node, meet) == _kinds(main, meet):
                chunks.append(node)
    return main, chunks


def _kinds(node, stop) -> list[tuple[str, str | None]]:
    """Tag and ``class`` of ``node`` and of its ancestors below ``stop``."""
    kinds = []
    while node is not stop:
        kinds.append((node.tag, node.get("class")))
        node = node.getparent()
    return kinds


def _matches_lines(text: str, joined: str, starts: set[int], ends: set[int]) -> bool:
    """Whether ``text`` occurs in ``joined`` starting at the start of a line and ending at the end of one."""
    at = joined.find(text)
    while at >= 0:
        if at in starts and at + len(text) in ends:
            return True
        at = joined.find(text, at + 1)
    return False


def _tree_events(root):
    """``("start", tag)``, ``("end", tag)`` and ``("text", str)`` events of an lxml tree, without recursion.

    A list of links (:func:`_link_list`) gives one ``("links", tag)`` event instead of its own.
    """
    stack = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            yield "end", node.tag
            if node.tail:
                yield "text", node.tail
            continue
        if not isinstance(node.tag, str):  # a comment or processing instruction: only its tail is text
            if node.tail:
                yield "text", node.tail
            continue
        if node.tag in ("ul", "ol") and _link_list(node):  # related links, "More stories": never article text
            yield "links", node.tag
            if node.tail:
                yield "text", node.tail
            continue
        yield "start", node.tag
        if node.text:
            yield "text", node.text
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))


#: A list whose every item holds a link, and whose text is links for at least this share, is a list of links.
_LINK_SHARE = 0.4


#: The title of a list: a short block that does not end a sentence.
_LIST_TITLE = re.compile(r".{1,60}(?<![.!?])")


def _link_list(node) -> bool:
    """Whether a ``<ul>``/``<ol>`` is a list of links: two or more items, each with a link, much of it link text."""
    items = [item for item in node if item.tag == "li"]
    if len(items) < 2 or any(next(item.iter("a"), None) is None for item in items):
        return False
    text = sum(len("".join(item.text_content().split())) for item in items)
    links = sum(len("".join(a.text_content().split())) for item in items for a in item.iter("a"))
    return text > 0 and links >= _LINK_SHARE * text


def _stream_headline(events) -> str | None:
    """The first ``<h1>`` of a page read by :func:`_stream_events`, else its ``<title>``."""
    found: dict[str, list[str]] = {}
    inside = None
    for kind, value in events:
        if kind == "start" and value in ("h1", "title") and value not in found:
            inside = value
            found[value] = []
        elif kind == "end" and value == inside:
            inside = None
        elif kind == "text" and inside is not None:
            found[inside].append(value)
    texts = {tag: " ".join("".join(parts).split()) for tag, parts in found.items()}
    return texts.get("h1") or texts.get("title") or None


def _stream_events(html: str):
    """The same events from Python's own HTML parser, which has no nesting limit."""
    from html.parser import HTMLParser

    events: list[tuple[str, str]] = []

    class _Events(HTMLParser):
        def handle_starttag(self, tag, attrs):
            events.append(("start", tag))

        def handle_endtag(self, tag):
            events.append(("end", tag))

        def handle_data(self, data):
            events.append(("text", data))

    parser = _Events(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return events


def _html_blocks(events) -> list[tuple[str, str]]:
    """The blocks of text of a page as ``(text, kind)``, in document order; ``kind`` is
    ``"caption"`` (in a ``<figcaption>``), ``"quote"`` (in a ``<blockquote>``) or ``"text"``.

    ``events`` come from :func:`_tree_events` or :func:`_stream_events`; text inside
    :data:`_HTML_DROP` elements and ``<head>`` is left out, and so is the title of a list of
    links (a short block without a full stop right before it: "More stories", "Related").
    """
    blocks: list[tuple[str, str]] = []
    buffer: list[str] = []
    dropped = caption = quote = 0

    def flush() -> None:
        text = " ".join("".join(buffer).split())
        if text:
            blocks.append((text, "caption" if caption else "quote" if quote else "text"))
        buffer.clear()

    for kind, value in events:
        if kind == "text":
            if not dropped:
                buffer.append(value)
            continue
        if kind == "links":
            flush()
            if not dropped and blocks and _LIST_TITLE.fullmatch(blocks[-1][0]):
                blocks.pop()
            continue
        tag = value.lower()
        step = 1 if kind == "start" else -1
        if tag in _HTML_DROP:
            dropped = max(0, dropped + step)
        elif not dropped and tag in _HTML_BLOCKS:
            flush()
            if tag == "figcaption":
                caption = max(0, caption + step)
            elif tag == "blockquote":
                quote = max(0, quote + step)
    flush()
    return blocks
