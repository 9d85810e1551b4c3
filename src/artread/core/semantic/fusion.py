"""How much meaning counts for a query (the gate), and the keyword and meaning rankings fused
into one by weighted reciprocal rank.

Reciprocal rank and not the scores themselves: BM25F and cosine are on scales that have nothing
in common, and ranks fuse without calibrating either. The gate follows what the query is: a
question, or words few articles hold, is about meaning; one keyword that articles hold is about
that word, and meaning counts little. Quoted text and exclusions stay exact.
"""

from __future__ import annotations

from typing import NamedTuple

# How fast a rank's weight falls off in reciprocal-rank fusion: the usual 60 for meaning, far
# less for the keyword ranking, whose order is the more precise of the two (it knows which
# articles hold the words, and where). So meaning reorders keyword results only where their
# scores are close, and its own finds join after them; with 60 for both, one keyword's best
# article fell behind articles nearer in meaning that merely mention it (bench/eval_search.py,
# BENCHMARKS.md).
RRF_K = 60
KEYWORD_K = 5
# Articles nearest in meaning that are fused; past these, meaning adds nothing.
NEAREST = 50
# At most this many articles that hold none of the query's words join the results, fewer the
# less meaning counts: each one is a guess, and the total shown should stay honest.
ADDED_MOST = 10
# Of those, only articles about as near as the nearest of all: e5's cosines of unrelated texts
# are high (0.7 to 0.8), so what is far below the best is most likely unrelated.
ADDED_WITHIN = 0.05


class Gate(NamedTuple):
    """How much meaning weighs in the fusion of one query, and why."""

    meaning: float  # the weight of the meaning ranking; the keyword ranking's is 1
    reason: str  # why, for `artread analyze`

    @property
    def added(self) -> int:
        """How many articles found only by meaning may join the results."""
        return round(ADDED_MOST * min(self.meaning, 1.0))


def gate(*, question: bool, units: int, exact: bool, complete: int) -> Gate:
    """How much meaning counts for a query.

    question: it has question words or a question mark; units: its terms, filler left out;
    exact: it has quoted text or exclusions; complete: articles holding every term.
    """
    if exact:
        return Gate(0.0, "quoted text and exclusions are matched exactly")
    if units == 0 and not question:
        return Gate(0.0, "filters only: nothing to compare meaning with")
    if question:
        return Gate(2.0, "a question: meaning counts twice as much as the words")
    if complete == 0:
        return Gate(1.0, "no article holds every word: meaning counts as much")
    if units >= 3:
        return Gate(0.7, "several words: meaning counts somewhat less than the words")
    if units == 2:
        return Gate(0.4, "two words: the words count most")
    return Gate(0.2, "one keyword that articles hold: meaning counts little")


def fuse(
    keyword: list[str], meaning: list[tuple[str, float]], weight: float, added: int
) -> list[str]:
    """Paths in fused order: every keyword result, and up to `added` of the meaning-only ones.

    keyword: paths, best first; meaning: (path, cosine), best first, cut at NEAREST.
    """
    scores: dict[str, float] = {}
    for rank, path in enumerate(keyword):
        scores[path] = 1.0 / (KEYWORD_K + rank + 1)
    joined = 0
    nearest = meaning[0][1] if meaning else 0.0
    for rank, (path, cosine) in enumerate(meaning[:NEAREST]):
        if path not in scores:
            if joined >= added or cosine < nearest - ADDED_WITHIN:
                continue
            joined += 1
            scores[path] = 0.0
        scores[path] += weight / (RRF_K + rank + 1)
    order = {path: rank for rank, path in enumerate(keyword)}
    return sorted(scores, key=lambda p: (-scores[p], order.get(p, len(order))))
