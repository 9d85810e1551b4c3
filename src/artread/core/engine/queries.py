"""The Whoosh queries the core runs besides BM25F scoring: which articles hold some terms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from artread.core.engine import match


def paths_holding(searcher: Any, terms: Sequence[str], fields: Iterable[str]) -> set[str]:
    """The paths of the articles that hold every one of the terms, each in any of the fields."""
    fields = list(fields)
    every = match.all_of(match.any_field(term, fields) for term in terms)
    return {hit["path"] for hit in searcher.search(every, limit=None)}
