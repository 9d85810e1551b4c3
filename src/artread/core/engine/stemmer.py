"""Whoosh's Porter stemmer, apart from the rest of Whoosh: the ingest workers stem with it."""

from __future__ import annotations

from whoosh.lang.porter import stem

__all__ = ["stem"]
