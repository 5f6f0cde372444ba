"""Running the pipeline over a corpus: batches, parts, resume, compaction.

A run streams its inputs and cuts them into batches at content-defined
boundaries (a document closes a batch when a hash of its doc_id says so), so
that adding or editing one document changes only the batch it falls in. Each
batch is processed by an engine (this process, a pool of worker processes, or
a Dask cluster) and written as one folder of parts (Arrow IPC streams in zstd
frames: written and read back 2-4× faster than Parquet) named by a hash of
its documents' ids and contents (and of the unit-alias and indicator-family
tables in effect, and of the pipeline's own code); the folder appears by an atomic rename once
every part is whole. `--resume` skips batches whose folder exists. At the
end the parts are concatenated in input order into `DIR/<table>.parquet`
(temp file, then rename), so the tables do not depend on the worker count and
a run killed at any point, then resumed, writes the same tables. Then the
citations are linked to the documents of the run they cite, and
`DIR/policy.duckdb` is built from the tables (pipeline/database.py).
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import shutil
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.canonical import fingerprint
from pipeline.document import Document
from pipeline.process import DocumentTimeout, StageError, process
from pipeline.process import warm_up as process_warm_up
from pipeline.schemas import SCHEMAS
from pipeline.sources import InputError, Source, discover, estimate_count

PARTS = "_parts"
CODE_SUFFIXES = {".py", ".yaml", ".txt", ".sql", ".json"}  # what code_fingerprint reads
PART_FORMAT = b"arrow-ipc-stream.zst/1"  # in every batch key: parts of another format are redone, never misread
BATCH_MEAN = 32  # documents per batch on average (content-defined boundaries)
BATCH_MAX = 4 * BATCH_MEAN
FLUSH_DOCS = BATCH_MEAN  # documents whose rows a worker holds before it writes them to the batch's parts
# A part file is an uncompressed IPC stream in zstd frames, one per flush (read back as
# one zstd stream), not IPC's own compression of each buffer: that starts a zstd context
# for every column of every record batch, and costs ~1.6x as much to write and read
# back, for a larger file.
# An lz4 stream is no faster and 2.6x larger; no compression would save ~0.08 s per
# 1,000 documents for 8x the disk, and DIR/_parts stays for --resume.
PART_CODEC = "zstd"
_PART_CODEC = pa.Codec(PART_CODEC)
PART_SUFFIX = ".arrows.zst"
_PART_READ_OPTIONS = pa.ipc.IpcReadOptions(use_threads=False)  # the run's threads are its workers
ROW_GROUP_BYTES = 32 << 20  # compaction buffers this much (uncompressed) per table it writes
DOC_TIME_LIMIT = 120.0  # seconds one document may take before it becomes an errors row


@dataclass(slots=True)
class Batch:
    key: str  # hash of its items' doc_ids and contents: the name of its parts folder
    items: list[Source | InputError]


@dataclass
class BatchResult:
    key: str
    documents: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # stage -> count
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows
    chars: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    skipped: bool = False  # done by an earlier run (resume)
    # documents whose file changed between planning and loading: the folder holds what
    # was loaded, not what its key names, so a resume redoes it rather than reuse it
    changed: int = 0


# ---------------------------------------------------------------- planning


def _closes_batch(doc_id: str) -> bool:
    digest = hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % BATCH_MEAN == 0


def _planned(item: Source | InputError) -> tuple[Source | InputError, str]:
    """The item as the batch will carry it (a file with the hash it was planned
    with), and its line of the batch key."""
    if isinstance(item, InputError):
        return item, f"error\t{item.source}\t{item.doc_id}\t{item.stage}\t{item}"
    try:
        content = item.content_hash()
        if item.path is not None:
            item = replace(item, planned_sha256=content)
    except OSError as error:  # unreadable now: the worker will report it
        content = f"unreadable:{error}"
    return item, f"{item.doc_id}\t{item.locator}\t{content}"


@functools.cache
def code_fingerprint() -> bytes:
    """A digest of the pipeline's own code and data files: on --resume, parts an
    earlier version wrote are redone, never mixed into one table with this one's."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for package in ("pipeline", "extractors"):
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and path.suffix in CODE_SUFFIXES:
                digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0" + path.read_bytes())
    return digest.digest()


def plan(inputs: Iterable[str | os.PathLike]) -> Iterator[Batch]:
    """Batches in input order; a repeated doc_id becomes an error item."""
    seen: dict[str, str] = {}
    items: list[Source | InputError] = []
    # editing a user alias/family table, or upgrading the pipeline, redoes every batch on --resume
    seed = PART_FORMAT + code_fingerprint() + fingerprint()
    digest = hashlib.sha256(seed)
    for item in discover(inputs):
        if isinstance(item, Source):
            if item.doc_id in seen:
                item = InputError(
                    "discover",
                    f"duplicate doc_id {item.doc_id!r}: already produced by {seen[item.doc_id]}",
                    source=item.locator,
                    doc_id=item.doc_id,
                )
            else:
                seen[item.doc_id] = item.locator
        item, key = _planned(item)
        items.append(item)
        digest.update(key.encode("utf-8") + b"\n")
        closes = isinstance(item, Source) and _closes_batch(item.doc_id)
        if closes or len(items) >= BATCH_MAX:
            yield Batch(digest.hexdigest()[:32], items)
            items, digest = [], hashlib.sha256(seed)
    if items:
        yield Batch(digest.hexdigest()[:32], items)


# ---------------------------------------------------------------- one batch


def document_columns(doc: Document) -> dict[str, dict[str, list]]:
    """The rows one document contributes to each table, as columns in schema
    order: the write stage appends them to its batch's columns (a dict per row,
    then columns from the dicts, cost twice as much)."""
    doc_id, text, tasks, removed = doc.doc_id, doc.text, doc.tasks, doc.removed
    columns: dict[str, dict[str, list]] = {
        "documents": {
            "doc_id": [doc_id],
            "source": [doc.source],
            "format": [doc.format],
            "encoding": [doc.encoding],
            "content_sha256": [doc.content_sha256],
            **{k: [doc.fields.get(k)] for k in ("title", "doc_number", "issuer", "issue_date", "region")},
            "script": [doc.script],
            "had_pinyin": [doc.pinyin_removed > 0],
            "pinyin_removed": [doc.pinyin_removed],
            "n_chars": [len(text)],
            "n_removed_lines": [len(removed)],
            "n_tasks": [len(tasks)],
            "text": [text],
        },
        "tasks": {
            "doc_id": [doc_id] * len(tasks),
            "task_id": [t.task_id for t in tasks],
            "parent_id": [t.parent_id for t in tasks],
            "level": [t.level for t in tasks],
            "label": [t.label for t in tasks],
            "heading": [t.heading for t in tasks],
            "section": [t.section for t in tasks],
            "inline": [t.inline for t in tasks],
            "text": [text[t.char_start : t.char_end] for t in tasks],
            "char_start": [t.char_start for t in tasks],
            "char_end": [t.char_end for t in tasks],
        },
        "removed_lines": {
            "doc_id": [doc_id] * len(removed),
            "line_no": [r.line_no for r in removed],
            "text": [r.text for r in removed],
            "reason": [r.reason for r in removed],
        },
    }
    for kind, records in doc.records.items():
        columns[kind] = {"doc_id": [doc_id] * len(records)}
        for name in SCHEMAS[kind].names[1:]:  # the record's fields, after doc_id
            columns[kind][name] = [record.get(name) for record in records]
    return columns


def document_rows(doc: Document) -> dict[str, list[dict]]:
    """The rows one document contributes to each table."""
    return {table: [dict(zip(columns, row)) for row in zip(*columns.values())]
            for table, columns in document_columns(doc).items()}


def warm_up(time_limit: float = DOC_TIME_LIMIT) -> bool:
    """Load what every batch needs once, in a parent before it forks workers:
    the stages' tables, and pandas, which pyarrow imports on its first
    conversion of Python values (~0.4 s that each worker would pay again).
    It runs every stage, so it has a document's time limit: past it, it
    returns False and the run goes on without it, each document meeting the
    fault on its own."""
    try:
        doc = _within(time_limit, process_warm_up)
    except DocumentTimeout:
        return False
    for table, rows in document_rows(doc).items():
        pa.Table.from_pylist(rows, schema=SCHEMAS[table])
    return True


def _error_columns(source: str | None, doc_id: str | None, stage: str, message: str) -> dict[str, list]:
    """One errors row, as columns (document_columns)."""
    return {"source": [source], "doc_id": [doc_id], "stage": [stage], "error": [message]}


def _within(limit: float, function, *args):
    """function(*args), interrupted after `limit` seconds where signals allow
    it (the main thread of a process: the local engines). Elsewhere (Dask's
    worker threads) the bounded patterns are the only guard."""
    if limit <= 0 or threading.current_thread() is not threading.main_thread():
        return function(*args)

    def expire(signum, frame):
        raise DocumentTimeout(f"took longer than {limit:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return function(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Parts:
    """One batch's part files, written while its documents are processed: the
    rows of every FLUSH_DOCS documents become one Arrow record batch, so a
    worker holds at most that many documents' rows as Python objects, not a
    whole batch's (up to BATCH_MAX: its peak memory would grow with the corpus,
    as longer batches turn up). Smaller flushes cost more in writing."""

    def __init__(self, folder: Path):
        started = time.perf_counter()
        folder.mkdir(parents=True)
        self.files = {table: open(folder / f"{table}{PART_SUFFIX}", "wb") for table in SCHEMAS}
        # Each flush's IPC bytes become one zstd frame of their own (a reader sees one
        # stream): a compressor kept open for the whole batch grows its window with the
        # batch, and a worker's peak memory with the longest batch it meets.
        self.sinks = {table: io.BytesIO() for table in SCHEMAS}
        self.writers = {table: pa.ipc.new_stream(self.sinks[table], schema) for table, schema in SCHEMAS.items()}
        self.pending = {table: {name: [] for name in schema.names} for table, schema in SCHEMAS.items()}
        self.counts = dict.fromkeys(SCHEMAS, 0)
        self.seconds = time.perf_counter() - started  # the write stage's time: files, rows, conversion

    def add_document(self, doc: Document) -> None:
        """Append the rows document_columns gives for doc."""
        started = time.perf_counter()
        for table, columns in document_columns(doc).items():
            self.add(table, columns)
        self.seconds += time.perf_counter() - started

    def add(self, table: str, columns: dict[str, list]) -> None:
        pending = self.pending[table]
        for name, values in columns.items():
            pending[name].extend(values)
        self.counts[table] += len(columns["doc_id"])

    def flush(self) -> None:
        started = time.perf_counter()
        for table, columns in self.pending.items():
            if columns["doc_id"]:
                self.writers[table].write_table(pa.Table.from_pydict(columns, schema=SCHEMAS[table]))
                for values in columns.values():
                    values.clear()
                self._compress(table)
        self.seconds += time.perf_counter() - started

    def _compress(self, table: str) -> None:
        """Append what the table's IPC stream wrote since the last call, as one zstd frame."""
        sink = self.sinks[table]
        if sink.tell():
            self.files[table].write(_PART_CODEC.compress(sink.getbuffer(), asbytes=True))
            sink.seek(0)
            sink.truncate()

    def close(self) -> None:
        self.flush()
        for table, writer in self.writers.items():
            writer.close()  # the IPC stream's end marker (and the schema of a table without rows)
            self._compress(table)
            self.files[table].close()


def process_batch(batch: Batch, parts_dir: str, time_limit: float = DOC_TIME_LIMIT) -> BatchResult:
    """Process one batch and write its parts folder atomically. Idempotent:
    a batch already written (by a retry elsewhere) is left as it is."""
    final = Path(parts_dir) / batch.key
    result = BatchResult(batch.key)
    if final.is_dir():
        return _read_result(final, skipped=True)
    temp = Path(parts_dir) / f".tmp-{batch.key}-{uuid.uuid4().hex[:8]}"
    parts = _Parts(temp)
    errors: Counter = Counter()
    for number, item in enumerate(batch.items):
        if number and number % FLUSH_DOCS == 0:
            parts.flush()
        if isinstance(item, InputError):
            parts.add("errors", _error_columns(item.source, item.doc_id, item.stage, str(item)))
            errors[item.stage] += 1
            continue
        try:
            doc = _within(time_limit, process, item)
        except (InputError, StageError) as error:
            parts.add("errors", _error_columns(item.locator, item.doc_id, error.stage, str(error)))
            errors[error.stage] += 1
            continue
        except DocumentTimeout as error:
            parts.add("errors", _error_columns(item.locator, item.doc_id, "timeout", str(error)))
            errors["timeout"] += 1
            continue
        result.documents += 1
        result.changed += item.planned_sha256 not in (None, doc.content_sha256)
        result.chars += len(doc.text)
        for stage, seconds in doc.timings.items():
            result.seconds[stage] = result.seconds.get(stage, 0.0) + seconds
        parts.add_document(doc)
    parts.close()
    result.errors = dict(errors)
    result.rows = parts.counts
    result.seconds["write"] = parts.seconds
    (temp / "result.json").write_text(json.dumps(result.__dict__), encoding="utf-8")
    try:
        os.rename(temp, final)  # atomic: the folder is whole or absent
    except OSError:  # the same batch finished first elsewhere (a retried task)
        shutil.rmtree(temp, ignore_errors=True)
    return result


def _read_result(folder: Path, skipped: bool) -> BatchResult:
    data = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    result = BatchResult(**data)
    result.skipped = skipped
    return result


# ---------------------------------------------------------------- the run


@dataclass
class RunSummary:
    out_dir: Path
    engine: str = "local"
    workers: int = 1
    time_limit: float = DOC_TIME_LIMIT
    warm_up_skipped: bool = False  # the engine's warm-up ran past time_limit
    documents: int = 0
    skipped_batches: int = 0
    changed_documents: int = 0  # files edited while the run read them
    batches: int = 0
    errors: Counter = field(default_factory=Counter)  # stage -> count
    rows: dict[str, int] = field(default_factory=dict)
    chars: int = 0
    stage_seconds: Counter = field(default_factory=Counter)
    # the run's once-only steps, which do not split over workers: "start" (tables loaded,
    # workers started), "compact", "citations" (linking), "database"
    fixed_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, result: BatchResult) -> None:
        self.batches += 1
        self.skipped_batches += result.skipped
        self.changed_documents += result.changed
        self.documents += result.documents
        self.chars += result.chars
        self.errors.update(result.errors)
        self.stage_seconds.update(result.seconds)

    def render(self) -> str:
        from pipeline.database import DATABASE

        failed = sum(self.errors.values())
        lines = [
            f"Wrote tables to {self.out_dir}/",
            f"  documents: {self.documents} processed, {failed} failed"
            + (f" ({', '.join(f'{s}: {n}' for s, n in sorted(self.errors.items()))})" if failed else ""),
        ]
        if self.warm_up_skipped:
            # otherwise the timeout rows are the only trace of a stage that hangs
            lines.append(f"  warm-up skipped: it ran past the {self.time_limit:g} s per-document time limit; each document")
            lines.append("    then met the same fault on its own, and those it held past the limit are timeout rows")
        if self.skipped_batches:
            lines.append(f"  resumed: {self.skipped_batches} of {self.batches} batches were already done")
        if self.changed_documents:
            lines.append(f"  changed while read: {self.changed_documents} file(s) were edited after the run listed them;")
            lines.append("    their rows are of the bytes loaded, and --resume redoes their batches")
        for table, count in self.rows.items():
            lines.append(f"  {table + '.parquet':<22} {count:>7} rows")
        lines.append(f"  {DATABASE:<22} tables and views (policy-pipeline query / compare)")
        rate = self.documents / self.seconds if self.seconds else 0.0
        lines.append(
            f"  {self.seconds:.1f} s, {rate:.1f} documents/s, {self.engine} engine, {self.workers} worker(s)"
        )
        if self.fixed_seconds:
            steps = ", ".join(f"{step} {sec:.2f} s" for step, sec in self.fixed_seconds.items())
            lines.append(f"  once per run: {steps}")
        return "\n".join(lines)

    @contextmanager
    def timed(self, step: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.fixed_seconds[step] = time.perf_counter() - started


def run(
    inputs: Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    *,
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    resume: bool = False,
    time_limit: float = DOC_TIME_LIMIT,
    progress=None,
) -> RunSummary:
    """Process every input and write the tables into out_dir."""
    from pipeline.database import build as build_database
    from pipeline.engines import make_engine
    from pipeline.progress import Progress

    out = Path(out_dir)
    parts = out / PARTS
    if not resume and parts.exists():
        shutil.rmtree(parts)
    parts.mkdir(parents=True, exist_ok=True)
    for stale in parts.glob(".tmp-*"):  # left by a killed run
        shutil.rmtree(stale, ignore_errors=True)

    summary = RunSummary(out_dir=out, engine=engine, workers=workers, time_limit=time_limit)
    started = time.perf_counter()
    inputs = list(inputs)
    progress = progress or Progress(total=lambda: estimate_count(inputs))
    order: list[str] = []

    def planned() -> Iterator[Batch]:
        for batch in plan(inputs):
            order.append(batch.key)
            if resume and (parts / batch.key).is_dir():
                result = _read_result(parts / batch.key, skipped=True)
                if not result.changed:
                    summary.add(result)
                    progress.update(result)
                    continue
                shutil.rmtree(parts / batch.key)
            yield batch

    # Arrow's default allocator (mimalloc) holds on to freed memory: a worker's peak
    # grew by ~40 % from 1,000 to 100,000 documents; with the system allocator it stays
    # within ~7 %. Set for the run (worker processes fork from here), then restored.
    caller_pool = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        with summary.timed("start"):
            engine_context = make_engine(engine, workers, scheduler, time_limit)
        summary.warm_up_skipped = engine_context.warm_up_skipped
        with engine_context as pool:
            for result in pool.map_batches(planned(), str(parts), time_limit):
                summary.add(result)
                progress.update(result)
        progress.close()

        # --workers is the run's CPU budget, for the steps after processing too
        with summary.timed("compact"):
            summary.rows = compact(parts, order, out, workers)
        with summary.timed("citations"):
            link_citations(out)
    finally:
        pa.set_memory_pool(caller_pool)
    with summary.timed("database"):
        build_database(out, threads=workers)
    summary.seconds = time.perf_counter() - started
    return summary


def compact(parts: Path, order: list[str], out: Path, workers: int = 1) -> dict[str, int]:
    """Concatenate the batches' parts in input order into DIR/<table>.parquet,
    up to ``workers`` tables at a time (threads: Arrow releases the GIL while it
    compresses and writes); parts no longer in the plan (edited or removed
    documents) are deleted."""
    with ThreadPoolExecutor(max(1, workers)) as pool:
        counts = dict(zip(SCHEMAS, pool.map(lambda table: _compact_table(parts, order, out, table), SCHEMAS)))
    keep = set(order)
    for folder in parts.iterdir():
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
    return counts


def _compact_table(parts: Path, order: list[str], out: Path, table: str) -> int:
    schema = SCHEMAS[table]
    temp = out / f".{table}.parquet.tmp-{os.getpid()}"
    count, pending, pending_bytes = 0, [], 0
    with pq.ParquetWriter(temp, schema, compression="zstd") as writer:
        for key in order:
            # read whole into a Python buffer: read by the IPC reader, the stream would put the
            # tables in Arrow's default allocator (mimalloc), not the system one the run chose
            with pa.CompressedInputStream(str(parts / key / f"{table}{PART_SUFFIX}"), PART_CODEC) as source:
                part = pa.ipc.open_stream(source.read_buffer(), options=_PART_READ_OPTIONS).read_all()
            count += part.num_rows
            pending.append(part)
            pending_bytes += part.nbytes
            # row groups of many batches: a batch's few rows each would bloat the
            # footer and slow every reader at 100,000 documents
            if pending_bytes >= ROW_GROUP_BYTES:
                writer.write_table(pa.concat_tables(pending))
                pending, pending_bytes = [], 0
        if pending:
            writer.write_table(pa.concat_tables(pending))
    os.replace(temp, out / f"{table}.parquet")
    return count


def link_citations(out: Path) -> None:
    """Fill citations.cited_doc_id now that every document of the run is known
    (extractors.citations.link); citations.parquet is rewritten (temp file, then rename)."""
    from extractors.citations import link

    # ParquetFile, not read_table: read_table imports pyarrow.dataset (~0.4 s) for nothing here
    documents = pq.ParquetFile(out / "documents.parquet").read(columns=["doc_id", "title", "doc_number"]).to_pylist()
    schema = SCHEMAS["citations"]
    table = pq.ParquetFile(out / "citations.parquet").read().cast(schema)
    column = schema.get_field_index("cited_doc_id")
    linked = pa.array(link(table.to_pylist(), documents), type=schema.field(column).type)
    temp = out / f".citations.parquet.tmp-{os.getpid()}"
    pq.write_table(table.set_column(column, schema.field(column), linked), temp, compression="zstd")
    os.replace(temp, out / "citations.parquet")
