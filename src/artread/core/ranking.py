"""What every ranking in artread weighs terms by: how many articles hold a term, how rare
that makes it, and how much a term found through the glossary counts."""

from __future__ import annotations

import math
from typing import Any

from artread.core.engine.fields import FIELD_BOOSTS

# Another form of a word's glossary group counts a little less than the word as typed.
GLOSSARY_WEIGHT = 0.8


def frequency(searcher: Any, term: str) -> int:
    """How many articles hold the term, in their title or body (the larger)."""
    return max(searcher.doc_frequency(name, term) for name in FIELD_BOOSTS)


def article_count(searcher: Any) -> int:
    """How many articles the searcher's index holds (at least 1, to divide by)."""
    return max(1, searcher.doc_count())


def idf(held: int, total: int) -> float:
    """How rare a term held by `held` of `total` articles is, as BM25 weighs it."""
    return math.log(1 + (total - held + 0.5) / (held + 0.5))


def term_idf(searcher: Any, term: str) -> float:
    """idf() of a term in the searcher's index."""
    return idf(frequency(searcher, term), article_count(searcher))
