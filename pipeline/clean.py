"""Boilerplate removal on normalised lines (ANNOTATION §1).

No library cleans flattened web text (trafilatura, gne and jusText all fail
on it, see LIBRARIES.md), so the rules are ours: the pattern tables live in
data/boilerplate.yaml; this module applies them and adds the structural rules
that need more than a pattern. Every removed line is recorded with the rule
that removed it, so nothing disappears silently.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import regex

from pipeline.data import read_yaml
from pipeline.document import RemovedLine
from pipeline.regex_literals import required_literals

_HAS_TEXT = regex.compile(r"[\p{Han}\p{L}]")
_DIGIT = regex.compile(r"\p{N}")
# List bullets a flattened page keeps in front of its widgets (`• 来源: …`).
_BULLET = regex.compile(r"^[•·●▪■◆◇○\-*]\s*")
_PIPES = "|｜"  # table pipes: a line without any skips the pipe regexes below
# Stray table pipes at either end of a content line (`…评选。 |`).
_EDGE_PIPES = regex.compile(rf"^(?:\s*[{_PIPES}]\s*)+|(?:\s*[{_PIPES}]\s*)+$")
_LIST_SEPARATOR = regex.compile(rf"\s*[{_PIPES}]\s*|\s{{1,8}}")
_TITLE_NOISE = regex.compile(r"[《》〈〉“”\"'‘’\s]")
# The one rule that removes part of a kept line (its pipes) rather than a whole line: its
# removed_lines row has the line_no of a line that is in the clean text.
STRAY_PIPE = "stray-pipe"


# (rule name, pattern, strings one of which every match contains)
Rule = tuple[str, regex.Pattern, tuple[str, ...]]
# (one of a rule's strings, rule name, pattern)
Candidate = tuple[str, str, regex.Pattern]


class RuleTable:
    """One section's patterns in order. Most lines match none, and a failed
    search costs about as much as the call itself, so a pattern is searched
    only when the line passes two far cheaper tests: its first character can
    begin a match, and it holds one of the strings every match holds."""

    def __init__(self, section: dict[str, list[str]]):
        self.rules: list[Rule] = [
            (name, regex.compile(p), required_literals(p)) for name, patterns in section.items() for p in patterns
        ]
        self._by_first_char: dict[str, list[Candidate]] = {}

    def _candidates(self, first_char: str) -> list[Candidate]:
        """The rules a line starting with `first_char` can match, in rule
        order, one entry per string. Asked of the engine once per character:
        a partial match means some text starting with it could match (any
        character, for a pattern not anchored at ^)."""
        candidates = self._by_first_char.get(first_char)
        if candidates is None:
            candidates = [
                (literal, name, pattern)
                for name, pattern, literals in self.rules
                if pattern.search(first_char, partial=True)
                for literal in literals
            ]
            self._by_first_char[first_char] = candidates
        return candidates

    def first_match(self, line: str) -> str | None:
        """Name of the first rule with a pattern found in `line`."""
        for literal, name, pattern in self._candidates(line[:1]):
            if literal in line and pattern.search(line):
                return name
        return None


@dataclass(frozen=True)
class Rules:
    head: RuleTable
    line: RuleTable
    tail: RuleTable
    spam_terms: tuple[str, ...]
    spam_min_hits: int
    place: regex.Pattern
    place_min_items: int
    place_min_share: float
    head_window: int
    metadata_label: regex.Pattern
    metadata_any_label: regex.Pattern  # a bare label: found by a fast literal scan
    metadata_plain_words: frozenset[str]  # labels that need a separator, not just a space
    metadata_max_chars: int
    max_line_chars: int
    sentence_end: regex.Pattern


@functools.cache
def rules() -> Rules:
    data = read_yaml("boilerplate.yaml")
    labels = "|".join(sorted(data["metadata"]["labels"], key=len, reverse=True))
    return Rules(
        head=RuleTable(data["head"]),
        line=RuleTable(data["line"]),
        tail=RuleTable(data["tail"]),
        spam_terms=tuple(data["spam"]["terms"]),
        spam_min_hits=data["spam"]["min_hits"],
        place=regex.compile(data["place_list"]["place"]),
        place_min_items=data["place_list"]["min_items"],
        place_min_share=data["place_list"]["min_share"],
        head_window=data["head_window"],
        metadata_label=regex.compile(r"[\[【]?\s*(" + labels + r")\s*[\]】]?\s*[:：|｜]?"),
        metadata_any_label=regex.compile(labels),
        metadata_plain_words=frozenset(data["metadata"]["plain_words"]),
        metadata_max_chars=data["metadata"]["max_chars"],
        max_line_chars=data["max_line_chars"],
        sentence_end=regex.compile(read_yaml("punctuation.yaml")["sentence_end"]),
    )


def is_spam(line: str, r: Rules) -> bool:
    if r.sentence_end.search(line):
        return False
    hits = {term for term in r.spam_terms if term in line}
    return len(hits) >= r.spam_min_hits


def _has_pipe(line: str) -> bool:
    return any(map(line.__contains__, _PIPES))


def is_place_list(line: str, r: Rules) -> bool:
    # The regex split is slow; a line without whitespace or pipes is one item
    # (str.split's whitespace includes all of \s).
    if line.split() == [line] and not _has_pipe(line):
        items = [line]
    else:
        items = [item for item in _LIST_SEPARATOR.split(line) if item]
    if len(items) < r.place_min_items:
        return False
    places = sum(1 for item in items if r.place.match(item))
    return places >= r.place_min_share * len(items)


def _title_key(line: str) -> str:
    return _TITLE_NOISE.sub("", line)


def repeated_title_copies(lines: list[str], removed: set[int], window: int) -> set[int]:
    """Header lines that only repeat later lines: a site's copy of the title
    (alone, or glued to the document number) above the document itself.

    A copy counts only when it sits right above its repeat (a legal database
    printing the title twice) or when page furniture separates the two (the
    copy belongs to the page, the repeat to the document): an addressee line
    repeated by an attachment (`各有关单位:`) is content both times.
    """
    keys = [_title_key(line) for line in lines[:window]]

    def furniture_between(i: int, j: int) -> bool:
        return j == i + 1 or any(k in removed for k in range(i + 1, j))

    repeated = set()
    for i, key in enumerate(keys):
        if i in removed or len(key) < 6 or key.endswith((":", "：")):
            continue
        # Only a later line equal to this one, or its start, can make it a copy:
        # one C-level test spares most lines the pairwise loop.
        if not key.startswith(tuple(filter(None, keys[i + 1 :]))):
            continue
        for j in range(i + 1, len(keys)):
            if j in removed:
                continue
            if keys[j] == key and furniture_between(i, j):
                repeated.add(i)
                break
            rest = key[len(keys[j]) :] if keys[j] and key.startswith(keys[j]) else ""
            if rest and furniture_between(i, j) and any(
                keys[k] == rest for k in range(j + 1, len(keys)) if k not in removed
            ):
                repeated.add(i)
                break
    return repeated


def is_metadata(line: str, r: Rules) -> bool:
    """A line of a site's metadata table: opens with a label and a separator,
    or holds two labels (`组配分类其他文件主题分类质量监督` once the spaces
    between Han characters are gone)."""
    if len(line) > r.metadata_max_chars or "。" in line or not r.metadata_any_label.search(line):
        return False
    first = r.metadata_label.match(line)
    # the match runs over the spaces after its label: a separator or a space ends it
    if first and (first.group(0)[-1:] in ":：|｜]】"
                  or (first.group(0)[-1:].isspace() and first.group(1) not in r.metadata_plain_words)):
        return True
    return len({m.group(1) for m in r.metadata_label.finditer(line)}) >= 2


def harvest_metadata(line: str, r: Rules) -> dict[str, str]:
    """label → value for every label of a metadata line; a value runs to the next label."""
    matches = list(r.metadata_label.finditer(line))
    found = {}
    for match, following in zip(matches, matches[1:] + [None]):
        value = line[match.end() : following.start() if following else len(line)]
        value = value.strip(" \t:：|｜[]【】?？")
        if value:
            found.setdefault(match.group(1), value)
    return found


def _line_verdict(line: str, r: Rules) -> str | None:
    if len(line) > r.max_line_chars:
        return None
    reason = r.line.first_match(line)
    if reason:
        return reason
    if is_metadata(line, r):
        return "page-metadata"
    if not _HAS_TEXT.search(line) and len(_DIGIT.findall(line)) <= 2:
        return "no-text"
    if is_spam(line, r):
        return "spam-keywords"
    if is_place_list(line, r):
        return "place-name-list"
    return None


@dataclass(slots=True)
class Cleaned:
    text: str
    removed: list[RemovedLine]
    metadata: dict[str, str]


def clean(normalised: str) -> Cleaned:
    r = rules()
    lines = normalised.split("\n") if normalised else []
    verdict: dict[int, str] = {}

    # The page's head ends at its last breadcrumb in the head window: banners
    # and widgets sit above it.
    for i, line in enumerate(lines[: r.head_window]):
        name = r.head.first_match(line) if len(line) <= r.max_line_chars else None
        if name:
            for j in range(i):
                verdict.setdefault(j, "site-header")
            verdict[i] = name
    # The page's tail starts at the first "related articles"/disclaimer line.
    for i, line in enumerate(lines):
        name = r.tail.first_match(line) if len(line) <= r.max_line_chars else None
        if name and i > 0:
            for j in range(i, len(lines)):
                verdict.setdefault(j, name)
            break
    for i, line in enumerate(lines):
        if i not in verdict:
            reason = _line_verdict(_BULLET.sub("", line), r)
            if reason:
                verdict[i] = reason
    for i in repeated_title_copies(lines, set(verdict), r.head_window):
        verdict[i] = "repeated-title"

    metadata: dict[str, str] = {}
    kept: list[str] = []
    removed: list[RemovedLine] = []
    for i, line in enumerate(lines):
        reason = verdict.get(i)
        if reason == "page-metadata":
            for label, value in harvest_metadata(line, r).items():
                metadata.setdefault(label, value)
        if reason:
            removed.append(RemovedLine(i, line, reason))
            continue
        stripped = _EDGE_PIPES.sub("", line) if _has_pipe(line) else line
        if stripped != line:
            removed.append(RemovedLine(i, line.replace(stripped, "", 1).strip(), STRAY_PIPE))
        kept.append(stripped)
    return Cleaned(text="\n".join(kept), removed=removed, metadata=metadata)
