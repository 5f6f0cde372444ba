"""Batch runs at scale: record files, worker counts, kill-and-resume, Dask, time limits."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pipeline.run as runs
from benchmarks.corpus import generate
from pipeline.run import PARTS, run
from pipeline.schemas import SCHEMAS
from tests.conftest import ROOT, seed


def tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {table: pd.read_parquet(folder / f"{table}.parquet") for table in SCHEMAS}


def assert_same_tables(a: Path, b: Path) -> None:
    left, right = tables(a), tables(b)
    for table in SCHEMAS:
        pd.testing.assert_frame_equal(left[table], right[table], obj=table)


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    """~3 batches of generated documents and the tables of one serial run."""
    folder = tmp_path_factory.mktemp("synth")
    generate(folder / "in", 160)
    reference = folder / "serial"
    summary = run([folder / "in"], reference, workers=1)
    assert summary.documents == 160 and summary.batches >= 2
    return folder / "in", reference


def test_two_workers_write_the_same_tables(synth, tmp_path):
    inputs, reference = synth
    run([inputs], tmp_path, workers=2)
    assert_same_tables(reference, tmp_path)


def test_resume_skips_done_batches_and_redoes_edited_ones(synth, tmp_path):
    inputs, reference = synth
    copy = tmp_path / "in"
    copy.mkdir()
    for path in sorted(inputs.iterdir()):
        (copy / path.name).write_bytes(path.read_bytes())
    first = run([copy], tmp_path / "out", workers=1)
    edited = sorted(copy.iterdir())[5]
    lines = edited.read_text(encoding="utf-8").split("\n")
    lines.insert(len(lines) // 2, "到2030年,覆盖率达到99%以上。")
    edited.write_text("\n".join(lines), encoding="utf-8")
    second = run([copy], tmp_path / "out", workers=1, resume=True)
    assert second.skipped_batches == first.batches - 1  # only the edited document's batch is redone
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet").set_index("doc_id")
    assert "到2030年,覆盖率达到99%以上。" in docs.text[edited.stem]
    assert len(docs) == 160


def test_a_file_edited_while_the_run_reads_it_is_redone_on_resume(synth, tmp_path, monkeypatch):
    """Planning names a batch by its files' hashes; a file edited before a worker
    loads it puts other content under that name. The run keeps what it loaded and
    says so, and a resume after the edit is undone redoes the batch instead of
    reusing rows of content the file no longer holds."""
    inputs, reference = synth
    copy = tmp_path / "in"
    copy.mkdir()
    for path in sorted(inputs.iterdir()):
        (copy / path.name).write_bytes(path.read_bytes())
    edited = sorted(copy.iterdir())[5]
    original = edited.read_bytes()
    plan = runs.plan

    def plan_then_edit(inputs):
        batches = list(plan(inputs))
        edited.write_bytes(original.replace("。".encode(), "。到2030年,覆盖率达到99%以上。".encode(), 1))
        yield from batches

    monkeypatch.setattr(runs, "plan", plan_then_edit)
    first = run([copy], tmp_path / "out", workers=1)
    assert first.changed_documents == 1
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet").set_index("doc_id")
    assert "到2030年,覆盖率达到99%以上" in docs.text[edited.stem]  # the bytes it loaded

    monkeypatch.setattr(runs, "plan", plan)
    edited.write_bytes(original)  # the edit undone: the batch's name fits its files again
    second = run([copy], tmp_path / "out", workers=1, resume=True)
    assert second.skipped_batches == first.batches - 1 and second.changed_documents == 0
    run([copy], tmp_path / "fresh", workers=1)
    assert_same_tables(tmp_path / "fresh", tmp_path / "out")


def test_resume_after_an_upgrade_redoes_every_batch(synth, tmp_path, monkeypatch):
    """Parts written by another version of the code are never mixed into the tables."""
    inputs, reference = synth
    first = run([inputs], tmp_path, workers=1)
    monkeypatch.setattr(runs, "code_fingerprint", lambda: b"another version")
    second = run([inputs], tmp_path, workers=1, resume=True)
    assert first.batches == second.batches and second.skipped_batches == 0
    assert_same_tables(reference, tmp_path)
    assert sorted(p.name for p in (tmp_path / PARTS).iterdir()) == sorted(  # the old parts are gone
        b.key for b in runs.plan([inputs]))


def test_killed_run_resumed_gives_the_uninterrupted_tables(synth, tmp_path):
    inputs, reference = synth
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline", "run", str(inputs), "--out", str(out), "--workers", "2"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not any((out / PARTS).glob("[!.]*")):
        time.sleep(0.05)
    assert process.poll() is None, "the run ended by itself before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)  # the whole process group: the run and its workers
    process.wait()
    assert not (out / "documents.parquet").exists(), "the run finished before it could be killed"
    summary = run([inputs], out, workers=2, resume=True)
    assert summary.skipped_batches >= 1
    assert_same_tables(reference, out)
    assert not list(out.glob(".*tmp*")) and not list((out / PARTS).glob(".tmp-*"))


def test_dask_local_cluster_survives_a_killed_worker(synth, tmp_path):
    from dask.distributed import Client, LocalCluster

    inputs, reference = synth
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        pids = list(client.run(os.getpid).values())

        def kill_one_worker_mid_run():
            deadline = time.time() + 120
            while time.time() < deadline and not any((tmp_path / PARTS).glob(".tmp-*")):
                time.sleep(0.01)
            os.kill(pids[0], signal.SIGKILL)

        killer = threading.Thread(target=kill_one_worker_mid_run)
        killer.start()
        summary = run([inputs], tmp_path, engine="dask", scheduler=cluster.scheduler_address, workers=2)
        killer.join()
    assert summary.documents == 160
    assert_same_tables(reference, tmp_path)


def test_record_files_jsonl_csv_parquet(tmp_path):
    notice = seed("001").read_text(encoding="utf-8")
    rows = [{"id": "a1", "text": notice}, {"id": "a2", "html": "<p>一、总体要求</p><p>到2015年,覆盖率达到70%。</p>"},
            {"id": "a3", "text": ""}]
    (tmp_path / "in").mkdir()
    with open(tmp_path / "in" / "batch.jsonl", "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    pd.DataFrame([{"doc_id": "c1", "content": notice}]).to_csv(tmp_path / "in" / "more.csv", index=False)
    pq.write_table(pa.table({"doc_id": ["p1"], "text": [notice]}), tmp_path / "in" / "more.parquet")
    (tmp_path / "in" / "bad.jsonl").write_text('{"title": "no id or text"}\n', encoding="utf-8")
    run([tmp_path / "in"], tmp_path / "out")
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet").set_index("doc_id")
    assert sorted(docs.index) == ["a1", "a2", "c1", "p1"]
    assert docs.doc_number["c1"] == docs.doc_number["p1"] == "张政办发〔2011〕187号"
    assert docs.format["a2"] == "html" and "到2015年,覆盖率达到70%。" in docs.text["a2"]
    assert docs.source["a1"].endswith("batch.jsonl#0")
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    assert set(errors.doc_id.dropna()) == {"a3"}
    assert any("needs an id column" in e for e in errors.error)


@pytest.mark.parametrize("workers", [1, 2])
def test_document_over_time_limit_becomes_an_errors_row(tmp_path, monkeypatch, seed_docs, workers):
    """With 2 workers the parent's warm-up meets the hanging stage first: it gives
    up at the same limit, the run goes on (forked workers inherit the patch) and
    its summary says so."""
    import pipeline.process as process_module

    def endless_segment(text, spans):
        time.sleep(60)

    monkeypatch.setattr(process_module, "segment", endless_segment)
    started = time.perf_counter()
    summary = run([seed("003"), seed("001")], tmp_path, time_limit=1.5, workers=workers)
    assert time.perf_counter() - started < 15
    errors = pd.read_parquet(tmp_path / "errors.parquet")
    assert summary.errors == {"timeout": 2}
    assert errors.stage.tolist() == ["timeout", "timeout"] and "1.5 s" in errors.error[0]
    rendered = summary.render()
    if workers == 2:  # only the process engine warms up
        assert "warm-up skipped: it ran past the 1.5 s per-document time limit" in rendered
        assert "timeout rows" in rendered
    else:
        assert "warm-up" not in rendered


def test_workers_are_forked_before_the_inputs_are_listed():
    """Forked at the first batch, workers inherited the parent's listing of the input
    folder, and their memory grew with the number of files."""
    from pipeline.engines import ProcessEngine

    with ProcessEngine(2, time_limit=60) as engine:
        assert len(engine.pool._processes) == 2  # before any batch was planned or submitted
