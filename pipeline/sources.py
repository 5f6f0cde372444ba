"""What a run reads: files in folders, and record files holding many documents.

Scraped corpora usually come as folders of .txt/.html files or as record
files — JSONL, CSV or Parquet with an id column and a text (or html) column.
Both are streamed: sources are yielded one by one, never listed up front.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

RECORD_SUFFIXES = {".jsonl", ".ndjson", ".csv", ".parquet"}
ID_COLUMNS = ("doc_id", "id")
TEXT_COLUMNS = ("text", "content")
HTML_COLUMNS = ("html",)


class InputError(Exception):
    """A document that cannot be read; becomes a row of the errors table."""

    def __init__(self, stage: str, message: str, source: str | None = None, doc_id: str | None = None):
        super().__init__(message)
        self.stage = stage
        self.source = source
        self.doc_id = doc_id


@dataclass(slots=True, frozen=True)
class Source:
    """One document to process: a file, or one record of a record file."""

    doc_id: str
    locator: str  # file path, or `path#row` for a record
    path: Path | None = None  # set for files: bytes are read when loading
    text: str | None = None  # set for records: already decoded
    html: bool = False  # the record came from an html column
    # A file's SHA-256 when the run planned it (its batch is named by it): a file
    # edited before a worker loads it is caught by comparing the two.
    planned_sha256: str | None = None
    # A record's text cannot change once its Source exists (frozen), so it is hashed
    # once, when the Source is made, for planning and loading alike.
    _text_sha256: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.path is None:
            object.__setattr__(self, "_text_sha256", hashlib.sha256((self.text or "").encode("utf-8")).hexdigest())

    def content_hash(self) -> str:
        """SHA-256 of the bytes (records: of their UTF-8 text). A file is read
        anew on each call, streamed so that planning never holds a large file
        in memory."""
        if self._text_sha256 is not None:
            return self._text_sha256
        digest = hashlib.sha256()
        with self.path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()


def discover(inputs: Iterable[str | os.PathLike]) -> Iterator[Source | InputError]:
    """Every document under the inputs, recursively, in a stable order.

    Hidden files and folders (`.git`, `.DS_Store`) are skipped; a path that
    does not exist, or a record file that cannot be read, is reported as an
    InputError rather than raised.
    """
    for item in inputs:
        path = Path(item)
        if path.is_dir() or path.is_file():
            for file in _input_files(path):
                yield from _from_file(file)
        else:
            yield InputError("discover", f"input not found: {path}", source=str(path))


def _input_files(path: Path) -> Iterator[Path]:
    """The files an input stands for, in a stable order, hidden files and folders skipped."""
    if not path.is_dir():
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def _from_file(path: Path) -> Iterator[Source | InputError]:
    if path.suffix.lower() not in RECORD_SUFFIXES:
        yield Source(doc_id=path.stem, locator=str(path), path=path)
        return
    try:
        yield from _records(path)
    except Exception as error:  # a broken record file is that file's error, not the run's
        yield InputError("discover", f"cannot read record file: {type(error).__name__}: {error}", source=str(path))


def _pick(columns: Iterable[str], wanted: tuple[str, ...]) -> str | None:
    lowered = {c.lower(): c for c in columns}
    return next((lowered[w] for w in wanted if w in lowered), None)


def _rows(path: Path) -> Iterator[dict]:
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)
    elif suffix == ".csv":
        csv.field_size_limit(64 * 1024 * 1024)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from csv.DictReader(handle)
    else:
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
        for batch in parquet.iter_batches(batch_size=256):
            yield from batch.to_pylist()


def _records(path: Path) -> Iterator[Source | InputError]:
    for row_no, row in enumerate(_rows(path)):
        locator = f"{path}#{row_no}"
        # Columns are looked up per row: JSONL rows need not share their keys.
        id_column, text_column, html_column = (_pick(row, names) for names in (ID_COLUMNS, TEXT_COLUMNS, HTML_COLUMNS))
        if id_column is None or (text_column is None and html_column is None):
            message = (
                f"needs an id column ({'/'.join(ID_COLUMNS)}) and a text ({'/'.join(TEXT_COLUMNS)}) "
                f"or html column; found {sorted(row)}"
            )
            yield InputError("discover", message, source=locator)
            continue
        doc_id = str(row.get(id_column) or "").strip()
        body = row.get(text_column) if text_column else None
        is_html = not body and html_column is not None
        body = body or (row.get(html_column) if html_column else None)
        if not doc_id:
            yield InputError("discover", "record without an id", source=locator)
        elif not isinstance(body, str) or not body.strip():
            yield InputError("load", "record without text", source=locator, doc_id=doc_id)
        else:
            yield Source(doc_id=doc_id, locator=locator, text=body, html=is_html)

def estimate_count(inputs: Iterable[str | os.PathLike]) -> int:
    """How many documents the inputs hold, cheaply (for a progress bar's ETA):
    files are counted, record files by their lines or Parquet row counts."""
    total = 0
    for item in inputs:
        for file in _input_files(Path(item)):
            suffix = file.suffix.lower()
            try:
                if suffix == ".parquet":
                    import pyarrow.parquet as pq

                    total += pq.ParquetFile(file).metadata.num_rows
                elif suffix in RECORD_SUFFIXES:
                    with file.open("rb") as handle:
                        total += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
                elif file.is_file():
                    total += 1
            except OSError:
                continue
    return total
