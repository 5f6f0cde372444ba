"""A run's tables as spaCy Docs: one Doc per document, one span group per record table.

``make_doc`` is the one place that turns a document's row and its records into a spaCy
``Doc``; the review pages (``pipeline/review.py``) render its span groups and
``export_spacy`` writes them as a ``DocBin`` (a format other NLP systems read)::

    import spacy
    from spacy.tokens import DocBin
    nlp = spacy.blank("zh")
    for doc in DocBin().from_disk("outputs/corpus/spans.spacy").get_docs(nlp.vocab):
        for span in doc.spans["targets"]:
            record = doc.user_data["records"]["targets"][int(span.id_)]

The Doc is ``spacy.blank("zh")`` over ``documents.text``: its default segmenter makes one
token per character, so every record's offsets align (``doc.char_span(char_start,
char_end, alignment_mode="expand")``).

- ``doc.spans[group]``: one group per table whose rows carry ``doc_id``, ``char_start`` and
  ``char_end`` — ``units``, ``targets``, ``deadlines``, ``phases``, ``tasks``, and any such
  table a run adds later. ``span.label_`` is the group name, ``span.id_`` the index of the
  span's record in ``doc.user_data["records"][group]``. A record whose offsets select no
  character (empty or out of range) has no span but stays in the records.
- ``doc.user_data``: ``doc_id``, ``title``, ``fields`` (the ``documents`` row without its
  text) and ``records`` (group -> the table's rows for the document, in table order,
  without ``doc_id``); values are plain JSON types (dates and other types as strings).
"""
from __future__ import annotations

import functools
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pipeline.score import load_predictions

RECORD_KINDS = ("units", "targets", "deadlines", "phases")  # highlighted in the review pages
OUTLINE = "tasks"
_OFFSET_COLUMNS = {"doc_id", "char_start", "char_end"}
_TABLE_NAME = re.compile(r"[a-z][a-z0-9_]*")  # also safe in HTML ids and URLs

Record = dict[str, Any]


@functools.cache
def blank_zh():
    import spacy  # imported lazily: ~1 s, and `run` never needs it

    return spacy.blank("zh")


def span_tables(run_dir: str | os.PathLike) -> list[str]:
    """Tables of a run whose rows point into documents.text: known kinds first, in order."""
    order = (*RECORD_KINDS, OUTLINE)
    found = [path.stem for path in Path(run_dir).glob("*.parquet")
             if _TABLE_NAME.fullmatch(path.stem) and path.stem != "documents"
             and _OFFSET_COLUMNS <= set(pq.read_schema(path).names)]
    return sorted(found, key=lambda t: (order.index(t) if t in order else len(order), t))


@dataclass
class RunTables:
    documents: list[Record]  # the documents rows, in table order
    records: dict[str, dict[str, list[Record]]]  # span table -> doc_id -> rows in table order

    def of(self, doc_id: str) -> dict[str, list[Record]]:
        return {table: by_doc.get(doc_id, []) for table, by_doc in self.records.items()}


def load_run(run_dir: str | os.PathLike) -> RunTables:
    if not (Path(run_dir) / "documents.parquet").is_file():
        raise FileNotFoundError(f"{run_dir}: no documents.parquet (not a folder `policy-pipeline run` wrote)")
    tables = load_predictions(run_dir, ["documents", *span_tables(run_dir)])
    documents = [row for rows in tables.pop("documents").values() for row in rows]
    return RunTables(documents, tables)


def _plain(value: Any) -> Any:
    """A value msgpack (DocBin) and JSON (review pages) both carry: NaN as None, dates etc. as str."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def make_doc(document: Record, records: dict[str, list[Record]]):
    """The spaCy Doc of one document row and its records (table -> rows); see the module doc."""
    text = document.get("text") or ""
    doc = blank_zh().make_doc(text)
    doc.user_data.update(
        doc_id=document.get("doc_id"),
        title=document.get("title"),
        fields={k: _plain(v) for k, v in document.items() if k != "text"},
        records={group: [{k: _plain(v) for k, v in row.items() if k != "doc_id"} for row in rows]
                 for group, rows in records.items()},
    )
    for group, rows in records.items():
        spans = []
        for i, row in enumerate(rows):
            start, end = row.get("char_start"), row.get("char_end")
            if start is None or end is None or not 0 <= start < end <= len(text):
                continue
            span = doc.char_span(start, end, label=group, alignment_mode="expand")
            if span is not None and len(span):
                span.id_ = str(i)
                spans.append(span)
        doc.spans[group] = spans
    return doc


def export_spacy(run_dir: str | os.PathLike, out: str | os.PathLike | None = None) -> tuple[Path, int]:
    """Write every document of a run as a Doc into a DocBin file (default DIR/spans.spacy)."""
    from spacy.tokens import DocBin

    tables = load_run(run_dir)
    out = Path(out) if out else Path(run_dir) / "spans.spacy"
    docs = DocBin(store_user_data=True)
    for document in tables.documents:
        docs.add(make_doc(document, tables.of(document["doc_id"])))
    out.parent.mkdir(parents=True, exist_ok=True)
    docs.to_disk(out)
    return out, len(docs)
