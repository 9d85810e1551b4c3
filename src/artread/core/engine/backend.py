"""Whoosh, imported once and lean: the modules of the engine take it from here.

The stand-ins (stand_ins.py) must be in place when Whoosh is first imported; importing
this module sees to it, so no other module needs to know.
"""

from __future__ import annotations

import artread.core.engine.stand_ins  # noqa: F401

# isort: split
from whoosh import analysis, fields, index, query, scoring, searching

__all__ = ["analysis", "fields", "index", "query", "scoring", "searching"]
