"""Comparing plans (issue 6): canonical unit names and functions, indicator families,
citations and their links, DIR/policy.duckdb and `query`, the `compare` report in
headless Chromium, the Python API and user-extended tables."""
from __future__ import annotations

import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

import pipeline
from pipeline import canonical
from pipeline.cli import main
from pipeline.database import DATABASE, build, query
from pipeline.report import write as write_report
from pipeline.run import plan, run
from pipeline.schemas import SCHEMA_VERSION, SCHEMAS
from tests.conftest import ARTIFACTS, CORPUS, DEVCORPUS, ROOT, seed

HEGELV_QUERY = """
    SELECT doc_id, indicator, year_effective, lead_units FROM targets_with_leads
    WHERE indicator_family = '合格率' AND year_effective <= 2020 ORDER BY doc_id, char_start"""


@pytest.fixture(scope="module")
def dev_run(tmp_path_factory):
    """The seeds plus the devcorpus, run once in this process."""
    if not DEVCORPUS.is_dir():
        pytest.skip("no devcorpus next to the project")
    out = tmp_path_factory.mktemp("dev_run")
    run([CORPUS, *sorted(DEVCORPUS.glob("*.txt"))], out, workers=1)
    return out


# --------------------------------------------------------------- canonical names


def test_every_seed_unit_has_its_canonical_name_and_function(corpus_run):
    out, _ = corpus_run
    expected = yaml.safe_load((ROOT / "tests" / "fixtures" / "seed_units.yaml").read_text(encoding="utf-8"))
    units = pd.read_parquet(out / "units.parquet")
    assert len(units) > 300 and units.unit_canonical.notna().all() and units.unit_function.notna().all()
    got = {doc: {row.unit: [row.unit_canonical, row.unit_function, bool(row.unit_collective)]
                 for row in rows.itertuples()} for doc, rows in units.groupby("doc_id")}
    assert got == expected


def test_functions_survive_the_2018_reform(corpus_run):
    """质监局 (2011, 2016), 工商局, 食品药品监管局 and the 2018 市场监管局 share one function."""
    out, _ = corpus_run
    units = pd.read_parquet(out / "units.parquet")
    market = set(units[units.unit_function == "市场监管"].unit_canonical)
    assert {"张掖市质量技术监督局", "张掖市工商行政管理局", "张掖市食品药品监督管理局",
            "上海市质量技术监督局", "师宗县市场监督管理局"} <= market
    workload = query(out, "SELECT * FROM function_workload WHERE unit_function = '市场监管'").iloc[0]
    assert workload.n_documents == 3 and workload.n_units == len(market)


def test_indicator_families_on_the_seeds(corpus_run):
    out, _ = corpus_run
    targets = pd.read_parquet(out / "targets.parquet")
    family = dict(zip(targets.indicator, targets.indicator_family))
    assert family["产品质量可比性监督抽查合格率"] == family["大中型工程一次验收合格率"] == "合格率"
    assert family["主要农产品的标准覆盖率"] == "覆盖率" and family["主体性服务地方标准"] == "标准"
    assert family["甘肃名牌产品"] == family["获得中国驰名商标的产品"] == "名牌/商标"
    assert family["顾客满意度"] == "满意度" and family["环境空气质量优良率"] == "优良率"


# --------------------------------------------------------------- the database


def test_which_documents_set_a_hegelv_target_by_2020_and_who_leads_it(dev_run):
    rows = [tuple(None if pd.isna(v) else v for v in row) for row in query(dev_run, HEGELV_QUERY).itertuples(index=False)]
    market, housing = "师宗县市场监督管理局", "师宗县住房和城乡建设局"
    towns = "师宗县各乡(镇)人民政府、师宗县街道办事处"
    assert rows == [
        ("001_a963be737b5c776c", "产品质量可比性监督抽查合格率", 2015, "张掖市质量技术监督局"),
        ("001_a963be737b5c776c", "大中型工程建设项目一次验收合格率", 2015, "张掖市建设局"),
        ("001_a963be737b5c776c", "公路建设竣工验收合格率", 2015, "张掖市建设局"),
        ("001_a963be737b5c776c", "水利与节水改造工程质量合格率", 2015, "张掖市建设局"),
        ("002_9addf1fbeacd1878", "年度强制性认证产品监督抽查批次合格率", 2019,
         f"{market}、师宗县工业和信息化局、师宗县农业局、师宗县环境保护局、师宗县文化体育广电和旅游局、师宗县卫生和计划生育局"),
        ("002_9addf1fbeacd1878", "出口食品检验合格率", 2019, f"{market}、师宗县农业局、{towns}"),
        ("002_9addf1fbeacd1878", "产品质量国家和省级监督抽查合格率", 2019, f"{market}、{towns}"),
        ("002_9addf1fbeacd1878", "地产农产品抽检合格率", 2019, f"{market}、师宗县农业局"),
        ("002_9addf1fbeacd1878", "重点食品监督抽查合格率", 2019, f"{market}、师宗县农业局"),
        ("002_9addf1fbeacd1878", "大中型工程一次验收合格率", 2019, f"{housing}、师宗县交通运输局、师宗县水务局"),
        ("002_9addf1fbeacd1878", "其他工程一次验收合格率", 2019, housing),
        ("002_9addf1fbeacd1878", "城市保障房工程质量一次验收合格率", 2019, housing),
        ("p026", "制造业产品质量合格率", 2018, None),  # 磐安县2018年…行动计划 names no units
        ("p026", "主要农产品质量安全监测合格率", 2018, None),
    ]
    # p023 sets 合格率 targets too, but neither they nor the document state a year
    assert "p023" in set(query(dev_run, "SELECT doc_id FROM targets_with_leads WHERE indicator_family = '合格率'").doc_id)


def test_doc_overview_levels_and_horizons(corpus_run):
    out, _ = corpus_run
    overview = query(out, "SELECT doc_id, region, level, issue_year, horizon_start, horizon_end, n_units, n_citations "
                          "FROM doc_overview").set_index("doc_id")
    assert list(overview.level) == ["province", "city", "county", "province", "district"]
    assert tuple(overview.loc["001_a963be737b5c776c", ["issue_year", "horizon_start", "horizon_end"]]) == (2011, 2010, 2015)
    assert tuple(overview.loc["002_9addf1fbeacd1878", ["horizon_start", "horizon_end"]]) == (2018, 2019)
    assert tuple(overview.loc["003_fb91ee410dc8c2be", ["horizon_start", "horizon_end"]]) == (2016, 2018)  # from its title
    assert overview.n_units.sum() == len(pd.read_parquet(out / "units.parquet"))
    regions = query(out, "SELECT * FROM regions WHERE region = '师宗县'").iloc[0]
    assert (regions.level, regions.province, regions.city, regions.county) == ("county", "云南省", "曲靖市", "师宗县")


def test_every_table_and_view_is_in_the_database(corpus_run):
    out, _ = corpus_run
    names = set(query(out, "SELECT table_name FROM information_schema.tables").table_name)
    views = {"doc_overview", "targets_with_leads", "targets_by_region_family", "unit_workload", "function_workload",
             "timelines", "deadlines_by_year", "citation_links", "citation_counts", "task_ancestors", "doc_years"}
    assert set(SCHEMAS) | {"regions"} | views <= names
    for table in SCHEMAS:
        assert query(out, f"SELECT count(*) AS n FROM {table}").n[0] == pq.read_metadata(out / f"{table}.parquet").num_rows
    gantt = query(out, "SELECT label, CAST(start_date AS VARCHAR) AS s, CAST(end_date AS VARCHAR) AS e "
                       "FROM timelines WHERE kind = 'phase' ORDER BY doc_id, seq")
    assert tuple(gantt.iloc[0]) == ("启动阶段", "2010-06-01", "2011-07-31")


def test_query_command_prints_a_table(corpus_run, capsys):
    out, _ = corpus_run
    assert main(["query", str(out), "SELECT unit_canonical, n_lead FROM unit_workload "
                                    "WHERE doc_id = '001_a963be737b5c776c' ORDER BY n_lead DESC LIMIT 1"]) == 0
    printed = capsys.readouterr().out
    assert "张掖市工业和信息化委员会" in printed and "│" in printed
    assert main(["query", str(out), "SELECT doc_id, level FROM doc_overview", "--csv"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["doc_id,level", "000_a11d7fb739675e47,province"]
    with pytest.raises(SystemExit, match="nope"):
        main(["query", str(out), "SELECT * FROM nope"])


def test_view_lists_are_in_a_stated_order(dev_run):
    """The lists the views gather (DISTINCT, so without an order of their own)
    are sorted: the same database answers the same query the same way."""
    for view, column, separator in [("citation_counts", "citing", ", "), ("unit_workload", "printed_as", "、"),
                                    ("targets_with_leads", "lead_functions", "、")]:
        lists = query(dev_run, f"SELECT {column} FROM {view} WHERE {column} LIKE '%{separator}%'")[column]
        assert len(lists) > 0, view
        assert all(value.split(separator) == sorted(value.split(separator)) for value in lists), view


# --------------------------------------------------------------- citations


def test_citations_are_linked_to_documents_of_the_run(dev_run):
    """张掖市's 2018 plan cites the province's 甘发〔2017〕42号, which the devcorpus holds
    (without its number) as p011: the link goes by title, not to p016 itself, which
    shares the title but has its own number."""
    links = query(dev_run, "SELECT doc_id, cited_doc_number, cited_doc_id FROM citation_links WHERE cited_doc_id IS NOT NULL")
    assert [tuple(r) for r in links.itertuples(index=False)] == [("p016", "甘发〔2017〕42号", "p011")]
    citations = pd.read_parquet(dev_run / "citations.parquet")
    own = citations[citations.doc_id == "001_a963be737b5c776c"]
    assert list(own.cited_doc_number.dropna()) == ["甘政办发〔2011〕58号", "张政发〔2010〕123号", "甘政发〔2010〕1号",
                                                   "发改环资〔2010〕61号", "旅办发〔2009〕49号"]
    assert pq.read_schema(dev_run / "citations.parquet").metadata[b"schema_version"] == SCHEMA_VERSION.encode()


def test_a_citation_links_by_number(tmp_path):
    """A plan citing a document of the run by its number gets that document's doc_id."""
    for name in ("001_a963be737b5c776c", "002_9addf1fbeacd1878"):
        shutil.copy(seed(name[:3]), tmp_path / f"{name}.txt")
    citing = tmp_path / "county.txt"
    citing.write_text("某县推进质量振兴实施方案\n为贯彻落实《张掖市推进质量振兴工作方案》(张政办发〔2011〕187号)精神,制定本方案。\n",
                      encoding="utf-8")
    out = tmp_path / "out"
    run([tmp_path], out)
    links = query(out, "SELECT doc_id, cited_doc_id FROM citations WHERE cited_doc_id IS NOT NULL")
    assert [tuple(r) for r in links.itertuples(index=False)] == [("county", "001_a963be737b5c776c")]


# --------------------------------------------------------------- the report


def _open(browser, path, name):
    """Open a report with every request outside the page blocked; returns (page, errors, requests)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors, requests = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def guard(route):
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            requests.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelectorAll('.plotly-graph-div .main-svg').length > 0")
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    return page, errors, requests


def test_compare_report_renders_in_chromium(corpus_run, browser, tmp_path, capsys):
    out, _ = corpus_run
    report = tmp_path / "compare.html"
    assert main(["compare", str(out), "--out", str(report)]) == 0
    assert str(report) in capsys.readouterr().out
    html = report.read_text(encoding="utf-8")
    assert "<script src" not in html and "<link" not in html  # plotly.js is inline
    page, errors, requests = _open(browser, report, "compare-report.png")
    try:
        charts = page.evaluate("Array.from(document.querySelectorAll('.plotly-graph-div'))"
                               ".map(d => [d.id, d.querySelectorAll('svg.main-svg').length])")
        assert {name for name, _ in charts} == {"targets-chart", "workload-chart", "gantt-chart", "deadlines-chart",
                                                "citation-graph"}
        assert all(svgs > 0 for _, svgs in charts), charts
        nodes = page.evaluate("Array.from(document.querySelectorAll('#citation-graph .sankey-node'))"
                              ".map(n => n.textContent)")  # the citation graph: 5 seeds and what they cite
        assert len(nodes) > 15 and any("甘政办发〔2011〕58号" in n for n in nodes), nodes
        tables = page.evaluate("Array.from(document.querySelectorAll('table.sortable')).map(t => [t.id, t.tBodies[0].rows.length])")
        count = lambda sql: int(query(out, f"SELECT count(*) AS n FROM ({sql})").n[0])  # noqa: E731
        assert dict(tables) == {
            "documents-table": 5,
            "families-table": count("SELECT DISTINCT indicator_family FROM targets WHERE indicator_family IS NOT NULL"),
            "targets-table": count("SELECT * FROM targets WHERE indicator_family IS NOT NULL"),
            "workload-table": count("SELECT * FROM unit_workload"),
            "deadlines-table": count("SELECT * FROM deadlines_by_year"),
            "citations-table": count("SELECT * FROM citations")}
        page.click("#documents-table th:nth-child(9)")  # sort by units, ascending
        page.click("#documents-table th:nth-child(9)")  # then descending, as numbers (120 > 72)
        assert page.locator("#documents-table tbody td:nth-child(9)").all_inner_texts() == ["120", "120", "72", "0", "0"]
        assert "张掖市质量技术监督局" in page.inner_text("#targets-table")
        assert not errors and not requests, (errors, requests)
    finally:
        page.close()


def test_report_escapes_what_documents_say(corpus_run, browser, tmp_path):
    """Titles, regions, unit names and cited titles are data, never markup."""
    out, _ = corpus_run
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    for table in SCHEMAS:
        shutil.copy(out / f"{table}.parquet", hostile / f"{table}.parquet")
    attack = {"documents": ("title", "<script>window.pwned=1</script>"),
              "units": ("unit_canonical", "<img src=x onerror=\"window.pwned=2\">"),
              "citations": ("cited_title", "</script><script>window.pwned=3</script>")}
    for table, (column, value) in attack.items():
        frame = pd.read_parquet(hostile / f"{table}.parquet")
        frame.loc[0, column] = value
        pq.write_table(pa.Table.from_pandas(frame, schema=SCHEMAS[table], preserve_index=False),
                       hostile / f"{table}.parquet")
    build(hostile)
    html = write_report(hostile).read_text(encoding="utf-8")
    assert all(value not in html for _, value in attack.values())
    page, errors, _ = _open(browser, hostile / "compare.html", "compare-report-escaped.png")
    try:
        assert page.evaluate("window.pwned") is None and not errors
        assert "<script>window.pwned=1</script>" in page.inner_text("#documents-table")  # shown as text
    finally:
        page.close()


# --------------------------------------------------------------- the Python API


def test_load_and_process_text(corpus_run):
    out, _ = corpus_run
    tables = pipeline.load(out)
    assert list(tables) == list(SCHEMAS)
    assert {t: len(f) for t, f in tables.items()} == {t: pq.read_metadata(out / f"{t}.parquet").num_rows for t in SCHEMAS}
    path = seed("002")
    records = pipeline.process_text(path.read_text(encoding="utf-8"), doc_id=path.stem)
    for table in ("units", "targets", "citations"):
        ran = tables[table][tables[table].doc_id == path.stem].drop(columns=["cited_doc_id"], errors="ignore")
        mine = pd.DataFrame(records[table], columns=SCHEMAS[table].names).drop(columns=["cited_doc_id"], errors="ignore")
        assert ran.reset_index(drop=True).astype(str).equals(mine.astype(str)), table
    with pytest.raises(FileNotFoundError):
        pipeline.load(out / "nowhere")


# --------------------------------------------------------------- extending the tables


def test_user_tables_are_tried_first(tmp_path, monkeypatch):
    monkeypatch.setenv(canonical.ALIASES_ENV, "")
    monkeypatch.setenv(canonical.FAMILIES_ENV, "")
    shipped_keys = [batch.key for batch in plan([CORPUS])]
    assert canonical.canonical_unit("市数据局", "张掖市")["unit_function"] is None
    aliases = tmp_path / "my_aliases.yaml"
    aliases.write_text("agencies:\n  - {canonical: 大数据管理局, function: 政务服务, aliases: [大数据局, 数据局]}\n"
                       "  - {canonical: 质量技术监督局, function: 质量监督, aliases: [质监局]}\n"
                       "endings:\n  - {ending: 指挥部, function: 议事协调机构}\n", encoding="utf-8")
    families = tmp_path / "my_families.yaml"
    families.write_text("families:\n  - {family: 抽查合格率, contains: [抽查合格率]}\n", encoding="utf-8")
    canonical.use(aliases=[aliases], families=[families])
    assert canonical.canonical_unit("市数据局", "张掖市") == {
        "unit_canonical": "张掖市大数据管理局", "unit_function": "政务服务", "unit_collective": False}
    assert canonical.canonical_unit("市质监局", "张掖市")["unit_function"] == "质量监督"  # overrides the shipped entry
    assert canonical.canonical_unit("市质量技监局", "张掖市")["unit_function"] == "市场监管"  # the rest stays
    assert canonical.canonical_unit("县创建指挥部", "师宗县")["unit_function"] == "议事协调机构"
    assert canonical.indicator_family("产品质量监督抽查合格率", "%") == "抽查合格率"
    assert canonical.indicator_family("大中型工程一次验收合格率", "%") == "合格率"
    assert not set(shipped_keys) & {batch.key for batch in plan([CORPUS])}  # --resume redoes every batch


def test_run_aliases_reach_the_worker_processes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(canonical.ALIASES_ENV, "")
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("agencies:\n  - {canonical: 质量技术监督局, function: 质量监督, aliases: [质监局]}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(seed("001")), "--out", str(out), "--workers", "2", "--aliases", str(aliases)]) == 0
    assert "policy.duckdb" in capsys.readouterr().out
    units = pd.read_parquet(out / "units.parquet")
    assert set(units[units.unit == "市质监局"].unit_function) == {"质量监督"}
    assert set(units[units.unit == "市工商局"].unit_function) == {"市场监管"}


def test_a_broken_user_table_stops_the_run_before_it_starts(tmp_path, monkeypatch):
    monkeypatch.setenv(canonical.ALIASES_ENV, "")
    broken = tmp_path / "broken.yaml"
    broken.write_text("agencies:\n  - {function: 市场监管}\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="needs `aliases`"):
        main(["run", str(seed("001")), "--out", str(tmp_path / "out"), "--aliases", str(broken)])
    assert not (tmp_path / "out" / DATABASE).exists()
