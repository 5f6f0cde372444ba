"""Values as page text, shared by the comparison report and the review pages."""
from __future__ import annotations

import html
import math
from typing import Any


def plain(value: Any) -> str:
    """A value as text: missing values (None, NaN, pandas NA) are empty and
    whole floats lose their `.0` (70.0 → 70)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ == "NAType":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def escaped(value: Any) -> str:
    """plain(value), HTML-escaped: everything taken from a document goes through this."""
    return html.escape(plain(value))
