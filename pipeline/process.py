"""The per-document pipeline: one pure function from a source to a Document.

Everything that runs many documents (the run loop, later worker pools and
clusters) calls `process` and never reaches inside it.
"""
from __future__ import annotations

from pathlib import Path

from pipeline.clean import clean
from pipeline.document import Document
from pipeline.fields import extract_fields
from pipeline.load import InputError, Loaded, Source, load
from pipeline.normalise import normalise
from pipeline.outline import segment


class StageError(Exception):
    """A document failed in one stage; the run records it and goes on."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage


def _run_stage(stage: str, function, *args):
    try:
        return function(*args)
    except (InputError, StageError):
        raise
    except Exception as error:  # any bug or bad input in a stage is this document's error, not the run's
        raise StageError(stage, f"{type(error).__name__}: {error}") from error


def build(doc_id: str, source: str, loaded: Loaded) -> Document:
    """Normalise, clean, read fields, segment and extract one loaded document."""
    from extractors import EXTRACTORS  # imported here: extractors depend on pipeline.document

    doc = Document(doc_id=doc_id, source=source, format=loaded.format, encoding=loaded.encoding)
    doc.raw_text = loaded.text
    normalised = _run_stage("normalise", normalise, loaded.text)
    doc.script, doc.pinyin_removed = normalised.script, normalised.pinyin_removed
    doc.had_pinyin = normalised.pinyin_removed > 0
    cleaned = _run_stage("clean", clean, normalised.text)
    doc.text, doc.removed, doc.metadata = cleaned.text, cleaned.removed, cleaned.metadata
    doc.tasks = _run_stage("outline", segment, doc.text, doc.line_spans())
    first_task = doc.tasks[0].char_start if doc.tasks else None
    doc.fields = _run_stage("fields", extract_fields, doc.text, first_task, doc.metadata)
    for kind, extract in EXTRACTORS.items():
        doc.records[kind] = _run_stage("extract", extract, doc)
    return doc


def process(source: Source) -> tuple[Document, str]:
    """(document, sha256 of its bytes); raises InputError or StageError."""
    loaded = _run_stage("load", load, source)
    return build(source.doc_id, str(source.path), loaded), loaded.sha256


def process_path(path: str | Path) -> Document:
    path = Path(path)
    return process(Source(path.stem, path))[0]


def process_text(text: str, doc_id: str = "text") -> Document:
    """Run the pipeline on a string (already decoded plain text)."""
    return build(doc_id, "<text>", Loaded(text=text, format="text", encoding="utf-8", sha256=""))
