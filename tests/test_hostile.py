"""Hostile input never hangs or crashes a run: it gives a document or an errors row."""
from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.process import process_text
from pipeline.run import run
from pipeline.sources import InputError

HOSTILE = {
    "nested_tags.html": ("<div>" * 100_000 + "质量工作" + "</div>" * 100_000).encode(),
    "open_parens.txt": ("质量" + "(" * 100_000).encode(),
    "million_digits.txt": ("到2015年覆盖率达到" + "9" * 1_000_000 + "%").encode(),
    "pinyin_storm.txt": ("質" + "(zhì" * 100_000).encode(),
    "breadcrumb_storm.txt": ("首页" + " > " * 300_000).encode(),
    "unit_list.txt": ("(牵头单位:" + "市质监局、" * 100_000 + ")").encode(),
    "numeral_storm.txt": ("一二三四五六七八九十" * 50_000).encode(),
    "label_storm.txt": ("\n(一)质量" * 50_000).encode(),
    "truncated.txt": "各县区人民政府要加强质量工作".encode()[:-2],
    "mislabelled.html": '<meta charset="utf-8"><p>各县区人民政府要加强质量工作。</p>'.encode("gbk"),
    "big5_as_txt.txt": "各縣區人民政府要加強質量工作。到2015年覆蓋率達到70%以上。".encode("big5"),
    "nul_bytes.txt": b"\x00\x01\x02" * 5000,
}


def test_hostile_files_give_documents_or_error_rows(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, data in HOSTILE.items():
        (folder / name).write_bytes(data)
    summary = run([folder], tmp_path / "out", workers=2, time_limit=60)
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    assert sorted(docs.doc_id.tolist() + errors.doc_id.tolist()) == sorted(n.rsplit(".", 1)[0] for n in HOSTILE)
    assert summary.documents == len(docs)
    assert set(errors.stage) == {"load"}, errors  # refused when read, never a stage crashing
    by_doc = dict(zip(errors.doc_id, errors.error))
    assert "nested" in by_doc["nested_tags"]
    assert "binary" in by_doc["nul_bytes"] or "encoding" in by_doc["nul_bytes"]
    texts = docs.set_index("doc_id").text
    assert texts["mislabelled"] == "各县区人民政府要加强质量工作。"
    assert texts["big5_as_txt"].startswith("各县区人民政府要加强质量工作。")
    assert texts["truncated"] == "各县区人民政府要加强质量工"


FRAGMENTS = st.sampled_from([
    "质量", "(", ")", "（", "）", "《", "》", "、", ",", "。", ":", "\n", " ", "|", ">", "首页", "一是", "二是",
    "一、", "(一)", "1.", "(1)", "①", "牵头单位", "配合单位:", "责任单位:", "市质监局", "各乡(镇)人民政府", "等",
    "到2015年", "年底前", "每季度", "2019年6月至9月", "启动阶段", "达到", "70%", "以上", "3-5个", "两次",
    "百分之", "二〇一一年六月二十八日", "〔2011〕", "号", "GB/T19000", "12315", "(zhì)", "質", "<p>", "&nbsp;",
    "9" * 50, "\u3000", "\x00", "?", "——", "二、实施步骤\n", "共分三个阶段:", "即日起", "底前", "第二季度:",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, max_size=120).map("".join))
def test_fuzz_whole_document_path(text):
    """Any mix of the constructs the stages look for gives a consistent
    Document (offsets inside the text, evidence where it says) or an input
    error. A StageError here is a bug: a stage raised on text it should handle
    (the run would record it and go on, which is why the test must not)."""
    try:
        doc = process_text(text)
    except InputError:
        return
    for task in doc.tasks:
        assert 0 <= task.char_start < task.char_end <= len(doc.text)
        assert doc.text[task.char_start : task.char_end].startswith(task.label)
    for kind, records in doc.records.items():
        for record in records:
            assert 0 <= record["char_start"] < record["char_end"] <= len(doc.text), (kind, record)
            if "text" in record:
                assert doc.text[record["char_start"] : record["char_end"]] == record["text"], (kind, record)
