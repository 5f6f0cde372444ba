"""Command line: `policy-pipeline run|score|review|export-spacy|query|compare …` (also `python -m pipeline`)."""
from __future__ import annotations

import argparse
import json
import sys


def _run(args: argparse.Namespace) -> int:
    from pipeline.canonical import TableError, use
    from pipeline.run import run

    try:
        use(args.aliases, args.families)
    except TableError as error:
        raise SystemExit(f"policy-pipeline run: {error}") from error
    summary = run(
        args.inputs,
        args.out,
        workers=args.workers,
        engine=args.engine,
        scheduler=args.scheduler,
        resume=args.resume,
        time_limit=args.time_limit,
    )
    print(summary.render())
    return 0


def _score(args: argparse.Namespace) -> int:
    from pipeline.score import format_report, score_dirs

    report = score_dirs(args.gold, args.pred)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(format_report(report))
    return 0


def _review(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipeline.review import DEFAULT_GOLD, review

    if args.gold and not Path(args.gold).is_dir():
        raise SystemExit(f"policy-pipeline review: --gold {args.gold} is not a folder")
    try:
        result = review(args.dir, args.out, args.gold or DEFAULT_GOLD)
    except FileNotFoundError as error:
        raise SystemExit(f"policy-pipeline review: {error}") from error
    print(f"Wrote {len(result.pages)} review page(s) and an index to {result.index.parent}/")
    print(f"  index:          {result.index}")
    if result.pages:
        richest = max(result.highlights, key=result.highlights.get)
        print(f"  most records:   {result.pages[richest]} ({result.highlights[richest]} highlighted)")
    return 0


def _export_spacy(args: argparse.Namespace) -> int:
    from pipeline.spans import export_spacy

    try:
        path, count = export_spacy(args.dir, args.out)
    except FileNotFoundError as error:
        raise SystemExit(f"policy-pipeline export-spacy: {error}") from error
    print(f"Wrote {count} spaCy Doc(s) to {path}")
    return 0


def _query(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.database import connect

    try:
        with connect(args.dir) as con:
            result = con.sql(args.sql)
            if result is None:  # a statement without a result
                return 0
            if args.csv:
                print(result.df().to_csv(index=False), end="")
            else:
                result.show(max_rows=args.max_rows, max_width=args.max_width, null_value="NULL")
    except (duckdb.Error, FileNotFoundError) as error:
        raise SystemExit(f"policy-pipeline query: {error}") from error
    return 0


def _compare(args: argparse.Namespace) -> int:
    from pipeline.report import write

    try:
        path = write(args.dir, args.out)
    except FileNotFoundError as error:
        raise SystemExit(f"policy-pipeline compare: {error}") from error
    print(f"Wrote the comparison report to {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    from pipeline.engines import default_workers
    from pipeline.run import DOC_TIME_LIMIT

    main = argparse.ArgumentParser(
        prog="policy-pipeline",
        description="Turn Chinese government policy notices into evidence-linked Parquet tables.",
    )
    commands = main.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="process files or folders (recursively) and write the tables")
    run.add_argument("inputs", nargs="+", help=".txt / .html files or folders holding them")
    run.add_argument("--out", required=True, help="folder for the Parquet tables")
    run.add_argument("--workers", type=int, default=default_workers(),
                     help="worker processes (default: all cores); 1 runs in this process")
    run.add_argument("--engine", choices=["local", "dask"], default="local",
                     help="local worker processes, or a dask.distributed cluster")
    run.add_argument("--scheduler", help="address of a running Dask scheduler (default: start a LocalCluster)")
    run.add_argument("--resume", action="store_true",
                     help="keep batches an earlier (possibly killed) run finished; redo the rest")
    run.add_argument("--time-limit", type=float, default=DOC_TIME_LIMIT,
                     help="seconds one document may take before it becomes an errors row (0: no limit)")
    run.add_argument("--aliases", action="append", default=[], metavar="FILE",
                     help="YAML of unit aliases tried before pipeline/data/unit_aliases.yaml (repeatable)")
    run.add_argument("--families", action="append", default=[], metavar="FILE",
                     help="YAML of indicator families tried before pipeline/data/indicator_families.yaml (repeatable)")
    run.set_defaults(handler=_run)

    score = commands.add_parser("score", help="score a run's tables against hand-labelled gold")
    score.add_argument("--gold", required=True, help="folder of gold/<doc_id>.json files")
    score.add_argument("--pred", required=True, help="folder a run wrote its tables to")
    score.add_argument("--json", action="store_true", help="print the full report as JSON")
    score.set_defaults(handler=_score)

    review = commands.add_parser("review", help="write an HTML review page per document, records highlighted")
    review.add_argument("dir", help="folder a run wrote its tables to")
    review.add_argument("--out", help="folder for the pages (default: DIR/review)")
    review.add_argument("--gold", help="folder of gold/<doc_id>.json files to mark records matched, missed "
                                       "or spurious (default: the project's gold/ folder, if present)")
    review.set_defaults(handler=_review)

    export = commands.add_parser("export-spacy", help="write the documents and their spans as a spaCy DocBin")
    export.add_argument("dir", help="folder a run wrote its tables to")
    export.add_argument("--out", help="DocBin file to write (default: DIR/spans.spacy)")
    export.set_defaults(handler=_export_spacy)

    query = commands.add_parser("query", help="run SQL over a run's tables and views (DIR/policy.duckdb)")
    query.add_argument("dir", help="folder a run wrote its tables to")
    query.add_argument("sql", help='one SQL statement, e.g. "SELECT * FROM doc_overview"')
    query.add_argument("--csv", action="store_true", help="print every row as CSV instead of a table")
    query.add_argument("--max-rows", type=int, default=10000, help="rows shown in the table (default: 10000)")
    query.add_argument("--max-width", type=int, help="width of the table in characters (default: DuckDB's choice)")
    query.set_defaults(handler=_query)

    compare = commands.add_parser("compare", help="write a self-contained HTML report comparing the plans of a run")
    compare.add_argument("dir", help="folder a run wrote its tables to")
    compare.add_argument("--out", help="HTML file to write (default: DIR/compare.html)")
    compare.set_defaults(handler=_compare)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
