"""What a search returns: the hits, best first, in their tiers, and a page of them with what
the search did to find them (glossary groups, typo corrections, meaning)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING

from artread.core.paging import page_count

if TYPE_CHECKING:
    from artread.core import glossary, spelling
    from artread.core.catalog import Entry
    from artread.core.semantic.hybrid import Meaning
    from artread.core.snippets import Snippet


class Tier(IntEnum):
    """Which articles come first, whatever their scores: the lower tier."""

    COMPLETE = 0  # holds every term (or the query is too long for tiers: by score alone)
    PARTIAL = 1  # holds some of the terms
    LITERAL = 2  # holds a query word only literally: segmented otherwise, or inside a word
    CORRECTED = 3  # holds a word only as the correction of a typo that other articles hold
    MEANING = 4  # holds none of the query's words: found by meaning alone


@dataclass(slots=True)
class Hit:
    """One article found by a search, its score, and why it was found."""

    entry: Entry
    score: float
    matched_all: bool  # holds every term of the query
    tier: Tier = Tier.COMPLETE
    snippet: Snippet | None = None
    matched: tuple[str, ...] = ("words",)  # the evidence: "words", "meaning" or both


@dataclass
class SearchResults:
    """One page of a search's results, and what the search did to find them."""

    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    complete: int = 0  # how many results hold every word of the query
    expansions: list[glossary.Expansion] = field(default_factory=list)  # glossary groups used
    corrections: list[spelling.Correction] = field(default_factory=list)  # typos corrected
    suggestion: str | None = None  # a query that would find more, when this one finds little
    meaning: Meaning | None = None  # how meaning was used; None when it was not

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    @property
    def by_meaning(self) -> int:
        """Results that hold none of the query's words, found by meaning alone."""
        return len(self.meaning.added) if self.meaning is not None else 0
