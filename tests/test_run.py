"""Whole runs: tables, schemas, offsets, errors, atomic writes, README column docs."""
from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

import pipeline.run as run_module
from pipeline.cli import main
from pipeline.schemas import SCHEMA_VERSION, SCHEMAS, markdown
from tests.conftest import CORPUS, ROOT


def test_every_table_written_with_its_schema(corpus_run):
    out, summary = corpus_run
    assert summary.documents == 5 and not summary.errors
    for table, schema in SCHEMAS.items():
        written = pq.read_schema(out / f"{table}.parquet")
        assert written.names == schema.names and written.types == schema.types
        assert written.metadata[b"schema_version"].decode() == SCHEMA_VERSION
    assert not list(out.glob(".*tmp*")), "temporary files left behind"


def test_offsets_index_the_clean_text(corpus_run):
    out, _ = corpus_run
    texts = pd.read_parquet(out / "documents.parquet").set_index("doc_id").text
    for table in ("tasks", "units", "targets", "deadlines", "phases"):
        rows = pd.read_parquet(out / f"{table}.parquet")
        for row in rows.itertuples():
            evidence = texts[row.doc_id][row.char_start : row.char_end]
            assert evidence, (table, row)
            if "text" in rows.columns:
                assert evidence == row.text, (table, row)
            if table == "units":
                assert evidence == row.unit


def test_documents_table_values(corpus_run):
    out, _ = corpus_run
    docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert list(docs.index) == sorted(p.stem for p in CORPUS.glob("*.txt"))
    assert docs.loc["001_a963be737b5c776c", "issue_date"] == "2011-06-28"
    assert docs.loc["002_9addf1fbeacd1878", "had_pinyin"]
    assert not docs.loc["003_fb91ee410dc8c2be", "had_pinyin"]
    assert "猜你喜欢" not in docs.loc["004_a1f4cbaf7b34572c", "text"]
    removed = pd.read_parquet(out / "removed_lines.parquet")
    assert set(removed[removed.doc_id == "004_a1f4cbaf7b34572c"].reason) >= {"spam-keywords", "related-list", "magazine-reprint"}


def test_same_inputs_same_tables(corpus_run, tmp_path):
    out, _ = corpus_run
    run_module.run([CORPUS], tmp_path)
    for table in SCHEMAS:
        assert pd.read_parquet(out / f"{table}.parquet").equals(pd.read_parquet(tmp_path / f"{table}.parquet")), table


def test_crash_leaves_earlier_tables_intact(tmp_path, monkeypatch):
    run_module.run([CORPUS], tmp_path)
    before = {t: (tmp_path / f"{t}.parquet").read_bytes() for t in SCHEMAS}

    def crash(*args):
        raise MemoryError("simulated crash")  # not a per-document error: the run stops

    monkeypatch.setattr("pipeline.engines.process_batch", crash)
    with pytest.raises(MemoryError):
        run_module.run([CORPUS], tmp_path)
    assert {t: (tmp_path / f"{t}.parquet").read_bytes() for t in SCHEMAS} == before
    assert not list(tmp_path.glob(".*tmp*"))
    monkeypatch.undo()
    assert run_module.run([CORPUS], tmp_path, resume=True).rows == run_module.run([CORPUS], tmp_path).rows


def test_cli_run_prints_summary(tmp_path, capsys):
    assert main(["run", str(CORPUS / "001_a963be737b5c776c.txt"), "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert f"Wrote tables to {tmp_path}/" in printed and "documents: 1 processed, 0 failed" in printed


def test_readme_documents_every_column():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown() in readme, "README's column tables are stale: paste `python -m pipeline.schemas` output"


def test_ci_runs_the_readme_test_command():
    readme_commands = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").split("\n")[:12] if line.startswith("python3 ")]
    assert len(readme_commands) == 2
    assert readme_commands[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8").split("\n")


def test_devcorpus_processes_without_errors(tmp_path):
    from tests.conftest import devcorpus_pages

    pages = devcorpus_pages()
    if not pages:
        pytest.skip("../shared/devcorpus is not beside the repository")
    summary = run_module.run(pages, tmp_path)
    assert summary.documents == len(pages) and not summary.errors
