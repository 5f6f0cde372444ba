"""Decoding input bytes and turning HTML into lines (finding the inputs is pipeline/sources.py).

Encodings are detected with charset-normalizer (BOMs and strict UTF-8 are
tried first because they are certain); HTML — whole pages or the fragments
that scraped "text" files often hold — goes through trafilatura's
main-content extraction, one line per block element.
"""
from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass

import regex
from charset_normalizer import from_bytes

from pipeline.sources import InputError, Source

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
MAX_BYTES = 64 * 1024 * 1024

CANDIDATE_ENCODINGS = ["gb18030", "big5hkscs", "cp950", "big5", "utf_16", "utf_32", "hz"]
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# Detectors name legacy Chinese code pages by their narrowest standard; the
# supersets decode everything the narrow ones do, plus the extra characters
# real pages use.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs", "cp950": "big5hkscs"}

# Tags and entities that give away HTML inside a "text" file.
_HTML_SNIFF = regex.compile(
    r"<(?:!doctype|html|head|body|p|div|br|span|table|tr|td|h[1-6]|li|ul|ol|font|strong|section|article)\b[^<>]{0,2000}>"
    r"|&(?:nbsp|amp|lt|gt|quot|ldquo|rdquo|mdash|#\d{2,6});",
    regex.I,
)
_HAN = regex.compile(r"\p{Han}")
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


@dataclass(slots=True)
class Loaded:
    text: str  # decoded, HTML already turned into lines
    format: str  # text | html | html-fragment
    encoding: str
    sha256: str


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) for raw bytes, or InputError if they are not text."""
    if not data.strip():
        raise InputError("load", "empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise InputError("load", f"byte-order mark says {encoding} but the bytes do not decode: {error}")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        # A file cut inside its last multi-byte character is still UTF-8.
        if error.start >= len(data) - 3 and error.reason.startswith("unexpected end"):
            return data[: error.start].decode("utf-8"), "utf-8"
    # Notices are Chinese: asking only about Chinese-capable code pages keeps
    # short GBK files from being read as Korean cp949.
    best = from_bytes(data, cp_isolation=CANDIDATE_ENCODINGS).best()
    if best is None or best.encoding is None:
        raise InputError("load", "cannot detect a text encoding (binary file?)")
    encoding = _SUPERSETS.get(best.encoding.replace("_", "").lower(), best.encoding)
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError) as error:
        raise InputError("load", f"detected encoding {encoding} but decoding failed: {error}")


def looks_like_html(text: str) -> bool:
    matches = _HTML_SNIFF.finditer(text, 0, 200_000)
    return next(matches, None) is not None and next(matches, None) is not None


def html_to_lines(html: str) -> str:
    """Main content of an HTML page or fragment, one line per block element."""
    import trafilatura  # imported lazily: ~0.5 s, and plain-text corpora never need it

    text = trafilatura.extract(
        html,
        output_format="txt",
        include_tables=True,
        include_comments=False,
        include_images=False,
        favor_recall=True,
        deduplicate=False,
    )
    if not text:
        # trafilatura finds no main content in some tiny fragments; its
        # plain conversion still keeps every block's text.
        text = trafilatura.html2txt(html) or ""
    return text


def check_text(text: str) -> None:
    if not _HAN.search(text):
        raise InputError("load", "no Chinese text found after decoding (not a policy notice, or a binary file)")
    sample = text[:100_000]
    if len(_CONTROL.findall(sample)) > 0.01 * len(sample):
        raise InputError("load", "too many control or undecodable characters: binary or mis-encoded file")


def load(source: Source) -> Loaded:
    if source.path is None:
        return _load_record(source)
    suffix = source.path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES:
        raise InputError("load", f"unsupported file type {suffix or '(none)'!r}: expected .txt, .html or .htm")
    size = source.path.stat().st_size
    if size > MAX_BYTES:
        raise InputError("load", f"file too large ({size:,} bytes; limit {MAX_BYTES:,})")
    data = source.path.read_bytes()
    text, encoding = decode(data)
    # Hashed again, not taken from planning: the file may have changed since, and the
    # hash recorded must be of the bytes decoded here (SHA-256 costs ~0.15 % of processing a document).
    return _to_lines(text, suffix in HTML_SUFFIXES, encoding, hashlib.sha256(data).hexdigest())


def _load_record(source: Source) -> Loaded:
    return _to_lines(source.text or "", source.html, "utf-8", source.content_hash())


def _to_lines(text: str, is_html: bool, encoding: str, sha256: str) -> Loaded:
    check_text(text)
    if is_html or looks_like_html(text):
        fmt = "html" if is_html else "html-fragment"
        text = html_to_lines(text)
        if not _HAN.search(text):
            raise InputError("load", "no text could be read from the HTML (empty page, or markup too deeply nested)")
    else:
        fmt = "text"
    return Loaded(text=text, format=fmt, encoding=encoding, sha256=sha256)
