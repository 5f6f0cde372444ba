"""Data tables (patterns, word lists) that the stages read; kept apart from code."""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    return DATA_DIR / name


def read_list(path: Path) -> list[str]:
    """One entry per line; `#` starts a comment; blank lines ignored."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            entries.append(line)
    return entries


# libyaml's C parser where PyYAML has it (the same data, ~7× faster): the alias and
# family tables alone took ~0.15 s to parse, paid by every run before its first document.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str):
    """yaml.safe_load, by the C parser when available."""
    return yaml.load(text, Loader=_YAML_LOADER)


@functools.cache
def read_yaml(name: str):
    return parse_yaml(data_path(name).read_text(encoding="utf-8"))
