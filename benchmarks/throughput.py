"""Throughput of the whole pipeline, read as ratios to two floors measured in
the same run on the same text: a bare OpenCC t2s pass and one scan of 22
separate `regex` patterns (the rule-based ceiling of LIBRARIES.md).

    .venv/bin/python -m benchmarks.throughput --docs 1000

Builds a synthetic corpus from the seeds (benchmarks/corpus.py), then runs
the pipeline with 1 worker, all workers and the Dask engine, each in a fresh
subprocess so that peak memory (max RSS of the run and its workers) is its own.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import regex

from benchmarks.corpus import generate

# The baseline of LIBRARIES.md §2.7: 22 patterns, each a separate pass.
BASELINE_PATTERNS = [
    r"[(（](?:牵头单位|责任单位|配合单位|责任部门)[:：][^()（）]{1,200}[)）]",
    r"到\d{4}年", r"\d{4}年\d{1,2}月底前", r"每年\d{1,2}月底前", r"\d{1,2}月\d{1,2}日前", r"年底前",
    r"\p{Han}{2,8}阶段[(（][^()（）]{4,30}[)）]", r"\d+(?:\.\d+)?%(?:以上|以下)?", r"\d+(?:\.\d+)?个百分点",
    r"\d+\s*[-—~至]\s*\d+\s*[个项家户]", r"\d+[个项家户次]", r"百分之[一二三四五六七八九十]+",
    r"\p{Han}{1,8}[〔\[]\d{4}[〕\]]\d+号", r"\d{4}年\d{1,2}月\d{1,2}日", r"[〇一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日",
    r"^[一二三四五六七八九十]+、", r"^[(（][一二三四五六七八九十]+[)）]", r"^\d+[.、．]",
    r"\d{4}\s*[-—至]\s*\d{4}年", r"十[一二三四五]五", r"(?<=\p{Han})[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+[)）]",
    r"\d+(?:\.\d+)?余?[万亿]元",
]


FLOOR_SAMPLE = 2000  # documents the floors are measured on


def measure_floors(texts: list[str]) -> dict[str, float]:
    import opencc

    chars = sum(map(len, texts))
    converter = opencc.OpenCC("t2s")
    started = time.perf_counter()
    for text in texts:
        converter.convert(text)
    opencc_rate = chars / (time.perf_counter() - started)

    patterns = [regex.compile(p, regex.M) for p in BASELINE_PATTERNS]
    started = time.perf_counter()
    for text in texts:
        for pattern in patterns:
            for _ in pattern.finditer(text):
                pass
    scan_rate = chars / (time.perf_counter() - started)
    return {"opencc_t2s": opencc_rate, "regex_scan_22": scan_rate}


def run_config(corpus: Path, out: Path, engine: str, workers: int) -> dict:
    """One pipeline run in a fresh subprocess; returns its summary and peak memory."""
    code = f"""
import json, resource, sys, time
from pipeline.run import run
summary = run([{str(corpus)!r}], {str(out)!r}, workers={workers}, engine={engine!r})
self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps(dict(documents=summary.documents, chars=summary.chars, seconds=summary.seconds,
                      stages=dict(summary.stage_seconds), fixed=summary.fixed_seconds,
                      errors=sum(summary.errors.values()),
                      peak_mb=self_kb / 1024, peak_worker_mb=child_kb / 1024)))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000, help="documents in the synthetic corpus")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--configs", help="engine:workers pairs to run, e.g. local:2,dask:2 "
                        "(default: local:1, local:all, dask:all); memory scaling needs only the parallel one")
    parser.add_argument("--corpus", type=Path, help="keep the generated corpus in this folder and reuse it "
                        "next time (a 100,000-document corpus takes minutes to generate)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        corpus = args.corpus or Path(folder) / "corpus"
        paths = sorted(corpus.glob("synth_*.txt"))
        if len(paths) > args.docs:
            parser.error(f"{corpus} holds {len(paths)} documents, more than --docs {args.docs}")
        paths += generate(corpus, args.docs - len(paths), start=len(paths), workers=args.workers)
        megabytes = sum(p.stat().st_size for p in paths) / 1e6
        from pipeline.ingest import Source, load
        from pipeline.normalise import normalise

        # Floors on the same text the extractors see (normalised), as LIBRARIES.md measured them;
        # rates per character, so a sample of the corpus measures them.
        texts = [normalise(load(Source(p.stem, str(p), path=p)).text).text for p in paths[:FLOOR_SAMPLE]]
        floors = measure_floors(texts)
        print(f"corpus: {args.docs} documents, {megabytes:.1f} MB (floors measured on {len(texts)} of them)")
        print(f"floor  bare OpenCC t2s (pure-Python port): {floors['opencc_t2s'] / 1e6:6.2f} M chars/s")
        print(f"floor  22-pattern regex scan:              {floors['regex_scan_22'] / 1e6:6.2f} M chars/s")

        if args.configs:
            configs = [(engine, int(workers)) for engine, workers in (c.split(":") for c in args.configs.split(","))]
        else:
            configs = [("local", 1), ("local", args.workers)] + ([] if args.skip_dask else [("dask", args.workers)])
        rows = []
        for number, (engine, workers) in enumerate(configs):
            result = run_config(corpus, Path(folder) / f"out-{number}", engine, workers)
            shutil.rmtree(Path(folder) / f"out-{number}")
            rate = result["chars"] / result["seconds"]
            rows.append((engine, workers, result, rate))
        print()
        print("| engine | workers | docs/s | MB/s | clean M chars/s | x regex scan | peak MB (main / worker) | errors |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for engine, workers, result, rate in rows:
            print(
                f"| {engine} | {workers} | {result['documents'] / result['seconds']:.1f} | "
                f"{megabytes / result['seconds']:.2f} | {rate / 1e6:.2f} | {rate / floors['regex_scan_22']:.2f} | "
                f"{result['peak_mb']:.0f} / {result['peak_worker_mb']:.0f} | {result['errors']} |"
            )
        print("\nonce per run, not split over workers (s):")
        for engine, workers, result, _ in rows:
            steps = ", ".join(f"{step} {sec:.2f}" for step, sec in result["fixed"].items())
            print(f"  {engine}:{workers}  {steps}")
        engine, workers, single, _ = rows[0]
        total = sum(single["stages"].values())
        print(f"\ntime by stage, {engine} engine, {workers} worker(s) (share of per-document time):")
        for stage, seconds in sorted(single["stages"].items(), key=lambda kv: -kv[1]):
            print(f"  {stage:<10} {seconds:7.2f} s  {seconds / total:6.1%}")
        if len(rows) > 1 and rows[0][:2] == ("local", 1) and rows[1][0] == "local":
            print(f"\nspeed-up with {rows[1][1]} workers: {rows[0][2]['seconds'] / rows[1][2]['seconds']:.2f}x")


if __name__ == "__main__":
    main()
