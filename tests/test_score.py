"""The scorer: hand-computed figures, targeted breakage, floors, missing tables.

The fixture is one tiny document: `fixtures/score/gold/demo.json` is its gold and
`fixtures/score/pred_demo.json` a prediction identical to it (rows per table), which the
tests edit and write as Parquet with the project's schemas, as the pipeline does.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.schemas import SCHEMAS
from pipeline.score import (CHECKS, TABLES, check_floor, format_report, indicators_overlap, prf,
                            score_dirs)

FIXTURES = Path(__file__).parent / "fixtures" / "score"
GOLD_DIR = FIXTURES / "gold"
FLOOR_FILE = Path(__file__).parents[1] / "gold" / "floor.json"


def perfect() -> dict[str, list[dict]]:
    return json.loads((FIXTURES / "pred_demo.json").read_text(encoding="utf-8"))


def write_pred(tables: dict[str, list[dict]], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        frame = pd.DataFrame(rows, columns=SCHEMAS[table].names)
        arrow = pa.Table.from_pandas(frame, schema=SCHEMAS[table], preserve_index=False)
        pq.write_table(arrow, out / f"{table}.parquet")
    return out


def score(tables: dict[str, list[dict]], tmp_path: Path, gold_dir: Path = GOLD_DIR) -> dict:
    return score_dirs(gold_dir, write_pred(tables, tmp_path / "pred"))


def figures(report: dict) -> dict[str, float]:
    """Every overall figure, flattened: units.precision, …, fields.accuracy."""
    flat = {f"{t}.{m}": report["overall"][t][m] for t in TABLES for m in ("precision", "recall", "f1")}
    flat.update({f"{c}.accuracy": report["overall"][c]["accuracy"] for c in CHECKS})
    return flat


def below_one(report: dict) -> dict[str, float]:
    return {name: value for name, value in figures(report).items() if value != 1.0}


def edit_text(tables: dict, old: str, new: str) -> None:
    doc = tables["documents"][0]
    assert old in doc["text"]
    doc["text"] = doc["text"].replace(old, new, 1)


def test_identical_prediction_scores_one_everywhere(tmp_path):
    report = score(perfect(), tmp_path)
    assert below_one(report) == {}
    assert report["misses"] == [] and report["false_positives"] == []
    assert report["overall"]["units"] == {"tp": 2, "fp": 0, "fn": 0, "precision": 1.0,
                                                "recall": 1.0, "f1": 1.0}


def test_figures_reproduce_by_hand(tmp_path):
    tables = perfect()
    lead, support = tables["units"]
    lead["task_id"] = "t001"  # right unit and role, under 一、主要任务 instead of (一)
    support["unit"] = "各乡（镇）人民政府"  # full-width brackets: equal to the gold after NFKC
    tables["units"].append(lead | {"task_id": "t002", "role": "support", "rank": 2})
    tables["targets"][1]["indicator"] = "质量专题会议"  # shares no 2 characters with 中国名牌产品
    tables["deadlines"] = []
    tables["tasks"].append(tables["tasks"][1] | {"task_id": "t004", "label": "(二)", "heading": "加强质量监管"})
    doc = tables["documents"][0]
    doc["issuer"] = None
    doc["doc_number"] = "张政办发〔２０１１〕１８７号"  # full-width digits: equal after NFKC
    # the last line, so that no offset moves: the date line is lost, a breadcrumb survives
    edit_text(tables, "二〇一一年六月二十八日", "首页 > 政务公开 > 通知公告")
    report = score(tables, tmp_path)

    expected = {
        # units: tp 2 (市质监局 lead, 各乡(镇)人民政府 support), fp 1 (市质监局 support), fn 0
        #   P = 2/3, R = 2/2 = 1, F1 = 2·(2/3)·1 / (2/3 + 1) = (4/3)/(5/3) = 0.8
        "units": (2, 1, 0, 2 / 3, 1.0, 0.8),
        # units+task: the lead now sits under 主要任务 → tp 1, fp 2, fn 1
        #   P = 1/3, R = 1/2, F1 = 2·(1/3)·(1/2) / (1/3 + 1/2) = (1/3)/(5/6) = 0.4
        "units+task": (1, 2, 1, 1 / 3, 0.5, 0.4),
        # targets: both keys match → tp 2, fp 0, fn 0 → 1, 1, 1
        "targets": (2, 0, 0, 1.0, 1.0, 1.0),
        # targets+indicator: 质量专题会议 vs 中国名牌产品 do not overlap → tp 1, fp 1, fn 1 → ½, ½, ½
        "targets+indicator": (1, 1, 1, 0.5, 0.5, 0.5),
        # deadlines: nothing predicted against 1 gold → P 0 (gold exists), R 0/1 = 0, F1 0
        "deadlines": (0, 0, 1, 0.0, 0.0, 0.0),
        "phases": (1, 0, 0, 1.0, 1.0, 1.0),
        # tasks: 3 gold found plus (二) → P = 3/4, R = 1, F1 = 2·(3/4) / (7/4) = 6/7
        "tasks": (3, 1, 0, 0.75, 1.0, 6 / 7),
    }
    for table, (tp, fp, fn, p, r, f1) in expected.items():
        got = report["overall"][table]
        assert (got["tp"], got["fp"], got["fn"]) == (tp, fp, fn), table
        assert (got["precision"], got["recall"], got["f1"]) == pytest.approx((p, r, f1)), table
    # fields: issuer wrong, the other 4 right → 4/5; boilerplate: breadcrumb survives, | gone
    # → 1/2; content: the date line is gone → 5/6
    assert report["overall"]["fields"] == {"correct": 4, "total": 5, "accuracy": 0.8}
    assert report["fields"]["issuer"]["accuracy"] == 0.0
    assert report["fields"]["doc_number"]["accuracy"] == 1.0
    assert report["overall"]["boilerplate_removed"] == {"correct": 1, "total": 2, "accuracy": 0.5}
    assert report["overall"]["content_kept"]["accuracy"] == pytest.approx(5 / 6)
    assert report["documents"]["demo"] == report["overall"]

    fps = {(f["table"], json.dumps(f["pred"], ensure_ascii=False)): f["evidence"]
           for f in report["false_positives"]}
    extra_unit = {"task_heading": "全面推进质量振兴工作", "unit": "市质监局", "role": "support", "rank": 2}
    assert fps[("units", json.dumps(extra_unit, ensure_ascii=False))] == (
        "5个中国名牌产品。(牵头单位:[市质监局];配合单位:各乡(镇)人民政府")
    misses = [(m["table"], m["gold"]) for m in report["misses"]]
    assert ("deadlines", {"text": "到2015年", "date": "2015-12-31", "recurrence": None}) in misses
    assert ("fields", {"issuer": "张掖市人民政府办公室"}) in misses
    assert ("content_kept", {"line": "二〇一一年六月二十八日"}) in misses
    assert json.loads(json.dumps(report)) == report


def drop_unit(t):
    t["units"].pop(1)


def change_deadline(t):
    t["deadlines"][0]["date"] = "2016-12-31"


def change_indicator(t):
    t["targets"][0]["indicator"] = "质量专题会议"


def wrong_task(t):
    t["units"][0]["task_id"] = "t003"


def lose_content_line(t):
    edit_text(t, "\n二〇一一年六月二十八日", "")


def keep_boilerplate_line(t):
    edit_text(t, "张掖市推进", "首页 > 政务公开 > 通知公告\n张掖市推进")


def glue_pipe_to_content(t):
    edit_text(t, "一、主要任务", "一、主要任务 |")


def wrong_field(t):
    t["documents"][0]["region"] = "甘肃省"


@pytest.mark.parametrize("breakage, expected", [
    # 1 of 2 gold units found, nothing extra: R = 1/2, F1 = 2·1·½ / 1½ = 2/3; units+task loses it too
    (drop_unit, {"units.recall": 0.5, "units.f1": 2 / 3,
                 "units+task.recall": 0.5, "units+task.f1": 2 / 3}),
    # the only deadline becomes 1 fp + 1 fn: P = R = F1 = 0
    (change_deadline, {"deadlines.precision": 0.0, "deadlines.recall": 0.0, "deadlines.f1": 0.0}),
    # keys still match; with the indicator check 1 of 2 pairs: ½ each
    (change_indicator, {"targets+indicator.precision": 0.5, "targets+indicator.recall": 0.5,
                        "targets+indicator.f1": 0.5}),
    (wrong_task, {"units+task.precision": 0.5, "units+task.recall": 0.5, "units+task.f1": 0.5}),
    (lose_content_line, {"content_kept.accuracy": 5 / 6}),
    (keep_boilerplate_line, {"boilerplate_removed.accuracy": 0.5}),
    # the stray | survives glued to a content line, which is then not kept as a whole line
    (glue_pipe_to_content, {"boilerplate_removed.accuracy": 0.5, "content_kept.accuracy": 5 / 6}),
    (wrong_field, {"fields.accuracy": 0.8}),
])
def test_breakage_lowers_exactly_its_figure(tmp_path, breakage, expected):
    tables = perfect()
    breakage(tables)
    assert below_one(score(tables, tmp_path)) == pytest.approx(expected)


def test_prf_empty_sides():
    assert prf(0, 0, 0) == {"tp": 0, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert (prf(0, 0, 3)["precision"], prf(0, 0, 3)["recall"], prf(0, 0, 3)["f1"]) == (0.0, 0.0, 0.0)
    assert (prf(0, 2, 0)["precision"], prf(0, 2, 0)["recall"], prf(0, 2, 0)["f1"]) == (0.0, 0.0, 0.0)


def test_empty_gold_table(tmp_path):
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    gold = json.loads((GOLD_DIR / "demo.json").read_text(encoding="utf-8"))
    gold["deadlines"] = []
    (gold_dir / "demo.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    tables = perfect()
    # no gold and one prediction → P 0/1 = 0, R 0 by the empty-side rule
    assert below_one(score(tables, tmp_path / "a", gold_dir)) == {
        "deadlines.precision": 0.0, "deadlines.recall": 0.0, "deadlines.f1": 0.0}
    tables["deadlines"] = []
    # no gold and no prediction → 1.0
    assert below_one(score(tables, tmp_path / "b", gold_dir)) == {}


@pytest.mark.parametrize("a, b, overlap", [
    ("标准覆盖率", "主要农产品的标准覆盖率", True),  # containment
    ("率", "覆盖率", True),  # containment of a single character
    ("名牌产品数", "中国名牌", True),  # common 名牌
    ("覆盖率", "达标率", False),  # only 率 in common
    ("中国名牌产品", "质量专题会议", False),
    ("ＧＤＰ增速", "GDP", True),  # NFKC before comparing
    (None, "覆盖率", False),
    ("", "", False),
])
def test_indicator_overlap(a, b, overlap):
    assert indicators_overlap(a, b) is overlap
    assert indicators_overlap(b, a) is overlap


def test_indicator_pairs_are_a_maximum_matching(tmp_path):
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    gold = json.loads((GOLD_DIR / "demo.json").read_text(encoding="utf-8"))
    target = gold["targets"][0]
    gold["targets"] = [target | {"indicator": "名牌产品"}, target | {"indicator": "标准覆盖率"}]
    (gold_dir / "demo.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    tables = perfect()
    row = tables["targets"][0]
    # the first prediction overlaps both gold indicators, the second only 名牌产品: pairing
    # 名牌产品 with the first, as a greedy pass would, leaves 标准覆盖率 unpaired
    tables["targets"] = [row | {"indicator": "名牌产品标准覆盖率"}, row | {"indicator": "名牌产品数"}]
    assert score(tables, tmp_path, gold_dir)["overall"]["targets+indicator"]["tp"] == 2


def test_evidence_falls_back_to_the_text_column(tmp_path):
    tables = perfect()
    tables["deadlines"][0] |= {"date": "2016-12-31", "char_start": 0}  # offsets off
    fp, = score(tables, tmp_path)["false_positives"]
    assert fp["evidence"] == "到2015年"


def test_micro_average_and_which_documents_count(tmp_path):
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    shutil.copy(GOLD_DIR / "demo.json", gold_dir)
    gold2 = json.loads((GOLD_DIR / "demo.json").read_text(encoding="utf-8")) | {"doc_id": "demo2"}
    (gold_dir / "demo2.json").write_text(json.dumps(gold2, ensure_ascii=False), encoding="utf-8")
    (gold_dir / "floor.json").write_text('{"overall": {"units": {"f1": 0.0}}}', encoding="utf-8")
    (gold_dir / "GUIDELINES.md").write_text("# decisions\n", encoding="utf-8")
    tables = perfect()
    for rows in list(tables.values()):  # the same predictions again for an unlabelled document
        rows += [row | {"doc_id": "other"} for row in rows]
    report = score(tables, tmp_path, gold_dir)

    assert sorted(report["documents"]) == ["demo", "demo2"]
    assert report["unpredicted"] == ["demo2"]
    assert report["ignored"] == ["other"]
    assert {m["doc_id"] for m in report["misses"]} == {"demo2"}
    assert report["false_positives"] == []
    # micro: tp 2 + 0, fp 0, fn 0 + 2 → P 1, R 2/4, F1 = 2·½ / 1½ = 2/3 (the mean of the
    # per-document F1s would be ½)
    assert report["documents"]["demo2"]["units"]["f1"] == 0.0
    assert report["overall"]["units"] == pytest.approx(
        {"tp": 2, "fp": 0, "fn": 2, "precision": 1.0, "recall": 0.5, "f1": 2 / 3})
    # no documents row: every field and line check of demo2 fails
    assert report["overall"]["fields"] == {"correct": 5, "total": 10, "accuracy": 0.5}
    assert report["overall"]["boilerplate_removed"]["accuracy"] == 0.5
    assert report["overall"]["content_kept"]["accuracy"] == 0.5


def test_missing_prediction_tables_do_not_crash(tmp_path):
    tables = perfect()
    del tables["units"], tables["tasks"]
    report = score(tables, tmp_path)
    assert report["overall"]["units"]["fn"] == 2 and report["overall"]["units"]["recall"] == 0.0
    assert report["overall"]["tasks"]["fn"] == 3
    assert report["overall"]["deadlines"]["f1"] == 1.0

    empty = score_dirs(GOLD_DIR, tmp_path / "nothing-here")
    assert empty["unpredicted"] == ["demo"]
    assert figures(empty)["fields.accuracy"] == 0.0


def test_check_floor(tmp_path):
    tables = perfect()
    drop_unit(tables)
    report = score(tables, tmp_path)  # units recall 0.5
    floor = {"overall": {"units": {"recall": 0.6, "precision": 1.0}, "fields": {"accuracy": 1.0}},
             "fields": {"title": {"accuracy": 1.0}}}
    assert check_floor(report, floor) == ["overall.units.recall = 0.500 is below the floor 0.600"]
    floor["overall"]["units"]["recall"] = 0.5
    assert check_floor(report, floor) == []
    assert check_floor(report, {"overall": {"citations": {"f1": 0.0}}}) == [
        "overall.citations.f1: not in the report (floor 0.0)"]


def test_shipped_floor_names_only_figures_the_report_has(tmp_path):
    floor = json.loads(FLOOR_FILE.read_text(encoding="utf-8"))
    assert set(floor["overall"]) == set(TABLES) | set(CHECKS)
    assert check_floor(score(perfect(), tmp_path), floor) == []


def test_format_report(tmp_path):
    tables = perfect()
    drop_unit(tables)
    tables["deadlines"][0]["date"] = "2016-12-31"
    text = format_report(score(tables, tmp_path))
    lines = text.splitlines()
    assert "units                 1.000  0.500  0.667     1     0     1" in lines
    assert "fields                1.000  5/5" in lines
    assert any(line.startswith("demo ") for line in lines)
    assert '    miss {"text": "到2015年", "date": "2015-12-31", "recurrence": null}' in lines
    assert ('    FP   {"text": "到2015年", "date": "2016-12-31", "recurrence": null}'
            "  ← ⏎(一)全面推进质量振兴工作。[到2015年],主要农产品的标准覆盖率达到7") in lines
