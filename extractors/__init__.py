"""Record extractors: one module per record kind, each a pure function of a Document.

``EXTRACTORS[kind](doc)`` returns that kind's records as dicts carrying the
columns of ``pipeline.schemas.COLUMNS[kind]`` minus ``doc_id``; char offsets
index ``doc.text``. Word lists and patterns live in ``extractors/data/``.
"""
from . import citations, deadlines, phases, targets, units

EXTRACTORS = {
    "units": units.extract,
    "targets": targets.extract,
    "deadlines": deadlines.extract,
    "phases": phases.extract,
    "citations": citations.extract,
}

__all__ = ["EXTRACTORS", "units", "targets", "deadlines", "phases", "citations"]
