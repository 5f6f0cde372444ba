"""The per-document pipeline: one pure function from a source to a Document.

Everything that runs many documents (the run loop, the worker pools and Dask
engines of pipeline/engines.py) calls `process` and never reaches inside it.
"""
from __future__ import annotations

import functools
import time
from pathlib import Path

from extractors import EXTRACTORS
from pipeline.clean import clean
from pipeline.document import Document
from pipeline.fields import extract_fields
from pipeline.ingest import Loaded, load
from pipeline.normalise import normalise
from pipeline.outline import segment
from pipeline.sources import InputError, Source


class StageError(Exception):
    """A document failed in one stage; the run records it and goes on."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage


class DocumentTimeout(Exception):
    """A document ran past its time limit (raised from a timer signal)."""


def _run_stage(timings: dict[str, float], stage: str, function, *args):
    started = time.perf_counter()
    try:
        return function(*args)
    except (InputError, StageError, DocumentTimeout):
        raise
    except RecursionError as error:
        raise StageError(stage, f"input nests too deeply: {error}") from error
    except Exception as error:  # any bug or bad input in a stage is this document's error, not the run's
        raise StageError(stage, f"{type(error).__name__}: {error}") from error
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started


def build(doc_id: str, source: str, loaded: Loaded) -> Document:
    """Normalise, clean, segment, read fields and extract one loaded document
    (fields after the outline: they read the lines before the first task)."""

    doc = Document(doc_id=doc_id, source=source, format=loaded.format, encoding=loaded.encoding)
    doc.content_sha256 = loaded.sha256
    stage = functools.partial(_run_stage, doc.timings)
    normalised = stage("normalise", normalise, loaded.text)
    doc.script, doc.pinyin_removed = normalised.script, normalised.pinyin_removed
    cleaned = stage("clean", clean, normalised.text)
    doc.text, doc.removed, doc.metadata = cleaned.text, cleaned.removed, cleaned.metadata
    doc.tasks = stage("outline", segment, doc.text, doc.line_spans())
    first_task = doc.tasks[0].char_start if doc.tasks else None
    doc.fields = stage("fields", extract_fields, doc.text, first_task, doc.metadata)
    for kind, extract in EXTRACTORS.items():
        doc.records[kind] = stage("extract", extract, doc)
    return doc


def process(source: Source) -> Document:
    """Load and build one source; raises InputError or StageError."""
    timings: dict[str, float] = {}
    loaded = _run_stage(timings, "load", load, source)
    doc = build(source.doc_id, source.locator, loaded)
    doc.timings["load"] = timings["load"]
    return doc


def process_path(path: str | Path) -> Document:
    path = Path(path)
    return process(Source(doc_id=path.stem, locator=str(path), path=path))


def process_text(text: str, doc_id: str = "text") -> Document:
    """Run the pipeline on a string (decoded plain text or HTML)."""
    return process(Source(doc_id=doc_id, locator="<text>", text=text))


def warm_up() -> Document:
    """Import every stage and load its tables (~0.5 s) once, e.g. in a parent
    process before it forks workers, so each worker need not do it again."""
    return process_text("张掖市人民政府\n一、到2015年,覆盖率达到70%以上。(牵头单位:市质监局)", doc_id="warm-up")
