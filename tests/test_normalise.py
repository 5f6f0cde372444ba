"""Normalisation to clean-text spelling (ANNOTATION §1)."""
from __future__ import annotations

import regex
import zhconv
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipeline import normalise as N
from tests.conftest import SEEDS, seed


def test_pinyin_annotations_removed_nested_kept():
    assert N.normalise("質(zhì)量問(wèn)題").text == "质量问题"
    assert N.normalise("各鄉(xiāng)(鎮(zhèn))人民政府").text == "各乡(镇)人民政府"
    assert N.normalise("質（zhì）量").text == "质量"


def test_non_pinyin_parentheses_stay():
    for kept in ["差距(GAP)分析", "(一)总体要求", "纲要(2011-2020年)", "专项(NQI)提升", "产(商)品", "(此件公开发布)"]:
        assert N.normalise(kept).text == kept


def test_width_spaces_and_blank_lines():
    assert N.normalise("第ＡＢ１２３号").text == "第AB123号"
    assert N.normalise("（一）").text == "（一）"  # Chinese punctuation stays as written
    assert N.normalise("創健 全國\u3000質量").text == "创健全国质量"
    assert N.normalise("一\n\n\n  二  \n").text == "一\n二"
    assert N.normalise("GB/T 19000 标准").text == "GB/T 19000 标准"


def test_zhuo_fixed_but_zhu_words_kept():
    assert N.normalise("著力創建").text == "着力创建"
    assert N.normalise("成效顯著").text == "成效显著"
    assert N.normalise("成效顯著力度大").text == "成效显著力度大"


def test_script_detection_on_seeds():
    scripts = {p.name[:3]: N.normalise(p.read_text(encoding="utf-8")).script for p in SEEDS}
    assert scripts == {"000": "traditional", "001": "simplified", "002": "traditional",
                       "003": "simplified", "004": "traditional"}


def test_pinyin_counts_on_seeds():
    counts = {p.name[:3]: N.normalise(p.read_text(encoding="utf-8")).pinyin_removed for p in SEEDS}
    # LIBRARIES.md counted 268 + 1,170 + 735 well-formed annotations; a few
    # more sit behind mojibake (`?shì)`, `^(qū)`) and must go too.
    assert counts["002"] >= 1170 and counts["004"] >= 735 and counts["000"] >= 268
    assert counts["001"] == counts["003"] == 0


def test_no_traditional_or_pinyin_left_in_seeds():
    traditional, _ = N._script_chars()
    for path in SEEDS:
        text = N.normalise(path.read_text(encoding="utf-8")).text
        left = {c for c in text if c in traditional} - set("覆瞭藉沈牴")  # kept where simplified uses them
        assert not left, (path.name, left)
        assert not N.PINYIN_ANNOTATION.search(text)
        assert not regex.search(r"\((?:zh|ch|sh)?[a-z]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-z]*\)", text)


def test_matches_zhconv_oracle_on_traditional_seeds():
    """zhconv's zh-cn table is an independent T→S implementation; with the
    著→着 fixes our OpenCC output must agree with it line for line."""
    for prefix in ("000", "002", "004"):
        raw = seed(prefix).read_text(encoding="utf-8")
        ours = N.normalise(raw).text.split("\n")
        stripped, _ = N.strip_pinyin(raw)
        oracle = []
        for line in stripped.replace("\r", "").split("\n"):
            line = zhconv.convert(line, "zh-cn").translate(N._FULLWIDTH_ALNUM)
            line = N.EDGE_SPACES.sub("", N.SPACE_BETWEEN_HAN.sub("", line))
            if line:
                oracle.append(line)
        assert ours == oracle


text_strategy = st.lists(
    st.sampled_from(list("質量問題鄉鎮著力顯著一二(zhìxiāng)（）ＡＢ１２ \n\u3000GAP年-?") + ["(zhì)", "(xiāng)", "(GAP)"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text_strategy)
def test_normalise_is_idempotent_and_total(text):
    once = N.normalise(text)
    assert N.normalise(once.text).text == once.text
    assert "\n\n" not in once.text
    assert once.script in {"simplified", "traditional", "mixed"}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_normalise_never_raises_on_any_unicode(text):
    N.normalise(text)


def _opencc_reference():
    import opencc

    return opencc.OpenCC("t2s").convert


def test_t2s_is_byte_identical_to_opencc_on_real_text():
    from tests.conftest import devcorpus_pages

    convert = _opencc_reference()
    for path in SEEDS + devcorpus_pages():
        text, _ = N.strip_pinyin(path.read_text(encoding="utf-8", errors="replace"))
        assert N.opencc_t2s(text) == convert(text), path.name


_traditional_chars = sorted(N._script_chars()[0])[:3000:7]
_phrases = sorted(N._t2s()[2])


def _phrases_overlap(text: str) -> bool:
    """Whether two dictionary phrases overlap in text (反覆 and 覆盆子 in 反覆盆子)."""
    hits = [(i, i + len(p)) for p in _phrases for i in range(len(text)) if text.startswith(p, i)]
    return any(a < d and c < b for k, (a, b) in enumerate(hits) for c, d in hits[k + 1 :])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_traditional_chars), st.sampled_from(_phrases),
                          st.sampled_from(list("质量,。 的了覆盖反复答覆乾坤著"))), max_size=30).map("".join))
def test_t2s_is_byte_identical_to_opencc_on_generated_text(text):
    """Where phrases overlap the pure-Python port segments longest-first over the
    whole string (反覆盆子 → 反 + 覆盆子) while OpenCC's C++ reference segments by
    forward maximum matching (反覆 + 盆子), which is what we follow; everywhere
    else the two agree and so must we."""
    assume(not _phrases_overlap(text))
    assert N.opencc_t2s(text) == _opencc_reference()(text)


def test_overlapping_phrases_follow_forward_maximum_matching():
    assert N.opencc_t2s("反覆盆子") == "反复盆子"


def test_flattened_paragraph_marks_become_line_breaks():
    text = N.normalise("严禁乱停乱放。Р四、实施步骤Р第一阶段启动宣传阶段。ПРИВЕТ Рим").text
    assert text == "严禁乱停乱放。\n四、实施步骤\n第一阶段启动宣传阶段。ПРИВЕТ Рим"


def test_traditional_phrase_in_simplified_text_is_converted():
    # no traditional-only character, but a t2s phrase (反覆 → 反复); 覆盖 stays
    assert N.normalise("他反覆强调,覆盖率达到90%").text == "他反复强调,覆盖率达到90%"
    assert N.normalise("全面覆盖").script == "simplified"
