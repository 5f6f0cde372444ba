"""Property tests for extractors.numbers (numbers, ranges, dates, spans)."""
from __future__ import annotations

import calendar
import datetime as dt

import cn2an
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from extractors.numbers import (DatePoint, cn_to_number, parse_date, parse_number, parse_quantity,
                                parse_range, parse_span, period_end, period_start)

CN_DIGIT = "〇一二三四五六七八九"
dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31))


def cn_year(y: int) -> str:
    return "".join(CN_DIGIT[int(c)] for c in str(y))


# --- numbers ------------------------------------------------------------------

@given(st.integers(min_value=0, max_value=10**9))
def test_chinese_integers_round_trip(n):
    assert cn_to_number(cn2an.an2cn(n)) == n


@given(st.integers(min_value=2, max_value=9999))
def test_liang_reads_as_two(n):
    # 两 is written for 二 before a unit of counting: 两千三百, 两百, 两万
    text = cn2an.an2cn(n)
    if text.startswith("二") and len(text) > 1:
        assert cn_to_number("两" + text[1:]) == n


@pytest.mark.parametrize("span,value", [("两", 2), ("两次"[:1], 2), ("十", 10), ("廿八", 28),
                                        ("百分之八十五", 85), ("二〇一一", 2011), ("一百二十", 120)])
def test_chinese_examples(span, value):
    assert cn_to_number(span) == value


@given(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False))
def test_arabic_numbers(d):
    assert parse_number(str(d)) == pytest.approx(float(d))


@given(st.integers(min_value=1000, max_value=10**9))
def test_thousands_separators(n):
    assert parse_number(f"{n:,}") == n


@given(st.integers(min_value=0, max_value=10**6))
def test_full_width_digits(n):
    full = "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    assert parse_number(full) == n


CONNECTORS = ["-", "—", "–", "－", "~", "～", "至", "到"]


@given(st.integers(0, 10**5), st.integers(0, 10**5), st.sampled_from(CONNECTORS))
@example(3, 5, "-")
@example(2, 3, "—")
@example(1, 2, "~")
def test_ranges(a, b, conn):
    got = parse_range(f"{a}{conn}{b}")
    if a <= b:
        assert got == (a, b)
        assert parse_quantity(f"{a}{conn}{b}") == (a, b)
    else:
        assert got is None


@given(st.integers(1, 99), st.integers(1, 99))
def test_chinese_ranges(a, b):
    got = parse_range(f"{cn2an.an2cn(a)}至{cn2an.an2cn(b)}")
    assert got == ((a, b) if a <= b else None)


@given(st.integers(0, 10**6))
def test_single_quantity(n):
    assert parse_quantity(str(n)) == (n, None)


@given(st.text(max_size=40))
def test_parsers_never_raise(s):
    parse_number(s)
    parse_range(s)
    parse_quantity(s)
    parse_date(s)
    parse_span(s, 2019)


# --- dates --------------------------------------------------------------------

@given(dates)
def test_arabic_dates(d):
    assert parse_date(f"{d.year}年{d.month}月{d.day}日") == d.isoformat()
    assert parse_date(d.isoformat()) == d.isoformat()


@given(dates)
def test_chinese_dates(d):
    text = f"{cn_year(d.year)}年{cn2an.an2cn(d.month)}月{cn2an.an2cn(d.day)}日"
    assert parse_date(text) == d.isoformat()


def test_signature_date():
    assert parse_date("二〇一一年六月二十八日") == "2011-06-28"
    assert parse_date("2011年2月30日") is None


@given(st.integers(1950, 2099), st.integers(1, 12))
def test_month_periods(y, m):
    last = calendar.monthrange(y, m)[1]
    p = DatePoint(y, m)
    assert period_start(p) == f"{y:04d}-{m:02d}-01"
    assert period_end(p) == f"{y:04d}-{m:02d}-{last:02d}"
    assert period_end(DatePoint(y, m, part="底")) == period_end(p)
    assert period_end(DatePoint(y, m, part="中旬")) == f"{y:04d}-{m:02d}-20"
    assert period_start(DatePoint(y, m, part="下旬")) == f"{y:04d}-{m:02d}-21"


@given(st.integers(1950, 2099))
def test_year_and_quarters(y):
    assert period_start(DatePoint(y)) == f"{y}-01-01"
    assert period_end(DatePoint(y)) == f"{y}-12-31"
    quarter_ends = [period_end(DatePoint(y, 3 * q)) for q in range(1, 5)]
    assert quarter_ends == [f"{y}-03-31", f"{y}-06-30", f"{y}-09-30", f"{y}-12-31"]


def test_no_year_no_date():
    assert period_end(DatePoint(None, 7, 15)) is None


# --- spans ------------------------------------------------------------------

@given(st.integers(1950, 2098), st.integers(1, 12), st.integers(1, 12))
def test_year_filled_from_start(y, m1, m2):
    start, end = parse_span(f"{y}年{m1}月至{m2}月")
    assert start == f"{y:04d}-{m1:02d}-01"
    end_year = y if m2 >= m1 else y + 1
    assert end == period_end(DatePoint(end_year, m2))
    assert start <= end


@given(st.integers(1950, 2098), st.integers(1, 12), st.integers(1950, 2099), st.integers(1, 12),
       st.sampled_from(["-", "—", "至", "到"]))
def test_two_year_spans(y1, m1, y2, m2, conn):
    start, end = parse_span(f"{y1}年{m1}月{conn}{y2}年{m2}月")
    assert start == period_start(DatePoint(y1, m1))
    assert end == period_end(DatePoint(y2, m2))


@given(st.integers(1, 12), st.integers(1, 28), st.integers(1, 28), st.integers(1950, 2099))
def test_yearless_spans_take_the_default_year(m, d1, d2, default):
    lo, hi = sorted((d1, d2))
    start, end = parse_span(f"{m}月{lo}日至{m}月{hi}日", default)
    assert (start, end) == (f"{default}-{m:02d}-{lo:02d}", f"{default}-{m:02d}-{hi:02d}")
    assert parse_span(f"{m}月{lo}日至{m}月{hi}日", None) == (None, None)


@pytest.mark.parametrize("span,default,want", [
    ("2010年6月-2011年7月", None, ("2010-06-01", "2011-07-31")),
    ("2019年6月至9月", None, ("2019-06-01", "2019-09-30")),
    ("2018年1月至9月", None, ("2018-01-01", "2018-09-30")),
    ("7月3日至7月15日", 2018, ("2018-07-03", "2018-07-15")),
    ("2019年", None, ("2019-01-01", "2019-12-31")),
    ("2019年10月", None, ("2019-10-01", "2019-10-31")),
    ("2011年7月底", None, ("2011-07-22", "2011-07-31")),
    ("2020年7月起", None, ("2020-07-01", None)),  # an open end prints no last day
])
def test_span_examples(span, default, want):
    assert parse_span(span, default) == want
