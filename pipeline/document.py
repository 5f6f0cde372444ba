"""The shared document object that every stage reads and fills in.

Like a spaCy ``Doc``, one ``Document`` travels through the stages
(load → normalise → clean → outline → fields → extract); each stage adds its
own attributes and never reaches into another stage's internals. Offsets
(``char_start``/``char_end``, end exclusive) always index ``Document.text``,
the clean text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class RemovedLine:
    """A line of the normalised input that the cleaner dropped, and why."""

    line_no: int  # 0-based index among the normalised lines
    text: str
    reason: str  # name of the boilerplate rule that matched


@dataclass(slots=True)
class TaskNode:
    """One item of the document's numbered outline (ANNOTATION §3)."""

    task_id: str  # unique within the document: "t001", "t002", … in reading order
    parent_id: str | None
    level: int  # 1 一、 · 2 (一) · 3 1. · 4 (1) · 5 ① ; inline 一是… items: parent level + 1
    label: str  # as printed: "一、", "(三)", "1.", "一是"
    heading: str
    section: str | None  # heading of the level-1 ancestor (or own heading at level 1)
    char_start: int
    char_end: int
    inline: bool = False  # an inline enumeration item (一是/二要…) rather than a numbered line


@dataclass(slots=True)
class Document:
    doc_id: str
    source: str  # path (or record locator) of the input
    format: str = "text"  # "text" | "html" | "html-fragment"
    encoding: str | None = None
    content_sha256: str = ""  # of the raw input bytes (records: of their UTF-8 text)
    text: str = ""  # clean text: the only thing offsets point into
    script: str | None = None  # "simplified" | "traditional" | "mixed"
    pinyin_removed: int = 0
    removed: list[RemovedLine] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)  # title, doc_number, issuer, issue_date, region
    metadata: dict[str, str] = field(default_factory=dict)  # fields read from removed page-metadata lines
    tasks: list[TaskNode] = field(default_factory=list)
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # kind -> records
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds spent on this document
    # Structures derived from text and tasks (task index, quoted spans), built once by
    # the first extractor that needs one and shared by the rest; never written out.
    views: dict[str, Any] = field(default_factory=dict, repr=False)

    def line_spans(self) -> list[tuple[int, int]]:
        """(start, end) of every line of the clean text, end exclusive, newline excluded."""
        spans, start = [], 0
        for line in self.text.split("\n"):
            spans.append((start, start + len(line)))
            start += len(line) + 1
        return spans
