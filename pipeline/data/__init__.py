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


@functools.cache
def read_yaml(name: str):
    return yaml.safe_load(data_path(name).read_text(encoding="utf-8"))
