"""The Whoosh queries the core runs besides BM25F scoring: which articles hold some terms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import artread.core.engine.stand_ins  # noqa: F401  (before Whoosh)


def paths_holding(searcher: Any, terms: Sequence[str], fields: Iterable[str]) -> set[str]:
    """The paths of the articles that hold every one of the terms, each in any of the fields."""
    from whoosh import query as Q

    fields = list(fields)
    every = Q.And([Q.Or([Q.Term(name, term) for name in fields]) for term in terms])
    return {hit["path"] for hit in searcher.search(every, limit=None)}
