"""Shared number and date parsing for all extractors.

Everything here works on short spans that a caller has already isolated with
a regex; nothing scans running text. Chinese numerals go through ``cn2an``
only span by span (``cn2an.transform`` on prose corrupts words such as 统一,
see LIBRARIES §2.3), after mapping the forms cn2an rejects (两, 廿, 卅).

Dates: a *date point* is a year/month/day with an optional part of the
period (底, 末, 初, 上旬, 中旬, 下旬); ``period_start``/``period_end`` give the
first and last day it covers. ISO strings 'YYYY-MM-DD' are what records carry.
"""
from __future__ import annotations

import functools

import calendar
from dataclasses import dataclass

import cn2an
import regex

from .common import load_data

_DATA = load_data("numbers.yaml")
CN_DIGITS: str = _DATA["cn_digits"]
_CN_MAP: dict[str, str] = _DATA["cn_map"]
RANGE_CONNECTORS: list[str] = _DATA["range_connectors"]

_DIGIT_OF = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_DIGIT_OF["零"] = 0

# --- regex fragments reused by the extractors -------------------------------
ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
CHINESE = rf"[{CN_DIGITS}]{{1,12}}"
NUMBER = rf"(?:{ARABIC}|百分之{CHINESE}|{CHINESE})"
CONNECTOR = "(?:" + "|".join(regex.escape(c) for c in RANGE_CONNECTORS) + ")"

YEAR = r"(?:1[89]\d\d|20\d\d|2100|[〇零一二][〇零一二三四五六七八九]{3})"
MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
DAY = r"(?:3[01]|[12]\d|0?[1-9]|[二三]?十[一二三四五六七八九]?|廿[一二三四五六七八九]?|卅一?|[一二三四五六七八九])"
PART = r"(?:底|末|初|上旬|中旬|下旬)"


def date_point(prefix: str = "", require_year: bool = False) -> str:
    """Regex for one date point with named groups <prefix>y, m, d, part.

    The pattern can match the empty string when nothing is required; callers
    anchor it with required context (年/月 are checked by ``has_date``).
    """
    y = rf"(?:(?P<{prefix}y>{YEAR})年)"
    y = y if require_year else y + "?"
    return (rf"{y}(?:(?P<{prefix}m>{MONTH})月份?(?:(?P<{prefix}d>{DAY})[日号])?)?"
            rf"(?P<{prefix}part>{PART})?")


# --- numbers ------------------------------------------------------------------

_HALF_WIDTH_DIGITS = {0xFF10 + i: 0x30 + i for i in range(10)}
_FULL_WIDTH_DIGITS = "".join(map(chr, _HALF_WIDTH_DIGITS))


def _nfkc_digits(span: str) -> str:
    """Full-width digits as ASCII (clean text has none; spans from elsewhere may).
    Ten substring tests in C first: translate costs ~75 ns a character on Han text."""
    if not any(digit in span for digit in _FULL_WIDTH_DIGITS):
        return span
    return span.translate(_HALF_WIDTH_DIGITS)


def cn_to_number(span: str) -> float | None:
    """A Chinese numeral span → number; None if it is not one.

    Handles 两 (两次 → 2), 廿/卅, 〇/零, digit-by-digit years (二〇一一 → 2011),
    百分之八十五 → 85 (the caller knows it is a percentage).
    """
    s = span.strip()
    if not s:
        return None
    if s.startswith("百分之"):
        s = s[3:]
    if not s or any(c not in CN_DIGITS for c in s):
        return None
    # Digit-by-digit reading (years such as 二〇一一): digit characters only,
    # four of them or a 〇/零 among them (三五 stays a cn2an question).
    if all(c in _DIGIT_OF for c in s) and (len(s) >= 4 or (len(s) >= 2 and ("〇" in s or "零" in s[1:]))):
        return float(int("".join(str(_DIGIT_OF[c]) for c in s)))
    for k, v in _CN_MAP.items():
        s = s.replace(k, v)
    try:
        value = cn2an.cn2an(s, "normal")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return float(value)


def parse_number(span: str) -> float | None:
    """An Arabic ('12,465', '3.5') or Chinese ('二十', '两') number span → float."""
    s = _nfkc_digits(span.strip())
    if not s:
        return None
    if s[0].isdigit():
        try:
            return float(s.replace(",", ""))
        except ValueError:
            return None
    return cn_to_number(s)


_RANGE_RE = regex.compile(rf"^\s*(?P<a>{NUMBER})\s*{CONNECTOR}\s*(?P<b>{NUMBER})\s*$")


def parse_range(span: str) -> tuple[float, float] | None:
    """'3-5', '2—3', '3至5', '1~2', '三至五' → (low, high); None if not a range."""
    m = _RANGE_RE.match(_nfkc_digits(span))
    if not m:
        return None
    a, b = parse_number(m["a"]), parse_number(m["b"])
    if a is None or b is None or b < a:
        return None
    return a, b


@functools.lru_cache(maxsize=4096)  # the same numbers recur across a corpus
def parse_quantity(span: str) -> tuple[float, float | None] | None:
    """A single number or a range → (value, value_max or None)."""
    r = parse_range(span)
    if r:
        return r
    v = parse_number(span)
    return None if v is None else (v, None)


# --- dates ----------------------------------------------------------------------

def parse_year(s: str | None) -> int | None:
    if not s:
        return None
    v = parse_number(s)
    return int(v) if v is not None and 1800 <= v <= 2200 else None


def parse_month(s: str | None) -> int | None:
    if not s:
        return None
    v = parse_number(s)
    return int(v) if v is not None and 1 <= v <= 12 else None


def parse_day(s: str | None) -> int | None:
    if not s:
        return None
    if s.startswith("廿") or s.startswith("卅"):
        s = ("二十" if s[0] == "廿" else "三十") + s[1:]
    v = parse_number(s)
    return int(v) if v is not None and 1 <= v <= 31 else None


def month_end(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def iso(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


@dataclass(frozen=True, slots=True)
class DatePoint:
    year: int | None
    month: int | None = None
    day: int | None = None
    part: str | None = None  # 底 末 初 上旬 中旬 下旬

    def with_year(self, year: int | None) -> "DatePoint":
        return DatePoint(year, self.month, self.day, self.part)

    @property
    def empty(self) -> bool:
        return self.year is None and self.month is None


def point_from_match(m: regex.Match, prefix: str = "") -> DatePoint:
    g = m.groupdict()
    return DatePoint(parse_year(g.get(prefix + "y")), parse_month(g.get(prefix + "m")),
                     parse_day(g.get(prefix + "d")), g.get(prefix + "part"))


def period_start(p: DatePoint) -> str | None:
    """First day covered by the point (2019年6月 → 2019-06-01); None without a year."""
    if p.year is None:
        return None
    if p.month is None:
        return iso(p.year, 1, 1)
    if p.day is not None:
        return iso(p.year, p.month, min(p.day, month_end(p.year, p.month)))
    first = {"中旬": 11, "下旬": 21}.get(p.part or "", 1)
    if p.part in ("底", "末"):
        first = max(1, month_end(p.year, p.month) - 9)
    return iso(p.year, p.month, first)


def period_end(p: DatePoint) -> str | None:
    """Last day covered by the point (2011年7月底 → 2011-07-31, 2015年 → 2015-12-31)."""
    if p.year is None:
        return None
    if p.month is None:
        return iso(p.year, 12, 31)
    last = month_end(p.year, p.month)
    if p.day is not None:
        return iso(p.year, p.month, min(p.day, last))
    day = {"上旬": 10, "初": 10, "中旬": 20}.get(p.part or "", last)
    return iso(p.year, p.month, day)


_FULL_DATE_RE = regex.compile(
    rf"^\s*(?P<y>{YEAR})\s*(?:年|[-./])\s*(?P<m>{MONTH})\s*(?:月|[-./])\s*(?P<d>{DAY})\s*[日号]?\s*$")


def parse_date(span: str) -> str | None:
    """A complete date ('二〇一一年六月二十八日', '2016年8月10日', '2019-11-09') → ISO."""
    m = _FULL_DATE_RE.match(_nfkc_digits(span))
    if not m:
        return None
    y, mo, d = parse_year(m["y"]), parse_month(m["m"]), parse_day(m["d"])
    if y is None or mo is None or d is None or d > month_end(y, mo):
        return None
    return iso(y, mo, d)


@dataclass(frozen=True, slots=True)
class Span:
    start: DatePoint | None  # None for 即日 (from today)
    end: DatePoint | None  # None for an open end: 2020年7月起 prints no last day


def complete_span(start: DatePoint, end: DatePoint, default_year: int | None) -> tuple[DatePoint, DatePoint]:
    """Fill missing years (ANNOTATION §7): the end takes the start's year (and the
    next year when its month is earlier); a span with no year takes ``default_year``."""
    if start.year is None:
        start = start.with_year(default_year)
    if end.year is None:
        year = start.year
        if year is not None and end.month is not None and start.month is not None and end.month < start.month:
            year += 1
        end = end.with_year(year)
    return start, end


def resolve_span(sp: Span, default_year: int | None, today: str | None = None) -> tuple[str | None, str | None]:
    """(start, end) ISO dates of a span, years filled by complete_span; 即日起 starts ``today``;
    an open end (2020年7月起) has no end date."""
    if sp.end is None:
        return period_start(sp.start.with_year(sp.start.year or default_year)), None
    if sp.start is None:  # 即日起至…
        end = sp.end
        if end.year is None:
            end = end.with_year(default_year if today is None else int(today[:4]))
        return today, period_end(end)
    start, end = complete_span(sp.start, sp.end, default_year)
    return period_start(start), period_end(end)


def nonempty_date_point(prefix: str) -> str:
    """date_point(prefix) that must hold a year or a month."""
    return rf"(?=(?:{YEAR})年|(?:{MONTH})月){date_point(prefix)}"


# A date span as written in running text: 2010年6月-2011年7月, 2019年6月至9月,
# 即日起至7月中旬, 2019年10月. Use with .match at a known position.
DATE_SPAN = (rf"(?:从|自)?(?:(?P<today>即日)|{nonempty_date_point('a')})(?P<open>起|开始)?"
             rf"(?:{CONNECTOR}{{1,2}}{nonempty_date_point('b')})?(?:止|结束)?")
DATE_SPAN_RE = regex.compile(DATE_SPAN)


def span_from_match(m: regex.Match) -> Span | None:
    """A DATE_SPAN match → Span (points without year filling)."""
    b = point_from_match(m, "b")
    if m["today"]:
        return None if b.empty else Span(None, b)
    a = point_from_match(m, "a")
    if a.empty:
        return None
    if b.empty:
        return Span(a, None if m["open"] else a)
    return Span(a, b)


def parse_span(span: str, default_year: int | None = None) -> tuple[str | None, str | None] | None:
    """A whole DATE_SPAN text ('2010年6月-2011年7月', '2019年6月至9月',
    '7月3日至7月15日', '2019年10月') → (start ISO, end ISO), years filled by
    complete_span; None if the text is not a date span. The phases read their
    spans with the same pattern and functions."""
    m = DATE_SPAN_RE.fullmatch(_nfkc_digits(span.strip()))
    sp = span_from_match(m) if m else None
    return None if sp is None else resolve_span(sp, default_year)
