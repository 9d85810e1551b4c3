"""How much meaning counts for a query (the gate), and the keyword and meaning rankings fused
into one by weighted reciprocal rank.

Reciprocal rank and not the scores themselves: BM25F and cosine are on scales that have nothing
in common, and ranks fuse without calibrating either. The gate follows what the query is: a
question, or words few articles hold, is about meaning; one keyword that articles hold is about
that word, and meaning only breaks its ties. Quoted text and exclusions stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass

# The usual constant of reciprocal-rank fusion: how fast a rank's weight falls off.
RRF_K = 60
# Articles nearest in meaning that are fused; past these, meaning adds nothing.
NEAREST = 50
# At most this many articles that hold none of the query's words join the results, fewer the
# less meaning counts: each one is a guess, and the total shown should stay honest.
ADDED_MOST = 10


@dataclass(frozen=True, slots=True)
class Gate:
    meaning: float  # the weight of the meaning ranking; the keyword ranking's is 1
    reason: str  # why, for `artread analyze`

    @property
    def added(self) -> int:
        """How many articles found only by meaning may join the results."""
        return round(ADDED_MOST * self.meaning)


def gate(*, question: bool, units: int, exact: bool, complete: int, found: int) -> Gate:
    """How much meaning counts for a query.

    question: it has question words or a question mark; units: its terms, filler left out;
    exact: it has quoted text or exclusions; complete: articles holding every term;
    found: articles holding any.
    """
    if exact:
        return Gate(0.0, "quoted text and exclusions are matched exactly")
    if units == 0 and not question:
        return Gate(0.0, "filters only: nothing to compare meaning with")
    if question:
        return Gate(1.0, "a question: meaning counts as much as the words")
    if complete == 0 or found < 3:
        return Gate(1.0, "few articles hold the words: meaning counts as much")
    if units >= 3:
        return Gate(0.7, "several words: meaning counts somewhat less than the words")
    if units == 2:
        return Gate(0.4, "two words: the words count most")
    return Gate(0.2, "one keyword that articles hold: meaning only breaks ties")


def fuse(keyword: list[str], meaning: list[str], weight: float, added: int) -> list[str]:
    """Paths in fused order: every keyword result, and up to `added` of the meaning-only ones.

    Both lists are best first; the meaning list is cut at NEAREST.
    """
    scores: dict[str, float] = {}
    for rank, path in enumerate(keyword):
        scores[path] = 1.0 / (RRF_K + rank + 1)
    joined = 0
    for rank, path in enumerate(meaning[:NEAREST]):
        if path not in scores:
            if joined >= added:
                continue
            joined += 1
            scores[path] = 0.0
        scores[path] += weight / (RRF_K + rank + 1)
    order = {path: rank for rank, path in enumerate(keyword)}
    return sorted(scores, key=lambda p: (-scores[p], order.get(p, len(order))))
