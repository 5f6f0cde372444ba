"""The Python API a notebook user reaches for (exported as ``pipeline.load`` and
``pipeline.process_text``)::

    import pipeline
    tables = pipeline.load("outputs/corpus")     # {"documents": DataFrame, "units": DataFrame, …}
    records = pipeline.process_text(text)        # {"documents": [row], "units": [rows], …}
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from pipeline.schemas import SCHEMAS


def load(out_dir: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """The tables a run wrote into out_dir, by table name (pipeline/schemas.py)."""
    out = Path(out_dir)
    if not (out / "documents.parquet").exists():
        raise FileNotFoundError(f"{out} holds no run: run `policy-pipeline run … --out {out}` first")
    return {table: pd.read_parquet(out / f"{table}.parquet") for table in SCHEMAS if (out / f"{table}.parquet").exists()}


def process_text(text: str, doc_id: str = "text") -> dict[str, list[dict]]:
    """The records of one document (decoded text or HTML), shaped as the tables'
    rows: {"documents": [row], "tasks": [...], "units": [...], …}. Citations keep
    cited_doc_id null: links need the documents of a run."""
    from pipeline.process import process_text as process
    from pipeline.run import document_rows

    return document_rows(process(text, doc_id=doc_id))
