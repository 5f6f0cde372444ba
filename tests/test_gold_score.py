"""The pipeline on the bundled corpus, scored against the hand-labelled gold.

Prints the score table (visible with `pytest -s` and in CI logs on failure)
and fails when any figure falls below gold/floor.json. Raise the floor as the
extractors improve; never lower it silently.
"""
from __future__ import annotations

import json

from pipeline.score import check_floor, format_report, score_dirs
from tests.conftest import GOLD


def test_scores_stay_above_the_floor(corpus_run):
    out, _ = corpus_run
    report = score_dirs(GOLD, out)
    print("\n" + format_report(report).split("\n\nPer document")[0])
    assert sorted(report["documents"]) == sorted(p.stem for p in GOLD.glob("0*.json"))
    failures = check_floor(report, json.loads((GOLD / "floor.json").read_text(encoding="utf-8")))
    assert not failures, "\n".join(failures)
