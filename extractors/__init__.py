"""Extractors: one module per record kind, each a pure function of a Document."""
from __future__ import annotations

EXTRACTORS: dict = {}
