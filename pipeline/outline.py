"""Task segmentation: the numbered outline as a tree (ANNOTATION §3).

Numbered labels are recognised at line starts by the marker families of
data/outline.yaml; a node's level is its family's. Inline enumerations
(`一是…二是…`) become children one level below the node whose paragraph
holds them.
"""
from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from pipeline.data import read_yaml
from pipeline.document import TaskNode

_SENTENCE_END = "。"


@dataclass(frozen=True)
class _Marker:
    level: int
    pattern: regex.Pattern


@functools.cache
def _markers() -> tuple[list[_Marker], regex.Pattern]:
    data = read_yaml("outline.yaml")
    families = [_Marker(f["level"], regex.compile(f["pattern"])) for f in data["families"]]
    inline = data["inline"]
    counters = sorted(inline["counters"], key=len, reverse=True)
    pattern = regex.compile(
        inline["boundary"]
        + "(?P<label>(?P<counter>" + "|".join(counters) + ")(?:" + "|".join(inline["suffixes"]) + "))",
        regex.M,
    )
    return families, pattern


@dataclass(frozen=True)
class _ListingRules:
    contents: regex.Pattern
    attachments: regex.Pattern
    entry_max_chars: int
    page_number: regex.Pattern
    sentence_end: regex.Pattern


@functools.cache
def _listing_rules() -> _ListingRules:
    data = read_yaml("outline.yaml")
    return _ListingRules(
        contents=regex.compile(data["contents"]["heading"]),
        attachments=regex.compile(data["attachments"]["heading"]),
        entry_max_chars=data["contents"]["entry_max_chars"],
        page_number=regex.compile(data["contents"]["page_number"]),
        sentence_end=regex.compile(read_yaml("punctuation.yaml")["sentence_end"]),
    )


def _outline_lines(text: str, line_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The lines that may hold the outline: not the entries of a table of
    contents, nor the rest of an attachment list (data/outline.yaml)."""
    rules = _listing_rules()
    families, _ = _markers()

    def entry(k: int) -> bool:
        s, e = line_spans[k]
        return e - s <= rules.entry_max_chars and not rules.sentence_end.search(text, s, e)

    kept: list[tuple[int, int]] = []
    i = 0
    while i < len(line_spans):
        start, end = line_spans[i]
        kept.append((start, end))
        i += 1
        if rules.contents.fullmatch(text, start, end):
            first_entry = None
            while i < len(line_spans) and entry(i):
                s, e = line_spans[i]
                title = rules.page_number.sub("", text[s:e].strip())
                if title == first_entry:  # the body starts right after the contents
                    break
                first_entry = first_entry or title
                i += 1
        elif rules.attachments.match(text, start, end):
            while i < len(line_spans) and entry(i) and any(f.pattern.match(text, *line_spans[i]) for f in families):
                i += 1
    return kept


@functools.cache
def _counter_values() -> dict[str, int]:
    return {c: i + 1 for i, c in enumerate(read_yaml("outline.yaml")["inline"]["counters"])}


def heading_of(text: str, body_start: int, line_end: int) -> str:
    """First sentence after the label without its 。, or the rest of the line."""
    stop = text.find(_SENTENCE_END, body_start, line_end)
    return text[body_start : stop if stop != -1 else line_end].strip()


@dataclass(slots=True)
class _Raw:
    start: int
    body: int  # first character after the label
    line_end: int
    level: int
    label: str
    inline: bool


def _numbered(text: str, line_spans: list[tuple[int, int]]) -> list[_Raw]:
    families, _ = _markers()
    found = []
    for start, end in line_spans:
        for marker in families:
            match = marker.pattern.match(text, start, end)
            if match and match.end() < end:  # a bare label with nothing after it is not a node
                label = "".join(match.group("label").split())
                found.append(_Raw(start, match.end(), end, marker.level, label, False))
                break
    return found


def _inline(text: str, line_spans: list[tuple[int, int]]) -> list[_Raw]:
    """Inline items that form chains 一, 二, 三 … in reading order."""
    _, pattern = _markers()
    values = _counter_values()
    line_ends = [end for _, end in line_spans]
    items: list[_Raw] = []
    expected = None
    for match in pattern.finditer(text):
        value = values[match.group("counter")]
        if value == 1:
            expected = 2
        elif value == expected:
            expected += 1
        else:
            continue
        line_end = line_ends[bisect.bisect_left(line_ends, match.start())]
        items.append(_Raw(match.start(), match.end(), line_end, 0, match.group("label"), True))
    # A lone 一是 with no 二是 after it is prose, not an enumeration.
    chains, current = [], []
    for item in items:
        if values[item.label[:-1]] == 1 and current:
            chains.append(current)
            current = []
        current.append(item)
    if current:
        chains.append(current)
    return [item for chain in chains if len(chain) > 1 for item in chain]


def segment(text: str, line_spans: list[tuple[int, int]]) -> list[TaskNode]:
    numbered = _numbered(text, _outline_lines(text, line_spans))
    inline = _inline(text, line_spans)  # 一是…二是… sit in prose, never in a listing's short lines
    doc_end = len(text)

    # Numbered nodes: parent = nearest earlier node of a smaller level; a node
    # ends where the next node of the same or a higher level starts, which is
    # where it leaves the stack.
    nodes: list[TaskNode] = []
    stack: list[tuple[TaskNode, int]] = []
    for raw in numbered:
        while stack and stack[-1][1] >= raw.level:
            stack.pop()[0].char_end = raw.start
        parent = stack[-1][0] if stack else None
        node = TaskNode(
            task_id=f"n{len(nodes)}",  # provisional, renumbered in reading order below
            parent_id=parent.task_id if parent else None,
            level=raw.level,
            label=raw.label,
            heading=heading_of(text, raw.body, raw.line_end),
            section=None,
            char_start=raw.start,
            char_end=doc_end,
        )
        nodes.append(node)
        stack.append((node, raw.level))
    for node in nodes:
        node.char_end = _trim_end(text, node.char_start, node.char_end)

    # Inline items hang under the innermost numbered node containing them.
    numbered_index = TaskIndex(nodes)
    for k, raw in enumerate(inline):
        owner = numbered_index.innermost_node(raw.start)
        # An item runs to the next item (of any chain) or the end of its paragraph.
        end = min(raw.line_end, inline[k + 1].start) if k + 1 < len(inline) else raw.line_end
        if owner is not None:
            end = min(end, owner.char_end)
        nodes.append(
            TaskNode(
                task_id=f"i{k}",  # provisional, renumbered in reading order below
                parent_id=owner.task_id if owner else None,
                level=(owner.level + 1) if owner else 1,
                label=raw.label,
                heading=heading_of(text, raw.body, end),
                section=None,
                char_start=raw.start,
                char_end=_trim_end(text, raw.start, end),
                inline=True,
            )
        )

    # Reading order, stable ids, sections.
    nodes.sort(key=lambda n: (n.char_start, n.inline))
    renamed = {node.task_id: f"t{i:03d}" for i, node in enumerate(nodes, 1)}
    by_id = {}
    for node in nodes:
        node.task_id = renamed[node.task_id]
        node.parent_id = renamed.get(node.parent_id) if node.parent_id else None
        by_id[node.task_id] = node
    for node in nodes:
        top = node
        while top.parent_id is not None:
            top = by_id[top.parent_id]
        node.section = top.heading if top.level == 1 else None
    return nodes


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in "\n ":
        end -= 1
    return end


class TaskIndex:
    """Innermost-task lookup over a document's outline.

    ``innermost(pos)`` is the deepest node whose [char_start, char_end) holds
    ``pos``; ``innermost(pos, numbered=True)`` skips inline 一是… items unless no
    numbered node contains the position (ANNOTATION §4).
    """

    def __init__(self, tasks: Sequence[TaskNode]):
        self._nodes = sorted(tasks, key=lambda t: (t.char_start, -t.char_end, t.level))
        self._starts = [t.char_start for t in self._nodes]
        self._by_id = {t.task_id: t for t in self._nodes}

    def _contains(self, t: TaskNode, pos: int) -> bool:
        return t.char_start <= pos < t.char_end

    def innermost_node(self, pos: int, numbered: bool = False) -> TaskNode | None:
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return None
        # With properly nested spans the innermost container of pos is an
        # ancestor of the last node starting at or before pos: climb parents.
        node = self._nodes[i]
        while node is not None and not self._contains(node, pos):
            node = self._by_id.get(node.parent_id) if node.parent_id else None
        if node is None:  # inconsistent parent links: fall back to a scan
            node = next((t for t in reversed(self._nodes[: i + 1]) if self._contains(t, pos)), None)
        if node is None or not numbered:
            return node
        inline_node = node
        while node is not None and getattr(node, "inline", False):
            node = self._by_id.get(node.parent_id) if node.parent_id else None
        if node is None or not self._contains(node, pos):
            return inline_node
        return node

    def innermost(self, pos: int, numbered: bool = False) -> str | None:
        node = self.innermost_node(pos, numbered)
        return node.task_id if node is not None else None
