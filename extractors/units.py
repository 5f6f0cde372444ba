"""Responsible units (ANNOTATION §4).

Three shapes produce rows:

1. marker lists — ``(牵头单位:A、B;配合单位:C)`` inside a parenthesis, or a
   marker heading its own line/sentence (``责任单位:市市场监督管理局``);
2. State Council style closing parentheses — ``(市发展改革委牵头,市财政局、
   市统计局配合)``, ``(市商务局、市市场监管局负责落实)``;
3. ``由X牵头`` in running text. A following ``,Y配合`` is prose, not a marker
   (gold/GUIDELINES.md: the closing-parenthesis ``X配合`` form needs the
   parenthesis; prose 配合/参与 with a body as subject gives no row).

Every hit is found by a compiled regex over the text; the list parsing runs
only on the bracketed or line span around a hit. Lists are split at
parenthesis depth 0 so ``各县(市、区)人民政府`` stays one name. Where no
marker word vouches for a list (shapes 2 and 3, and markers outside
parentheses) every name must look like an organisation, and a marker line next
to page-metadata fields is ignored.

Each name also gets its canonical full name, function and collective flag from
the alias table (pipeline/canonical.py), read against the document's region.
"""
from __future__ import annotations

from typing import Any

import regex

from pipeline.canonical import canonical_unit, unit_table

from . import common
from .common import alternation, compile_at_end, line_bounds, load_data, split_top_level, task_index, unmatched_open

_CFG = load_data("units.yaml")
ROLE_OF_MARKER: dict[str, str] = {m: role for role, ms in _CFG["markers"].items() for m in ms}
ROLE_OF_VERB: dict[str, str] = {v: role for role, vs in _CFG["verbs"].items() for v in vs}
SEPARATORS = set(_CFG["separators"])
DROP_TAILS = tuple(sorted(_CFG["drop_tails"], key=len, reverse=True))
DROP_HEADS = tuple(sorted(_CFG["drop_heads"], key=len, reverse=True))
FORBIDDEN = frozenset(_CFG["name_forbidden"])
NAME_MAX = int(_CFG["name_max_len"])
RUNNING_MARKER = _CFG["running_lead_marker"]

_SP = r"[ \t\u3000\u00a0]*"
MARKER_RE = regex.compile(rf"(?P<marker>{alternation(ROLE_OF_MARKER)}){_SP}[:：]")
_VERBS = alternation(ROLE_OF_VERB)
_ADVERBS = alternation(_CFG["verb_adverbs"])
VERB_CLOSE_RE = regex.compile(rf"{_VERBS}{_SP}[)）]")
CLAUSE_VERB_RE = compile_at_end(rf"(?:{_ADVERBS})?(?P<verb>{_VERBS}){_SP}$")
_NOT_NAME = r"[^由，。；,;:：!?！？\n]"
RUNNING_RE = regex.compile(rf"由(?P<x>{_NOT_NAME}{{2,60}}?)(?P<verb>牵头)")
ORG_RE = compile_at_end(rf"(?:{alternation(_CFG['org_suffixes'])})$")
_TRAILING_PAREN_RE = regex.compile(r"[(（][^()（）]{1,20}[)）]$")
METADATA_RE = regex.compile(rf"{alternation(_CFG['metadata_fields'])}{_SP}[:：|]")
OPEN, CLOSE = "(（", ")）"
PAREN_WINDOW = 400  # how far a hit may sit from its opening parenthesis


LINE_WINDOW = 1000  # lines are looked at no further than this around a hit


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    return line_bounds(text, pos, LINE_WINDOW)


def enclosing_open(text: str, pos: int) -> int | None:
    """Index of the unmatched '(' enclosing pos on its line, if any."""
    return unmatched_open(text, pos, _line_bounds(text, pos)[0], PAREN_WINDOW)


def matching_close(text: str, open_pos: int) -> int | None:
    _, line_end = _line_bounds(text, open_pos)
    return common.matching_close(text, open_pos, min(line_end, open_pos + 2 * PAREN_WINDOW))


def split_names(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Split text[start:end] on list separators at depth 0 → (name, start, end),
    names stripped of whitespace, leading 由 and a trailing 等."""
    out: list[tuple[str, int, int]] = []
    for s, e in split_top_level(text, start, end, SEPARATORS, OPEN, CLOSE):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        name = text[s:e]
        # the one-call tuple tests skip the loops for the many names with nothing to drop
        for head in DROP_HEADS if name.startswith(DROP_HEADS) else ():
            if name.startswith(head) and len(name) > len(head) + 1:
                s += len(head)
                name = name[len(head):]
                break
        for tail in DROP_TAILS if name.endswith(DROP_TAILS) else ():
            if name.endswith(tail) and len(name) > len(tail):
                e -= len(tail)
                name = name[: -len(tail)]
                break
        if name:
            out.append((name, s, e))
    return out


def valid_name(name: str) -> bool:
    return 2 <= len(name) <= NAME_MAX and FORBIDDEN.isdisjoint(name)


def org_like(name: str) -> bool:
    if not valid_name(name):
        return False
    core = _TRAILING_PAREN_RE.sub("", name)
    return bool(ORG_RE.search(core))


def _group(names: list[tuple[str, int, int]], role: str, marker: str) -> list[dict[str, Any]]:
    rows, seen = [], set()
    for name, s, e in names:
        if name in seen:
            continue
        seen.add(name)
        rows.append({"unit": name, "role": role, "rank": len(rows) + 1, "marker": marker,
                     "char_start": s, "char_end": e})
    return rows


def parse_marker_body(text: str, start: int, end: int, strict: bool) -> list[dict[str, Any]]:
    """Rows for every marker list in text[start:end]; a marker repeated by
    mistake (责任单位:责任单位:…) has an empty first list and yields nothing."""
    hits = list(MARKER_RE.finditer(text, start, end))
    rows: list[dict[str, Any]] = []
    for k, m in enumerate(hits):
        list_end = hits[k + 1].start() if k + 1 < len(hits) else end
        names = split_names(text, m.end(), list_end)
        if strict:
            if not names or not all(org_like(n) for n, _, _ in names):
                continue
        else:
            names = [x for x in names if valid_name(x[0])]
        rows += _group(names, ROLE_OF_MARKER[m["marker"]], m["marker"])
    return rows


def parse_verb_body(text: str, start: int, end: int) -> list[dict[str, Any]]:
    """(X牵头,Y、Z配合) → rows; all names must look like organisations."""
    rows: list[dict[str, Any]] = []
    pending: list[tuple[str, int, int]] = []
    for s, e in split_top_level(text, start, end, ",，;；", OPEN, CLOSE):
        m = CLAUSE_VERB_RE.search(text, s, e)
        if m is None:
            pending += split_names(text, s, e)
            continue
        names = pending + split_names(text, s, m.start())
        pending = []
        if not names or not all(org_like(n) for n, _, _ in names):
            return []
        rows += _group(names, ROLE_OF_VERB[m["verb"]], m["verb"])
    return rows


def _at_line_head(text: str, pos: int) -> bool:
    line_start, _ = _line_bounds(text, pos)
    head = text[line_start:pos].strip(" \t\u3000\u00a0【】[]·•●■◆-—")
    if not head:
        return True
    return text[pos - 1] in "。；;！？"


def _near_metadata(text: str, pos: int) -> bool:
    line_start, line_end = _line_bounds(text, pos)
    prev_start, _ = _line_bounds(text, max(0, line_start - 1))
    _, next_end = _line_bounds(text, min(len(text), line_end + 1))
    window = text[prev_start:next_end] if line_start else text[line_start:next_end]
    return bool(METADATA_RE.search(window)) or "|" in text[line_start:line_end]


def extract(doc: Any) -> list[dict[str, Any]]:
    text: str = doc.text
    index = task_index(doc)
    found: list[tuple[int, list[dict[str, Any]]]] = []  # (anchor offset, rows)
    parens: set[int] = set()
    paren_spans: list[tuple[int, int]] = []

    for m in MARKER_RE.finditer(text):
        op = enclosing_open(text, m.start())
        if op is not None:
            if op in parens:
                continue
            cl = matching_close(text, op)
            end = cl if cl is not None else _line_bounds(text, op)[1]
            parens.add(op)
            paren_spans.append((op, end))
            found.append((op, parse_marker_body(text, op + 1, end, strict=False)))
        elif _at_line_head(text, m.start()) and not _near_metadata(text, m.start()):
            _, line_end = _line_bounds(text, m.start())
            stop = text.find("。", m.start(), line_end)
            end = line_end if stop < 0 else stop
            found.append((m.start(), parse_marker_body(text, m.start(), end, strict=True)))

    for m in VERB_CLOSE_RE.finditer(text):
        cl = m.end() - 1
        op = enclosing_open(text, cl)
        if op is None or op in parens:
            continue
        parens.add(op)
        paren_spans.append((op, cl))
        found.append((op, parse_verb_body(text, op + 1, cl)))

    for m in RUNNING_RE.finditer(text):
        if any(s <= m.start() < e for s, e in paren_spans):
            continue
        names = split_names(text, m.start("x"), m.end("x"))
        if not names or not all(org_like(n) for n, _, _ in names):
            continue
        found.append((m.start(), _group(names, "lead", RUNNING_MARKER)))

    records: list[dict[str, Any]] = []
    region = (doc.fields or {}).get("region")
    table = unit_table()
    for anchor, rows in sorted(found, key=lambda x: x[0]):
        task_id = index.innermost(anchor, numbered=True)
        for row in rows:
            unit = row.pop("unit")
            records.append({"task_id": task_id, "unit": unit, **canonical_unit(unit, region, table), **row})
    return records
