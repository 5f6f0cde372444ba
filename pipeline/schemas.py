"""The one place where every output column is defined.

Each table has an explicit pyarrow schema and a description per column; the
README's table of columns is checked against this module by a test. Bump
SCHEMA_VERSION whenever a column is added, removed or changes meaning; the
version is written into every Parquet file's metadata.
"""
from __future__ import annotations

import pyarrow as pa

# 1.2: phases.end_date is null for a span that prints no end (2020年7月起); it was the
# start's period end
# 1.3: targets.unit spells a full-width percent sign ％ as %, as it already spelled 个百分点 百分点
SCHEMA_VERSION = "1.3"

# (name, type, description) per table, in column order.
COLUMNS: dict[str, list[tuple[str, pa.DataType, str]]] = {
    "documents": [
        ("doc_id", pa.string(), "input file name without extension (ANNOTATION §0)"),
        ("source", pa.string(), "path of the input file as given to `run`"),
        ("format", pa.string(), "how the input was read: text, html or html-fragment"),
        ("encoding", pa.string(), "detected input encoding (utf-8, gb18030, big5, utf-16, …)"),
        ("content_sha256", pa.string(), "SHA-256 of the raw input bytes"),
        ("title", pa.string(), "title of the innermost document as printed, null if none"),
        ("doc_number", pa.string(), "the document's own 发文字号, brackets normalised to 〔〕"),
        ("issuer", pa.string(), "issuing body as printed in signature or header; null for news"),
        ("issue_date", pa.string(), "signature date (成文日期), ISO YYYY-MM-DD, null if absent"),
        ("region", pa.string(), "most specific administrative area owning the plan or reported on"),
        ("script", pa.string(), "script of the input: simplified, traditional or mixed"),
        ("had_pinyin", pa.bool_(), "whether scraped pinyin annotations such as 質(zhì) were removed"),
        ("pinyin_removed", pa.int32(), "number of pinyin annotations removed"),
        ("n_chars", pa.int32(), "length of the clean text in characters"),
        ("n_removed_lines", pa.int32(), "number of boilerplate lines removed"),
        ("n_tasks", pa.int32(), "number of outline nodes"),
        ("text", pa.string(), "clean text; every char_start/char_end in every table indexes it"),
    ],
    "tasks": [
        ("doc_id", pa.string(), "document the node belongs to"),
        ("task_id", pa.string(), "node id, unique within the document (t001, t002, … in reading order)"),
        ("parent_id", pa.string(), "task_id of the enclosing node, null at the top"),
        ("level", pa.int8(), "1 一、, 2 (一), 3 1., 4 (1), 5 ①; inline 一是… items one below their paragraph"),
        ("label", pa.string(), "the label as printed: 一、, (三), 1., 一是"),
        ("heading", pa.string(), "first sentence without its 。, or the whole line if it is only a heading"),
        ("section", pa.string(), "heading of the level-1 ancestor, e.g. 主要任务"),
        ("inline", pa.bool_(), "true for inline enumeration items (一是…二是…)"),
        ("text", pa.string(), "the node's text, from its label to the next node of the same or higher level"),
        ("char_start", pa.int32(), "start offset of the node in documents.text"),
        ("char_end", pa.int32(), "end offset (exclusive) in documents.text"),
    ],
    "units": [
        ("doc_id", pa.string(), "document"),
        ("task_id", pa.string(), "innermost numbered task node containing the marker (ANNOTATION §4)"),
        ("unit", pa.string(), "unit name as printed, after clean-text conversion"),
        ("unit_canonical", pa.string(), "full name, level word replaced by the document's region: 市质监局 → 张掖市质量技术监督局"),
        ("unit_function", pa.string(), "what the unit does, stable across agency reforms: 市场监管 for 质监局, 工商局, 市场监管局; null if unknown"),
        ("unit_collective", pa.bool_(), "true for a group of units: 各县区政府, 各成员单位, 各乡(镇)人民政府"),
        ("role", pa.string(), "lead, support or responsible"),
        ("rank", pa.int16(), "1-based position in its list"),
        ("marker", pa.string(), "the marker that assigned it: 牵头单位, 配合单位, 责任部门, 由…牵头, …"),
        ("char_start", pa.int32(), "start of the unit name in documents.text"),
        ("char_end", pa.int32(), "end (exclusive) of the unit name in documents.text"),
    ],
    "targets": [
        ("doc_id", pa.string(), "document"),
        ("task_id", pa.string(), "innermost task node containing the target, null outside the outline"),
        ("indicator", pa.string(), "what is measured or counted, shortest complete phrase as printed"),
        ("indicator_family", pa.string(), "family lining the measure up across plans: 合格率, 覆盖率, 名牌/商标, 标准, …; null if none"),
        ("value", pa.float64(), "the number (lower bound for ranges)"),
        ("value_max", pa.float64(), "upper bound, only for ranges"),
        ("unit", pa.string(), "unit as printed after the number: %, 个, 项, 百分点, 万元, … (个百分点 → 百分点, ％ → %)"),
        ("comparator", pa.string(), ">=, >, <=, <, =, range, increase or decrease"),
        ("year", pa.int16(), "deadline year stated for it in the same sentence, else null"),
        ("text", pa.string(), "the evidence: documents.text[char_start:char_end]"),
        ("char_start", pa.int32(), "start of the evidence in documents.text"),
        ("char_end", pa.int32(), "end (exclusive) of the evidence in documents.text"),
    ],
    "deadlines": [
        ("doc_id", pa.string(), "document"),
        ("task_id", pa.string(), "innermost task node containing the expression, null outside the outline"),
        ("text", pa.string(), "the expression as in the clean text: 到2015年, 每年12月底前, 年底前"),
        ("date", pa.string(), "ISO end of the period (YYYY-MM-DD); null for recurring or unresolvable ones"),
        ("recurrence", pa.string(), "null, yearly, half-yearly, quarterly, monthly or weekly"),
        ("char_start", pa.int32(), "start of the expression in documents.text"),
        ("char_end", pa.int32(), "end (exclusive) of the expression in documents.text"),
    ],
    "phases": [
        ("doc_id", pa.string(), "document"),
        ("seq", pa.int16(), "1-based order of the phase in its schedule"),
        ("name", pa.string(), "phase name as printed: 启动阶段"),
        ("start_date", pa.string(), "ISO first day of the phase, null if no year can be found"),
        ("end_date", pa.string(), "ISO last day of the phase, null if no year can be found or the span prints no end (2020年7月起)"),
        ("text", pa.string(), "the evidence: documents.text[char_start:char_end]"),
        ("char_start", pa.int32(), "start of the evidence in documents.text"),
        ("char_end", pa.int32(), "end (exclusive) of the evidence in documents.text"),
    ],
    "citations": [
        ("doc_id", pa.string(), "citing document"),
        ("task_id", pa.string(), "innermost task node containing the reference, null outside the outline"),
        ("cited_title", pa.string(), "title between 《》 as printed"),
        ("cited_doc_number", pa.string(), "发文字号 printed after the title, brackets normalised to 〔〕; null if none"),
        ("cited_doc_id", pa.string(), "doc_id of the cited document when it is in the same run (by number, else title)"),
        ("text", pa.string(), "the evidence: documents.text[char_start:char_end]"),
        ("char_start", pa.int32(), "start of the reference (its 《) in documents.text"),
        ("char_end", pa.int32(), "end (exclusive) of the reference, after its document number if any"),
    ],
    "removed_lines": [
        ("doc_id", pa.string(), "document the line was removed from"),
        ("line_no", pa.int32(), "0-based index of the line among the normalised input lines"),
        ("text", pa.string(), "the removed line, in clean-text spelling"),
        ("reason", pa.string(), "name of the boilerplate rule that removed it"),
    ],
    "errors": [
        ("source", pa.string(), "path of the input that failed"),
        ("doc_id", pa.string(), "doc_id it would have had"),
        ("stage", pa.string(), "stage that failed: discover, load, normalise, clean, fields, outline, extract, write"),
        ("error", pa.string(), "what went wrong, in words a user can act on"),
    ],
}

SCHEMAS: dict[str, pa.Schema] = {
    table: pa.schema(
        [pa.field(name, dtype, metadata={"description": desc}) for name, dtype, desc in cols],
        metadata={"schema_version": SCHEMA_VERSION, "table": table},
    )
    for table, cols in COLUMNS.items()
}



def markdown() -> str:
    """The README's table of columns, generated from COLUMNS (a test keeps them equal)."""
    parts = []
    for table, columns in COLUMNS.items():
        parts.append(f"#### `{table}.parquet`\n\n| column | type | meaning |\n| --- | --- | --- |")
        parts.extend(f"| `{name}` | {dtype} | {desc} |" for name, dtype, desc in columns)
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
