"""Review pages: every extraction of a run highlighted in its document's clean text.

``review(run_dir)`` writes one self-contained HTML page per document and an index page
into ``run_dir/review/`` (``policy-pipeline review DIR [--out FOLDER] [--gold DIR]``).

A document's page shows its fields, its outline as a tree whose links jump to each task,
and the clean text with the records of every span table (units, targets, deadlines,
phases, and any table a run adds whose rows carry offsets) highlighted by kind. The
highlights are spaCy's displaCy span style, drawn from the span groups of the Doc that
``pipeline.spans`` builds (the same Doc ``export-spacy`` writes):
``displacy.render(..., style="span", manual=True)`` renders each stretch of overlapping
spans, one token per character, with the templates below, which drop the default
templates' whitespace (it would show between Chinese characters) and give a token's
record chips a link to its row; a script maps a clicked token back to its character
offset (a stretch's element carries its start). Hovering a highlighted character shows the
records covering it, clicking pins them beside the text and marks their rows in the side
tables, which list every record with a link to its span. A toggle shows the boilerplate the
cleaner removed, struck through where it stood.

Where gold exists for a document, the scorer's verdict (``pipeline.score.score_dirs``, its
matching as it is) marks every record matched or spurious and lists the gold records
missed, by the strictest table the scorer matches the kind in (``units+task``,
``targets+indicator``, ``deadlines``, ``phases``, ``tasks``); a record's card shows its
verdict in every table of its kind. The outline's tasks and the document fields are marked
the same way.

Pages need nothing but the file: no network, no external fonts or scripts. Everything
taken from a document is escaped, record data travels as JSON in a non-executed script
element and is put on screen with ``textContent``, and a Content-Security-Policy lets only
the page's own script (by hash) run.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow.parquet as pq
from spacy import displacy

from pipeline.clean import STRAY_PIPE
from pipeline.markup import escaped
from pipeline.score import FIELDS, MATCHERS, load_gold, load_predictions, score_dirs
from pipeline.spans import OUTLINE, load_run, make_doc

DEFAULT_GOLD = Path(__file__).resolve().parent.parent / "gold"  # the project's gold set, when present

Record = dict[str, Any]

KIND_COLORS = {"units": "#7aecec", "targets": "#feca74", "deadlines": "#b5a6ff", "phases": "#ff9561"}
OTHER_COLORS = ("#bfeeb7", "#ff8197", "#9cc9cc", "#e4e7d2", "#f0d0ff")
SPURIOUS_COLOR = "#e03131"
KIND_LABELS = {"units": "unit", "targets": "target", "deadlines": "deadline", "phases": "phase"}
VERDICT_MARKS = {"matched": " ✓", "spurious": " ✗"}
CONTINUED = " …"  # label of the part of a span that goes on in the next line

# displaCy span-style templates: one element per token, no whitespace between them.
TEMPLATES = {
    "span": '<span class="tk" style="height:{total_height}px">{text}{span_slices}{span_starts}</span>',
    "slice": '<span class="sl {bg}" style="top:{top_offset}px"></span>',
    "start": '<span class="st {bg}" data-label="{label}" style="top:{top_offset}px">'
             '<span class="chip {bg}">{label}{kb_link}</span></span>',
}  # {bg} is the label's colour: a class of the page's style (label_colors)
RENDER_OPTIONS = {"template": TEMPLATES, "top_offset": 24, "span_label_offset": 12, "top_offset_step": 14}
_SETTINGS = {"lang": "zh", "direction": "ltr"}

# the tables pipeline.score matches each record kind in, from the loosest to the strictest
# as MATCHERS lists them (units: units, units+task); the strictest gives a record its mark
SCORED_TABLES: dict[str, list[str]] = defaultdict(list)
for _table, (_kind, _) in MATCHERS.items():
    SCORED_TABLES[_kind].append(_table)
STRICTEST = {kind: tables[-1] for kind, tables in SCORED_TABLES.items()}


# ---------------------------------------------------------------- the scorer's verdict


@dataclass
class Verdicts:
    """The scorer's verdict on one document's records, fields and line checks."""

    records: dict[str, dict[int, dict[str, str]]] = field(default_factory=dict)  # kind -> row -> table -> verdict
    missed: dict[str, list[tuple[Record, list[str]]]] = field(default_factory=dict)  # kind -> (gold, tables
    # that missed it), for the gold records the strictest table missed
    fields: dict[str, tuple[bool, Any]] = field(default_factory=dict)  # field -> (correct, gold value)
    checks: list[Record] = field(default_factory=list)  # boilerplate_removed / content_kept misses

    def of(self, kind: str, index: int) -> str | None:
        """matched or spurious in the kind's strictest table; None when the kind is not scored."""
        return self.records.get(kind, {}).get(index, {}).get(STRICTEST.get(kind))

    def tally(self, kind: str, n_records: int) -> dict[str, int]:
        marks = [self.of(kind, i) for i in range(n_records)]
        return {"matched": marks.count("matched"), "spurious": marks.count("spurious"),
                "missed": len(self.missed.get(kind, []))}


def _tally_html(tally: dict[str, int]) -> str:
    return " · ".join(f'<span class="v {v}">{n} {v}</span>' for v, n in tally.items())


def verdicts_of(report: dict, gold: dict[str, Record], records: dict[str, dict[str, list[Record]]]
                ) -> dict[str, Verdicts]:
    """doc_id -> Verdicts for every gold document of a score_dirs report."""
    spurious: dict[tuple[str, str], set[int]] = defaultdict(set)  # (doc_id, table) -> row indices
    for fp in report["false_positives"]:
        spurious[fp["doc_id"], fp["table"]].add(fp["index"])
    result = {doc_id: Verdicts() for doc_id in report["documents"]}
    for doc_id, verdicts in result.items():
        for kind, tables in SCORED_TABLES.items():
            rows = records.get(kind, {}).get(doc_id, [])
            verdicts.records[kind] = {
                i: {t: "spurious" if i in spurious[doc_id, t] else "matched" for t in tables}
                for i in range(len(rows))}
        document = gold[doc_id].get("document") or {}
        verdicts.fields = {f: (True, document[f]) for f in FIELDS if f in document}
    missed: dict[tuple[str, str, int], tuple[Record, list[str]]] = {}  # (doc, kind, gold index) -> entry
    for miss in report["misses"]:
        verdicts = result[miss["doc_id"]]
        if miss["table"] in MATCHERS:
            kind = MATCHERS[miss["table"]][0]
            missed.setdefault((miss["doc_id"], kind, miss["index"]), (miss["gold"], []))[1].append(miss["table"])
        elif miss["table"] == "fields":
            (name, value), = miss["gold"].items()
            verdicts.fields[name] = (False, value)
        else:
            verdicts.checks.append(miss)
    for (doc_id, kind, _), (gold_record, tables) in sorted(missed.items(), key=lambda item: item[0]):
        if STRICTEST[kind] in tables:
            result[doc_id].missed.setdefault(kind, []).append((gold_record, tables))
    return result


# ---------------------------------------------------------------- the highlighted text


@dataclass(slots=True)
class Mark:
    """One record's span to highlight."""

    start: int
    end: int
    kind: str
    index: int  # row of the record in its table's rows for the document
    label: str  # displaCy label: kind, with the verdict's mark


def _tokens(chunk: str) -> tuple[list[str], list[int]]:
    """Tokens for displaCy: one per non-space character, a space going with the character
    before it (the first one's leading spaces too); and the token of every character."""
    tokens: list[str] = []
    token_of: list[int] = []
    leading = ""
    for ch in chunk:
        if ch.isspace() and tokens:
            tokens[-1] += ch
        elif ch.isspace():
            leading += ch
        else:
            tokens.append(leading + ch)
            leading = ""
        token_of.append(max(len(tokens) - 1, 0))
    if leading:  # a chunk of spaces only
        tokens.append(leading)
    return tokens, token_of


class TextRenderer:
    """The clean text as lines of HTML with displaCy span markup for the records."""

    def __init__(self, labels: dict[str, str]):
        self.options = {**RENDER_OPTIONS, "colors": labels}

    def cluster(self, text: str, start: int, end: int, parts: list[tuple[int, int, str, str, str]]) -> str:
        """One stretch of overlapping span parts (start, end, label, kb_id, kb_url)."""
        tokens, token_of = _tokens(text[start:end])
        spans = [{"start_token": token_of[s - start], "end_token": token_of[e - 1 - start] + 1,
                  "label": label, "kb_id": kb_id, "kb_url": kb_url}
                 for s, e, label, kb_id, kb_url in parts]
        markup = displacy.render({"tokens": tokens, "spans": spans, "settings": _SETTINGS}, style="span",
                                 manual=True, jupyter=False, options=self.options)
        return f'<div class="cl" data-s="{start}">{markup}</div>'

    def render(self, text: str, marks: list[Mark], anchors: list[tuple[int, str]], removed: list[Record]) -> str:
        """Lines of the text; anchors (offset, element id) mark where links land; the removed
        lines are drawn where they stood (place_removed), hidden until asked for."""
        lines, offset = [], 0
        for line in text.split("\n"):
            lines.append((offset, offset + len(line)))
            offset += len(line) + 1
        starts = [s for s, _ in lines]
        parts: dict[int, list[tuple[int, int, str, str, str]]] = defaultdict(list)
        for mark in marks:  # a span in several lines: its first part has the chip's number link
            linked = False
            for k in range(bisect_right(starts, mark.start) - 1, bisect_right(starts, mark.end - 1)):
                s, e = max(mark.start, lines[k][0]), min(mark.end, lines[k][1])
                if s < e and not linked:
                    parts[k].append((s, e, mark.label, str(mark.index + 1), f"#rec-{mark.kind}-{mark.index}"))
                    linked = True
                elif s < e:
                    parts[k].append((s, e, mark.label + CONTINUED, "", ""))
        anchors = sorted(anchors)
        anchor_starts = [a for a, _ in anchors]
        before, after = place_removed(removed, len(lines))
        out = []
        for k, (start, end) in enumerate(lines):
            out += map(_removed_line, before.get(k, []))
            lo, hi = bisect_right(anchor_starts, start - 1), bisect_right(anchor_starts, end)
            body = self._line(text, start, end, sorted(parts.get(k, [])), anchors[lo:hi])
            fragments = "".join(map(_removed_fragment, after.get(k, [])))
            out.append(f'<div class="ln" data-s="{start}">{body or "<br>"}{fragments}</div>')
        out += map(_removed_line, before.get(len(lines), []))
        return "\n".join(out)

    def _line(self, text: str, start: int, end: int, parts: list, anchors: list[tuple[int, str]]) -> str:
        clusters: list[list] = []  # [start, end, parts]
        for part in parts:
            if clusters and part[0] < clusters[-1][1]:
                clusters[-1][1] = max(clusters[-1][1], part[1])
                clusters[-1][2].append(part)
            else:
                clusters.append([part[0], part[1], [part]])
        out: list[str] = []
        pos, a = start, 0

        def anchor() -> str:
            nonlocal a
            a += 1
            return f'<span class="anc" id="{escaped(anchors[a - 1][1])}"></span>'

        def plain(upto: int) -> None:  # the text up to `upto`, with the anchors in it
            nonlocal pos
            while a < len(anchors) and anchors[a][0] < upto:
                at = max(pos, anchors[a][0])
                out.append(escaped(text[pos:at]) + anchor())
                pos = at
            out.append(escaped(text[pos:upto]))
            pos = upto

        for c_start, c_end, c_parts in clusters:
            plain(c_start)
            while a < len(anchors) and anchors[a][0] < c_end:  # anchors inside go before the cluster
                out.append(anchor())
            out.append(self.cluster(text, c_start, c_end, c_parts))
            pos = c_end
        plain(end)
        while a < len(anchors):
            out.append(anchor())
        return "".join(out)


def place_removed(removed: list[Record], n_lines: int) -> tuple[dict[int, list[Record]], dict[int, list[Record]]]:
    """Where each removed_lines row stood in the clean text: whole lines before clean line k
    (k = n_lines: after the last), stray fragments at the end of line k. Its line_no counts
    the lines before cleaning, the removed ones included."""
    before: dict[int, list[Record]] = defaultdict(list)
    after: dict[int, list[Record]] = defaultdict(list)
    gone = 0  # whole lines removed so far
    for row in sorted(removed, key=lambda r: r["line_no"]):
        k = min(row["line_no"] - gone, n_lines)
        if row["reason"] == STRAY_PIPE:
            after[k].append(row)
        else:
            before[k].append(row)
            gone += 1
    return before, after


def _removed_line(row: Record) -> str:
    return f'<div class="rm"><del>{escaped(row["text"])}</del> <span class="why">{escaped(row["reason"])}</span></div>'


def _removed_fragment(row: Record) -> str:
    return f'<del class="rm frag" title="{escaped(row["reason"])}">{escaped(row["text"])}</del>'


# ---------------------------------------------------------------- a document's page


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def label_colors(kinds: list[str]) -> tuple[dict[str, str], dict[str, str], str]:
    """displaCy's colours of every label a page can use (kind × verdict × continuation) as
    class names, the class of each kind, and the CSS that colours them: a spurious record's
    bar is striped red."""
    colors, classes, css = {}, {}, []
    for n, kind in enumerate(kinds):
        color = KIND_COLORS.get(kind) or OTHER_COLORS[n % len(OTHER_COLORS)]
        classes[kind] = f"k{n}"
        css.append(f".k{n}{{background:{color}}}.k{n}.spurious{{background:repeating-linear-gradient("
                   f"90deg,{SPURIOUS_COLOR} 0 5px,{color} 5px 10px)}}")
        for verdict, mark in [(None, ""), *VERDICT_MARKS.items()]:
            for continued in ("", CONTINUED):
                colors[kind_label(kind) + mark + continued] = f"k{n} {verdict}" if verdict else f"k{n}"
    return colors, classes, "".join(css)


def _record_fields(row: Record) -> Record:
    return {k: v for k, v in row.items() if k not in ("char_start", "char_end")}


def _outline(tasks: list[Record], verdicts: Verdicts | None) -> str:
    ids = {t["task_id"] for t in tasks}
    children: dict[str | None, list[tuple[int, Record]]] = defaultdict(list)
    for i, task in enumerate(tasks):
        children[task["parent_id"] if task["parent_id"] in ids else None].append((i, task))

    seen: set[str] = set()  # a parent_id cycle is drawn once

    def tree(parent: str | None) -> str:
        items = []
        for i, task in children.get(parent, []):
            if task["task_id"] in seen:
                continue
            seen.add(task["task_id"])
            verdict = verdicts.of(OUTLINE, i) if verdicts else None
            mark = f'<span class="v {verdict}">{VERDICT_MARKS[verdict].strip()}</span>' if verdict else ""
            items.append(f'<li class="{verdict or ""}"><a href="#task-{escaped(task["task_id"])}">'
                         f'<b>{escaped(task["label"])}</b> {escaped(task["heading"])}</a>{mark}{tree(task["task_id"])}</li>')
        return f"<ul>{''.join(items)}</ul>" if items else ""

    return tree(None) or "<p>No numbered outline.</p>"


def _fields_table(fields: Record, verdicts: Verdicts | None) -> str:
    rows = []
    for name, value in fields.items():
        gold = ""
        if verdicts and name in verdicts.fields:
            correct, expected = verdicts.fields[name]
            gold = ('<td class="v matched">✓ gold</td>' if correct
                    else f'<td class="v spurious">✗ gold: {escaped(expected) or "null"}</td>')
        rows.append(f"<tr><th>{escaped(name)}</th><td>{escaped(value)}</td>{gold}</tr>")
    return f'<table class="fields">{"".join(rows)}</table>'


def _record_table(kind: str, rows: list[Record], evidence: dict[int, str], verdicts: Verdicts | None) -> str:
    columns = [c for c in (rows[0] if rows else {}) if c not in ("doc_id", "char_start", "char_end", "text")]
    head = "".join(f"<th>{escaped(c)}</th>" for c in ["#", *(["verdict"] if verdicts else []), "evidence", *columns])
    body = []
    for i, row in enumerate(rows):
        verdict = verdicts.of(kind, i) if verdicts else None
        cells = [f'<td><a href="#r-{kind}-{i}">{i + 1}</a></td>' if i in evidence else f"<td>{i + 1}</td>"]
        if verdicts:
            cells.append(f'<td class="v {verdict or ""}">{escaped(verdict)}</td>')
        cells.append(f'<td class="ev">{escaped(evidence.get(i, "(no span)"))}</td>')
        for c in columns:
            value = escaped(row.get(c))
            cells.append(f'<td><a href="#task-{value}">{value}</a></td>' if c == "task_id" and value
                         else f"<td>{value}</td>")
        body.append(f'<tr id="rec-{kind}-{i}" class="{verdict or ""}">{"".join(cells)}</tr>')
    return f'<table class="records"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _missed_list(kind: str, verdicts: Verdicts) -> str:
    entries = verdicts.missed.get(kind, [])
    if not entries:
        return ""
    items = "".join(
        '<li class="missed"><span class="v missed">missed</span> '
        + " · ".join(f"{escaped(k)}: <b>{escaped(v)}</b>" for k, v in gold.items() if v is not None)
        + f' <small>({escaped(", ".join(tables))})</small></li>'
        for gold, tables in entries)
    return f'<h4>Gold {escaped(kind)} not found ({len(entries)})</h4><ul class="missed-list">{items}</ul>'


def _script_tag(script: str) -> tuple[str, str]:
    """The inline script and its CSP hash source."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return f"<script>{script}</script>", f"'sha256-{digest}'"


def _page(title: str, body: str, script: str, style: str) -> str:
    tag, source = _script_tag(script)
    policy = f"default-src 'none'; script-src {source}; style-src 'unsafe-inline'; img-src data:"
    return (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="icon" href="data:,"><title>{escaped(title)}</title><style>{style}</style></head>\n'
            f"<body>{body}\n{tag}</body></html>\n")


def _json_for_script(data: Any) -> str:
    """JSON safe inside a <script type="application/json"> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render_document(document: Record, records: dict[str, list[Record]], removed: list[Record],
                    verdicts: Verdicts | None) -> str:
    """The review page of one document: its row, its span tables' rows, its removed lines."""
    doc = make_doc(document, records)
    text = doc.text
    records = doc.user_data["records"]
    kinds = [k for k in records if k != OUTLINE]
    marks, evidence, data, anchors = [], {k: {} for k in kinds}, [], []
    for kind in kinds:
        spans = {int(span.id_): span for span in doc.spans[kind]}
        for i, row in enumerate(records[kind]):
            verdict = verdicts.of(kind, i) if verdicts else None
            span = spans.get(i)
            label = kind_label(kind) + VERDICT_MARKS.get(verdict, "")
            if span is not None:
                marks.append(Mark(span.start_char, span.end_char, kind, i, label))
                evidence[kind][i] = span.text
                anchors.append((span.start_char, f"r-{kind}-{i}"))
            data.append([kind, i, span.start_char if span is not None else -1,
                         span.end_char if span is not None else -1, kind_label(kind),
                         _record_fields(row), verdicts.records.get(kind, {}).get(i) if verdicts else None,
                         evidence[kind].get(i, ""), verdict])
    tasks = records.get(OUTLINE, [])
    anchors += [(t["char_start"], f"task-{t['task_id']}") for t in tasks
                if isinstance(t.get("char_start"), int) and 0 <= t["char_start"] <= len(text)]

    colors, classes, kind_css = label_colors(kinds)
    text_html = TextRenderer(colors).render(text, marks, anchors, removed)

    doc_id = doc.user_data["doc_id"]
    title = doc.user_data["title"] or doc_id
    legend = " ".join(
        f'<span class="key {classes[k]}">'
        f'{escaped(kind_label(k))} <b>{len(records[k])}</b></span>' for k in kinds)
    if verdicts:
        legend += ' <span class="key">✓ matched gold · ✗ spurious (striped)</span>'
    side = []
    for kind in [*kinds, *([OUTLINE] if verdicts else [])]:  # tasks: only their gold misses
        rows = records.get(kind, [])
        counts = " — " + _tally_html(verdicts.tally(kind, len(rows))) if verdicts and kind in SCORED_TABLES else ""
        side.append(f'<section id="list-{kind}"><h3>{escaped(kind)} ({len(rows)}){counts}</h3>'
                    + (_record_table(kind, rows, evidence[kind], verdicts) if kind in kinds and rows else "")
                    + (_missed_list(kind, verdicts) if verdicts else "") + "</section>")
    if verdicts and verdicts.checks:
        items = "".join(f'<li class="missed"><span class="v missed">{escaped(m["table"])}</span> '
                        f'{escaped(m["gold"].get("line"))}'
                        + (f' <small>in: {escaped(m["evidence"])}</small>' if m["evidence"] else "") + "</li>"
                        for m in verdicts.checks)
        side.append(f'<section id="checks"><h3>Gold line checks failed</h3><ul>{items}</ul></section>')
    gold_note = " · scored against gold" if verdicts else ""
    body = f"""<header><a href="index.html">← all documents</a>
<h1>{escaped(title)}</h1>
<details><summary>{escaped(doc_id)} · {len(text):,} characters · {len(tasks)} tasks{gold_note}</summary>
{_fields_table(doc.user_data["fields"], verdicts)}</details></header>
<div class="layout">
<nav class="outline"><h3>Outline</h3>{_outline(tasks, verdicts)}</nav>
<main><div class="controls">{legend}
<label><input type="checkbox" id="show-removed"> show removed boilerplate ({len(removed)} lines)</label></div>
<div id="text">{text_html}</div></main>
<aside><div id="record"><p class="hint">Hover or click a highlight to see its record.</p></div>{"".join(side)}</aside>
</div><div id="tip" hidden></div>
<script type="application/json" id="data">{_json_for_script({"records": data})}</script>"""
    return _page(f"{title} — review", body, DOC_SCRIPT, DOC_STYLE + kind_css)


# ---------------------------------------------------------------- index and driver


@dataclass
class Review:
    index: Path
    pages: dict[str, Path]  # doc_id -> page
    highlights: dict[str, int]  # doc_id -> records highlighted on its page


def page_names(doc_ids: list[str]) -> dict[str, str]:
    """A safe, unique file name per doc_id."""
    names: dict[str, str] = {}
    used = {"index"}
    for doc_id in doc_ids:
        stem = re.sub(r"[^\w.-]", "_", doc_id).lstrip(".")[:100] or "document"
        if stem != doc_id or stem.lower() in used:
            stem += "-" + hashlib.blake2b(doc_id.encode("utf-8"), digest_size=4).hexdigest()
        used.add(stem.lower())
        names[doc_id] = stem + ".html"
    return names


def render_index(entries: list[Record], kinds: list[str], errors: list[Record], gold: bool) -> str:
    def select(name: str, values: set[str]) -> str:
        options = "".join(f'<option value="{escaped(v)}">{escaped(v)}</option>' for v in sorted(values))
        return f'<label>{name} <select id="{name}"><option value="">all</option>{options}</select></label>'

    head = ["document", "title", "region", "date", "chars", *map(escaped, kinds), "tasks", "removed lines"]
    head += ["matched", "spurious", "missed"] if gold else []
    rows = []
    for e in entries:
        cells = [f'<td><a href="{escaped(quote(e["page"]))}">{escaped(e["doc_id"])}</a></td>', f'<td>{escaped(e["title"])}</td>',
                 f'<td>{escaped(e["region"])}</td>', f'<td>{escaped(e["issue_date"])}</td>', f'<td>{e["chars"]:,}</td>',
                 *(f'<td>{e["counts"][k]}</td>' for k in kinds), f'<td>{e["tasks"]}</td>', f'<td>{e["removed"]}</td>']
        if gold:
            tally = e["verdicts"]
            cells += ([f'<td class="v {v}">{tally[v]}</td>' for v in ("matched", "spurious", "missed")]
                      if tally else ["<td></td>"] * 3)
        rows.append(f'<tr data-region="{escaped(e["region_key"])}" data-year="{escaped(e["year"])}">{"".join(cells)}</tr>')
    error_rows = "".join(
        f"<tr><td>{escaped(r.get('doc_id'))}</td><td>{escaped(r.get('source'))}</td><td>{escaped(r.get('stage'))}</td>"
        f"<td>{escaped(r.get('error'))}</td></tr>" for r in errors)
    body = f"""<header><h1>Review: {len(entries)} documents, {len(errors)} errors</h1>
<div class="controls">{select("region", {e["region_key"] for e in entries})}
{select("year", {e["year"] for e in entries})}
<span><b id="shown">{len(entries)}</b> shown</span></div></header>
<main><table id="docs" class="records"><thead><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<h2>Errors ({len(errors)})</h2>
<table id="errors" class="records"><thead><tr><th>doc_id</th><th>source</th><th>stage</th><th>error</th></tr></thead>
<tbody>{error_rows}</tbody></table></main>"""
    return _page("Review — documents", body, INDEX_SCRIPT, DOC_STYLE)


NONE = "(none)"  # filter value of a missing region or year


def review(run_dir: str | os.PathLike, out: str | os.PathLike | None = None,
           gold: str | os.PathLike | None = DEFAULT_GOLD) -> Review:
    """Write the review pages of a run (see the module doc); gold=None scores nothing."""
    tables = load_run(run_dir)
    removed = load_predictions(run_dir, ["removed_lines"])["removed_lines"]
    errors_path = Path(run_dir) / "errors.parquet"
    errors = pq.read_table(errors_path).to_pylist() if errors_path.exists() else []
    doc_ids = {d["doc_id"] for d in tables.documents}
    gold_docs = load_gold(gold) if gold is not None and Path(gold).is_dir() else {}
    verdicts: dict[str, Verdicts] = {}
    if doc_ids & set(gold_docs):
        scored = verdicts_of(score_dirs(gold, run_dir), gold_docs, tables.records)
        verdicts = {doc_id: v for doc_id, v in scored.items() if doc_id in doc_ids}

    out = Path(out) if out else Path(run_dir) / "review"
    out.mkdir(parents=True, exist_ok=True)
    names = page_names([d["doc_id"] for d in tables.documents])
    kinds = [k for k in tables.records if k != OUTLINE]
    entries, pages, highlights = [], {}, {}
    for document in tables.documents:
        doc_id = document["doc_id"]
        records = tables.of(doc_id)
        doc_verdicts = verdicts.get(doc_id)
        path = out / names[doc_id]
        path.write_text(render_document(document, records, removed.get(doc_id, []), doc_verdicts),
                        encoding="utf-8")
        pages[doc_id] = path
        highlights[doc_id] = sum(len(records[k]) for k in kinds)
        tally: Counter | None = None
        if doc_verdicts:
            tally = Counter()
            for kind in SCORED_TABLES.keys() - {OUTLINE}:
                tally.update(doc_verdicts.tally(kind, len(records.get(kind, []))))
        date = document.get("issue_date")
        entries.append({"doc_id": doc_id, "page": names[doc_id], "title": document.get("title"),
                        "region": document.get("region"), "region_key": document.get("region") or NONE,
                        "issue_date": date, "year": str(date)[:4] if date else NONE,
                        "chars": len(document.get("text") or ""), "counts": {k: len(records[k]) for k in kinds},
                        "tasks": len(records.get(OUTLINE, [])), "removed": len(removed.get(doc_id, [])),
                        "verdicts": tally})
    index = out / "index.html"
    index.write_text(render_index(entries, kinds, errors, bool(verdicts)), encoding="utf-8")
    return Review(index, pages, highlights)


# ---------------------------------------------------------------- style and scripts

DOC_STYLE = """
body{margin:0;font:15px/1.6 system-ui,"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;color:#222}
header{padding:.5rem 1rem;border-bottom:1px solid #ddd}header h1{font-size:1.25rem;margin:.3rem 0}
a{color:#1c5fb8}table.fields th{text-align:left;padding-right:1rem;font-weight:600}
.layout{display:grid;grid-template-columns:minmax(160px,250px) minmax(0,1fr) minmax(320px,38%)}
nav.outline,aside{position:sticky;top:0;height:100vh;overflow:auto;font-size:13px;padding:0 .6rem;box-sizing:border-box}
nav.outline{border-right:1px solid #eee}aside{border-left:1px solid #eee}
nav ul{list-style:none;padding-left:.9rem;margin:0}nav>ul{padding-left:0}nav li a{text-decoration:none;color:#222}
nav li a:hover{background:#eef}main{padding:.4rem 1.2rem;min-width:0}
.controls{position:sticky;top:0;background:#fff;z-index:15;padding:.3rem 0;border-bottom:1px solid #eee;font-size:13px}
.key{display:inline-block;padding:0 .4rem;border-radius:3px;margin-right:.3rem}
#text{padding-top:.5rem}.ln{line-height:2.1;margin-bottom:.2rem;overflow-wrap:anywhere}
.ln,aside section{content-visibility:auto;contain-intrinsic-size:auto 3em}
.anc,[id^=rec-],[id^=list-]{scroll-margin-top:3rem}
.cl,.cl>.spans{display:inline}.cl>.spans{line-height:inherit!important}
.tk{display:inline-block;position:relative;line-height:1.5;background:#fff4cc;cursor:pointer}
.tk:hover{background:#ffe08a}.tk.on{background:#ffc933}
.sl,.st{position:absolute;left:-1px;width:calc(100% + 2px);height:4px}.st{border-radius:3px 0 0 3px}
.chip{position:absolute;z-index:10;top:-.45em;left:0;padding:1px 3px;font-size:.62em;font-weight:600;line-height:1;
border-radius:3px;white-space:nowrap;color:#000}.chip a{color:inherit;font-weight:400}
.chip.spurious.spurious{background:#fff;color:#c92a2a;box-shadow:inset 0 0 0 1px #c92a2a}
.rm{display:none;color:#a33;font-size:13px}.rm del{text-decoration-thickness:1px}.why{color:#888;font-size:11px}
body.show-removed .rm{display:block}body.show-removed .rm.frag{display:inline}
#record{position:sticky;top:0;background:#fff;z-index:5;padding:.4rem 0;border-bottom:1px solid #ddd;max-height:45vh;overflow:auto}
.hint{color:#888}.card{border:1px solid #ccc;border-radius:4px;padding:.3rem .5rem;margin:.25rem 0;background:#fff}
.card table{font-size:12px}.card th{text-align:left;color:#555;font-weight:400;padding-right:.6rem}
.card q{display:block;margin:.2rem 0;font-weight:600}
.card.matched{border-left:3px solid #2b8a3e}.card.spurious{border-left:3px solid #c92a2a}
#tip{position:fixed;z-index:30;max-width:380px;pointer-events:none;box-shadow:0 2px 10px #0003}
table.records{border-collapse:collapse;font-size:12px;width:100%}
table.records td,table.records th{border-bottom:1px solid #eee;padding:1px 4px;text-align:left;vertical-align:top}
tr.sel{outline:2px solid #f08c00;background:#fff3d6}td.ev{font-weight:600}
.v.matched{color:#2b8a3e}.v.spurious{color:#c92a2a}.v.missed{color:#d9480f}
tr.spurious td:first-child{border-left:3px solid #c92a2a}tr.matched td:first-child{border-left:3px solid #2b8a3e}
li.missed{margin:.15rem 0}h3{font-size:14px;margin:.8rem 0 .3rem}h4{font-size:13px;margin:.5rem 0 .2rem}
"""

DOC_SCRIPT = """
"use strict";
const data = JSON.parse(document.getElementById("data").textContent);
const recs = data.records; // [kind, index, start, end, label, fields, verdict per table, evidence, verdict]
const text = document.getElementById("text"), tip = document.getElementById("tip");
const panel = document.getElementById("record");
let measured = false;
function measure() { // a cluster starts at offset data-s; a token is one character (plus spaces)
  if (measured) return;
  measured = true;
  for (const cl of text.querySelectorAll(".cl")) {
    let o = Number(cl.dataset.s);
    for (const tk of cl.querySelectorAll(".tk")) { tk.dataset.o = o; o += Array.from(tk.firstChild.nodeValue).length; }
  }
}
function recordsAt(tk) { measure(); const o = Number(tk.dataset.o); return recs.filter(r => r[2] <= o && o < r[3]); }
function el(tag, cls, content) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (content !== undefined) e.textContent = content;
  return e;
}
function card(r) {
  const box = el("div", "card " + (r[8] || "")), head = el("div");
  const link = el("a", "", r[4] + " " + (r[1] + 1));
  link.href = "#rec-" + r[0] + "-" + r[1];
  head.append(link);
  if (r[6]) for (const [table, v] of Object.entries(r[6])) head.append(" ", el("span", "v " + v, table + ": " + v));
  box.append(head, el("q", "", r[7] || "(no span)"));
  const rows = el("table");
  for (const [k, v] of Object.entries(r[5])) {
    const tr = el("tr");
    tr.append(el("th", "", k), el("td", "", v === null ? "—" : String(v)));
    rows.append(tr);
  }
  box.append(rows);
  return box;
}
function select(list) {
  panel.replaceChildren(...(list.length ? list.map(card) : [el("p", "hint", "No record here.")]));
  for (const e of document.querySelectorAll(".sel, .on")) e.classList.remove("sel", "on");
  measure();
  const tokens = text.querySelectorAll(".tk");
  for (const r of list) {
    const row = document.getElementById("rec-" + r[0] + "-" + r[1]);
    if (row) row.classList.add("sel");
    for (const tk of tokens) { const o = Number(tk.dataset.o); if (r[2] <= o && o < r[3]) tk.classList.add("on"); }
  }
}
text.addEventListener("mouseover", e => {
  const tk = e.target.closest(".tk");
  if (!tk) { tip.hidden = true; return; }
  tip.replaceChildren(...recordsAt(tk).map(card));
  tip.hidden = false;
  place(e);
});
function place(e) {
  tip.style.left = Math.max(4, Math.min(e.clientX + 14, innerWidth - tip.offsetWidth - 8)) + "px";
  const below = e.clientY + 18;
  tip.style.top = (below + tip.offsetHeight > innerHeight ? Math.max(4, e.clientY - tip.offsetHeight - 10) : below) + "px";
}
text.addEventListener("mousemove", e => { if (!tip.hidden) place(e); });
text.addEventListener("mouseleave", () => { tip.hidden = true; });
text.addEventListener("click", e => {
  if (e.target.closest("a")) return;
  const tk = e.target.closest(".tk");
  if (tk) select(recordsAt(tk));
});
function fromHash() {
  const m = /^#(?:r|rec)-([a-z0-9_]+)-([0-9]+)$/.exec(location.hash);
  const r = m && recs.find(r => r[0] === m[1] && r[1] === Number(m[2]));
  if (r) select([r]);
}
addEventListener("hashchange", fromHash);
fromHash();
document.getElementById("show-removed").addEventListener("change", e => {
  document.body.classList.toggle("show-removed", e.target.checked);
});
"""

INDEX_SCRIPT = """
"use strict";
const region = document.getElementById("region"), year = document.getElementById("year");
function apply() {
  let shown = 0;
  for (const tr of document.querySelectorAll("#docs tbody tr")) {
    const keep = (!region.value || tr.dataset.region === region.value) && (!year.value || tr.dataset.year === year.value);
    tr.hidden = !keep;
    shown += keep;
  }
  document.getElementById("shown").textContent = shown;
}
region.addEventListener("change", apply);
year.addEventListener("change", apply);
apply();
"""
