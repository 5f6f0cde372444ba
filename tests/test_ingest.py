"""Loading real-world files: encodings, HTML, and inputs that must fail cleanly."""
from __future__ import annotations

import hashlib
import os
from dataclasses import FrozenInstanceError

import pandas as pd
import pytest

from pipeline.ingest import decode, load, looks_like_html
from pipeline.sources import InputError, Source, discover, estimate_count
from pipeline.run import run
from tests.conftest import seed

NOTICE = "各县区人民政府:\n到2015年,主要农产品的标准覆盖率达到70%以上。(牵头单位:市农业局)\n"
TRADITIONAL = "各縣區人民政府:\n到2015年,主要農產品的標準覆蓋率達到70%以上。(牽頭單位:市農業局)\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (NOTICE.encode("utf-8"), "utf-8"),
        (NOTICE.encode("utf-8-sig"), "utf-8-sig"),
        (NOTICE.encode("gbk"), "gb18030"),
        (NOTICE.encode("gb18030"), "gb18030"),
        (TRADITIONAL.encode("big5"), "big5hkscs"),
        (NOTICE.encode("utf-16"), "utf-16"),
        ("质量工作".encode("gbk"), "gb18030"),  # short GBK must not pass for Korean cp949
    ],
)
def test_encodings_detected(data, encoding):
    text, found = decode(data)
    assert found == encoding
    assert text.replace("\ufeff", "") in (NOTICE, TRADITIONAL, "质量工作")


def test_truncated_utf8_keeps_what_decodes():
    text, encoding = decode("质量工作".encode()[:-1])
    assert (text, encoding) == ("质量工", "utf-8")


@pytest.mark.parametrize(
    "data, message",
    [(b"", "empty"), (b"   \n", "empty"), (os.urandom(4096), "encoding"), ("café crème".encode("latin-1"), "encoding")],
)
def test_undecodable_inputs_raise_input_error(data, message):
    with pytest.raises(InputError, match=message):
        decode(data)


def test_html_fragment_in_txt_is_read_as_html(tmp_path):
    path = tmp_path / "fragment.txt"
    path.write_text("<p>一、总体要求</p><p>到2015年,覆盖率&nbsp;达到70%。</p><p>二、保障措施</p>", encoding="utf-8")
    loaded = load(Source("fragment", str(path), path=path))
    assert loaded.format == "html-fragment"
    assert loaded.text.split("\n") == ["一、总体要求", "到2015年,覆盖率 达到70%。", "二、保障措施"]


def test_plain_text_with_angle_brackets_is_not_html():
    assert not looks_like_html("《质量发展纲要》规定 a<b 且 c>d 的情况")


def test_html_page_keeps_content_drops_script(tmp_path):
    page = (
        "<html><head><title>T</title><script>var evil = 1; alert('x')</script></head><body>"
        "<div class='nav'><a href='/'>首页</a> &gt; <a>政务公开</a></div>"
        "<div id='content'><h1>张掖市推进质量振兴工作方案</h1>"
        "<p>各县(区)人民政府,市政府有关部门:</p>"
        "<p>到2015年,主要农产品的标准覆盖率达到70%以上。(牵头单位:市农业局)</p>"
        "<p>全面推进质量振兴工作,建立长效机制,确保各项任务落到实处。</p></div>"
        "<div class='footer'>版权所有 © 2011</div></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    loaded = load(Source("page", str(path), path=path))
    assert loaded.format == "html"
    assert "alert" not in loaded.text and "evil" not in loaded.text
    assert "到2015年,主要农产品的标准覆盖率达到70%以上。(牵头单位:市农业局)" in loaded.text.split("\n")


def test_a_record_is_hashed_once_when_its_source_is_made(monkeypatch):
    source = Source("a1", "batch.jsonl#0", text=NOTICE)
    expected = hashlib.sha256(NOTICE.encode("utf-8")).hexdigest()
    monkeypatch.setattr(hashlib, "sha256", lambda *args: pytest.fail("a record hashed a second time"))
    assert source.content_hash() == load(source).sha256 == expected  # planning, then loading
    with pytest.raises(FrozenInstanceError):  # what makes the one hash safe to reuse
        source.text = "各县区人民政府要加强质量工作。"


def test_a_file_edited_after_planning_records_the_hash_of_the_bytes_loaded(tmp_path):
    """Why loading hashes a file again instead of reusing the planned hash."""
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE, encoding="utf-8")
    source = Source("notice", str(path), path=path)
    planned = source.content_hash()
    path.write_text(NOTICE + "到2020年,覆盖率达到90%以上。\n", encoding="utf-8")
    loaded = load(source)
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() != planned
    assert "到2020年" in loaded.text


def test_run_survives_bad_inputs_and_reports_them(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "random.txt").write_bytes(os.urandom(2048))
    (inputs / "report.pdf").write_bytes(b"%PDF-1.4 ...")
    (inputs / "gbk notice.txt").write_bytes(seed("001").read_text(encoding="utf-8").encode("gbk"))
    (inputs / "big5 公告 文件.txt").write_bytes(TRADITIONAL.encode("big5"))
    (inputs / "page.htm").write_text("<html><body><script>x=1</script><p>" + NOTICE + "</p></body></html>", encoding="utf-8")
    out = tmp_path / "out"
    summary = run([inputs, tmp_path / "missing-folder"], out)

    errors = pd.read_parquet(out / "errors.parquet")
    by_doc = dict(zip(errors.doc_id.fillna(""), errors.error))
    assert "empty" in by_doc["empty"]
    assert "encoding" in by_doc["random"]
    assert "unsupported file type '.pdf'" in by_doc["report"]
    assert any("input not found" in e for e in errors.error)
    docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert set(docs.index) == {"gbk notice", "big5 公告 文件", "page"}
    assert docs.loc["gbk notice", "encoding"] == "gb18030"
    assert docs.loc["gbk notice", "doc_number"] == "张政办发〔2011〕187号"
    assert "主要农产品的标准覆盖率达到70%以上" in docs.loc["big5 公告 文件", "text"]
    assert docs.loc["big5 公告 文件", "script"] == "traditional"
    assert summary.documents == 3 and sum(summary.errors.values()) == 4


def test_thirty_megabyte_single_line_file(tmp_path):
    line = seed("001").read_text(encoding="utf-8").replace("\n", "")
    data = (line * 1200).encode("utf-8")[: 30 * 1024 * 1024]
    data = data[: len(data.decode("utf-8", "ignore").encode("utf-8"))]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "huge.txt").write_bytes(data)
    summary = run([tmp_path / "in"], tmp_path / "out")
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert summary.documents == 1
    assert docs.n_chars[0] > 9_000_000


def test_progress_estimate_counts_what_discover_finds(tmp_path):
    (tmp_path / ".git" / "objects").mkdir(parents=True)
    (tmp_path / ".git" / "objects" / "ab12").write_bytes(b"x")
    (tmp_path / "a.txt").write_text("一、正文", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("二、正文", encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"x")
    assert estimate_count([tmp_path]) == len(list(discover([tmp_path]))) == 2
