"""Records of the bulk input formats: ``.jsonl.gz``, Parquet shards and web archives.

News archives and crawls come in large compressed files, not one file per article.
Each reader here yields ``(line or row, record or problem)`` pairs and never stops at
a bad record, so that the caller (``checkworthy.builder.articles``) can list every
problem at once, or skip and list them with ``--skip-invalid``. Records are plain
dicts with the keys of a JSONL article (``id``, ``text``, optional ``title``, ``url``,
``source``, ``published``); a web archive's HTML responses are returned as pages
(``id``, ``html``, ``url``, ``date``) for the same HTML reader as ``.html`` files.
"""

from __future__ import annotations

import datetime
import gzip
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from checkworthy.schemas.io import parse_jsonl_line, sha256_text

#: Bulk formats, by the end of the file name.
BULK_SUFFIXES = (".jsonl.gz", ".parquet", ".warc.gz", ".warc")

#: Required Parquet columns; ``title``, ``url``, ``source`` and ``published`` are read when present,
#: any other column goes to the article's ``meta`` (as for JSONL).
PARQUET_COLUMNS = ("id", "text")

_RECORD_ID = re.compile(r"<?urn:uuid:([0-9A-Fa-f-]{36})>?")

#: A record of a reader: the position (line or row, 1-based) and the record, or a problem message.
Item = tuple[int, "dict[str, Any] | str"]


def bulk_suffix(path: str | Path) -> str | None:
    """The bulk format of ``path`` (one of :data:`BULK_SUFFIXES`), or None."""
    name = Path(path).name.lower()
    return next((suffix for suffix in BULK_SUFFIXES if name.endswith(suffix)), None)


def iter_jsonl_gz(path: Path) -> Iterator[Item]:
    """The JSON objects of a gzip-compressed JSONL file, one per non-empty line."""
    lineno = 0
    try:
        with gzip.open(path, "rt", encoding="utf-8-sig") as handle:
            for lineno, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                yield lineno, parse_jsonl_line(line, f"{path}: line {lineno}")
    except UnicodeDecodeError as exc:
        yield lineno + 1, f"{path}: line {lineno + 1}: expected UTF-8 text, found undecodable bytes ({exc.reason}); re-save the file as UTF-8"
    except (OSError, EOFError, zlib.error) as exc:
        yield lineno + 1, f"{path}: after line {lineno}: expected gzip-compressed JSONL, found a damaged or truncated file ({exc}); compress it again"


def iter_parquet(path: Path) -> Iterator[Item]:
    """The rows of a Parquet file as records (``id``, ``text`` and the optional columns)."""
    import pyarrow as pa  # pyarrow is only needed for Parquet inputs
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:  # ArrowInvalid for a file that is not Parquet
        yield 0, f"{path}: expected a Parquet file, found an unreadable one ({exc}); write it again (e.g. pandas.DataFrame.to_parquet)"
        return
    names = parquet.schema_arrow.names
    missing = [name for name in PARQUET_COLUMNS if name not in names]
    if missing:
        yield 0, (f"{path}: missing required column(s) {', '.join(map(repr, missing))}; a Parquet shard needs 'id' and 'text' "
                  f"(found columns: {', '.join(names) or 'none'})")
        return
    row = 0
    for batch in parquet.iter_batches(batch_size=1024):
        for record in batch.to_pylist():
            row += 1
            yield row, {key: _plain(value) for key, value in record.items()}


def _plain(value: Any) -> Any:
    """Parquet dates and timestamps as ISO 8601 strings; other values unchanged."""
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return value


#: A charset a page declares in its first bytes: ``<meta charset="...">`` or
#: ``<meta http-equiv="Content-Type" content="text/html; charset=...">``.
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)


def declared_charset(data: bytes, probe: int = 4096) -> str | None:
    """The charset an HTML page declares in its first ``probe`` bytes, when Python knows it
    (its codec name, e.g. ``cp1256``), else None.

    Examples
    --------
    >>> declared_charset(b'<html><head><meta charset="windows-1256">'), declared_charset(b"<p>x</p>")
    ('cp1256', None)
    """
    import codecs

    name = declared_charset_name(data, probe)
    if name is None:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset_name(data: bytes, probe: int = 4096) -> str | None:
    """The charset name an HTML page declares in its first ``probe`` bytes, as written (known or not), else None."""
    found = _META_CHARSET.search(data[:probe])
    return found.group(1).decode("ascii", errors="replace") if found else None


def iter_warc(path: Path) -> Iterator[Item]:
    """The HTML responses of a web archive as pages: ``id``, ``html``, ``url``, ``date`` and
    the HTTP ``status`` code (a string, e.g. ``"200"``; the reader leaves out all but 2xx).

    The id is the UUID of the record's ``WARC-Record-ID`` (else a hash of it), the
    text is decoded with the charset of the HTTP ``Content-Type``, else the page's own
    ``<meta charset>`` (UTF-8 when neither names one; undecodable bytes are replaced). Requests, metadata and non-HTML responses
    are skipped; the position is the record's number in the file.
    """
    from warcio.archiveiterator import ArchiveIterator  # warcio is only needed for web archives
    from warcio.exceptions import ArchiveLoadFailed

    number = 0
    try:
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                number += 1
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                content_type = record.http_headers.get_header("Content-Type") or ""
                if "html" not in content_type.lower():
                    continue
                charset = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
                data = record.content_stream().read()
                try:
                    text = data.decode(charset.group(1) if charset else declared_charset(data) or "utf-8", errors="replace")
                except LookupError:
                    text = data.decode("utf-8", errors="replace")
                record_id = record.rec_headers.get_header("WARC-Record-ID") or f"{path.name}-{number}"
                uuid = _RECORD_ID.fullmatch(record_id.strip())
                yield number, {
                    "id": uuid.group(1).lower() if uuid else sha256_text(record_id)[:32],
                    "html": text,
                    "url": record.rec_headers.get_header("WARC-Target-URI"),
                    "date": record.rec_headers.get_header("WARC-Date"),
                    "status": record.http_headers.get_statuscode() or "",
                }
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error) as exc:
        yield number + 1, f"{path}: record {number + 1}: expected a WARC record, found a damaged or truncated archive ({exc}); fetch the file again"
