"""The cleaner's prefilter: literals are read conservatively, and skipping a
pattern never changes which rule a line matches."""
from __future__ import annotations

import pytest

from pipeline.clean import rules
from pipeline.ingest import load
from pipeline.normalise import normalise
from pipeline.regex_literals import required_literals
from pipeline.sources import Source
from tests.conftest import SEEDS, devcorpus_pages
from tests.test_clean import EXAMPLES


@pytest.mark.parametrize(
    "pattern, literals",
    [
        (r"^(?:发布|更新)?(?:时间|日期)\s*[:：]\s*\d{4}", ("日期", "时间")),
        (r"二维码\s*(?:关注|分享)?", ("二维码",)),
        (r"^\p{Han}{2,12}(?:网|网站|门户)\s*(?:$|[-—|｜])", ("网", "门户")),  # 网站 holds 网
        (r"(?:>|>>|»)\s*正文\s*$", ("正文",)),
        (r"[【\[]\s*打印", ("打印",)),
        (r"约\s*[\d.]+\s*(?:千字|页)$", ("约",)),
        (r"(?P<year>\d{4})年?(?=发布)", ("",)),  # optional and zero-width pieces promise nothing
        (r"发布|", ("",)),
        # syntax the reader does not know: inline flags, backreferences,
        # fuzzy matching, POSIX classes, word boundaries, unbalanced groups
        (r"(?i)abc", ("",)),
        (r"(ab)\1", ("",)),
        (r"(?:abc){e<=1}", ("",)),
        (r"[[:alpha:]]x", ("",)),
        (r"\bword", ("",)),
        (r"ab)c", ("",)),
    ],
)
def test_required_literals(pattern, literals):
    assert required_literals(pattern) == literals


def _lines() -> list[str]:
    lines = [line for line, _ in EXAMPLES["remove"]] + list(EXAMPLES["keep"])
    for path in SEEDS + devcorpus_pages():
        lines += normalise(load(Source(path.stem, str(path), path=path)).text).text.split("\n")
    return lines


def test_prefilter_never_changes_the_first_match():
    r = rules()
    for table in (r.head, r.line, r.tail):
        for line in _lines():
            expected = next((name for name, pattern, _ in table.rules if pattern.search(line)), None)
            assert table.first_match(line) == expected, line
