"""Normalisation to clean-text spelling (ANNOTATION §1), line by line.

Order matters: pinyin annotations are removed first (they sit between Han
characters and would block the phrase matching of OpenCC), then traditional
characters are converted, then full-width letters/digits are narrowed and
spaces between Han characters dropped.

Traditional → simplified is OpenCC's `t2s`: its own dictionaries (shipped by
opencc-python-reimplemented) applied with its own rule — at each position the
longest phrase of TSPhrases, else the character of TSCharacters — but through
`str.translate` and one phrase pattern instead of the port's pure-Python
matcher, which runs at ~0.4 M chars/s. A test keeps the output byte-identical
to `opencc.OpenCC("t2s")` on the seeds, the devcorpus and generated strings.
"""
from __future__ import annotations

import functools
import os
from collections import Counter
from dataclasses import dataclass

import opencc
import regex

from pipeline.data import data_path, read_list

# A scraped pinyin annotation: one tone-marked syllable in ASCII or full-width
# parentheses (`質(zhì)`). Requiring a tone mark keeps `(GAP)`, `(NQI)`,
# `(一)` and `(2011-2020年)` untouched. The annotation normally follows its
# Han character, but mojibake can stand in between (`^(qū)`), and a tone-marked
# syllable in parentheses is never content of a policy notice.
_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    rf"[aeiouüv{_TONE}]{{1,3}}(?:ng|n|r)?"
)
PINYIN_ANNOTATION = regex.compile(
    rf"[\(（](?=[^\)）]{{0,6}}[{_TONE}])({_SYLLABLE})[\)）]"
)
# Mojibake left by mis-decoded mirrors: the `(` was swallowed into a `?`
# (`新聞?shì)浾`). The `?` belongs to the annotation, not to the text.
BROKEN_PINYIN_ANNOTATION = regex.compile(
    rf"\?(?=[^\)）]{{0,6}}[{_TONE}])({_SYLLABLE})[\)）]"
)

MAX_PASSES = 50
_FULLWIDTH_ALNUM_CHAR = regex.compile("[０-９Ａ-Ｚａ-ｚ]")
_FULLWIDTH_ALNUM = {
    **{0xFF10 + i: 0x30 + i for i in range(10)},
    **{0xFF21 + i: 0x41 + i for i in range(26)},
    **{0xFF41 + i: 0x61 + i for i in range(26)},
}
_SPACES = "[ \t\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]"
SPACE_BETWEEN_HAN = regex.compile(rf"(?<=\p{{Han}}){_SPACES}+(?=\p{{Han}})")
EDGE_SPACES = regex.compile(rf"^{_SPACES}+|{_SPACES}+$", regex.M)


def _dictionary(name: str, keep_identity: bool = False) -> dict[str, str]:
    """An OpenCC dictionary: key → first candidate. Identity entries matter for
    phrases (乾坤 stays 乾坤 although 乾 alone becomes 干), not for characters."""
    folder = os.path.join(os.path.dirname(opencc.__file__), "dictionary")
    table = {}
    with open(os.path.join(folder, name), encoding="utf-8") as handle:
        for line in handle:
            key, _, values = line.rstrip("\n").partition("\t")
            first = values.split(" ")[0]
            if key and first and (keep_identity or first != key):
                table[key] = first
    return table


@functools.cache
def _t2s() -> tuple[dict[int, str], regex.Pattern, dict[str, str]]:
    """(character table, phrase pattern, phrase table) of OpenCC's t2s."""
    chars = str.maketrans(_dictionary("TSCharacters.txt"))
    phrases = _dictionary("TSPhrases.txt", keep_identity=True)
    longest_first = sorted(phrases, key=len, reverse=True)  # alternation order = longest match
    return chars, regex.compile("|".join(map(regex.escape, longest_first))), phrases


@functools.cache
def _script_chars() -> tuple[frozenset[str], frozenset[str]]:
    """(traditional-only, simplified-only) characters.

    Traditional-only are the characters t2s always changes; characters that
    change only inside a phrase (覆 in 反覆, but 覆盖 is simplified too) are
    not evidence of a script. Sets, not regex character classes: a
    4,000-character class scans at ~0.5 M chars/s, set membership in C at
    tens of millions.
    """
    traditional = set(_dictionary("TSCharacters.txt"))
    simplified = set(_dictionary("STCharacters.txt")) - traditional
    return frozenset(traditional), frozenset(simplified)


@functools.cache
def _phrase_only_chars() -> tuple[regex.Pattern, dict[str, list[tuple[str, int]]]]:
    """Characters t2s changes only inside a phrase (覆 in 反覆, 瞭 in 瞭解), and
    for each, the phrases holding it with its offset in them."""
    where: dict[str, list[tuple[str, int]]] = {}
    for phrase, simple in _dictionary("TSPhrases.txt").items():
        for offset, (a, b) in enumerate(zip(phrase, simple)):
            if a != b and a not in _script_chars()[0]:
                where.setdefault(a, []).append((phrase, offset))
    return regex.compile("[" + "".join(map(regex.escape, sorted(where))) + "]"), where


def _has_traditional_phrase(text: str) -> bool:
    """Whether a text without traditional-only characters still holds a phrase
    t2s changes (反覆 → 反复); checked only around the few characters that can
    start one, since a search for all phrases costs ~0.7 ms per document."""
    pattern, where = _phrase_only_chars()
    for match in pattern.finditer(text):
        for phrase, offset in where[match.group()]:
            if text.startswith(phrase, match.start() - offset):
                return True
    return False


@functools.cache
def _zhuo_pattern() -> regex.Pattern:
    """著 that OpenCC t2s leaves where simplified writes 着 (OpenCC#555).

    Matches 著 opening a phrase of zhuo_phrases.txt unless it closes a 著
    word (显著力度 keeps 显著); both lists are data files.
    """
    tails = sorted({p[1:] for p in read_list(data_path("zhuo_phrases.txt"))}, key=len, reverse=True)
    keep = "".join(read_list(data_path("zhu_keep_prefixes.txt")))
    return regex.compile(f"(?<![{keep}])著(?=(?:{'|'.join(map(regex.escape, tails))}))")


@functools.cache
def _paragraph_marks() -> regex.Pattern:
    marks = "".join(map(regex.escape, read_list(data_path("paragraph_marks.txt"))))
    return regex.compile(rf"(?<=[\p{{Han}}\p{{P}}])[{marks}](?=[\p{{Han}}\p{{P}}])")


@dataclass(slots=True)
class Normalised:
    text: str
    script: str
    pinyin_removed: int


def detect_script(traditional_chars: int, simplified_chars: int) -> str:
    """simplified / traditional / mixed from counts of script-specific characters.

    A few stray characters of the other script (quotes, names, scraping noise)
    do not make a document mixed: the minority has to exceed 10 %.
    """
    total = traditional_chars + simplified_chars
    if traditional_chars == 0 or total == 0:
        return "simplified"
    share = traditional_chars / total
    if share >= 0.9:
        return "traditional"
    if share <= 0.1:
        return "simplified"
    return "mixed"


def opencc_t2s(text: str) -> str:
    """OpenCC t2s: leftmost-longest phrases, every other character by table."""
    chars, phrase_pattern, phrases = _t2s()
    out, position = [], 0
    for match in phrase_pattern.finditer(text):
        out.append(text[position : match.start()].translate(chars))
        out.append(phrases[match.group()])
        position = match.end()
    out.append(text[position:].translate(chars))
    return "".join(out)


def to_simplified(text: str) -> str:
    """OpenCC t2s plus the documented 著→着 phrase fixes."""
    converted = opencc_t2s(text)
    if "著" in converted:
        converted = _zhuo_pattern().sub("着", converted)
    return converted


def strip_pinyin(text: str) -> tuple[str, int]:
    """Remove pinyin annotations; (text, how many were removed).

    Nested annotations (`鄉(xiāng)(鎮(zhèn))`) need no recursion: each is a
    parenthesis of its own. A removal can still expose a new one (`(ā(zhì))`
    → `(ā)`), so passes repeat until nothing changes, at most MAX_PASSES
    times (real text needs one; the cap bounds adversarial nesting).
    """
    total = 0
    for _ in range(MAX_PASSES):
        text, count = PINYIN_ANNOTATION.subn("", text)
        text, broken = BROKEN_PINYIN_ANNOTATION.subn("", text)
        total += count + broken
        if not count + broken:
            break
    return text, total


def normalise(raw: str) -> Normalised:
    """Normalise a whole decoded document; returns lines joined by "\\n".

    Blank lines are dropped (ANNOTATION §1: runs of blank lines collapse to
    one line break); leading/trailing spaces of each line are indentation, not
    content.
    """
    raw = _paragraph_marks().sub("\n", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text, removed = strip_pinyin(raw)
    traditional, simplified = _script_chars()
    if traditional.isdisjoint(text):  # most documents: no counting, no conversion
        script = "simplified"
        if _has_traditional_phrase(text):
            text = to_simplified(text)
    else:
        counts = Counter(text)
        script = detect_script(
            sum(n for c, n in counts.items() if c in traditional),
            sum(n for c, n in counts.items() if c in simplified),
        )
        text = to_simplified(text)
    # Whole-text passes: no phrase or pattern here crosses a line break.
    if _FULLWIDTH_ALNUM_CHAR.search(text):
        text = text.translate(_FULLWIDTH_ALNUM)
    text = EDGE_SPACES.sub("", SPACE_BETWEEN_HAN.sub("", text))
    return Normalised(
        text="\n".join(line for line in text.split("\n") if line),
        script=script,
        pinyin_removed=removed,
    )
