"""Helpers shared by every extractor: data tables, text geometry, quoted spans.

Nothing here knows about a record kind. The task lookup every extractor uses
is pipeline.outline.TaskIndex, beside the code that builds the outline; the
extractors share one per document through ``task_index``.
"""
from __future__ import annotations

import bisect
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import regex

from pipeline.data import parse_yaml
from pipeline.outline import TaskIndex

DATA_DIR = Path(__file__).with_name("data")


@lru_cache(maxsize=None)
def load_data(name: str) -> Any:
    """A YAML table from extractors/data/ (cached; treat the result as read-only)."""
    return parse_yaml((DATA_DIR / name).read_text(encoding="utf-8"))


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first (so 责任部门和单位 beats 责任部门)."""
    uniq = sorted(set(words), key=lambda w: (-len(w), w))
    return "(?:" + "|".join(regex.escape(w) for w in uniq) + ")"


def compile_at_end(pattern: str) -> regex.Pattern:
    """A pattern that ends in ``$`` (a word that must end where the searched
    window ends), compiled to run backwards: the engine starts at the window's
    end instead of trying every position of it (3-4x faster). For these
    patterns — word lists, optionally led by a comparator or adverb list — it
    finds the same span as a forward search: the longest match ending there."""
    return regex.compile(pattern, regex.REVERSE)


# --- text geometry ------------------------------------------------------------

SENTENCE_END = "。！？!?\n"
CLAUSE_END = SENTENCE_END + "；;，,：:"


@lru_cache(maxsize=16)
def _boundary(ends: str) -> tuple[regex.Pattern, regex.Pattern]:
    """(last, first) occurrence finders for a set of boundary characters: the
    searches run in C instead of a Python loop over up to `window` characters."""
    chars = "[" + "".join(map(regex.escape, ends)) + "]"
    return regex.compile(chars, regex.REVERSE), regex.compile(chars)


def sentence_bounds(text: str, pos: int, window: int = 400, ends: str = SENTENCE_END) -> tuple[int, int]:
    """[start, end) of the sentence around ``pos`` (bounded by ``window`` each way)."""
    last, first = _boundary(ends)
    lo, hi = max(0, pos - window), min(len(text), pos + window)
    before = last.search(text, lo, pos)
    after = first.search(text, pos, hi)
    return (before.end() if before else lo), (after.start() if after else hi)


def clause_start(text: str, pos: int, window: int = 80, ends: str = CLAUSE_END) -> int:
    lo = max(0, pos - window)
    before = _boundary(ends)[0].search(text, lo, pos)
    return before.end() if before else lo


def clause_end(text: str, pos: int, window: int = 80, ends: str = CLAUSE_END) -> int:
    hi = min(len(text), pos + window)
    after = _boundary(ends)[1].search(text, pos, hi)
    return after.start() if after else hi


def line_bounds(text: str, pos: int, window: int) -> tuple[int, int]:
    """[start, end) of pos's line, clipped to ``window`` either side (so a
    document printed as one huge line costs no more than one with many);
    sentence_bounds with ends="\n", by str.find, which is faster for one character."""
    lo = max(0, pos - window)
    start = text.rfind("\n", lo, pos) + 1 or lo
    hi = min(len(text), pos + window)
    end = text.find("\n", pos, hi)
    return start, (hi if end < 0 else end)


@lru_cache(maxsize=64)
def _specials(chars: str, reverse: bool = False) -> regex.Pattern:
    """A finder for any of ``chars``: the bracket walks below visit only these
    characters, found in C, instead of every character in Python."""
    return regex.compile("[" + "".join(map(regex.escape, sorted(set(chars)))) + "]",
                         regex.REVERSE if reverse else 0)


def split_top_level(text: str, start: int, end: int, separators: str | set[str],
                    opening: str = "(（", closing: str = ")）") -> list[tuple[int, int]]:
    """(start, end) pieces of text[start:end] cut at separators that stand
    outside brackets: `各乡(镇)人民政府、街道办事处` splits once, not inside (镇)."""
    pieces, depth, piece_start = [], 0, start
    for match in _specials("".join(separators) + opening + closing).finditer(text, start, end):
        ch, i = match.group(), match.start()
        if ch in opening:
            depth += 1
        elif ch in closing:
            depth = max(0, depth - 1)
        elif depth == 0:
            pieces.append((piece_start, i))
            piece_start = i + 1
    pieces.append((piece_start, end))
    return pieces


def _first_unpaired(text: str, lo: int, hi: int, deepen: str, release: str, backwards: bool) -> int | None:
    """Index of the first `release` bracket met walking text[lo:hi] (from hi
    down when backwards) that no `deepen` bracket met before it pairs with."""
    depth = 0
    for match in _specials(deepen + release, reverse=backwards).finditer(text, lo, hi):
        if match.group() in deepen:
            depth += 1
        elif depth == 0:
            return match.start()
        else:
            depth -= 1
    return None


def unmatched_open(text: str, pos: int, line_start: int, window: int) -> int | None:
    """Index of the nearest '(' before pos that no ')' in between closes,
    looking back no further than line_start or window characters."""
    return _first_unpaired(text, max(line_start, pos - window), pos, ")）", "(（", backwards=True)


def matching_close(text: str, open_pos: int, limit: int) -> int | None:
    """Index of the ')' closing the '(' at open_pos, looking no further than limit."""
    return _first_unpaired(text, open_pos + 1, limit, "(（", ")）", backwards=False)


_QUOTED_RE = regex.compile(r"《[^《》\n]{0,120}》|“[^“”\n]{0,40}”|\"[^\"\n]{0,40}\"|「[^「」\n]{0,40}」")


class SpanSet:
    """Sorted, non-overlapping [start, end) spans with a fast membership test."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        merged: list[tuple[int, int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        self.spans = merged
        self._starts = [s for s, _ in merged]

    def covers(self, pos: int) -> bool:
        i = bisect.bisect_right(self._starts, pos) - 1
        return i >= 0 and self.spans[i][0] <= pos < self.spans[i][1]


def quoted_spans(text: str) -> SpanSet:
    """Inside 《book titles》 and “quotations”: cited names, slogans, hotline numbers."""
    return SpanSet((m.start(), m.end()) for m in _QUOTED_RE.finditer(text))


def _view(doc: Any, name: str, build):
    """A structure derived from the document, built once and kept in doc.views."""
    views = doc.views
    if name not in views:
        views[name] = build(doc)
    return views[name]


def task_index(doc: Any) -> TaskIndex:
    return _view(doc, "task_index", lambda d: TaskIndex(d.tasks))


def quoted_spans_of(doc: Any) -> SpanSet:
    """quoted_spans of the document's text, shared by the extractors."""
    return _view(doc, "quoted", lambda d: quoted_spans(d.text))


def issue_year(doc: Any) -> int | None:
    date = (doc.fields or {}).get("issue_date") if hasattr(doc, "fields") else None
    if isinstance(date, str) and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


# Cues of a reported fact or event (data/facts.yaml), searched in the sentence
# before a number or schedule: targets and deadlines skip what a sentence reports.
_FACTS = load_data("facts.yaml")
PAST_RE = regex.compile("|".join(_FACTS["past_cue_patterns"]))
PAST_OR_EVENT_RE = regex.compile("|".join(_FACTS["past_cue_patterns"] + _FACTS["event_cue_patterns"]))


def reports_fact(text: str, sentence_start: int, pos: int, events: bool = False) -> bool:
    """Whether the sentence from sentence_start reports a fact (or, with
    ``events``, a particular event) before reaching pos."""
    return (PAST_OR_EVENT_RE if events else PAST_RE).search(text, sentence_start, pos) is not None


def records_of(doc: Any, kind: str, extract) -> list[dict]:
    """The records of `kind` an earlier extractor left on the document, else
    found now by `extract` (an extractor run on its own, as the examples do)."""
    records = doc.records.get(kind) if hasattr(doc, "records") else None
    return extract(doc) if records is None else records
