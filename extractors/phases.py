"""Phases of the implementation schedule (ANNOTATION §7).

A phase is a named step with a time span: ``(一)启动阶段(2010年6月-2011年7月)``,
``第一阶段:宣传发动阶段(5月1日-5月15日)``, ``1.准备阶段:2019年6月-7月``, or the
span-first form ``从即日起至7月中旬为宣传发动阶段``. Schedules are found under
headings such as 实施步骤/工作步骤/进度安排 or after a sentence such as
``…共分三个阶段:``. A labelled step with a span is accepted anywhere; a step
without a label only inside a schedule. A period with no step name
(``5至6月,各地…``) is not a phase, and neither is a named step that prints no
time span (ANNOTATION §7: a phase has a name and a time span).

Years: the end of a span takes the start's year; a span with no year takes the
first year written where the schedule is introduced, else the issue date's year,
else its dates are null. ``即日起`` starts on the issue date.
"""
from __future__ import annotations

from typing import Any

import regex

from .common import alternation, issue_year, line_bounds, load_data, records_of, task_index
from .numbers import DATE_SPAN, YEAR, parse_year, resolve_span, span_from_match

_CFG = load_data("phases.yaml")
_SP = r"[ \t\u3000\u00a0]*"
HEADING_RE = regex.compile(alternation(_CFG["schedule_headings"]))
INTRO_RE = regex.compile("|".join(_CFG["schedule_intro_patterns"]))
_SUFFIX = alternation(_CFG["name_suffixes"])
NOT_NAMES = set(_CFG["not_names"])
_NAME = rf"[\p{{Han}}“”]{{1,{int(_CFG['name_max_chars'])}}}?{_SUFFIX}(?!性)"
_ORD = _CFG["ordinal_pattern"]
_LABEL = _CFG["label_pattern"]
_LEAD = alternation(_CFG["span_lead"])

# A step at the start of a line: label, ordinal, name, then a span in brackets,
# after a colon, or in the next sentence when a lead word opens it (排查阶段。时间为…).
LINE_RE = regex.compile(
    rf"{_SP}(?P<label>{_LABEL})?{_SP}(?:(?P<ord>{_ORD}){_SP}[:：、,，]?{_SP})?(?P<name>{_NAME})?"
    rf"(?:{_SP}(?:[(（](?P<inner>{DATE_SPAN})[)）]|(?:[:：,，]?{_SP}(?:{_LEAD})?|。{_SP}(?:{_LEAD})){_SP}(?P<outer>{DATE_SPAN})(?=[,，。;；:：)）\s]|$)))?")
# Span first: 从即日起至7月中旬为宣传发动阶段.
SPAN_FIRST_RE = regex.compile(rf"(?P<span>{DATE_SPAN})(?:为|是){_SP}(?P<name>{_NAME})")
# Its tail alone: a region without one cannot hold a match, and DATE_SPAN,
# which can start almost anywhere, is then not tried at every position.
SPAN_FIRST_TAIL_RE = regex.compile(rf"(?:为|是){_SP}{_NAME}")
YEAR_RE = regex.compile(rf"(?P<y>{YEAR})年")
# Every LINE_RE match worth reading holds a name (ending in a suffix) or an
# ordinal, so only lines where this finds one are matched against LINE_RE.
STEP_WORD_RE = regex.compile(rf"{_SUFFIX}|{_ORD}")


def _lines_with(pattern: regex.Pattern, text: str) -> list[tuple[int, str]]:
    """(start, line) of each line holding a match of pattern, in order."""
    lines, last = [], -1
    for m in pattern.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        if start != last:
            end = text.find("\n", m.start())
            lines.append((start, text[start:] if end < 0 else text[start:end]))
            last = start
    return lines


def _regions(doc: Any, text: str) -> list[tuple[int, int]]:
    """Spans of the document that hold a schedule."""
    regions: list[tuple[int, int]] = []
    for t in doc.tasks:
        if HEADING_RE.search(t.heading or "") and len(t.heading or "") <= 30:
            regions.append((t.char_start, t.char_end))
    index = task_index(doc)
    for pos, line_end in doc.line_spans():
        if line_end - pos > 30 or not HEADING_RE.search(text, pos, line_end):
            continue
        if not any(s <= pos < e for s, e in regions):
            regions.append((pos, _next_heading(text, line_end)))
    for m in INTRO_RE.finditer(text):
        if any(s <= m.start() < e for s, e in regions):
            continue
        node = index.innermost_node(m.start())
        line_start, _ = line_bounds(text, m.start(), 200)
        end = node.char_end if node is not None else min(len(text), m.end() + 2000)
        regions.append((line_start, max(end, m.end())))
    return sorted(regions)


_LEVEL1_RE = regex.compile(r"\n[ \t\u3000]*(?:[一二三四五六七八九十]{1,3}、|第[一二三四五六七八九十]{1,3}[章部分条])")


def _next_heading(text: str, pos: int) -> int:
    m = _LEVEL1_RE.search(text, pos, min(len(text), pos + 4000))
    return m.start() + 1 if m else min(len(text), pos + 4000)


def _valid_name(name: str | None) -> bool:
    return bool(name) and name not in NOT_NAMES and len(name) >= 3 and not name.startswith("第")


def find_phases(doc: Any, regions: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """Phase records in reading order, with a ``region`` key (index or -1) into regions."""
    text: str = doc.text
    found: list[dict[str, Any]] = []

    def region_of(pos: int) -> int:
        for i, (s, e) in enumerate(regions):
            if s <= pos < e:
                return i
        return -1

    for pos, line in _lines_with(STEP_WORD_RE, text):
        m = LINE_RE.match(line)
        if m and (m["name"] or m["ord"]):
            rg = region_of(pos)
            span_group = "inner" if m["inner"] else ("outer" if m["outer"] else None)
            name_group = "name" if _valid_name(m["name"]) else ("ord" if m["ord"] else None)
            labelled = bool(m["label"] or m["ord"])
            if name_group and (labelled or span_group) and (rg >= 0 or (labelled and span_group)):
                start = pos + m.start(name_group)
                end = pos + (m.end() if span_group else m.end(name_group))
                if span_group == "inner":
                    end = pos + m.end("inner") + 1
                # the match holds the span's date groups (DATE_SPAN's, from whichever of
                # inner/outer matched): span_from_match reads them without a second match
                found.append({"name": m[name_group], "span": m if span_group else None, "region": rg,
                              "char_start": start, "char_end": end})

    for rg, (s, e) in enumerate(regions):
        if not SPAN_FIRST_TAIL_RE.search(text, s, e):
            continue
        for m in SPAN_FIRST_RE.finditer(text, s, e):
            if not _valid_name(m["name"]) or any(f["char_start"] <= m.start("name") < f["char_end"] for f in found):
                continue
            found.append({"name": m["name"], "span": m, "region": rg,
                          "char_start": m.start(), "char_end": m.end()})
    found.sort(key=lambda f: f["char_start"])
    return found


def extract(doc: Any) -> list[dict[str, Any]]:
    text: str = doc.text
    regions = _regions(doc, text)
    found = [f for f in find_phases(doc, regions) if f["span"] is not None]
    issue = (doc.fields or {}).get("issue_date")
    default_issue_year = issue_year(doc)
    records: list[dict[str, Any]] = []
    seq_of: dict[int, int] = {}
    for f in found:
        rg = f["region"]
        seq_of[rg] = seq_of.get(rg, 0) + 1
        year = None
        if rg >= 0:
            intro_end = min((g["char_start"] for g in found if g["region"] == rg), default=regions[rg][1])
            ym = YEAR_RE.search(text, regions[rg][0], intro_end)
            year = parse_year(ym["y"]) if ym else None
        if year is None:
            year = default_issue_year
        start = end = None
        sp = span_from_match(f["span"])
        if sp is not None:
            start, end = resolve_span(sp, year, issue)
        records.append({"seq": seq_of[rg], "name": f["name"], "start_date": start, "end_date": end,
                        "text": text[f["char_start"]:f["char_end"]],
                        "char_start": f["char_start"], "char_end": f["char_end"]})
    return records


def phase_spans(doc: Any) -> list[tuple[int, int]]:
    """Evidence spans of the phases (deadlines skip dates inside them): the
    records the phases extractor already left on the document, else found now."""
    return [(r["char_start"], r["char_end"]) for r in records_of(doc, "phases", extract)]
