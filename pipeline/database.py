"""DIR/policy.duckdb: a run's tables plus the views researchers would otherwise write by hand.

``build`` runs at the end of every run (pipeline.run.run), after compaction: it loads
every Parquet table of the run, adds ``regions`` (each document region decomposed into
level, province, prefecture and county by pipeline.canonical), and creates the views of
``pipeline/data/views.sql`` — ``doc_overview``, ``targets_with_leads``,
``targets_by_region_family``, ``unit_workload``, ``function_workload``, ``timelines``,
``deadlines_by_year``, ``citation_links``, ``citation_counts`` (and the helpers
``doc_years``, ``task_ancestors``). It writes a temporary file and renames it into
place, so a reader never sees half a database.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipeline.canonical import region_parts
from pipeline.data import data_path
from pipeline.schemas import SCHEMAS

if TYPE_CHECKING:  # pandas costs ~0.6 s to import: only query() needs it, not every run's build
    import pandas as pd

DATABASE = "policy.duckdb"
MEMORY_LIMIT = "512MB"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def build(out_dir: str | os.PathLike, threads: int | None = None) -> Path:
    """Write DIR/policy.duckdb from the tables in DIR (temp file, then rename),
    with at most ``threads`` threads (a run passes its worker count; None: DuckDB's
    default, one per core)."""
    out = Path(out_dir)
    temp = out / f".{DATABASE}.tmp-{os.getpid()}"
    for stale in (temp, temp.with_name(temp.name + ".wal")):
        stale.unlink(missing_ok=True)
    with duckdb.connect(str(temp)) as con:
        # DuckDB would otherwise cache up to 80 % of RAM: bound it, spill beside the tables.
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory = {_sql_string(str(out / '.duckdb-tmp'))}")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        for table in SCHEMAS:
            source = _sql_string(str(out / f"{table}.parquet"))
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet({source})")
        con.execute("CREATE TABLE regions (region VARCHAR PRIMARY KEY, level VARCHAR, "
                    "province VARCHAR, city VARCHAR, county VARCHAR)")
        regions = [row[0] for row in con.execute(
            "SELECT DISTINCT region FROM documents WHERE region IS NOT NULL ORDER BY region").fetchall()]
        rows = [(r, p.level, p.province, p.city, p.county) for r in regions for p in [region_parts(r)]]
        if rows:
            # one statement over the columns as lists: executemany commits each row on its own (~3 ms a row)
            con.execute("INSERT INTO regions SELECT unnest(?), unnest(?), unnest(?), unnest(?), unnest(?)",
                        [list(column) for column in zip(*rows)])
        con.execute(data_path("views.sql").read_text(encoding="utf-8"))
    os.replace(temp, out / DATABASE)
    return out / DATABASE


def connect(out_dir: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """A read-only connection to DIR/policy.duckdb, built first if a run left none."""
    path = Path(out_dir) / DATABASE
    if not path.exists():
        if not (Path(out_dir) / "documents.parquet").exists():
            raise FileNotFoundError(f"{out_dir} holds no run: run `policy-pipeline run … --out {out_dir}` first")
        build(out_dir)
    return duckdb.connect(str(path), read_only=True)


def query(out_dir: str | os.PathLike, sql: str) -> pd.DataFrame:
    """The result of one SQL statement over DIR/policy.duckdb as a DataFrame."""
    with connect(out_dir) as con:
        return con.execute(sql).df()
