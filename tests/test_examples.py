"""One parametrised runner for the phrase corpora in tests/examples/<kind>.yaml.

Each case gives clean text (plus optional document fields — issue_date, title,
doc_number, region — and an optional `outline: true` to segment the text into
TaskNodes) and the records the
extractor must return, in reading order, compared on the keys the case lists.
A case with `known_gap: why` expects what gold says and the extractor does not
yet do; it must fail (strict xfail).
`task_label` stands for the label of the record's task node. Every record must
also satisfy the evidence invariant text[char_start:char_end] == evidence.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from extractors import EXTRACTORS
from pipeline.document import Document
from pipeline.schemas import COLUMNS

EXAMPLES = Path(__file__).with_name("examples")
EVIDENCE = {"units": "unit", "targets": "text", "deadlines": "text", "phases": "text", "citations": "text"}


def _cases():
    for kind in EXTRACTORS:
        path = EXAMPLES / f"{kind}.yaml"
        for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            label = case["text"].replace("\n", " ")[:18]
            # a known gap is expected to fail, strictly: a fix makes this test fail until the mark goes
            marks = [pytest.mark.xfail(reason=case["known_gap"], strict=True)] if case.get("known_gap") else []
            yield pytest.param(kind, case, id=f"{kind}-{i:02d}-{label}", marks=marks)


def _document(case: dict) -> Document:
    doc = Document(doc_id="example", source="<example>", text=case["text"])
    doc.fields = {key: None if case.get(key) is None else str(case[key])  # YAML reads dates as dates
                  for key in ("issue_date", "title", "doc_number", "region")}
    if case.get("outline"):
        from pipeline.outline import segment
        doc.tasks = segment(doc.text, doc.line_spans())
    return doc


@pytest.mark.parametrize("kind,case", list(_cases()))
def test_example(kind: str, case: dict) -> None:
    doc = _document(case)
    records = EXTRACTORS[kind](doc)
    columns = [name for name, _, _ in COLUMNS[kind] if name != "doc_id"]
    labels = {t.task_id: t.label for t in doc.tasks}
    for r in records:
        assert list(r) == columns
        assert doc.text[r["char_start"]:r["char_end"]] == r[EVIDENCE[kind]]
    got = []
    for r, want in zip(records, case["expect"]):
        view = {k: (labels.get(r["task_id"]) if k == "task_label" else r[k]) for k in want}
        got.append(view)
    expected = [dict(w) for w in case["expect"]]
    for w in expected:  # YAML reads 2015-12-31 as a date, 70 as int
        for k, v in w.items():
            if hasattr(v, "isoformat"):
                w[k] = v.isoformat()
            elif isinstance(v, int) and not isinstance(v, bool) and k in ("value", "value_max"):
                w[k] = float(v)
    brief = [{k: r[k] for k in r if k not in ("char_start", "char_end", "task_id")} for r in records]
    assert len(records) == len(expected), f"{case.get('source')}: got {brief}"
    assert got == expected, f"{case.get('source')}: got {brief}"
