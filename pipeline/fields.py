"""Document fields (ANNOTATION §2): title, doc_number, issuer, issue_date, region.

Fields are read from the layout of an official notice: a standalone document
number line, a standalone signature date with the issuing body on the line
above it, title lines before the body starts. A site's metadata table
(harvested by the cleaner) fills a field the document itself does not print.
Regions come from cpca's gazetteer of administrative divisions.
"""
from __future__ import annotations

import functools
import warnings

import regex

from extractors.numbers import parse_date
from pipeline.data import read_yaml


@functools.cache
def _patterns() -> dict[str, regex.Pattern]:
    patterns = read_yaml("fields.yaml")["patterns"] | {"sentence_end": read_yaml("punctuation.yaml")["sentence_end"]}
    # str.replace, not format: the patterns hold regex braces ({1,12})
    return {name: regex.compile(pattern.replace("{doc_number}", patterns["doc_number"])
                                .replace("{notice_subject}", patterns["notice_subject"]))
            for name, pattern in patterns.items()}


@functools.cache
def _title_suffixes() -> tuple[str, ...]:
    return tuple(read_yaml("fields.yaml")["title_suffixes"])


@functools.cache
def _org_suffixes() -> tuple[str, ...]:
    return tuple(read_yaml("fields.yaml")["org_suffixes"])


_SPACE_RE = regex.compile(r"\s")
_YEAR_BRACKETS_RE = regex.compile(r"[\[【(（〔]\s*(\d{4})\s*[\]】)）〕]")


def normalise_doc_number(number: str) -> str:
    """Brackets around the year become 〔〕; spaces go."""
    return _YEAR_BRACKETS_RE.sub(r"〔\1〕", _SPACE_RE.sub("", number))


def find_doc_number(head: list[str], metadata: dict[str, str]) -> str | None:
    """The document's own number: a head line that is one, or opens with one
    (`珠府〔2018〕14号珠海市人民政府关于…`), else the metadata table's."""
    pattern = _patterns()["doc_number_line"]
    for line in head:
        match = pattern.match(line)
        if match:
            return normalise_doc_number(match.group("number"))
    for label in ("发文字号", "文号"):
        value = metadata.get(label)
        if value:
            match = _patterns()["doc_number"].search(value)
            if match:
                return normalise_doc_number(match.group(0))
    return None


def find_signature(lines: list[str]) -> tuple[int | None, str | None]:
    """(line index, ISO date) of the first standalone date line."""
    for i, line in enumerate(lines):
        date = parse_date(line.strip("()（）"))
        if date:
            return i, date
    return None, None


def looks_like_org(line: str) -> bool:
    return 2 <= len(line) <= 40 and line.endswith(_org_suffixes()) and not _patterns()["sentence_end"].search(line)


def looks_like_title(line: str) -> bool:
    if not (4 <= len(line) <= 90) or _patterns()["sentence_end"].search(line) or line.endswith((":", "：")):
        return False
    core = _patterns()["title_tail"].sub("", line)
    return core.endswith(_title_suffixes())


def find_title(lines: list[str], body_start: int) -> str | None:
    """The last title-like line before the body (the plan a notice transmits
    comes after the notice's own title), joined with the lines it was
    wrapped over; for articles without one, a short opening headline."""
    title_at = None
    for i in range(min(body_start, len(lines))):
        if looks_like_title(lines[i]):
            title_at = i
    if title_at is None:
        first = lines[0] if lines else ""
        if (
            4 <= len(first) <= 60
            and not _patterns()["sentence_end"].search(first)
            and not first.endswith((":", "：", "】", "]"))
            and parse_date(first) is None
        ):
            if not looks_like_org(first) and not _patterns()["doc_number_line"].fullmatch(first):
                return first
        return None
    parts = [lines[title_at]]
    # A title wrapped over lines: the pieces above it carry no suffix of their own.
    k = title_at - 1
    while k >= 0 and _is_title_fragment(lines[k]):
        parts.insert(0, lines[k])
        k -= 1
    # A year span or a draft's status printed on its own line (`(2011-2015年)`, `(征求意见稿)`)
    # belongs to the title.
    if title_at + 1 < len(lines) and _patterns()["title_qualifier_line"].fullmatch(lines[title_at + 1]):
        parts.append(lines[title_at + 1])
    return "".join(parts)


def _is_title_fragment(line: str) -> bool:
    return (
        4 <= len(line) <= 40
        and not line.startswith(("(", "（", "【", "[", "<"))
        and not _patterns()["sentence_end"].search(line)
        and not line.endswith((":", "：", "》印发给你们"))
        and parse_date(line) is None
        and not _patterns()["doc_number_line"].fullmatch(line)
        and not looks_like_org(line)
        and not looks_like_title(line)
        and not _patterns()["title_qualifier_line"].fullmatch(line)
    )


def find_issuer(lines: list[str], signature_at: int | None, metadata: dict[str, str]) -> str | None:
    if signature_at is not None and signature_at > 0 and looks_like_org(lines[signature_at - 1]):
        return lines[signature_at - 1]
    for i, line in enumerate(lines[:8]):
        match = _patterns()["notice_title"].match(line)
        if match and looks_like_org(match.group("issuer")):
            return match.group("issuer")
        # the issuer on a header line of its own above the notice title: 新密市人民政府⏎关于印发…
        if i and _patterns()["notice_subject"].match(line) and looks_like_org(lines[i - 1]):
            return lines[i - 1]
    for label in ("发文机关", "发文单位", "发布机构"):
        if metadata.get(label) and looks_like_org(metadata[label]):
            return metadata[label]
    return None


def _region_of(place: dict, texts: list[str]) -> str | None:
    """Most specific area of one cpca row, spelt as a reader would write it:
    a county alone (`师宗县`), a district with its city (`上海市虹口区`).

    cpca also matches bare words (`合作` → 合作市) and abbreviations
    (`新疆`); a county or a province only counts when its full name is
    printed, and a district takes the city printed before it
    (`舟山市普陀区`, not cpca's default `上海市普陀区`).
    """
    province, city, county = (place.get(k) if isinstance(place.get(k), str) else None for k in ("省", "市", "区"))
    printed = "\n".join(texts)
    if county and len(county) >= 2 and county in printed:
        if not county.endswith("区"):
            return county
        before = regex.search(r"(\p{Han}{1,6}?[市州盟])" + regex.escape(county), printed)
        owner = before.group(1) if before else (city if city and city != "市辖区" else province)
        return f"{owner}{county}" if owner else county
    if city and city != "市辖区" and len(city) >= 2:
        stem = regex.sub(r"(?:市|地区|自治州|州|盟)$", "", city)
        if city in printed or (len(stem) >= 2 and stem in printed):
            return city
    if province and province in printed:
        return province
    return None


def find_region(candidates: list[str]) -> str | None:
    """Region from the first candidate text (title, issuer, opening lines)
    that names an administrative area; cited titles 《…》 are not the owner."""
    texts = [_patterns()["cited_title"].sub("", c) for c in candidates if c]
    if not texts:
        return None
    for text in dict.fromkeys(texts):  # the title is often an opening line too: look it up once
        region = _region_of(gazetteer_lookup(text), texts)
        if region:
            return region
    return None


def gazetteer_lookup(text: str) -> dict:
    """cpca's reading of one string: {"省", "市", "区"} names or None.

    cpca's public `transform` wraps this same per-string function in a pandas
    DataFrame, which costs ~5 ms a call against ~10 µs for the function itself
    (the pipeline's second-largest per-document cost before this change);
    cpca is pinned to the 0.5 series in pyproject.toml for it.
    """
    import cpca  # loads its gazetteer on first use

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cpca._get_one_addr(text, False, {})


def extract_fields(text: str, first_task_start: int | None, metadata: dict[str, str]) -> dict[str, str | None]:
    lines = text.split("\n")
    body_start = text.count("\n", 0, first_task_start) if first_task_start is not None else len(lines)
    signature_at, issue_date = find_signature(lines)
    if issue_date is None:
        for label in ("成文日期", "发文日期"):
            if metadata.get(label):
                issue_date = parse_date(metadata[label].split(" ")[0])
                if issue_date:
                    break
    title = find_title(lines, _body_line(lines, body_start, signature_at))
    issuer = find_issuer(lines, signature_at, metadata)
    region = find_region([title, issuer, *(line[:200] for line in lines[:3])])
    return {
        "title": title,
        "doc_number": find_doc_number(lines[: min(body_start, 15)], metadata),
        "issuer": issuer,
        "issue_date": issue_date,
        "region": region,
    }


def _body_line(lines: list[str], outline_line: int, signature_at: int | None) -> int:
    """Index of the first body line: the outline's first line, or the first
    long prose paragraph after the opening lines, whichever comes first. A
    notice signed before the outline transmits the document after its
    signature, so that document's body is sought after it."""
    first = signature_at + 1 if signature_at is not None and signature_at < outline_line else 1
    for i in range(first, outline_line):
        if len(lines[i]) > 90:
            return i
    return outline_line
