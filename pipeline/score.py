"""Score a run's Parquet tables against hand-labelled gold (ANNOTATION §8).

``score_dirs(gold_dir, pred_dir)`` reads every gold file ``gold_dir/*.json`` that is a
JSON object with a ``"doc_id"`` key (``floor.json``, ``GUIDELINES*.md`` and anything else
in the folder are skipped) and the tables ``pred_dir/<table>.parquet`` the pipeline writes
(a missing table file means no predictions of that kind). Only documents with a gold file
are scored; predictions for other documents are listed under ``"ignored"``. A gold
document without a ``documents`` row is listed under ``"unpredicted"``: its fields and
line checks all fail, and, like any document, it counts every gold record of a table as a
miss when that table has no rows for it.

Matching records
----------------
Per document, gold and predicted records are matched as multisets: a record pairs with at
most one record of the other side, and a pair needs equal keys::

    units              unit, role                    unit names compared after NFKC
    units+task         unit, role, task_heading      predicted heading: tasks.heading of
                                                     the row whose task_id units.task_id names
    targets            value, value_max, unit, comparator   numbers equal within 1e-6, None == None
    targets+indicator  the targets keys, and indicators that overlap (below)
    deadlines          date, recurrence
    phases             name, start_date, end_date
    tasks              level, label, heading

tp = pairs, fp = unpaired predictions, fn = unpaired gold records. With exact keys this
is the size of the Counter intersection of the two key multisets; the pairs are found as a
maximum bipartite matching instead, because the float tolerance and the indicator overlap
are not hashable equalities and a greedy pairing could undercount.

Indicator overlap: after NFKC and removing whitespace, two non-empty indicators overlap
when one contains the other or they share a substring of at least 2 characters (which is
the same as sharing a 2-character substring). ``标准覆盖率`` overlaps
``主要农产品的标准覆盖率`` and ``覆盖率达标``; ``覆盖率`` and ``达标率`` (only ``率`` in
common) do not; an empty or null indicator overlaps nothing.

P = tp/(tp+fp), R = tp/(tp+fn), F1 = 2PR/(P+R). Empty sides: P with no predictions is
1.0 when there is no gold either and 0.0 otherwise; R with no gold is 1.0 when there are
no predictions either and 0.0 otherwise; F1 is 0.0 when P+R is 0. So nothing against
nothing scores 1.0 and something against nothing scores 0.0.

Checks (accuracy = correct/total, 1.0 when total is 0)
-------------------------------------------------------
- ``fields``: each field present in the gold ``"document"`` object is correct when it
  equals the ``documents`` column after NFKC; null against null is correct.
- ``boilerplate_removed``: a gold boilerplate entry (whitespace-stripped) counts as removed
  unless a whitespace-stripped line of ``documents.text`` starts or ends with it. That
  catches a surviving whole line and a stray fragment still glued to a content line
  (``…推向深入。 |`` for the entry ``|``), and accepts that content line once the fragment
  is gone. Words merely inside a line do not count: short boilerplate such as ``相关政策``
  also occurs in body text.
- ``content_kept``: a gold content line (whitespace-stripped) counts as kept when it is a
  whole whitespace-stripped line of ``documents.text``; repeated gold lines must be repeated
  in the text (multiset).

Report
------
::

    {"documents": {doc_id: {TABLE: COUNTS, ..., CHECK: ACCURACY, ...}},
     "overall":   {TABLE: COUNTS, ..., CHECK: ACCURACY, ...},  # micro: counts summed over documents
     "fields":    {field: ACCURACY},                          # per document field, all documents
     "misses":    [{"doc_id", "table", "gold", "evidence", "index"}],
     "false_positives": [{"doc_id", "table", "pred", "evidence", "index"}],
     "unpredicted": [doc_id, ...],
     "ignored":     [doc_id, ...]}

    COUNTS   = {"tp", "fp", "fn", "precision", "recall", "f1"}
    ACCURACY = {"correct", "total", "accuracy"}

TABLE is one of ``TABLES``, CHECK one of ``CHECKS``, field one of ``FIELDS``. ``gold`` and
``pred`` records have the keys of the gold format of their table (``RECORD_KEYS``); a
predicted unit carries the task heading it joins to. ``evidence`` of a predicted record is
``documents.text[char_start:char_end]`` in brackets with 15 characters of context either
side; its ``text`` column instead when the offsets are out of range or disagree with it.
Newlines are shown as ⏎. Misses of a table have no evidence; a wrong field has gold
``{field: value}`` and evidence ``predicted: …``; a line check's miss has gold
``{"line": …}`` and, for boilerplate, the line it survives in. ``index`` places a record
of a table (checks have none): a false positive is row ``index`` of the document's rows of
its kind in table order, a miss entry ``index`` of the gold file's list of its kind; the
review pages (``pipeline/review.py``) mark records with it.

Floor
-----
``check_floor(report, floor)``: the floor mirrors the report's nesting and its leaves are
minimums, e.g. ``{"overall": {"units": {"f1": 0.8}, "fields": {"accuracy": 0.9}},
"fields": {"title": {"accuracy": 0.9}}}``; any path of the report may be given.
"""
from __future__ import annotations

import json
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable

import pyarrow.parquet as pq

FIELDS = ("title", "doc_number", "issuer", "issue_date", "region")
TABLES = ("units", "units+task", "targets", "targets+indicator", "deadlines", "phases", "tasks")
CHECKS = ("fields", "boilerplate_removed", "content_kept")
# The gold-file keys of each record kind; predicted rows are projected onto them so that
# misses and false positives read alike.
RECORD_KEYS = {
    "units": ("task_heading", "unit", "role", "rank"),
    "targets": ("indicator", "value", "value_max", "unit", "comparator", "year"),
    "deadlines": ("text", "date", "recurrence"),
    "phases": ("seq", "name", "start_date", "end_date"),
    "tasks": ("label", "level", "heading"),
}
FLOAT_TOLERANCE = 1e-6
CONTEXT = 15  # characters of evidence context either side
SPAN_MAX = 40  # task rows span whole sections; clip their evidence

Record = dict[str, Any]


def _nfkc(value: Any) -> str | None:
    return None if value is None else unicodedata.normalize("NFKC", str(value))


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= FLOAT_TOLERANCE


def indicators_overlap(a: str | None, b: str | None) -> bool:
    """True when one indicator contains the other or both share ≥2 consecutive characters."""
    a, b = ("".join((_nfkc(s) or "").split()) for s in (a, b))
    if not a or not b:
        return False
    return a in b or b in a or any(a[i:i + 2] in b for i in range(len(a) - 1))


def _same_unit(g: Record, p: Record) -> bool:
    return _nfkc(g.get("unit")) == _nfkc(p.get("unit")) and g.get("role") == p.get("role")


def _same_target(g: Record, p: Record) -> bool:
    return (_same_number(g.get("value"), p.get("value"))
            and _same_number(g.get("value_max"), p.get("value_max"))
            and g.get("unit") == p.get("unit")
            and g.get("comparator") == p.get("comparator"))


def _same_keys(*keys: str) -> Callable[[Record, Record], bool]:
    return lambda g, p: all(g.get(k) == p.get(k) for k in keys)


# scored table -> (record kind, pair predicate)
MATCHERS: dict[str, tuple[str, Callable[[Record, Record], bool]]] = {
    "units": ("units", _same_unit),
    "units+task": ("units", lambda g, p: _same_unit(g, p)
                   and g.get("task_heading") == p.get("task_heading")),
    "targets": ("targets", _same_target),
    "targets+indicator": ("targets", lambda g, p: _same_target(g, p)
                          and indicators_overlap(g.get("indicator"), p.get("indicator"))),
    "deadlines": ("deadlines", _same_keys("date", "recurrence")),
    "phases": ("phases", _same_keys("name", "start_date", "end_date")),
    "tasks": ("tasks", _same_keys("level", "label", "heading")),
}
PRED_TABLES = ("documents", *RECORD_KEYS)


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    """Counts with precision, recall and F1, using the empty-side rule of the module doc."""
    precision = tp / (tp + fp) if tp + fp else float(fn == 0)
    recall = tp / (tp + fn) if tp + fn else float(fp == 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def _accuracy(correct: int, total: int) -> dict[str, float | int]:
    return {"correct": correct, "total": total, "accuracy": correct / total if total else 1.0}


def match_records(gold: list[Record], pred: list[Record],
           same: Callable[[Record, Record], bool]) -> tuple[list[int], list[int]]:
    """Indices of the gold and predicted records left unpaired by a maximum matching."""
    candidates = [[j for j, p in enumerate(pred) if same(g, p)] for g in gold]
    owner: dict[int, int] = {}  # predicted index -> gold index it is paired with

    def assign(i: int, seen: set[int]) -> bool:  # Kuhn's augmenting path
        for j in candidates[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or assign(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(gold)):
        assign(i, set())
    paired = set(owner.values())
    return ([i for i in range(len(gold)) if i not in paired],
            [j for j in range(len(pred)) if j not in owner])


def load_gold(gold_dir: str | Path) -> dict[str, Record]:
    gold: dict[str, Record] = {}
    for path in sorted(Path(gold_dir).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "doc_id" not in data:
            continue  # floor.json and other non-gold files
        if data["doc_id"] in gold:
            raise ValueError(f"{path}: doc_id {data['doc_id']} is labelled in another gold file too")
        gold[data["doc_id"]] = data
    return gold


def load_predictions(pred_dir: str | Path, names: Iterable[str] = PRED_TABLES
                     ) -> dict[str, dict[str, list[Record]]]:
    """table -> doc_id -> rows, in table order; a missing table file yields no rows."""
    tables: dict[str, dict[str, list[Record]]] = {}
    for table in names:
        path = Path(pred_dir) / f"{table}.parquet"
        by_doc: dict[str, list[Record]] = defaultdict(list)
        for row in pq.read_table(path).to_pylist() if path.exists() else []:
            by_doc[row["doc_id"]].append(row)
        tables[table] = by_doc
    return tables


def _evidence(row: Record, text: str | None) -> str | None:
    start, end = row.get("char_start"), row.get("char_end")
    valid = text and start is not None and end is not None and 0 <= start <= end <= len(text)
    # offsets that disagree with the row's own text column would show the wrong passage
    if valid and row.get("text") in (None, text[start:end]):
        span = text[start:end]
        clipped = span if len(span) <= SPAN_MAX else span[:SPAN_MAX] + "…"
        snippet = f"{text[max(0, start - CONTEXT):start]}[{clipped}]{text[end:end + CONTEXT]}"
    else:
        snippet = row.get("text")
    return None if snippet is None else snippet.replace("\n", "⏎")


def _score_document(doc_id: str, gold: Record, pred: dict[str, dict[str, list[Record]]]
                    ) -> tuple[dict[str, dict], dict[str, bool], list[Record], list[Record]]:
    """Scores of one gold document, its field hits, its misses and its false positives."""
    doc_row = next(iter(pred["documents"].get(doc_id, [])), None)
    text = None if doc_row is None else doc_row.get("text") or ""
    headings = {t["task_id"]: t.get("heading") for t in pred["tasks"].get(doc_id, [])}
    scores: dict[str, dict] = {}
    misses: list[Record] = []
    false_positives: list[Record] = []

    for table, (kind, same) in MATCHERS.items():
        gold_records = gold.get(kind) or []
        rows = pred[kind].get(doc_id, [])
        predicted = [{k: row.get(k) for k in RECORD_KEYS[kind]} for row in rows]
        if kind == "units":
            for record, row in zip(predicted, rows):
                record["task_heading"] = headings.get(row.get("task_id"))
        missed, extra = match_records(gold_records, predicted, same)
        scores[table] = prf(len(rows) - len(extra), len(extra), len(missed))
        misses += [{"doc_id": doc_id, "table": table, "gold": gold_records[i], "evidence": None,
                    "index": i} for i in missed]
        false_positives += [{"doc_id": doc_id, "table": table, "pred": predicted[j],
                             "evidence": _evidence(rows[j], text), "index": j} for j in extra]

    def fail(check: str, gold_record: Record, evidence: str | None) -> None:
        misses.append({"doc_id": doc_id, "table": check, "gold": gold_record, "evidence": evidence})

    field_hits: dict[str, bool] = {}
    for field in FIELDS:
        if field in (gold.get("document") or {}):
            expected = gold["document"][field]
            got = None if doc_row is None else doc_row.get(field)
            field_hits[field] = doc_row is not None and _nfkc(expected) == _nfkc(got)
            if not field_hits[field]:
                fail("fields", {field: expected},
                     "no documents row" if doc_row is None else f"predicted: {got!r}")
    scores["fields"] = _accuracy(sum(field_hits.values()), len(field_hits))

    lines = [line.strip() for line in (text or "").split("\n")]
    entries = [b.strip() for b in gold.get("boilerplate") or [] if b.strip()]
    removed = 0
    for entry in entries:
        survivor = next((line for line in lines if line.startswith(entry) or line.endswith(entry)), None)
        if text is not None and survivor is None:
            removed += 1
        else:
            fail("boilerplate_removed", {"line": entry}, survivor or "no documents row")
    scores["boilerplate_removed"] = _accuracy(removed, len(entries))

    available = Counter(lines) if text is not None else Counter()
    wanted = [c.strip() for c in gold.get("content") or [] if c.strip()]
    kept = 0
    for line in wanted:
        if available[line] > 0:
            available[line] -= 1
            kept += 1
        else:
            fail("content_kept", {"line": line}, None)
    scores["content_kept"] = _accuracy(kept, len(wanted))
    return scores, field_hits, misses, false_positives


def score_dirs(gold_dir: str | Path, pred_dir: str | Path) -> dict:
    """Score the tables in ``pred_dir`` against the gold files in ``gold_dir`` (see module doc)."""
    gold = load_gold(gold_dir)
    pred = load_predictions(pred_dir)
    report: dict[str, Any] = {"documents": {}, "overall": {}, "fields": {}, "misses": [],
                              "false_positives": []}
    totals: dict[str, Counter] = defaultdict(Counter)
    field_totals: dict[str, Counter] = defaultdict(Counter)
    for doc_id in sorted(gold):
        scores, field_hits, misses, false_positives = _score_document(doc_id, gold[doc_id], pred)
        report["documents"][doc_id] = scores
        report["misses"] += misses
        report["false_positives"] += false_positives
        for name, figures in scores.items():
            totals[name].update({k: figures[k] for k in ("tp", "fp", "fn", "correct", "total")
                                 if k in figures})
        for field, hit in field_hits.items():
            field_totals[field].update(correct=int(hit), total=1)

    for table in TABLES:
        report["overall"][table] = prf(totals[table]["tp"], totals[table]["fp"], totals[table]["fn"])
    for check in CHECKS:
        report["overall"][check] = _accuracy(totals[check]["correct"], totals[check]["total"])
    report["fields"] = {f: _accuracy(field_totals[f]["correct"], field_totals[f]["total"])
                        for f in FIELDS if f in field_totals}
    report["unpredicted"] = [d for d in sorted(gold) if d not in pred["documents"]]
    predicted_docs = {doc_id for by_doc in pred.values() for doc_id in by_doc}
    report["ignored"] = sorted(predicted_docs - set(gold))
    return report


def _record(record: Record) -> str:
    return json.dumps(record, ensure_ascii=False)


def format_report(report: dict) -> str:
    """The report as text: overall tables and checks, per-document figures, misses and FPs."""
    docs = report["documents"]
    out = [f"Scored {len(docs)} gold document(s)."]
    if report["unpredicted"]:
        out.append("No documents row (unpredicted, scored as misses): " + ", ".join(report["unpredicted"]))
    if report["ignored"]:
        out.append("Ignored, predictions without gold: " + ", ".join(report["ignored"]))

    out += ["", f"{'table':<20}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}"]
    for table in TABLES:
        s = report["overall"][table]
        out.append(f"{table:<20}{s['precision']:7.3f}{s['recall']:7.3f}{s['f1']:7.3f}"
                   f"{s['tp']:6d}{s['fp']:6d}{s['fn']:6d}")
    out += ["", f"{'check':<20}{'acc':>7}  correct/total"]
    for check in CHECKS:
        a = report["overall"][check]
        out.append(f"{check:<20}{a['accuracy']:7.3f}  {a['correct']}/{a['total']}")
        if check == "fields":
            out += [f"  {field:<18}{a['accuracy']:7.3f}  {a['correct']}/{a['total']}"
                    for field, a in report["fields"].items()]

    columns = TABLES + CHECKS
    width = max([len("document"), *map(len, docs)]) + 2
    out += ["", "Per document (F1 for tables, accuracy for checks)",
            "document".ljust(width) + "".join(f"{c:>{len(c) + 2}}" for c in columns)]
    for doc_id, scores in docs.items():
        figures = (scores[c]["f1"] if c in TABLES else scores[c]["accuracy"] for c in columns)
        out.append(doc_id.ljust(width) + "".join(f"{v:>{len(c) + 2}.3f}" for c, v in zip(columns, figures)))

    out += ["", "Misses (gold not found) and false positives (FP), by document and table"]
    for doc_id in docs:
        misses = [m for m in report["misses"] if m["doc_id"] == doc_id]
        fps = [f for f in report["false_positives"] if f["doc_id"] == doc_id]
        if not misses and not fps:
            continue
        out.append(doc_id)
        for table in columns:
            entries = ([("miss", m["gold"], m["evidence"]) for m in misses if m["table"] == table]
                       + [("FP", f["pred"], f["evidence"]) for f in fps if f["table"] == table])
            if entries:
                out.append(f"  {table}")
                out += [f"    {kind:<5}{_record(rec)}" + (f"  ← {ev}" if ev else "")
                        for kind, rec, ev in entries]
    return "\n".join(out)


def check_floor(report: dict, floor: dict, _path: tuple[str, ...] = ()) -> list[str]:
    """One message per floor figure the report falls below or lacks; [] when all pass."""
    failures = []
    for key, minimum in floor.items():
        path = (*_path, key)
        value = report.get(key) if isinstance(report, dict) else None
        if isinstance(minimum, dict):
            failures += check_floor(value if isinstance(value, dict) else {}, minimum, path)
        elif not isinstance(value, (int, float)):
            failures.append(f"{'.'.join(path)}: not in the report (floor {minimum})")
        # a figure computed to equal the floor may differ from it in the last bit
        elif value < minimum - 1e-9:
            failures.append(f"{'.'.join(path)} = {value:.3f} is below the floor {minimum:.3f}")
    return failures
