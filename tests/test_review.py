"""Review pages in a real headless Chromium, and the spaCy export they share their Doc with.

Screenshots go to outputs/test-artifacts/review-*.png. The large-document test prints its
figures (page size, render and load time) instead of asserting on time.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.review import STRICTEST, place_removed, review
from pipeline.score import score_dirs
from pipeline.spans import RECORD_KINDS, blank_zh, make_doc
from tests.conftest import ARTIFACTS, GOLD, SEEDS

SEED = "001_a963be737b5c776c"  # units, targets, deadlines and phases


@pytest.fixture(scope="module")
def reviewed(corpus_run, tmp_path_factory):
    """The corpus run's review pages, through the CLI, scored against the project's gold."""
    out, _ = corpus_run
    folder = tmp_path_factory.mktemp("review")
    assert main(["review", str(out), "--out", str(folder), "--gold", str(GOLD)]) == 0
    return out, folder


def table(out: Path, name: str, doc_id: str | None = None) -> pd.DataFrame:
    frame = pd.read_parquet(out / f"{name}.parquet")
    return frame if doc_id is None else frame[frame.doc_id == doc_id].reset_index(drop=True)


class Watched:
    """A page with every dialog, console message, page error and non-file request recorded."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1500, "height": 1000})
        self.events: list[tuple[str, str]] = []
        self.page.on("dialog", lambda d: (self.events.append(("dialog", d.message)), d.dismiss()))
        self.page.on("console", lambda m: self.events.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.events.append(("pageerror", str(e))))
        self.page.on("request", lambda r: None if r.url.startswith(("file:", "data:"))
                     else self.events.append(("request", r.url)))
        self.page.goto(path.as_uri())

    def token_at(self, offset: int):
        """The displaCy token of the character at `offset`."""
        self.page.evaluate("measure()")
        return self.page.locator(f'#text .tk[data-o="{offset}"]')

    def close(self) -> None:
        self.page.close()


def test_every_record_is_highlighted_where_its_evidence_is(browser, reviewed):
    out, folder = reviewed
    documents = table(out, "documents")
    for doc_id, text in zip(documents.doc_id, documents.text):
        watched = Watched(browser, folder / f"{doc_id}.html")
        page = watched.page
        assert page.locator("h1").inner_text()
        for kind in RECORD_KINDS:
            rows = table(out, kind, doc_id)
            # one chip per record (continuations of a span in a later line have no number link)
            assert page.locator(f'#text .st a[href^="#rec-{kind}-"]').count() == len(rows), (doc_id, kind)
            assert page.locator(f"#list-{kind} tbody tr").count() == len(rows), (doc_id, kind)
        # the characters under each highlight are the record's evidence
        shown = page.evaluate("""() => { measure(); const tokens = [...document.querySelectorAll('#text .tk')];
            return recs.filter(r => r[2] >= 0).map(r => [r[0], r[1], tokens.filter(t => r[2] <= +t.dataset.o
                && +t.dataset.o < r[3]).map(t => t.firstChild.nodeValue).join('')]); }""")
        for kind, i, covered in shown:
            row = table(out, kind, doc_id).iloc[i]
            assert "".join(covered.split()) == "".join(text[row.char_start:row.char_end].split()), (kind, i)
        assert page.locator("nav.outline li").count() == len(table(out, "tasks", doc_id))
        if doc_id == SEED:
            page.screenshot(path=ARTIFACTS / "review-seed.png")
        assert watched.events == []
        watched.close()


def test_clicking_a_highlight_shows_its_record(browser, reviewed):
    out, folder = reviewed
    watched = Watched(browser, folder / f"{SEED}.html")
    page = watched.page
    target = table(out, "targets", SEED).iloc[0]
    token = watched.token_at(int(target.char_start) + 1)
    token.hover()
    assert page.locator("#tip").is_visible()
    assert target.indicator in page.locator("#tip").inner_text()
    token.click()
    card = page.locator("#record .card").filter(has_text="target 1")
    assert card.count() == 1
    assert target.indicator in card.inner_text() and "comparator" in card.inner_text()
    assert "sel" in page.locator("#rec-targets-0").get_attribute("class")
    page.mouse.move(1, 1)
    page.screenshot(path=ARTIFACTS / "review-click.png")

    unit = table(out, "units", SEED).iloc[3]  # the side table's link jumps to the span and shows it
    page.locator("#rec-units-3 a[href='#r-units-3']").click()
    assert page.evaluate("location.hash") == "#r-units-3"
    assert unit.unit in page.locator("#record").inner_text()
    assert page.locator("#text .tk.on").count() == unit.char_end - unit.char_start

    task = table(out, "tasks", SEED).iloc[5]  # the outline jumps to its task
    page.locator(f"nav.outline a[href='#task-{task.task_id}']").click()
    assert page.evaluate("location.hash") == f"#task-{task.task_id}"
    assert page.locator(f"#task-{task.task_id}").count() == 1

    removed = table(out, "removed_lines", SEED)  # removed boilerplate only on request, in place
    assert len(removed) and not page.locator("#text .rm").first.is_visible()
    page.locator("#show-removed").check()
    assert page.locator("#text .rm del").first.inner_text() == removed.text.iloc[0].strip()
    assert watched.events == []
    watched.close()


def test_gold_verdicts_are_marked_in_context(browser, corpus_run, tmp_path):
    """With a gold file that lacks one predicted unit and holds one deadline the run does not
    find, the page marks what pipeline.score reports in the strictest table of each kind:
    spurious, missed, and the rest matched."""
    out, _ = corpus_run
    gold = tmp_path / "gold"
    shutil.copytree(GOLD, gold)
    path = gold / f"{SEED}.json"
    labelled = json.loads(path.read_text(encoding="utf-8"))
    labelled["units"] = labelled["units"][1:]
    labelled["deadlines"].append({"text": "到2099年", "date": "2099-12-31", "recurrence": None})
    path.write_text(json.dumps(labelled, ensure_ascii=False), encoding="utf-8")
    result = review(out, tmp_path / "review", gold=gold)

    report = score_dirs(gold, out)
    watched = Watched(browser, result.pages[SEED])
    page = watched.page
    for kind in RECORD_KINDS:
        strictest = STRICTEST[kind]  # units+task, targets+indicator, deadlines, phases
        spurious = {f["index"] for f in report["false_positives"] if f["doc_id"] == SEED and f["table"] == strictest}
        missed = {m["index"] for m in report["misses"] if m["doc_id"] == SEED and m["table"] == strictest}
        rows = len(table(out, kind, SEED))
        marked = page.locator(f"#list-{kind} tr.spurious").evaluate_all("rows => rows.map(r => r.id)")
        assert marked == [f"rec-{kind}-{i}" for i in sorted(spurious)], kind
        assert page.locator(f"#list-{kind} tr.matched").count() == rows - len(spurious), kind
        assert page.locator(f"#list-{kind} li.missed").count() == len(missed), kind
        assert page.locator(f'#text .st[data-label$="✗"] a[href^="#rec-{kind}-"]').count() == len(spurious)
    assert page.locator("#list-units tr.spurious").count() >= 1
    assert "2099-12-31" in page.locator("#list-deadlines li.missed").text_content()
    assert page.locator("nav.outline li.matched").count() >= 1
    page.locator("#list-deadlines").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "review-gold.png")
    assert watched.events == []
    watched.close()


HOSTILE = {
    # a .txt whose document id (file name), title, indicator and unit names carry markup
    'evil_"onmouseover=alert(1) x=<b>.txt': (
        "<script>alert(2)</script>张掖市人民政府关于\"onmouseover=alert(3) x=\"质量工作的通知\n"
        "各县区人民政府:\n"
        "一、到2015年,<img src=x onerror=alert(4)>覆盖率达到70%以上。"
        "(牵头单位:市质监局\"onmouseover=alert(5) x=\"、</script><script>alert(6)</script>)\n"
        "二、加强质量工作。(牵头单位:<b onmouseover=alert(7)>市工信委</b>)\n"),
    # an HTML page showing markup as text: the clean text holds the unescaped characters
    "escaped.html": (
        "<html><body><p>&lt;script&gt;alert(8)&lt;/script&gt;张掖市人民政府关于印发质量工作方案的通知</p>"
        "<p>一、到2015年,主要农产品的标准覆盖率达到70%以上。(牵头单位:市质监局&quot;onmouseover=alert(9) x=&quot;)</p>"
        "<p>二、2011年7月底前完成&lt;/script&gt;&lt;img src=x onerror=alert(10)&gt;自查。</p></body></html>"),
}


def test_a_hostile_document_cannot_run_script(browser, tmp_path):
    from pipeline.run import run

    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, content in HOSTILE.items():
        (inputs / name).write_text(content, encoding="utf-8")
    run([inputs], tmp_path / "out", workers=1)
    result = review(tmp_path / "out")
    assert len(result.pages) == len(HOSTILE)
    for doc_id, path in result.pages.items():
        watched = Watched(browser, path)
        page = watched.page
        for token in page.locator("#text .cl .tk:first-child").all():
            token.hover()
            token.click()
        page.locator("#show-removed").check()
        for link in page.locator("nav.outline a").all():
            link.click()
        # the markup is on screen as text, and not in the DOM as elements or handlers
        assert page.locator(".ln").first.text_content().startswith("<script>alert(")
        assert page.locator(".ln", has_text="<script>alert(").first.is_visible()
        assert page.evaluate("document.querySelectorAll('script').length") == 2  # our JSON and our script
        assert page.evaluate("""[...document.querySelectorAll('*')].filter(e => e.tagName === 'IMG'
            || [...e.attributes].some(a => a.name.startsWith('on'))).length""") == 0
        units = table(tmp_path / "out", "units", doc_id)
        for unit in units.itertuples():
            watched.token_at(unit.char_start).click()
            assert unit.unit in page.locator("#record").inner_text()
        if doc_id.startswith("evil"):
            assert any("</script><script>" in u for u in units.unit)
            page.screenshot(path=ARTIFACTS / "review-hostile.png")
        assert watched.events == [], doc_id
        watched.close()

    watched = Watched(browser, result.index)
    for link in watched.page.locator("#docs a").all():
        assert link.text_content() in result.pages
        with watched.page.expect_navigation():
            link.click()
        watched.page.go_back()
    assert watched.events == []
    watched.close()


def test_removed_lines_go_back_where_they_stood(seed_docs):
    """Clean lines with the removed rows placed among them give the normalised input back."""
    from pipeline.ingest import load
    from pipeline.normalise import normalise
    from pipeline.sources import Source

    def bare(line: str) -> str:  # a stray pipe comes back at the line's end, not its start
        return "".join(line.split()).replace("|", "")

    for path in SEEDS:
        doc = seed_docs[path.stem]
        lines = doc.text.split("\n")
        before, after = place_removed([dataclasses.asdict(r) for r in doc.removed], len(lines))
        rebuilt = []
        for k, line in enumerate([*lines, None]):
            rebuilt += [row["text"] for row in before.get(k, [])]
            if line is not None:
                rebuilt.append(line + "".join(row["text"] for row in after.get(k, [])))
        source = Source(doc_id=path.stem, locator=str(path), path=path)
        assert list(map(bare, rebuilt)) == list(map(bare, normalise(load(source).text).text.split("\n")))


def test_the_index_lists_documents_and_filters_them(browser, reviewed):
    out, folder = reviewed
    documents = table(out, "documents")
    watched = Watched(browser, folder / "index.html")
    page = watched.page
    rows = page.locator("#docs tbody tr")
    assert rows.count() == len(documents)
    first = rows.filter(has_text=SEED)
    for kind in RECORD_KINDS:
        column = page.locator("#docs thead th").all_inner_texts().index(kind)
        assert first.locator("td").nth(column).inner_text() == str(len(table(out, kind, SEED)))
    assert page.locator("#errors tbody tr").count() == len(table(out, "errors"))

    def visible() -> list[str]:
        return sorted(r.locator("td a").inner_text() for r in rows.all() if r.is_visible())

    region = documents.region.mode()[0]
    page.select_option("#region", region)
    assert visible() == sorted(documents.doc_id[documents.region == region])
    assert page.locator("#shown").inner_text() == str(len(visible()))
    page.screenshot(path=ARTIFACTS / "review-index.png")
    page.select_option("#region", "")
    year = documents.issue_date.dropna().iloc[0][:4]
    page.select_option("#year", year)
    assert visible() == sorted(documents.doc_id[documents.issue_date.fillna("").str.startswith(year)])
    page.select_option("#region", region)
    page.select_option("#year", "(none)")
    assert visible() == sorted(documents.doc_id[(documents.region == region) & documents.issue_date.isna()])
    assert watched.events == []
    watched.close()


def test_export_spacy_writes_a_docbin_with_every_record(corpus_run, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    out, _ = corpus_run
    assert main(["export-spacy", str(out), "--out", str(tmp_path / "spans.spacy")]) == 0
    docs = list(DocBin().from_disk(tmp_path / "spans.spacy").get_docs(spacy.blank("zh").vocab))
    documents = table(out, "documents")
    assert [d.user_data["doc_id"] for d in docs] == documents.doc_id.tolist()
    for doc, text in zip(docs, documents.text):
        assert doc.text == text
        doc_id = doc.user_data["doc_id"]
        for group in (*RECORD_KINDS, "tasks"):
            rows = table(out, group, doc_id)
            assert len(doc.spans[group]) == len(rows) == len(doc.user_data["records"][group])
            for span in doc.spans[group]:
                row = rows.iloc[int(span.id_)]
                assert span.label_ == group
                assert (span.start_char, span.end_char) == (row.char_start, row.char_end)
                record = doc.user_data["records"][group][int(span.id_)]
                assert record["char_start"] == row.char_start and "doc_id" not in record
    titles = pq.read_table(out / "documents.parquet", columns=["title"]).column("title").to_pylist()
    assert [doc.user_data["fields"]["title"] for doc in docs] == titles


def test_make_doc_keeps_records_without_a_span():
    doc = make_doc({"doc_id": "d", "text": "到2015年完成"},
                   {"deadlines": [{"doc_id": "d", "text": "到2015年", "char_start": 0, "char_end": 6},
                                  {"doc_id": "d", "text": "", "char_start": 3, "char_end": 3},
                                  {"doc_id": "d", "text": "x", "char_start": 7, "char_end": 99}]})
    assert [(s.text, s.id_) for s in doc.spans["deadlines"]] == [("到2015年", "0")]
    assert len(doc.user_data["records"]["deadlines"]) == 3


FIRST_FRAME = "new Promise(r => requestAnimationFrame(() => setTimeout(() => r(performance.now()))))"


def test_a_large_document_stays_fast(browser, tmp_path):
    """A ~30,000-character document with ~500 records: prints page size and timings."""
    from pipeline.run import run

    inputs = tmp_path / "in"
    inputs.mkdir()
    by_prefix = {p.name[:3]: p for p in SEEDS}
    text = "\n".join(by_prefix[n].read_text(encoding="utf-8") for n in ("001", "002", "001", "003"))
    (inputs / "large.txt").write_text(text, encoding="utf-8")
    run([inputs], tmp_path / "out", workers=1)
    out = tmp_path / "out"
    n_records = {kind: len(table(out, kind)) for kind in RECORD_KINDS}
    blank_zh()  # spaCy loaded: time the pages alone
    started = time.perf_counter()
    result = review(out, gold=None)
    seconds = time.perf_counter() - started
    page_path = result.pages["large"]

    watched = Watched(browser, page_path)
    page = watched.page
    loads = []  # ms from navigation to the first frame drawn
    for _ in range(3):
        page.goto(page_path.as_uri())
        loads.append(page.evaluate(FIRST_FRAME))
    click_ms = page.evaluate("""() => { const tokens = document.querySelectorAll('#text .tk');
        const t = performance.now(); tokens[tokens.length >> 1].click(); return performance.now() - t; }""")
    assert page.locator("#record .card").count() >= 1
    for kind, count in n_records.items():
        assert page.locator(f'#text .st a[href^="#rec-{kind}-"]').count() == count
    page.screenshot(path=ARTIFACTS / "review-large.png")
    print(f"\nlarge document: {len(table(out, 'documents').text[0]):,} characters, "
          f"{sum(n_records.values())} records {n_records}, "
          f"page {page_path.stat().st_size / 1e6:.2f} MB written in {seconds:.2f} s, "
          f"first frame in Chromium {min(loads):.0f}-{max(loads):.0f} ms, first click handled in {click_ms:.0f} ms")
    assert watched.events == []
    watched.close()
