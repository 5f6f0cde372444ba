"""References to other documents: ``《title》(…〔YYYY〕N号)`` (README "Comparing plans").

A row is a ``《title》`` that names a document — followed by its 发文字号, or ending
with a document-type word (通知, 意见, 纲要, 规划, …) before a tail such as
``(2011-2020年)``. Not citations: abbreviations of a title cited earlier
(``以下简称《指导意见》``, ``《意见》``), standards (``《…指南》(GB/T19004)``),
newspapers and other non-documents (``《解放日报》``), and the document's own plan as
its notice transmits it (``关于印发《X》的通知``, ``《X》已经市政府同意``, its own title
or number).

``cited_doc_id`` stays null here: ``link`` fills it once the whole run's documents
are known (pipeline/run.py calls it after compaction), matching the cited number,
else the cited title, to a document of the run.
"""
from __future__ import annotations

import unicodedata
from typing import Any, Iterable

import regex

from pipeline import fields as document_fields  # a module: pipeline.fields imports extractors
from pipeline.data import read_yaml

from .common import alternation, compile_at_end, load_data, task_index

_CFG = load_data("citations.yaml")
TITLE_RE = regex.compile(r"《(?P<title>[^《》\n]{2,150})》")
NUMBER_RE = regex.compile(
    f"{_CFG['number_lead']}(?P<number>{read_yaml('fields.yaml')['patterns']['doc_number']})"
    f"(?:{_CFG['number_close']})?")
TAIL_RE = regex.compile(_CFG["title_tail"])
TYPE_RE = compile_at_end(f"{alternation(_CFG['document_types'])}$")
NOT_DOCUMENT_RE = compile_at_end(f"{alternation(_CFG['not_documents'])}$")
QUALIFIERS = set(_CFG["abbreviation_qualifiers"])
ABBREVIATION_BEFORE_RE = regex.compile(_CFG["abbreviation_before"])
STANDARD_AFTER_RE = regex.compile(_CFG["standard_after"])
OWN_AFTER_RE = regex.compile(_CFG["own_after"])
_DRAFT = alternation(_CFG["drafts"])
DRAFT_RE = regex.compile(_DRAFT)
DRAFT_AFTER_RE = regex.compile(rf"[ \t\u3000]*[(（]{_DRAFT}")
NOISE_RE = regex.compile(f"{_CFG['title_noise']}|{_DRAFT}")
DASH_RE = regex.compile(_CFG["dashes"])
TRANSMITTAL_RE = regex.compile(_CFG["transmittal"])
LOOK_AROUND = 20  # characters read before 《 and after 》


def title_keys(title: str | None) -> list[str]:
    """How a title is compared: NFKC, without brackets, quotes, spaces and draft
    markers, dashes unified; a transmitting notice (关于印发X的通知) also as X."""
    if not title:
        return []
    titles = [title]
    inner = TRANSMITTAL_RE.search(title)
    if inner:
        titles.append(inner["inner"])
    keys = (DASH_RE.sub("-", NOISE_RE.sub("", unicodedata.normalize("NFKC", t))) for t in titles)
    return [k for k in dict.fromkeys(keys) if k]


def _normalised(number: str | None) -> str | None:
    return document_fields.normalise_doc_number(number) if number else None


def _names_a_document(title: str) -> bool:
    """Ends with a document-type word (before its tail) and is more than an
    abbreviation such as 《实施意见》."""
    core = TAIL_RE.sub("", title)
    kind = TYPE_RE.search(core)
    if kind is None or NOT_DOCUMENT_RE.search(core):
        return False
    before = core[: kind.start()]
    return bool(before) and before not in QUALIFIERS


def extract(doc: Any) -> list[dict[str, Any]]:
    text: str = doc.text
    fields = doc.fields or {}
    own_number = _normalised(fields.get("doc_number"))
    own_titles = set(title_keys(fields.get("title")))
    index = task_index(doc)
    records: list[dict[str, Any]] = []
    for m in TITLE_RE.finditer(text):
        title, end = m["title"], m.end()
        after = text[end:end + LOOK_AROUND]
        if ABBREVIATION_BEFORE_RE.search(text, max(0, m.start() - LOOK_AROUND), m.start()):
            continue
        if STANDARD_AFTER_RE.match(after) or OWN_AFTER_RE.match(after):
            continue
        if DRAFT_RE.search(title) or DRAFT_AFTER_RE.match(after):
            continue
        number_match = NUMBER_RE.match(text, end)
        number = _normalised(number_match["number"] if number_match else None)
        if number is None and not _names_a_document(title):
            continue
        if number is not None and number == own_number:
            continue
        if number is None and own_titles & set(title_keys(title)):
            continue
        if number_match:
            end = number_match.end()
        records.append({
            "task_id": index.innermost(m.start()),
            "cited_title": title,
            "cited_doc_number": number,
            "cited_doc_id": None,
            "text": text[m.start():end],
            "char_start": m.start(),
            "char_end": end,
        })
    return records


def link(citations: Iterable[dict[str, Any]], documents: Iterable[dict[str, Any]]) -> list[str | None]:
    """cited_doc_id of each citation: the first document of the run (in the
    order given) other than the citing one whose number is the cited number,
    else whose title is the cited title — unless that document's own number
    differs from a cited number."""
    by_number: dict[str, list[str]] = {}
    by_title: dict[str, list[tuple[str, str | None]]] = {}
    for d in documents:
        number = _normalised(d.get("doc_number"))
        if number:
            by_number.setdefault(number, []).append(d["doc_id"])
        for key in title_keys(d.get("title")):
            by_title.setdefault(key, []).append((d["doc_id"], number))
    linked = []
    for c in citations:
        number, citing = c["cited_doc_number"], c["doc_id"]
        hits = [i for i in by_number.get(number or "", []) if i != citing]
        hits += [i for key in title_keys(c["cited_title"]) for i, own in by_title.get(key, [])
                 if i != citing and not (number and own and own != number)]
        linked.append(hits[0] if hits else None)
    return linked
