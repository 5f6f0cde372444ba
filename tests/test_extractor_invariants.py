"""Invariants of the extractors: task lookup, evidence offsets, schema columns,
safety on pathological input, and behaviour on the bundled corpus."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors import EXTRACTORS, common
from pipeline.outline import TaskIndex
from pipeline.document import Document, TaskNode
from pipeline.schemas import COLUMNS

EVIDENCE = {"units": "unit", "targets": "text", "deadlines": "text", "phases": "text", "citations": "text"}
CORPUS = sorted((Path(__file__).resolve().parents[1] / "corpus").glob("*.txt"))


# --- innermost task lookup --------------------------------------------------------

@st.composite
def trees(draw):
    """A random properly nested outline over [0, 1000) and its nodes."""
    nodes: list[TaskNode] = []

    def grow(start, end, parent, level, depth):
        cuts = sorted(draw(st.sets(st.integers(start + 1, end - 1), max_size=4))) if end - start > 2 else []
        bounds = [start, *cuts, end]
        for a, b in zip(bounds, bounds[1:]):
            if draw(st.booleans()):
                continue
            tid = f"t{len(nodes) + 1:03d}"
            inline = level > 1 and draw(st.booleans())
            nodes.append(TaskNode(tid, parent, level, "x", "h", None, a, b, inline))
            if depth < 3:
                grow(a, b, tid, level + 1, depth + 1)

    grow(0, 1000, None, 1, 0)
    return nodes


def _brute(nodes, pos, numbered):
    containing = [t for t in nodes if t.char_start <= pos < t.char_end]
    if not containing:
        return None
    best = max(containing, key=lambda t: (t.char_start, -t.char_end, t.level))
    if numbered:
        numbered_nodes = [t for t in containing if not t.inline]
        if numbered_nodes:
            return max(numbered_nodes, key=lambda t: (t.char_start, -t.char_end, t.level)).task_id
    return best.task_id


@settings(max_examples=200, deadline=None)
@given(trees(), st.lists(st.integers(0, 999), min_size=1, max_size=20))
def test_innermost_matches_brute_force(nodes, positions):
    index = TaskIndex(nodes)
    for pos in positions:
        assert index.innermost(pos) == _brute(nodes, pos, False)
        assert index.innermost(pos, numbered=True) == _brute(nodes, pos, True)


# --- records ----------------------------------------------------------------------

def _doc(text: str, issue: str | None = None) -> Document:
    return Document(doc_id="t", source="<t>", text=text, fields={"issue_date": issue})


def _check(doc: Document) -> None:
    for kind, extract in EXTRACTORS.items():
        columns = [c for c, _, _ in COLUMNS[kind] if c != "doc_id"]
        for r in extract(doc):
            assert list(r) == columns
            assert 0 <= r["char_start"] <= r["char_end"] <= len(doc.text)
            assert doc.text[r["char_start"]:r["char_end"]] == r[EVIDENCE[kind]]


ALPHABET = st.sampled_from(list("到年月日前底每季度以上达到个项%0123456789一二两三十(牵头单位:配合责任部门)、,，;。\n阶段至-—由市局")) 


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=300), st.sampled_from([None, "2018-10-29"]))
def test_random_text_keeps_invariants(text, issue):
    _check(_doc(text, issue))


PATHOLOGICAL = [
    "1" * 20000 + "年",
    "(" * 5000 + "牵头单位:" + "市局、" * 3000,
    "由" + "市" * 20000 + "牵头",
    "到" * 10000 + "2015年",
    "每年" * 5000,
    "阶段(" * 4000,
    "一二三四五六七八九十" * 2000 + "个",
    "、" * 20000 + "达到90%以上",
    ("(一)启动阶段(2010年6月-2011年7月)\n" * 2000),
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=range(len(PATHOLOGICAL)))
def test_pathological_input_is_fast(text):
    doc = _doc(text, "2018-01-01")
    t0 = time.perf_counter()
    _check(doc)
    assert time.perf_counter() - t0 < 10


@pytest.mark.skipif(not CORPUS, reason="no bundled corpus")
def test_corpus_records_keep_invariants():
    from pipeline.process import process_path
    for path in CORPUS:
        doc = process_path(path)
        _check(doc)


def test_one_huge_line_scales_linearly():
    """A document printed as a single line (scraped pages often are) must cost
    about the same per character as a normal one: no per-hit scans to the line start."""
    seed = max(CORPUS, key=lambda p: p.stat().st_size, default=None)
    if seed is None:
        pytest.skip("no bundled corpus")
    line = seed.read_text(encoding="utf-8").replace("\n", "")

    def cost(copies: int) -> float:
        doc = _doc(line * copies, "2011-06-28")
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            for extract in EXTRACTORS.values():
                extract(doc)
            best = min(best, time.perf_counter() - t0)
        return best

    small, large = cost(10), cost(80)
    assert large < 8 * 3 * small + 0.5  # linear would be ~8x; quadratic ~64x


# --- bracket walks and backward patterns against their plain definitions ---------------

BRACKETY = st.text(alphabet="()（）、,，;ab市", max_size=40)


def _split_plain(text, separators, opening, closing):
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in opening:
            depth += 1
        elif ch in closing:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in separators:
            pieces.append((start, i))
            start = i + 1
    return pieces + [(start, len(text))]


@settings(max_examples=300, deadline=None)
@given(BRACKETY)
def test_split_top_level_cuts_outside_brackets_only(text):
    assert common.split_top_level(text, 0, len(text), "、,，;") == _split_plain(text, "、,，;", "(（", ")）")


def _walk(text, positions, deepen, release):
    depth = 0
    for i in positions:
        if text[i] in deepen:
            depth += 1
        elif text[i] in release:
            if depth == 0:
                return i
            depth -= 1
    return None


@settings(max_examples=300, deadline=None)
@given(BRACKETY, st.data())
def test_bracket_partners_match_a_character_walk(text, data):
    pos = data.draw(st.integers(0, len(text)))
    opening = _walk(text, range(pos - 1, -1, -1), ")）", "(（")
    assert common.unmatched_open(text, pos, 0, len(text)) == opening
    if opening is not None:
        closing = _walk(text, range(opening + 1, len(text)), "(（", ")）")
        assert common.matching_close(text, opening, len(text)) == closing


def _backward_patterns():
    from extractors import citations, deadlines, targets, units

    for module in (citations, deadlines, targets, units):
        for name, value in vars(module).items():
            if isinstance(value, regex.Pattern) and value.flags & regex.REVERSE:
                yield f"{module.__name__}.{name}", value


@pytest.mark.parametrize("name,backward", list(_backward_patterns()), ids=lambda x: x if isinstance(x, str) else "")
def test_backward_patterns_find_what_a_forward_search_finds(name, backward):
    """compile_at_end's promise, on every window of seed 001 that ends at a character
    (24 characters back, the widest the extractors search this way)."""
    import regex

    forward = regex.compile(backward.pattern, backward.flags & ~regex.REVERSE)
    text = CORPUS[1].read_text(encoding="utf-8")
    found = 0
    for hi in range(1, len(text)):
        lo = max(0, hi - 24)
        a, b = forward.search(text, lo, hi), backward.search(text, lo, hi)
        assert (a and (a.span(), a.groupdict())) == (b and (b.span(), b.groupdict())), (name, text[lo:hi])
        found += a is not None
    assert found  # the sweep met the pattern
