"""Running the pipeline over many inputs and writing the tables.

Each table is written as it goes, one Parquet row group per batch of
documents, into a temporary file in the output folder; only a finished run
renames the files into place, so a crash never leaves a half-written table
and the tables of an earlier run stay intact until the new ones are whole.
"""
from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.document import Document
from pipeline.load import InputError, Source, discover
from pipeline.process import StageError, process
from pipeline.schemas import SCHEMAS

BATCH_DOCS = 200  # documents per row group: bounds memory however large the corpus


class TableWriter:
    """Appends rows to one Parquet table through a temp file; `commit` renames it into place."""

    def __init__(self, out_dir: Path, table: str):
        self.table = table
        self.schema = SCHEMAS[table]
        self.final = out_dir / f"{table}.parquet"
        self.temp = out_dir / f".{table}.parquet.tmp-{os.getpid()}"
        self.rows: list[dict] = []
        self.count = 0
        self._writer = pq.ParquetWriter(self.temp, self.schema, compression="zstd")

    def add(self, rows: Iterable[dict]) -> None:
        self.rows.extend(rows)

    def flush(self) -> None:
        if self.rows:
            columns = {name: [row.get(name) for row in self.rows] for name in self.schema.names}
            self._writer.write_table(pa.Table.from_pydict(columns, schema=self.schema))
            self.count += len(self.rows)
            self.rows = []

    def commit(self) -> None:
        self.flush()
        self._writer.close()
        os.replace(self.temp, self.final)

    def abort(self) -> None:
        self._writer.close()
        self.temp.unlink(missing_ok=True)


def document_rows(doc: Document, sha256: str) -> dict[str, list[dict]]:
    """The rows one document contributes to each table."""
    rows: dict[str, list[dict]] = {
        "documents": [
            {
                "doc_id": doc.doc_id,
                "source": doc.source,
                "format": doc.format,
                "encoding": doc.encoding,
                "content_sha256": sha256,
                **{k: doc.fields.get(k) for k in ("title", "doc_number", "issuer", "issue_date", "region")},
                "script": doc.script,
                "had_pinyin": doc.had_pinyin,
                "pinyin_removed": doc.pinyin_removed,
                "n_chars": len(doc.text),
                "n_removed_lines": len(doc.removed),
                "n_tasks": len(doc.tasks),
                "text": doc.text,
            }
        ],
        "tasks": [
            {
                "doc_id": doc.doc_id,
                "task_id": t.task_id,
                "parent_id": t.parent_id,
                "level": t.level,
                "label": t.label,
                "heading": t.heading,
                "section": t.section,
                "inline": t.inline,
                "text": doc.text[t.char_start : t.char_end],
                "char_start": t.char_start,
                "char_end": t.char_end,
            }
            for t in doc.tasks
        ],
        "removed_lines": [
            {"doc_id": doc.doc_id, "line_no": r.line_no, "text": r.text, "reason": r.reason} for r in doc.removed
        ],
    }
    for kind, records in doc.records.items():
        rows[kind] = [{"doc_id": doc.doc_id, **record} for record in records]
    return rows


@dataclass
class RunSummary:
    out_dir: Path
    documents: int = 0
    errors: Counter = field(default_factory=Counter)  # stage -> count
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def render(self) -> str:
        lines = [
            f"Wrote tables to {self.out_dir}/",
            f"  documents: {self.documents} processed, {sum(self.errors.values())} failed"
            + (f" ({', '.join(f'{s}: {n}' for s, n in sorted(self.errors.items()))})" if self.errors else ""),
        ]
        for table, count in self.rows.items():
            lines.append(f"  {table + '.parquet':<22} {count:>7} rows")
        rate = self.documents / self.seconds if self.seconds else 0.0
        lines.append(f"  {self.seconds:.1f} s ({rate:.1f} documents/s)")
        return "\n".join(lines)


def _error_row(source: str, doc_id: str | None, stage: str, message: str) -> dict:
    return {"source": source, "doc_id": doc_id, "stage": stage, "error": message}


def run(inputs: Iterable[str | os.PathLike], out_dir: str | os.PathLike, log=sys.stderr) -> RunSummary:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = RunSummary(out_dir=out)
    started = time.perf_counter()
    writers = {table: TableWriter(out, table) for table in SCHEMAS}
    seen: dict[str, str] = {}
    try:
        for n, item in enumerate(discover(inputs), 1):
            if isinstance(item, InputError):
                writers["errors"].add([_error_row(item.source or "", None, item.stage, str(item))])
                summary.errors[item.stage] += 1
                continue
            rows = _process_one(item, seen, summary)
            for table, table_rows in rows.items():
                writers[table].add(table_rows)
            if n % BATCH_DOCS == 0:
                for writer in writers.values():
                    writer.flush()
                print(f"  … {n} inputs, {summary.documents} documents", file=log)
        for writer in writers.values():
            writer.commit()
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    summary.rows = {table: writer.count for table, writer in writers.items()}
    summary.seconds = time.perf_counter() - started
    return summary


def _process_one(source: Source, seen: dict[str, str], summary: RunSummary) -> dict[str, list[dict]]:
    if source.doc_id in seen:
        message = f"duplicate doc_id {source.doc_id!r}: already produced by {seen[source.doc_id]}"
        summary.errors["discover"] += 1
        return {"errors": [_error_row(str(source.path), source.doc_id, "discover", message)]}
    try:
        doc, sha256 = process(source)
    except (InputError, StageError) as error:
        summary.errors[error.stage] += 1
        return {"errors": [_error_row(str(source.path), source.doc_id, error.stage, str(error))]}
    seen[source.doc_id] = str(source.path)
    summary.documents += 1
    return document_rows(doc, sha256)
