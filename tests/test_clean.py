"""Boilerplate removal: the example corpus, the seeds, and the no-loss invariant."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.clean import clean
from pipeline.ingest import load
from pipeline.sources import Source
from pipeline.normalise import normalise
from tests.conftest import SEEDS, devcorpus_pages

EXAMPLES = yaml.safe_load((Path(__file__).parent / "examples" / "boilerplate.yaml").read_text(encoding="utf-8"))
# The line under test sits between two ordinary body lines, as in a real page.
BEFORE = "为确保全面完成推进质量振兴各项目标任务,促进全市经济社会实现跨越发展,特制定本方案。"
AFTER = "各县区、各有关部门要按照本方案要求,制定实施方案,明确部门责任,完善制度措施。"


def _verdicts(line: str) -> dict[str, str]:
    removed = clean("\n".join([BEFORE, line, AFTER])).removed
    return {r.text: r.reason for r in removed}


@pytest.mark.parametrize("line, reason", EXAMPLES["remove"])
def test_boilerplate_line_removed(line, reason):
    assert _verdicts(line).get(line) == reason


@pytest.mark.parametrize("line", EXAMPLES["keep"])
def test_content_line_kept(line):
    result = clean("\n".join([BEFORE, line, AFTER]))
    assert result.text.split("\n") == [BEFORE, line, AFTER]


def test_example_corpus_is_large_enough():
    assert len(EXAMPLES["remove"]) >= 40 and len(EXAMPLES["keep"]) >= 15


def test_related_list_tail_and_head_furniture():
    page = "\n".join(["某某市市场监督管理局", "今天是:", "当前位置:首页 > 政策", BEFORE, AFTER, "猜你喜欢", "某篇文章", "另一篇"])
    result = clean(page)
    assert result.text == f"{BEFORE}\n{AFTER}"
    assert [r.reason for r in result.removed] == ["site-header", "site-header", "breadcrumb", "related-list", "related-list", "related-list"]


def test_repeated_title_copy_needs_furniture_or_adjacency():
    title = "赣州市人民政府关于印发《赣州市保障农民工工资支付工作考核办法》的通知"
    assert clean("\n".join([title, title, BEFORE])).text == f"{title}\n{BEFORE}"
    addressee = "各有关单位:"  # an attachment repeats its addressee: both are content
    assert clean("\n".join([addressee, BEFORE, addressee, AFTER])).text.count(addressee) == 2


def test_stray_pipe_stripped_from_content_line():
    result = clean("对于成效显著的,将推荐参加评选。 |\n|")
    assert result.text == "对于成效显著的,将推荐参加评选。"
    assert [(r.text, r.reason) for r in result.removed] == [("|", "stray-pipe"), ("|", "no-text")]


def test_metadata_fields_harvested():
    result = clean("发文机关: 沂水县人民政府办公室成文日期: 2015-08-18\n发文字号: 沂政办发〔2015〕62号公文类型: 办法\n" + BEFORE)
    assert result.metadata["发文机关"] == "沂水县人民政府办公室"
    assert result.metadata["成文日期"] == "2015-08-18"
    assert result.metadata["发文字号"] == "沂政办发〔2015〕62号"


@pytest.mark.parametrize("path", SEEDS + devcorpus_pages(), ids=lambda p: p.name)
def test_every_line_is_kept_or_recorded_as_removed(path):
    """Nothing disappears silently: the normalised lines are exactly the kept
    lines plus the removed ones (stray pipes re-attached), in order."""
    normalised = normalise(load(Source(path.stem, str(path), path=path)).text).text.split("\n")
    result = clean("\n".join(normalised))
    kept = iter(result.text.split("\n")) if result.text else iter(())
    removed = {r.line_no: r for r in result.removed if r.reason != "stray-pipe"}
    pipes = {r.line_no: r.text for r in result.removed if r.reason == "stray-pipe"}
    for i, line in enumerate(normalised):
        if i in removed:
            assert removed[i].text == line
        else:
            kept_line = next(kept)
            assert kept_line in line and (line.replace(kept_line, "", 1).strip() == pipes.get(i, ""))
    assert next(kept, None) is None
