"""`policy-pipeline compare DIR`: one self-contained HTML page comparing a run's plans.

Everything comes from the views of DIR/policy.duckdb (pipeline/database.py):

1. documents — one row per document: region, level, year, counts, time horizon;
2. targets — indicator families side by side across documents (values and years), a
   chart of the percentage targets by family, and every target with who leads it;
3. lead units — workload by function and document (chart) and by canonical unit;
4. timelines — implementation phases as a Gantt chart, with the dated deadlines;
5. deadlines by year;
6. citations — the citation graph (citing documents → cited documents, those of the
   run linked through) and the list of references.

Charts are plotly figures; plotly.js is embedded inline once (include_plotlyjs=True on
the first figure), so the page needs no network. Tables sort by a click on a header
(pipeline/data/report.js). Every string that comes from a document is HTML-escaped,
in table cells and in chart labels alike.
"""
from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
import plotly.graph_objects as go

from extractors.citations import title_keys
from pipeline.data import data_path
from pipeline.database import connect
from pipeline.markup import escaped

REPORT = "compare.html"
# anchor -> (link in the navigation, heading, what the section shows, what it says when empty)
SECTIONS: dict[str, tuple[str, str, str, str]] = {
    "documents": (
        "Documents", "Documents",
        "One row per document. Level is the administrative rank of its region (municipalities such as 上海市 "
        "rank as provinces); the horizon runs from the issue year (or the first year it commits to) to the last "
        "year stated by a target, deadline, phase or its title.",
        "No document in this run."),
    "targets": (
        "Targets", "Targets by indicator family",
        "Each family lines one measure up across plans (产品质量监督抽查合格率 and 大中型工程一次验收合格率 are both "
        "合格率). A cell lists a document's targets of that family with their values and years; a year in brackets "
        "is the year stated for the target, else the end of its document's horizon.",
        "No target of a known family in this run."),
    "units": (
        "Lead units", "Lead units and their workload",
        "Units under their canonical names (市质监局 in a 张掖市 plan is 张掖市质量技术监督局) and their functions, "
        "which survive agency reforms (质监局, 工商局 and 市场监管局 all do 市场监管). The chart counts the tasks "
        "each function leads or is responsible for, per document.",
        "No responsible unit in this run."),
    "timelines": (
        "Timelines", "Phase timelines",
        "The implementation phases of each plan (Gantt bars) and its dated deadlines (diamonds).",
        "No dated phase or deadline in this run."),
    "deadlines": (
        "Deadlines", "Deadlines by year",
        "Dated deadlines counted by the year they fall in; recurring ones (每年, 每季度) are counted in the table.",
        "No deadline in this run."),
    "citations": (
        "Citations", "Citation graph",
        "Which documents each plan cites: a link runs from the citing document to the cited one; a cited document "
        "that is itself in the run is drawn as that document, so chains show how a policy travels from province "
        "to city to county.",
        "No citation in this run."),
}
COMPARATORS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "=", "range": "", "increase": "+", "decrease": "−"}
PLOT_CONFIG = {"displaylogo": False, "responsive": True}
MAX_FUNCTIONS = 25  # functions shown in the workload chart


def _target_value(row: Any) -> str:
    """≥90% · 3–5个 · +10百分点 (2015)."""
    value = escaped(row.value) + (f"–{escaped(row.value_max)}" if not pd.isna(row.value_max) else "")
    text = f"{COMPARATORS.get(row.comparator, '')}{value}{escaped(row.unit)}"
    return text + (f" ({escaped(row.year_effective)})" if not pd.isna(row.year_effective) else "")


def _is_number(value: Any) -> bool:
    return pd.api.types.is_number(value) and not pd.api.types.is_bool(value) and not pd.isna(value)


class Page:
    """The report being assembled: sections of escaped HTML and plotly figures."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.plotly_included = False

    def section(self, anchor: str, rows: pd.DataFrame) -> bool:
        """Open a section of SECTIONS; False (and a line saying so) when it has no rows."""
        _, title, note, empty = SECTIONS[anchor]
        self.parts.append(f'<h2 id="{anchor}">{html.escape(title)}</h2>\n<p class="note">{html.escape(note)}</p>')
        if rows.empty:
            self.parts.append(f'<p class="empty">{html.escape(empty)}</p>')
        return not rows.empty

    def figure(self, figure: go.Figure, div_id: str) -> None:
        figure.update_layout(template="plotly_white", margin={"l": 10, "r": 10, "t": 40, "b": 10})
        self.parts.append(figure.to_html(full_html=False, include_plotlyjs=not self.plotly_included,
                                         config=PLOT_CONFIG, div_id=div_id))
        self.plotly_included = True

    def table(self, frame: pd.DataFrame, columns: dict[str, str], table_id: str,
              cells: dict[str, Any] | None = None, raw: Iterable[str] = ()) -> None:
        """A sortable table of `columns` (name -> header); `cells` maps a column to a
        function building its cell HTML from the row; `raw` columns already hold HTML."""
        cells, raw = cells or {}, set(raw)
        position = {name: i for i, name in enumerate(frame.columns)}
        head = "".join(f"<th>{html.escape(header)}</th>" for header in columns.values())
        rows = []
        for row in frame.itertuples(index=False):
            tds = []
            for name in columns:
                value = row[position[name]]
                content = cells[name](row) if name in cells else value if name in raw else escaped(value)
                numeric = _is_number(value)
                tds.append(f'<td class="num" data-sort="{value}">{content}</td>' if numeric else f"<td>{content}</td>")
            rows.append("<tr>" + "".join(tds) + "</tr>")
        self.parts.append(f'<div class="scroll"><table class="sortable" id="{table_id}"><thead><tr>{head}</tr></thead>'
                          f'<tbody>{"".join(rows)}</tbody></table></div>')

    def render(self, title: str, nav: Iterable[tuple[str, str]]) -> str:
        style = data_path("report.css").read_text(encoding="utf-8")
        script = data_path("report.js").read_text(encoding="utf-8")
        links = " ".join(f'<a href="#{anchor}">{html.escape(label)}</a>' for anchor, label in nav)
        return (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{html.escape(title)}</title><style>{style}</style></head>\n<body>\n"
                f"<h1>{html.escape(title)}</h1>\n<nav>{links}</nav>\n" + "\n".join(self.parts)
                + f"\n<script>{script}</script>\n</body></html>\n")


def _labels(docs: pd.DataFrame) -> dict[str, str]:
    """doc_id -> `doc_id · region`, escaped (chart labels)."""
    return {row.doc_id: html.escape(f"{row.doc_id} · {row.region}" if isinstance(row.region, str) else row.doc_id)
            for row in docs.itertuples()}


def _documents(page: Page, docs: pd.DataFrame) -> None:
    if not page.section("documents", docs):
        return
    page.table(docs, {"doc_id": "doc", "title": "title", "region": "region", "level": "level",
                      "issue_year": "issued", "horizon_start": "from", "horizon_end": "to", "n_tasks": "tasks",
                      "n_units": "units", "n_targets": "targets", "n_deadlines": "deadlines", "n_phases": "phases",
                      "n_citations": "citations"}, "documents-table")


def _targets(page: Page, targets: pd.DataFrame, labels: dict[str, str]) -> None:
    family = targets[targets.indicator_family.notna()]
    if not page.section("targets", family):
        return
    percent = family[family.unit == "%"]
    figure = go.Figure()
    for doc_id, rows in percent.groupby("doc_id", sort=False):
        figure.add_trace(go.Scatter(
            x=rows.indicator_family, y=rows.value, mode="markers", name=labels[doc_id], marker={"size": 10},
            text=[f"{html.escape(r.indicator or '')} {_target_value(r)}" for r in rows.itertuples()],
            hovertemplate="%{text}<extra>%{fullData.name}</extra>"))
    figure.update_layout(title="Percentage targets by family", yaxis_title="%", height=450)
    page.figure(figure, "targets-chart")
    pivot: dict[str, dict[str, list[str]]] = {}
    for row in family.itertuples():
        pivot.setdefault(row.indicator_family, {}).setdefault(row.doc_id, []).append(
            f"{escaped(row.indicator)} {_target_value(row)}")
    doc_ids = list(dict.fromkeys(family.doc_id))
    side = pd.DataFrame([{"family": name, **{d: "<br>".join(cells.get(d, [])) for d in doc_ids}}
                         for name, cells in sorted(pivot.items(), key=lambda kv: -sum(map(len, kv[1].values())))])
    page.table(side, {"family": "family", **{d: d for d in doc_ids}}, "families-table", raw=doc_ids)
    page.parts.append("<h3>Every target of a known family, and who leads it</h3>")
    page.table(family, {"doc_id": "doc", "region": "region", "indicator_family": "family", "indicator": "indicator",
                        "value": "value", "year_effective": "year", "lead_units": "led by",
                        "lead_functions": "function", "text": "evidence"}, "targets-table",
               cells={"value": _target_value})


def _workload(page: Page, workload: pd.DataFrame, labels: dict[str, str]) -> None:
    if not page.section("units", workload):
        return
    leading = workload.assign(n_leading=workload.n_lead + workload.n_responsible,
                              unit_function=workload.unit_function.fillna("(unknown)"))
    totals = leading.groupby("unit_function").n_leading.sum().sort_values(ascending=False)
    shown = [f for f in totals.index[:MAX_FUNCTIONS] if totals[f] > 0]
    figure = go.Figure()
    for doc_id, rows in leading[leading.unit_function.isin(shown)].groupby("doc_id", sort=False):
        per_function = rows.groupby("unit_function").n_leading.sum()
        figure.add_trace(go.Bar(y=[html.escape(f) for f in per_function.index], x=per_function.values,
                                orientation="h", name=labels[doc_id]))
    figure.update_layout(barmode="stack", title="Tasks led (or held responsible) by function",
                         yaxis={"categoryorder": "total ascending"}, height=max(400, 22 * len(shown)))
    page.figure(figure, "workload-chart")
    page.table(workload, {"doc_id": "doc", "region": "region", "unit_canonical": "unit", "unit_function": "function",
                          "unit_collective": "collective", "n_lead": "leads", "n_support": "supports",
                          "n_responsible": "responsible", "n_tasks": "tasks", "printed_as": "printed as"},
               "workload-table")


def _timelines(page: Page, timelines: pd.DataFrame, labels: dict[str, str]) -> None:
    dated = timelines[timelines.start_date.notna() & timelines.end_date.notna()]
    if not page.section("timelines", dated):
        return
    phases, deadlines = dated[dated.kind == "phase"], dated[dated.kind == "deadline"]
    figure = go.Figure()
    for row in phases.itertuples():
        start, end = pd.Timestamp(row.start_date), pd.Timestamp(row.end_date) + pd.Timedelta(days=1)
        figure.add_trace(go.Bar(
            base=[start], x=[(end - start).total_seconds() * 1000], y=[labels[row.doc_id]], orientation="h",
            name=html.escape(row.label), text=[html.escape(row.label)], textposition="inside", showlegend=False,
            hovertemplate=f"{html.escape(row.label)}: {row.start_date} – {row.end_date}<extra>%{{y}}</extra>"))
    if not deadlines.empty:
        figure.add_trace(go.Scatter(
            x=pd.to_datetime(deadlines.start_date), y=[labels[d] for d in deadlines.doc_id], mode="markers",
            marker={"symbol": "diamond", "size": 9, "color": "black"}, name="deadline",
            text=[html.escape(t) for t in deadlines.label], hovertemplate="%{text}: %{x|%Y-%m-%d}<extra>%{y}</extra>"))
    documents = len(set(phases.doc_id) | set(deadlines.doc_id))
    figure.update_layout(title="Phases and deadlines", xaxis={"type": "date"}, barmode="overlay",
                         height=max(300, 60 * documents + 120), yaxis={"autorange": "reversed"})
    page.figure(figure, "gantt-chart")


def _deadlines(page: Page, by_year: pd.DataFrame, labels: dict[str, str]) -> None:
    if not page.section("deadlines", by_year):
        return
    dated = by_year[by_year.year.notna()]
    if not dated.empty:
        figure = go.Figure()
        for doc_id, rows in dated.groupby("doc_id", sort=False):
            figure.add_trace(go.Bar(x=rows.year.astype(int), y=rows.n_deadlines, name=labels[doc_id]))
        figure.update_layout(barmode="stack", title="Deadlines by year", xaxis={"dtick": 1}, height=400)
        page.figure(figure, "deadlines-chart")
    page.table(by_year, {"doc_id": "doc", "region": "region", "year": "year", "n_deadlines": "deadlines",
                         "n_recurring": "recurring"}, "deadlines-table")


def _citations(page: Page, links: pd.DataFrame, labels: dict[str, str]) -> None:
    if not page.section("citations", links):
        return
    nodes: dict[str, int] = {}
    names: list[str] = []
    colours: list[str] = []

    def node(key: str, name: str, in_run: bool) -> int:
        if key not in nodes:
            nodes[key] = len(names)
            names.append(name)
            colours.append("#1f77b4" if in_run else "#bbbbbb")
        return nodes[key]

    # One node per cited document outside the run: by its number, else by its title,
    # and a title once printed with a number stands for that number.
    number_of = {key: row.cited_doc_number for row in links.itertuples() if isinstance(row.cited_doc_number, str)
                 for key in title_keys(row.cited_title)}
    counts: dict[tuple[int, int], int] = {}
    for row in links.itertuples():
        source = node(f"doc:{row.doc_id}", labels[row.doc_id], True)
        if isinstance(row.cited_doc_id, str):
            target = node(f"doc:{row.cited_doc_id}", labels.get(row.cited_doc_id, html.escape(row.cited_doc_id)), True)
        else:
            keys = title_keys(row.cited_title) or [row.cited_title]
            number = (row.cited_doc_number if isinstance(row.cited_doc_number, str)
                      else next((number_of[k] for k in keys if k in number_of), None))
            name = row.cited_title if len(row.cited_title) <= 30 else row.cited_title[:29] + "…"
            target = node(f"cited:{number or keys[0]}", html.escape(f"{name} {number or ''}".strip()), False)
        if source != target:
            counts[(source, target)] = counts.get((source, target), 0) + 1
    figure = go.Figure(go.Sankey(
        node={"label": names, "color": colours, "pad": 8, "thickness": 12},
        link={"source": [s for s, _ in counts], "target": [t for _, t in counts], "value": list(counts.values())}))
    figure.update_layout(title="Citations (blue: documents of this run)", height=max(400, 18 * len(names)))
    page.figure(figure, "citation-graph")
    page.table(links, {"doc_id": "doc", "region": "region", "issue_year": "issued", "cited_title": "cited title",
                       "cited_doc_number": "number", "cited_year": "cited year", "cited_doc_id": "in this run"},
               "citations-table")


def render(out_dir: str | os.PathLike) -> str:
    """The report of the run in out_dir as one HTML page."""
    with connect(out_dir) as con:
        frame = {view: con.execute(f"SELECT * FROM {view}").df() for view in (
            "doc_overview", "targets_with_leads", "unit_workload", "timelines", "deadlines_by_year", "citation_links")}
    docs = frame["doc_overview"]
    labels = _labels(docs)
    page = Page()
    page.parts.append(f'<p class="note">{len(docs)} documents from {html.escape(str(Path(out_dir)))}; '
                      f"{docs.region.nunique()} regions, {int(docs.n_targets.sum())} targets, "
                      f"{int(docs.n_units.sum())} unit assignments, {int(docs.n_citations.sum())} citations.</p>")
    _documents(page, docs)
    _targets(page, frame["targets_with_leads"], labels)
    _workload(page, frame["unit_workload"], labels)
    _timelines(page, frame["timelines"], labels)
    _deadlines(page, frame["deadlines_by_year"], labels)
    _citations(page, frame["citation_links"], labels)
    return page.render("Comparing plans", [(anchor, link) for anchor, (link, *_) in SECTIONS.items()])


def write(out_dir: str | os.PathLike, out_file: str | os.PathLike | None = None) -> Path:
    """Write the report (default DIR/compare.html) via a temporary file; returns its path."""
    path = Path(out_file) if out_file else Path(out_dir) / REPORT
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temp.write_text(render(out_dir), encoding="utf-8")
    os.replace(temp, path)
    return path
