"""Deadlines (ANNOTATION §6, gold/GUIDELINES.md "deadlines").

Compiled patterns run in a fixed order; each accepted expression masks its
characters so that later, shorter patterns do not re-read it (``每年12月底前`` is
one yearly record, not also ``12月底前``):

1. recurring schedules — ``每年12月底前``, ``每季度``, ``每半年``, ``每月`` (date null);
2. spans outside phases — ``2012－2015年``, ``2015年8月1日至8月31日`` → their end;
3. dated expressions — ``到2015年``, ``2011年7月底前``, ``于2024年2月7日前``, and a
   bare year opening a clause that commits to something (``2012年,将…提高到…``);
4. quarterly milestones — ``第二季度``;
5. year-less expressions — ``年底前``, ``7月15日前``, ``到7月底``.

Not deadlines: dates inside phases, cited titles (《…(2011-2020年)》) or a plan's
own bracketed year range; starts (``自2020年1月1日起``); validity periods
(``政策期限为2016年至2018年``, ``有效期至…``); past references (a year
before the issue year, ``…以来``); relative durations (``5个工作日内``); a
period word that qualifies another body's document.

A year-less expression takes the year of the span it closes, else the year of
the issue date, else its date is null. A plan sets no deadline in its own past:
when the issue year would put one before the issue date, the expression belongs
to the document's yearly cycle if it runs one (yearly, date null: f007's
``考核年度次年…3月底前完成``), else to the occurrence nearer the issue date: a
December notice's ``1月底前`` is next January, a step a late-published plan
dates a few weeks back stays in the issue year.
"""
from __future__ import annotations

import bisect
import datetime as dt
from typing import Any

import regex

from .common import (alternation, compile_at_end, issue_year, load_data, quoted_spans_of, records_of, reports_fact,
                     sentence_bounds, task_index)
from .numbers import (CONNECTOR, DAY, MONTH, PART, YEAR, DatePoint, complete_span, nonempty_date_point, parse_number,
                      parse_year, period_end, point_from_match)
from .phases import phase_spans
from .targets import extract as extract_targets

_CFG = load_data("deadlines.yaml")
_SP = r"[ \t\u3000\u00a0]*"
KEEP = set(_CFG["prefixes"]["keep"])
DROP = set(_CFG["prefixes"]["drop"])
_PRE = alternation(KEEP | DROP)
_POST = alternation(_CFG["suffixes"])
END_PARTS = set(_CFG["end_parts"])
RECURRENCE_OF = {w: r for r, ws in _CFG["recurrence"].items() for w in ws}
START_MARKERS = set(_CFG["start_markers"])
NOT_AFTER_RE = regex.compile(alternation(_CFG["not_after"]))
QUALIFIES_RE = regex.compile(_CFG["qualifies_document"])
TOPIC_OPENS_AFTER = set(_CFG["topic_year"]["opens_after"])
TOPIC_FOLLOWED_BY = set(_CFG["topic_year"]["followed_by"])
# a forward search of the 8 characters before a hit, anchored at their end (compile_at_end
# patterns are checked against a forward search on seed text, which holds none of these words)
VALIDITY_BEFORE_RE = regex.compile(rf"{_CFG['validity_before']}{_SP}$")

REC_RE = regex.compile(
    rf"(?P<rec>{alternation(RECURRENCE_OF)})(?:年(?=底|末))?"
    rf"(?:(?P<m>{MONTH})月份?)?(?:(?P<d>{DAY})[日号])?(?P<part>{PART})?(?P<post>{_POST})?")
# 每年7月1日至次年6月30日 defines a period; it schedules nothing.
REC_SPAN_RE = regex.compile(_CFG["period_definition_after"])


_NUM_START = r"(?=[\d〇零一二三四五六七八九十])"  # cheap first-character filter
SPAN_RE = regex.compile(
    rf"(?<!\d){_NUM_START}{nonempty_date_point('a')}(?:起|开始)?{_SP}{CONNECTOR}{{1,2}}{_SP}"
    rf"{nonempty_date_point('b')}(?P<post>{_POST})?")
YEAR_RANGE_RE = regex.compile(rf"(?<!\d)(?P<ya>{YEAR}){_SP}{CONNECTOR}{{1,2}}{_SP}(?P<y>{YEAR})年(?P<part>{PART})?(?P<post>{_POST})?")
ABS_RE = regex.compile(
    rf"(?P<pre>{_PRE})?{_SP}(?P<date>(?P<y>{YEAR})年(?:(?P<m>{MONTH})月份?(?:(?P<d>{DAY})[日号])?)?"
    rf"(?P<part>{PART})?)(?P<post>{_POST})?")
QUARTER_RE = regex.compile(_CFG["quarter"].replace("{year}", YEAR))
YEAR_END_RE = regex.compile(_CFG["yearless_year_end"])
MONTH_RE = regex.compile(
    rf"(?<![\d年月〇零一二三四五六七八九十]){_NUM_START}(?P<date>(?P<m>{MONTH})月份?(?:(?P<d>{DAY})[日号])?"
    rf"(?P<part>{PART})?)(?P<post>{_POST})?")
PRE_BEFORE_RE = compile_at_end(rf"(?P<pre>{_PRE}){_SP}$")
_DATED_START_RE = compile_at_end(rf"(?P<y>{YEAR})年(?:{MONTH}月(?:{DAY}[日号])?)?{_SP}(?:起)?{_SP}{CONNECTOR}{_SP}$")


class _Mask:
    """Characters already claimed by an accepted expression or a phase."""

    def __init__(self, size: int, spans):
        self._bits = bytearray(size)
        for s, e in spans:
            self.add(s, e)

    def hit(self, s: int, e: int) -> bool:
        return self._bits.find(1, s, max(s + 1, e)) != -1

    def add(self, s: int, e: int) -> None:
        self._bits[s:e] = b"\x01" * (e - s)


def _opens_clause(text: str, s: int, e: int) -> bool:
    """A date that opens its sentence or clause and is followed by a comma: 2012年,将…"""
    if text[e:e + 1] not in TOPIC_FOLLOWED_BY:
        return False
    lo = max(0, s - 8)  # a few spaces may stand between; the look-back stays bounded
    before = text[lo:s].rstrip(" \t\u3000")
    return before[-1] in TOPIC_OPENS_AFTER if before else lo == 0


def _days(earlier: str, later: str) -> int:
    return (dt.date.fromisoformat(later) - dt.date.fromisoformat(earlier)).days


def _bracketed_alone(text: str, s: int, e: int) -> bool:
    """A plan's own year range printed alone in brackets: …计划(2016-2018年)."""
    before = text[s - 1] if s else ""
    after = text[e] if e < len(text) else ""
    return before in "(（" and (after in ")）" or after == "" or after == "\n")


def _validity_period(text: str, s: int) -> bool:
    """A validity or policy period, not a deadline: 政策期限为2016年至2018年."""
    return VALIDITY_BEFORE_RE.search(text, max(0, s - 8), s) is not None


def extract(doc: Any) -> list[dict[str, Any]]:
    text: str = doc.text
    index = task_index(doc)
    iy = issue_year(doc)
    issue = (doc.fields or {}).get("issue_date") if iy is not None else None
    quoted = quoted_spans_of(doc)
    mask = _Mask(len(text), phase_spans(doc))
    rows: list[tuple[int, int, str | None, str | None]] = []  # start, end, date, recurrence

    def blocked(s: int, e: int) -> bool:
        return mask.hit(s, e) or quoted.covers(s)

    def historical(year: int | None) -> bool:
        return year is not None and iy is not None and year < iy

    # 1. recurring schedules
    for m in REC_RE.finditer(text):
        s, e = m.span()
        if blocked(s, e):
            continue
        if REC_SPAN_RE.match(text, e):
            continue
        if not (m["m"] or m["part"] or m["post"]) and QUALIFIES_RE.match(text, e):
            continue
        if reports_fact(text, sentence_bounds(text, s)[0], s):  # 成立了…小组,每季度都开展…: reported, not scheduled
            continue
        rows.append((s, e, None, RECURRENCE_OF[m["rec"]]))
        mask.add(s, e)

    runs_yearly_cycle = any(rec == "yearly" for *_, rec in rows)

    def yearless(point: DatePoint, from_issue: bool) -> tuple[str | None, str | None]:
        """Date and recurrence of an expression whose year was not written."""
        date = period_end(point)
        if not (from_issue and date and issue and date < issue):
            return date, None
        if runs_yearly_cycle:
            return None, "yearly"
        next_year = period_end(DatePoint(point.year + 1, point.month, point.day, point.part))
        return (next_year if _days(issue, next_year) < _days(date, issue) else date), None

    # 2. spans outside phases → their end
    for rx in (SPAN_RE, YEAR_RANGE_RE):
        for m in rx.finditer(text):
            s, e = m.span()
            if blocked(s, e) or _bracketed_alone(text, s, e) or NOT_AFTER_RE.match(text, e):
                continue
            if _validity_period(text, s):
                mask.add(s, e)
                continue
            if rx is SPAN_RE:
                _, b = complete_span(point_from_match(m, "a"), point_from_match(m, "b"), iy)
            else:
                b = DatePoint(parse_year(m["y"]), None, None, m["part"])
            if historical(b.year):
                mask.add(s, e)
                continue
            rows.append((s, e, period_end(b), None))
            mask.add(s, e)

    target_starts: dict[int, list[int]] = {}  # year → where its targets start, in order
    for t in records_of(doc, "targets", extract_targets):
        if t["year"] is not None:
            target_starts.setdefault(t["year"], []).append(t["char_start"])
    for starts in target_starts.values():
        starts.sort()

    def dates_commitment(s: int, year: int | None) -> bool:
        """Whether a year opening a clause at s is after the issue year, or the year
        a target of its sentence is to reach."""
        if year is None or (iy is not None and year > iy):
            return year is not None
        starts = target_starts.get(year, [])
        k = bisect.bisect_right(starts, s)
        return k < len(starts) and starts[k] < sentence_bounds(text, s)[1]

    # 3. dated expressions
    for m in ABS_RE.finditer(text):
        s, e = m.span()
        pre, post, part = m["pre"], m["post"], m["part"]
        ds = m.start("date")
        if not (pre in KEEP or post or part in END_PARTS):
            if pre or m["m"] or not _opens_clause(text, ds, e) or not dates_commitment(ds, parse_year(m["y"])):
                continue
        ts = s if pre in KEEP else ds
        if blocked(ts, e):
            continue
        if text[max(0, ts - 1):ts] in START_MARKERS or NOT_AFTER_RE.match(text, e):
            continue
        if _validity_period(text, s):
            continue
        p = point_from_match(m)
        if historical(p.year):
            continue
        rows.append((ts, e, period_end(p), None))
        mask.add(ts, e)

    # 4. quarterly milestones
    for m in QUARTER_RE.finditer(text):
        s, e = m.span()
        if not (m["ord"] or m["y"] or m["part"] or m["post"]) or blocked(s, e):
            continue
        if text[max(0, s - 1):s] == "每":
            continue
        q = int(parse_number(m["q"]) or 0)
        year = parse_year(m["y"]) if m["y"] else iy
        if not 1 <= q <= 4 or historical(year):
            continue
        date, rec = yearless(DatePoint(year, q * 3), not m["y"])  # a quarter ends with its third month
        rows.append((s, e, date, rec))
        mask.add(s, e)

    # 5. year-less expressions
    def closing_year(ts: int) -> tuple[int | None, bool]:
        """The year of the span the expression closes, else the issue year (and whether it is that)."""
        before = _DATED_START_RE.search(text, max(0, ts - 24), ts)
        return (parse_year(before["y"]), False) if before else (iy, True)

    for m in YEAR_END_RE.finditer(text):
        s, e = m.span()
        pre = m["pre"] or m["pre2"]
        if m["part"] and not (m["post"] or pre in KEEP):
            continue
        ts = m.start() + (len(pre) if pre in DROP else 0)
        if blocked(ts, e):
            continue
        year, _ = closing_year(ts)  # a year's end is never before a date in that year
        rows.append((ts, e, None if year is None else f"{year:04d}-12-31", None))
        mask.add(ts, e)

    for m in MONTH_RE.finditer(text):
        s, e = m.span()
        pm = PRE_BEFORE_RE.search(text, max(0, s - 4), s)
        if pm:
            s = pm.start()
        pre, post, part = (pm["pre"] if pm else None), m["post"], m["part"]
        if not (post or (pre in KEEP and part in END_PARTS)):
            continue
        ts = s if pre in KEEP else m.start("date")
        if blocked(ts, e) or NOT_AFTER_RE.match(text, e):
            continue
        if text[max(0, ts - 1):ts] in START_MARKERS:
            continue
        year, from_issue = closing_year(ts)
        p = point_from_match(m)
        date, rec = yearless(DatePoint(year, p.month, p.day, p.part), from_issue)
        rows.append((ts, e, date, rec))
        mask.add(ts, e)

    records = []
    for s, e, date, rec in sorted(rows):
        records.append({"task_id": index.innermost(s), "text": text[s:e], "date": date,
                        "recurrence": rec, "char_start": s, "char_end": e})
    return records
