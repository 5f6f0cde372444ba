"""Numeric targets (ANNOTATION §5, gold/GUIDELINES.md "targets").

One compiled regex finds every number followed by a unit word (``70%``,
``3-5个``, ``两次``, ``12465余万元``, ``1个百分点``, ``百分之八十五``); the rest
runs on the short clause around each hit:

* filters — quoted or cited spans (``“12315”``, ``《…2025》``), codes
  (``GB/T19000``, ``3C``), ordinals (``第2``), per-capita bases (``每千人``),
  durations (``5个工作日``, but not a measured length of time: ``轮候时间不超过5年``),
  attributive numbers (``5000万元以上的项目``), criteria lists (``应具备下列条件``),
  sentences that report the past (``近四年来``, ``已``, ``累计获得``) and the event
  a news item reports (``此次联动抽查拟抽取854批次样品``);
* gate — a commitment needs a trigger next to the number (达到, 不低于, 新增,
  引进…), its own comparator (以上, 3-5), a trigger or forward cue earlier in its
  clause, or to continue a list whose previous item was a target;
* comparator — range > the number's own 以上/以下 > a prefix comparator > the
  verb (新增/提高 → increase, others → =);
* indicator — the object after the number for counting verbs (引进3-5个
  **中国名牌产品**), else the noun phrase between the clause start and the
  trigger, trimmed of leading verbs/adverbs and a comparison baseline (较…) —
  but a counting verb opening a relative clause (**获得**中国驰名商标的产品) and
  an adjective such as **重点** stay, and a 对-phrase before an attitude rate
  goes (对创建工作**知晓率**); a list of rates sharing one value gives one
  target per rate; subjects listed with counts that share one object each
  join it (规模以上企业完成2项以上、重点工业企业完成4项以上高新技术产品开发 →
  规模以上企业高新技术产品开发, 重点工业企业高新技术产品开发); the object also
  after 有 (各区有1所**三级甲等综合医院**), keeping a number that describes it
  (1个**100平方米以上的老年人活动站点**) and ending before a second verb
  (…场所并设置…); a list the number sums up joins its object (A、B等3个平台 →
  A、B等平台); a percentage before 的 is a share of what follows (10%的**城乡社区达标**;
  5%－10%的比例设置**儿童户外公共活动场地**); a quantity printed at once after
  another counts the same thing (11大类37项); a count whose clause names nothing
  takes the sentence's topic (**考核工作**从2017年到2020年，每年开展一次);
* year — the last deadline-like year in the same sentence before the number;
* family — the indicator's family from the shipped, extendable table
  (pipeline/canonical.py): 合格率, 覆盖率, 名牌/商标, ….
"""
from __future__ import annotations

from typing import Any

import regex

from pipeline.canonical import family_table, indicator_family

from .common import (CLAUSE_END, SENTENCE_END, SpanSet, alternation, clause_end, clause_start, compile_at_end,
                     load_data, quoted_spans_of, reports_fact, sentence_bounds, split_top_level, task_index)
from .numbers import ARABIC, CONNECTOR, DAY, MONTH, PART, YEAR, parse_quantity

_CFG = load_data("targets.yaml")
_SP = r"[ \t\u3000\u00a0]*"
CN_NUM = r"[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]{0,11}"
_NUMV = rf"(?:{ARABIC}|{CN_NUM})"

CLASSIFIERS: list[str] = _CFG["classifiers"]
TIME_UNITS = set(_CFG["time_units"])
UNIT_ALIASES: dict[str, str] = _CFG["unit_aliases"]
_unit_literals = (set(CLASSIFIERS) | TIME_UNITS | set(_CFG["percent_signs"])
                  | {m + c for m in _CFG["magnitudes"] for c in CLASSIFIERS})
_UNIT_FIRST = "[" + "".join(sorted({u[0] for u in _unit_literals} | {"万", "亿"})) + "]"
_UNIT = rf"(?={_UNIT_FIRST})(?:{alternation(_unit_literals)}|[万亿](?=及以上|以上|以下|左右|以内|[，。；、,;)）\s]|$))"
NUM_RE = regex.compile(
    rf"(?<![\d.])(?:百分之(?P<pnum>{ARABIC}|{CN_NUM})"
    rf"|(?P<num>{_NUMV}(?:[%％]?{_SP}{CONNECTOR}{_SP}{_NUMV})?)(?P<approx>[余多])?{_SP}(?P<unit>{_UNIT})(?:[余多](?![少]))?)")

SUFFIX_OF: dict[str, str] = {w: c for c, ws in _CFG["suffix_comparators"].items() for w in ws}
SUFFIX_RE = regex.compile(rf"{_SP}(?P<suffix>{alternation(SUFFIX_OF)})")
PREFIX_OF: dict[str, str] = {}
for _cmp, _words in _CFG["prefix_comparators"].items():
    for _w in _words:
        PREFIX_OF.setdefault(_w, _cmp)
OBJECT_VERBS = set(_CFG["object_verbs"])
POSSESSION = set(_CFG["possession_verbs"])
_CMP = alternation(PREFIX_OF)
WEAK = set(_CFG["weak_triggers"])
_TRIG = alternation(set(PREFIX_OF) | OBJECT_VERBS | POSSESSION)
_STRONG_TRIG = alternation(set(PREFIX_OF) - WEAK)
_ADV = alternation(_CFG["adverbs"])
PRE_RE = compile_at_end(rf"(?:(?P<cmp>{_CMP}){_ADV}{{0,2}})?(?P<verb>{_TRIG}){_ADV}{{0,2}}{_SP}$")
TRIG_FIND_RE = regex.compile(_TRIG)
STRONG_TRIG_RE = regex.compile(_STRONG_TRIG)
# A predicate after the counted noun means the number sits in a subject
# (10名以上“五保”老人…的行政村都建有互助式安居点): no target without its own trigger.
PREDICATE_RE = regex.compile(alternation({w for w in set(PREFIX_OF) | OBJECT_VERBS if len(w) >= 2}))
LABEL_RE = regex.compile(_CFG["label_pattern"])
FORWARD_RE = regex.compile(alternation(_CFG["forward_cues"]))
# searched over the whole sentence before a number, which holds the clause FORWARD_RE searches
FORWARD_YEAR_RE = regex.compile("|".join(_CFG["forward_cue_patterns"]))
COND_RE = regex.compile("|".join(_CFG["condition_patterns"]))
CONDITION_HEADING_RE = regex.compile(alternation(_CFG["condition_heading_words"]))
CONDITION_END_RE = regex.compile("[；;。\n]")
PER_PERIOD_RE = regex.compile(alternation(_CFG["per_period"]))
ATTR_UNITS = set(_CFG["attribute_units"])
ATTRIBUTIVE_RE = regex.compile(_CFG["attributive_after"])
RATIO_NOUN_RE = regex.compile(alternation(_CFG["ratio_nouns"]))
# ...and a list going on with a number that the text cuts short (新增10个甘肃名牌产品、2)
OBJECT_STOP_RE = regex.compile(_CFG["object_stop"] + r"|、(?=\d)")
DURATION_NOUN_RE = compile_at_end(alternation(_CFG["duration_nouns"]) + "$")
DURATION_FIND_RE = regex.compile(alternation(_CFG["duration_nouns"]))
_COMPARATOR_LAST = {w[-1] for w in set(PREFIX_OF) - WEAK}
TOPIC_EXCLUDED_RE = regex.compile(r"[\s\d.、．(（)）一二三四五六七八九十]*" + alternation(_CFG["topic_excluded_leads"]))
FROM_VALUE_RE = regex.compile(_CFG["from_value_after"])
FROM_VALUE_MARKERS = tuple(_CFG["from_value_markers"])
_HEADS = sorted(set(_CFG["strip_heads"]) | set(_CFG["forward_cues"])
                | {v for v in OBJECT_VERBS if len(v) >= 2}, key=len, reverse=True)
_VERB_HEADS = sorted(set(_HEADS) | OBJECT_VERBS, key=len, reverse=True)
_FUNCTION_WORDS = set(_VERB_HEADS) | set(_CFG["strip_tails"]) | set(_CFG["adverbs"])
HEAD_RE = regex.compile(alternation(_HEADS))
VERB_HEAD_RE = regex.compile(alternation(_VERB_HEADS))
TAIL_RE = compile_at_end(alternation(_CFG["strip_tails"]) + "$")
FUNCTION_RE = regex.compile(f"{alternation(_FUNCTION_WORDS)}{{1,8}}")
JUNK = " \t\u3000\u00a0、,，的:：\"'"
BASELINE_RE = regex.compile("|".join(_CFG["baseline_patterns"]))
# counting verbs that may open a relative clause (获得…的产品); cues and causatives never do
CLAUSE_VERBS = OBJECT_VERBS - set(_CFG["strip_heads"]) - set(_CFG["forward_cues"])
MODIFIER_HEADS = set(_CFG["modifier_heads"])
RELATIVE_RE = regex.compile(_CFG["relative_clause_after"])
OBJECT_LEAD_RE = regex.compile(alternation(_CFG["object_phrase_leads"]))
OBJECT_LEAD_FIRST = {w[0] for w in _CFG["object_phrase_leads"]}
ATTITUDE_RE = regex.compile(_CFG["attitude_rate"])
SHARED_SEPARATORS = set(_CFG["shared_object_separators"])
SHARED_MAX = _CFG["shared_object_max_items"]
METRIC_RE = compile_at_end(rf"(?:{alternation(_CFG['metric_suffixes'])})$")
YEAR_CUE_RE = regex.compile(
    rf"(?:到|至|截至|截止到?){_SP}(?P<y1>{YEAR})年"
    rf"|(?P<y2>{YEAR})年(?:{MONTH}月(?:{DAY}[日号])?)?{PART}?(?:前|以前|之前)"
    rf"|{YEAR}{_SP}{CONNECTOR}{_SP}(?P<y3>{YEAR})年"
    rf"|(?:^|(?<=[，,。；;\n]))(?P<y4>{YEAR})年(?:底|末)?(?=[，,])")

PERCENT = set(_CFG["percent_signs"])
PAIR = {"(": ")", "（": "）", "“": "”", "《": "》"}
CLOSERS = {v: k for k, v in PAIR.items()}
WINDOW = 60


def _strip(text: str, s: int, e: int, governed: bool = False) -> tuple[int, int]:
    """Trim an indicator span: a list label, punctuation, leading verbs/cues
    (counting verbs too when ``governed``), trailing adverbs, a comparison
    baseline, unbalanced brackets."""
    head_re = VERB_HEAD_RE if governed else HEAD_RE
    lm = LABEL_RE.match(text, s, e)
    if lm:
        s = lm.end()
    for _ in range(6):
        before = (s, e)
        while s < e and text[s] in JUNK:
            s += 1
        while e > s and text[e - 1] in JUNK:
            e -= 1
        s = _after_object_phrase(text, s, e)
        h = head_re.match(text, s, e)
        if h and e - h.end() >= 2 and (governed or not _keeps_head(text, h, e)):
            s = h.end()
        t = TAIL_RE.search(text, max(s, e - 4), e)
        if t and t.start() - s >= 2:
            e = t.start()
        if (s, e) == before:
            break
    m = BASELINE_RE.search(text, s, e)
    if m and m.start() - s >= 2:
        e = m.start()
    # unbalanced closing/opening brackets at the edges
    seg = text[s:e]
    if seg and seg[-1] in PAIR:
        e -= 1
    if seg and seg[0] in CLOSERS:
        s += 1
    return s, e


def _keeps_head(text: str, head, e: int) -> bool:
    """Whether a subject read before a trigger keeps its leading head word: a
    counting verb whose clause reaches 的 and a head noun (获得中国驰名商标的产品),
    or an adjective before a noun (重点工业企业), belongs to the noun phrase."""
    word = head.group()
    if word in MODIFIER_HEADS:
        return not (VERB_HEAD_RE.match(text, head.end(), e) or TRIG_FIND_RE.match(text, head.end(), e))
    return word in CLAUSE_VERBS and RELATIVE_RE.match(text, head.end(), e) is not None


def _after_object_phrase(text: str, s: int, e: int) -> int:
    """Where the rate starts when the span opens with a 对-phrase naming what an
    attitude is about (对创建工作知晓率 → 知晓率); else s."""
    lead = OBJECT_LEAD_RE.match(text, s, e) if text[s:s + 1] in OBJECT_LEAD_FIRST else None
    if lead is None:
        return s
    rate = ATTITUDE_RE.search(text, lead.end(), e)
    if rate is None or rate.start() == lead.end() or "的" in text[lead.end():rate.start()]:
        return s
    return rate.start()


def _function_only(seg: str) -> bool:
    """True when the phrase is nothing but cue words/adverbs (逐步将, 全市)."""
    seg = seg.strip(JUNK)
    return not seg or FUNCTION_RE.fullmatch(seg) is not None


def _split_metrics(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """知晓率、支持率 → two spans, when every 、-item ends like a rate/count."""
    seg = text[s:e]
    if "、" not in seg:
        return [(s, e)]
    parts = split_top_level(text, s, e, "、", "".join(PAIR), "".join(CLOSERS))
    if len(parts) > 1 and all(METRIC_RE.search(text[a:b]) and 1 <= b - a <= 20 for a, b in parts):
        return parts
    return [(s, e)]


def _with_suffix(text: str, number_end: int) -> tuple[str | None, int]:
    """The comparator written after a number (以上, 以下…), if any, and where the quantity ends."""
    sm = SUFFIX_RE.match(text, number_end)
    return (sm["suffix"], sm.end()) if sm else (None, number_end)


def _describes_noun(text: str, quantity_end: int) -> bool:
    """Whether the quantity ending here only describes the noun it precedes
    (100平方米以上的老年人活动站点, 200张床位以上的…养老机构)."""
    return text[quantity_end:quantity_end + 1] == "的" or ATTRIBUTIVE_RE.match(text, quantity_end) is not None


def _object(text: str, start: int, next_number: regex.Match | None) -> tuple[int, int]:
    """The counted noun phrase after a number: to the clause end, a stop word
    (并设置…, 纳入…), or the next item of a list — a number that only
    describes the noun (1个100平方米以上的…站点) stays inside."""
    limit = min(len(text), start + 40)
    end = split_top_level(text, start, limit, CLAUSE_END, "".join(PAIR), "".join(CLOSERS))[0][1]
    stop = OBJECT_STOP_RE.search(text, start + 2, end) if end - start > 2 else None
    if stop:
        end = stop.start()
    next_num = next_number.start() if next_number is not None else None
    if next_num is not None and start <= next_num < end and not _describes_noun(
            text, _with_suffix(text, next_number.end())[1]):
        cut = max(text.rfind(c, start, next_num) for c in "、和及与")
        end = cut if cut >= start else next_num
    return _strip(text, start, end)


def _year(text: str, sent_start: int, pos: int, quoted) -> int | None:
    year = None
    for m in YEAR_CUE_RE.finditer(text, sent_start, pos):
        if quoted.covers(m.start()) or text.startswith("以来", m.end()):
            continue
        y = m["y1"] or m["y2"] or m["y3"] or m["y4"]
        year = int(y)
    return year


def _conditional(text: str, ne: int, ns: int, criteria: SpanSet) -> bool:
    """Inside a list of criteria or penalty conditions (应具备下列条件, …的;)."""
    if COND_RE.search(text, max(0, ns - 300), ns):
        return True
    if criteria.covers(ns):
        return True
    # "…引发30人以上群体性事件的;" — a clause group ending in 的 is a condition
    stop = CONDITION_END_RE.search(text, ne, min(len(text), ne + 80))
    return stop is not None and text[stop.start() - 1] == "的"


def _criteria_spans(tasks) -> SpanSet:
    """Spans of the tasks headed as a list of criteria (申报条件, 有下列情形之一的)."""
    return SpanSet((t.char_start, t.char_end) for t in tasks
                   if t.heading and CONDITION_HEADING_RE.search(t.heading))


def _predicate_follows(text: str, end: int) -> bool:
    return PREDICATE_RE.search(text, end, clause_end(text, end, 40)) is not None


def _trigger(text: str, floor: int, ns: int, unit: str, suffix: str | None):
    """(comparator word, verb, start, held) of the trigger next to the number, or
    Nones; ``held`` is True when a weak verb that counts its object stands there
    without being a trigger (各区（县级市）有1所…, 建1个…): its object is still the indicator."""
    pm = PRE_RE.search(text, max(floor, ns - 24), ns)
    if pm and (pm["verb"] not in WEAK or pm["cmp"] or suffix or unit in PERCENT):
        return pm["cmp"], pm["verb"], pm.start(), False
    held = pm is not None and (pm["verb"] in OBJECT_VERBS or pm["verb"] in POSSESSION)
    if text[ns - 1: ns] == "的" and unit in PERCENT:
        # 不低于居住用地供应总量的70%: the comparator governs "X的N%"
        cand = [t for t in TRIG_FIND_RE.finditer(text, floor, ns - 1) if t.group() in PREFIX_OF]
        if cand:
            return None, cand[-1].group(), cand[-1].start(), False
    return None, None, None, held


def _duration(text: str, ns: int) -> bool:
    """Whether a number of time units measures a printed length of time: a duration
    noun, then a comparator that is no weak trigger (轮候时间不超过5年)."""
    if DURATION_FIND_RE.search(text, max(0, ns - 14), ns) is None:
        return False  # (the caller has checked the character before the number: most are dates)
    pm = PRE_RE.search(text, max(0, ns - 24), ns)
    return (pm is not None and pm["verb"] in PREFIX_OF and pm["verb"] not in WEAK
            and DURATION_NOUN_RE.search(text, max(0, pm.start() - 4), pm.start()) is not None)


def _comparator(value_max, suffix, cmp_word, verb) -> str:
    """range > the number's own 以上/以下 > a prefix comparator > the verb."""
    if value_max is not None:
        return "range"
    if suffix:
        return SUFFIX_OF[suffix]
    if cmp_word:
        return PREFIX_OF[cmp_word]
    if verb:
        return PREFIX_OF.get(verb, "=")
    return "="


def _unit_of(m) -> str:
    return m["unit"] if m["pnum"] is None else "%"


def _shared_object(text: str, matches: list, k: int, end: int) -> tuple[int, int, int] | None:
    """(start, end, index of the last item) of the object that a list of counts,
    each with its subject and counting verb, shares after its last item
    (规模以上企业完成2项以上、重点工业企业完成4项以上高新技术产品开发), or None.
    ``end`` is where item k (its number and comparator) ends; its own object is
    empty because the next item follows at once."""
    unit = _unit_of(matches[k])
    j = k
    while j + 1 < len(matches) and j - k < SHARED_MAX:
        if end >= len(text) or text[end] not in SHARED_SEPARATORS:
            return None
        nxt = matches[j + 1]
        if _unit_of(nxt) != unit or nxt.start() - end > WINDOW:
            return None
        pm = PRE_RE.search(text, end + 1, nxt.start())
        if pm is None or pm["verb"] not in OBJECT_VERBS:
            return None
        if any(c in CLAUSE_END for c in text[end + 1:pm.start()]):
            return None
        s_s, s_e = _strip(text, end + 1, pm.start())
        if s_e <= s_s or _function_only(text[s_s:s_e]):
            return None  # an item without its own subject: not a list of subjects
        j += 1
        _, end = _with_suffix(text, nxt.end())
        o_s, o_e = _object(text, end, matches[j + 1] if j + 1 < len(matches) else None)
        if o_e > o_s:
            return o_s, o_e, j
    return None


def _indicators(text: str, ns: int, end: int, floor: int, verb: str | None, trig_start: int | None,
                next_number: regex.Match | None, shared: tuple[int, int] | None = None, held: bool = False,
                share: bool = False, sent_s: int = 0
                ) -> tuple[list[tuple[tuple[int, int], ...]], tuple[int, int]]:
    """Indicators (each the spans joined to form it) and the evidence span of one
    target. ``shared`` is the object a list of subjects shares (_shared_object);
    ``held``: a weak counting verb before the number (_trigger); ``share``: a
    percentage followed by 的, the share of what follows (10%的城乡社区达标)."""
    if share:
        start = end + 1
        ratio = RATIO_NOUN_RE.match(text, start)
        o_s, o_e = _object(text, ratio.end() if ratio else start, next_number)
        if o_e > o_s:
            return [((o_s, o_e),)], (ns if trig_start is None else trig_start, o_e)
    adjacent = verb is not None
    subj_end = trig_start if adjacent else ns
    subj_start = floor
    if not adjacent:  # 培育…不少于40个、街区4个: the item starts after 、
        comma = text.rfind("、", subj_start, subj_end)
        if comma >= 0:
            subj_start = comma + 1
    s_s, s_e = _strip(text, subj_start, subj_end, governed=not adjacent)
    if _function_only(text[s_s:s_e]):
        s_e = s_s
    ev_start = trig_start if trig_start is not None else ns
    summary = text[s_e - 1: s_e] == "等" or (not adjacent and text[subj_end - 1: subj_end] == "等")
    if shared is not None and verb in OBJECT_VERBS and s_e > s_s:
        # the item's subject joined to the object the list shares
        return [((s_s, s_e), shared)], (s_s, max(end, shared[1]))
    # the object after the number, read only when it can be the indicator
    if verb in OBJECT_VERBS or verb in POSSESSION or held or summary or s_e <= s_s:
        o_s, o_e = _object(text, end, next_number)
        if o_e > o_s:
            if text[ns - 1: ns] == "等":
                # the list the number sums up names the things counted: 建成A、B、C等3个平台 → A、B、C等平台
                l_s, l_e = _strip(text, floor, ns - 1, governed=True)
                if l_e > l_s and not _function_only(text[l_s:l_e]):
                    return [((l_s, ns), (o_s, o_e))], (min(l_s, ev_start), o_e)
            return [((o_s, o_e),)], (ev_start, o_e)
    if s_e > s_s:
        return [(span,) for span in _split_metrics(text, s_s, s_e)], (s_s, end)
    # no noun in the clause (考核工作从2017年到2020年，每年开展一次): the sentence's topic, its first clause
    t_end = clause_end(text, sent_s, max(0, floor - sent_s))
    if t_end < floor and not TOPIC_EXCLUDED_RE.match(text, sent_s):
        t_s, t_e = _strip(text, sent_s, t_end, governed=True)
        if t_e > t_s and not _function_only(text[t_s:t_e]):
            return [((t_s, t_e),)], (t_s, end)
    return [((ns, ns),)], (ns, end)


def extract(doc: Any) -> list[dict[str, Any]]:
    text: str = doc.text
    index = task_index(doc)
    quoted = quoted_spans_of(doc)
    criteria = _criteria_spans(doc.tasks)
    families = family_table()
    matches = list(NUM_RE.finditer(text))
    records: list[dict[str, Any]] = []
    last_target_end = -1
    chain: tuple[int, int, int] | None = None  # a shared object and the index of its list's last item
    last_quantity: tuple[int, int, list] = (-1, -1, [])  # end of the last target's number, its evidence start, indicators

    for k, m in enumerate(matches):
        ns, ne = m.start(), m.end()
        unit = _unit_of(m)
        if unit in TIME_UNITS:  # dates and horizons, unless a length of time is measured
            if text[ns - 1: ns] not in _COMPARATOR_LAST or not _duration(text, ns):
                continue
        if quoted.covers(ns):
            continue
        prev = text[ns - 1] if ns else ""
        nxt = text[ne] if ne < len(text) else ""
        if prev in "第每" or (prev.isascii() and (prev.isalpha() or prev in "/-_.#")):
            continue  # ordinals, per-capita bases, codes (GB/T19000)
        if nxt.isascii() and nxt.isalpha():
            continue  # 3C, 5G
        num = (m["pnum"] or m["num"]).replace("%", "").replace("％", "")
        q = parse_quantity(num)
        if q is None:
            continue
        value, value_max = q
        if unit in TIME_UNITS and value >= 1000:
            continue  # a year (时间控制在2015年…), not a length of time
        suffix, end = _with_suffix(text, ne)
        after = text[end] if end < len(text) else ""

        sent_s, _ = sentence_bounds(text, ns, ends=SENTENCE_END)
        if reports_fact(text, sent_s, ns, events=True):
            continue  # a reported fact or event (此次…拟抽取854批次样品)
        cl_s = clause_start(text, ns)
        floor = max(cl_s, last_target_end if last_target_end <= ns else cl_s, ns - WINDOW)
        pre_s = max(cl_s, ns - WINDOW)
        cmp_word, verb, trig_start, held = _trigger(text, floor, ns, unit, suffix)
        adjacent = verb is not None
        # 10%的城乡社区达标, 80%以上的驻社区单位…: a share of what follows, not an attribute;
        # 按不低于10%的比例配建…: the ratio sets what follows
        share = unit in PERCENT and after == "的" and (
            verb not in PREFIX_OF or RATIO_NOUN_RE.match(text, end + 1) is not None)

        if not num[0].isdigit():  # Chinese numerals only right after a trigger
            if not adjacent or (value == 1 and not PER_PERIOD_RE.search(text, pre_s, ns)):
                continue
        if not adjacent and not share and _describes_noun(text, end):
            continue
        if not adjacent and unit in ATTR_UNITS and not suffix and after not in CLAUSE_END + "、)）":
            continue
        if not adjacent and not share and not held and _predicate_follows(text, end):
            continue  # (a share's predicate is part of what it measures: 80%的区（县级市）达到…;
            # after 有 the number counts an object: 有1名专职人员并配备…)
        if FROM_VALUE_RE.match(text[end:end + 6]) and any(w in text[floor:ns] for w in FROM_VALUE_MARKERS):
            continue
        if _conditional(text, end, ns, criteria):
            continue
        clause_cue = bool(STRONG_TRIG_RE.search(text, pre_s, ns) or FORWARD_RE.search(text, pre_s, ns))
        sentence_cue = bool(FORWARD_YEAR_RE.search(text, sent_s, ns))
        continuation = (last_target_end >= sent_s and ns - last_target_end <= 40
                        and not any(c in "；;。" for c in text[last_target_end:ns]))
        if not (adjacent or suffix or value_max is not None or clause_cue or sentence_cue or continuation):
            continue

        comparator = _comparator(value_max, suffix, cmp_word, verb)
        next_number = matches[k + 1] if k + 1 < len(matches) else None
        if verb in OBJECT_VERBS and (chain is None or k > chain[2]):
            chain = _shared_object(text, matches, k, end)
        shared = chain[:2] if verb in OBJECT_VERBS and chain is not None and k <= chain[2] else None
        if ns == last_quantity[0]:
            # a second quantity of the same thing printed at once after the first (11大类37项)
            indicators, evidence = last_quantity[2], (last_quantity[1], end)
        else:
            indicators, evidence = _indicators(text, ns, end, floor, verb, trig_start, next_number, shared,
                                               held, share, sent_s)
        year = _year(text, sent_s, ns, quoted)
        unit_name = UNIT_ALIASES.get(unit, unit)
        for parts in indicators:
            indicator = "".join(text[a:b] for a, b in parts)
            ev_s, ev_e = ((parts[0][0], end) if len(indicators) > 1 else evidence)
            records.append({
                "task_id": index.innermost(ev_s),
                "indicator": indicator or None,
                "indicator_family": indicator_family(indicator, unit_name, families),
                "value": float(value),
                "value_max": None if value_max is None else float(value_max),
                "unit": unit_name,
                "comparator": comparator,
                "year": year,
                "text": text[ev_s:ev_e],
                "char_start": ev_s,
                "char_end": ev_e,
            })
        # a list item's evidence reaches the shared object; the next item starts after its own end
        last_target_end = end if shared is not None and k < chain[2] else max(end, evidence[1])
        last_quantity = (end, evidence[0], indicators)
    return records
