"""Document fields (ANNOTATION §2) and the task outline (§3) on the seeds."""
from __future__ import annotations

import pytest

from pipeline.fields import normalise_doc_number, parse_date
from pipeline.outline import segment
from pipeline.process import process_text

# Expected values are the ones ANNOTATION §2 states for the seeds.
EXPECTED_FIELDS = {
    "000": dict(title=None, doc_number=None, issuer=None, issue_date=None, region="上海市"),
    "001": dict(title="张掖市推进质量振兴工作方案", doc_number="张政办发〔2011〕187号", issuer=None,
                issue_date="2011-06-28", region="张掖市"),
    "002": dict(title="师宗县创建全国质量强市示范城市工作方案", doc_number=None, issuer="师宗县人民政府办公室",
                issue_date="2018-10-29", region="师宗县"),
    "003": dict(title="上海市质量发展三年行动计划(2016-2018年)", doc_number="沪府办发〔2016〕31号",
                issuer="上海市人民政府办公厅", issue_date="2016-08-10", region="上海市"),
    "004": dict(title="质量引领发展铸就虹口辉煌——上海虹口区积极推进质量强区建设", doc_number=None, issuer=None,
                issue_date=None, region="上海市虹口区"),
}


@pytest.mark.parametrize("prefix", sorted(EXPECTED_FIELDS))
def test_seed_fields(seed_docs, prefix):
    doc = next(d for doc_id, d in seed_docs.items() if doc_id.startswith(prefix))
    assert doc.fields == EXPECTED_FIELDS[prefix]


@pytest.mark.parametrize(
    "text, iso",
    [("二〇一一年六月二十八日", "2011-06-28"), ("2016年8月10日", "2016-08-10"), ("2017-07-07", "2017-07-07"),
     ("二〇二〇年十月一日", "2020-10-01"), ("２０１９年１１月９日", "2019-11-09"), ("2015年13月1日", None),
     ("到2015年", None)],
)
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_doc_number_brackets_normalised():
    assert normalise_doc_number("沪府办发[2016]31号") == "沪府办发〔2016〕31号"
    assert normalise_doc_number("珠府(2018)14 号") == "珠府〔2018〕14号"


def _tasks(seed_docs, prefix):
    return next(d for doc_id, d in seed_docs.items() if doc_id.startswith(prefix)).tasks


def test_outline_of_001(seed_docs):
    tasks = _tasks(seed_docs, "001")
    assert len(tasks) == 56
    assert [(t.label, t.heading) for t in tasks if t.level == 1] == [("一、", "主要任务"), ("二、", "实施步骤"), ("三、", "保障措施")]
    by_heading = {t.heading: t for t in tasks}
    by_id = {t.task_id: t for t in tasks}
    farming = by_heading["大力实施农业标准化"]
    assert (farming.label, farming.level, farming.section) == ("2.", 3, "主要任务")
    assert by_id[farming.parent_id].heading == "大力实施标准化战略"
    start = by_heading["启动阶段(2010年6月-2011年7月)"]
    assert (start.label, start.level, start.section) == ("(一)", 2, "实施步骤")
    # 一是…四是 inside (九) are inline children one level below it
    inline = [t for t in tasks if t.inline]
    assert [t.label for t in inline] == ["一是", "二是", "三是", "四是"]
    assert {by_id[t.parent_id].heading for t in inline} == {"切实提升重点工程建设质量"}
    assert {t.level for t in inline} == {3}


def test_outline_of_004_inline_items_outside_any_numbered_node(seed_docs):
    tasks = _tasks(seed_docs, "004")
    assert [t.label for t in tasks] == ["一是", "二是", "三是"] * 2 + ["一是", "二是", "三是", "四是"] + ["一是", "二是", "三是"]
    assert all(t.level == 1 and t.parent_id is None and t.inline for t in tasks)
    assert tasks[0].heading == "完善领导机制"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_task_spans_are_valid_and_nested(seed_docs, prefix):
    doc = next(d for doc_id, d in seed_docs.items() if doc_id.startswith(prefix))
    by_id = {t.task_id: t for t in doc.tasks}
    for task in doc.tasks:
        span = doc.text[task.char_start : task.char_end]
        assert span.startswith(task.label)
        assert task.heading in span
        if task.parent_id:
            parent = by_id[task.parent_id]
            assert parent.char_start < task.char_start and task.char_end <= parent.char_end
            assert parent.level < task.level


def _lines(text: str) -> list[tuple[int, int]]:
    lines, start = [], 0
    for line in text.split("\n"):
        lines.append((start, start + len(line)))
        start += len(line) + 1
    return lines


def test_label_families_and_false_labels():
    text = "一、总则\n(一)目标\n1.到2015年\n(1)提高\n①完善\n1.5亿元投入专项资金。\n(2011-2020年)\n（二）次目标"
    tasks = segment(text, _lines(text))
    assert [(t.label, t.level) for t in tasks] == [("一、", 1), ("(一)", 2), ("1.", 3), ("(1)", 4), ("①", 5), ("（二）", 2)]
    assert tasks[-1].parent_id == tasks[0].task_id


@pytest.mark.parametrize("text", [
    # p039: the contents, then an introduction, then the body
    "目录\n一、规划背景\n(一)发展基础\n二、指导思想\n2020年是决胜阶段。\n一、规划背景\n(一)发展基础\n全区上下坚决贯彻。",
    # the body right after the contents, which end where their first entry comes again
    "目 录\n一、规划背景……1\n(一)发展基础……2\n一、规划背景\n(一)发展基础\n全区上下坚决贯彻。",
])
def test_table_of_contents_is_not_the_outline(text):
    tasks = segment(text, _lines(text))
    body = text.rindex("一、规划背景")
    assert [(t.label, t.heading) for t in tasks] == [("一、", "规划背景"), ("(一)", "发展基础")]
    assert tasks[0].char_start == body


def test_a_contents_line_over_prose_hides_nothing():
    text = "目录\n本规划共七章。\n一、规划背景\n(一)发展基础"
    assert [t.label for t in segment(text, _lines(text))] == ["一、", "(一)"]


NOTICE = ("依据《质量强国建设纲要》《天津市质量强市建设纲要》等文件,结合本区实际,我局起草了《宝坻区质量强区建设实施方案》(征求意见稿),"
          "按照重大行政决策事项相关规定,现向社会公开征求意见,时间为2025年5月29日至2025年6月28日。\n")
BODY = "为贯彻落实党中央、国务院关于质量强国建设的决策部署,全面提高我区质量总体水平,制定本方案。\n一、总体要求\n(一)指导思想。以习近平新时代中国特色社会主义思想为指导。"


def test_consultation_page_titles_the_draft_it_carries():
    """p043: a long notice paragraph, an attachment list, the signature, then the draft."""
    text = (NOTICE + "附件:1.《宝坻区质量强区建设实施方案》(征求意见稿)\n2.《宝坻区质量强区建设实施方案》(征求意见稿)起草说明\n"
            "宝坻区市场监督管理局\n2025年5月28日\n宝坻区质量强区建设实施方案(征求意见稿)\n" + BODY)
    doc = process_text(text)
    assert doc.fields["title"] == "宝坻区质量强区建设实施方案(征求意见稿)"
    assert doc.fields["issuer"] == "宝坻区市场监督管理局" and doc.fields["issue_date"] == "2025-05-28"
    assert [t.label for t in doc.tasks] == ["一、", "(一)"]  # the attachment list's 2. is no task


def test_draft_status_on_its_own_line_belongs_to_the_title():
    """p065: the draft's title, then (征求意见稿) on the next line."""
    text = (NOTICE + "泰顺县质量强县工作领导小组办公室\n2018年11月21日\n附件\n关于开展质量提升行动的实施意见\n(征求意见稿)\n各有关单位:\n"
            + BODY)
    assert process_text(text).fields["title"] == "关于开展质量提升行动的实施意见(征求意见稿)"


def test_issuer_on_a_header_line_above_the_notice_title():
    """p006: the issuing government on a line of its own, the notice title under it, a signature of only a date."""
    text = ("新密市人民政府\n关于印发新密市创建全国质量强市示范城市\n工作推进方案的通知\n各乡镇人民政府,各街道办事处:\n"
            "现将《新密市创建全国质量强市示范城市工作推进方案》印发给你们,请认真贯彻落实。\n2019年7月17日\n"
            "新密市创建全国质量强市示范城市\n工作推进方案\n" + BODY)
    fields = process_text(text).fields
    assert fields["issuer"] == "新密市人民政府"
    assert fields["title"] == "新密市创建全国质量强市示范城市工作推进方案"
