"""How close together a text holds a query's words: the answer to a question has them in one
passage (search.rerank)."""

from __future__ import annotations

import re
from itertools import islice


def best_share(
    text: str, needles: list[tuple[str, tuple[str, ...]]], weights: dict[str, float], window: int
) -> float:
    """The largest share of the query (by IDF) found within `window` characters of the text.

    needles: strings to look for, each with the query terms it stands for.
    """
    positions: list[tuple[int, str]] = []
    for needle, units in needles:
        found = re.finditer(re.escape(needle), text)
        positions.extend((m.start(), unit) for m in islice(found, 500) for unit in units)
    positions.sort()
    total = sum(weights.values()) or 1.0
    best = held = 0.0
    inside: dict[str, int] = {}
    left = 0
    for position, unit in positions:
        if not inside.get(unit):
            held += weights[unit]
        inside[unit] = inside.get(unit, 0) + 1
        while positions[left][0] < position - window:
            gone = positions[left][1]
            inside[gone] -= 1
            if not inside[gone]:
                held -= weights[gone]
            left += 1
        best = max(best, held / total)
        if held >= total - 1e-9:  # every term in one passage: it cannot get better
            break
    return best
