"""Record extractors: one module per record kind, each a pure function of a Document.

``EXTRACTORS[kind](doc)`` returns that kind's records as dicts carrying the
columns of ``pipeline.schemas.COLUMNS[kind]`` minus ``doc_id``; char offsets
index ``doc.text``. Word lists and patterns live in ``extractors/data/``.

They run in this order over one shared Document, like spaCy components: a later
extractor may read an earlier one's records (deadlines skip the dates inside
the phases already found) instead of finding them again.
"""
from . import citations, deadlines, phases, targets, units

EXTRACTORS = {
    "units": units.extract,
    "targets": targets.extract,
    "phases": phases.extract,
    "deadlines": deadlines.extract,
    "citations": citations.extract,
}

__all__ = ["EXTRACTORS", "units", "targets", "deadlines", "phases", "citations"]
