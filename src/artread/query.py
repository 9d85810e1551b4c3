"""Parsing what a user types into a search: words, quoted phrases and exclusions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PIECE = re.compile(r'(-?)"([^"]*)(?:"|$)|(\S+)')


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)  # free words, analysed into terms
    phrases: list[str] = field(default_factory=list)  # literal text, matched as written
    excluded_words: list[str] = field(default_factory=list)
    excluded_phrases: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.words or self.phrases)


def parse(text: str) -> ParsedQuery:
    """Split a query; never fails. An unbalanced quote runs to the end of the query."""
    parsed = ParsedQuery()
    for match in _PIECE.finditer(text):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if phrase is not None:
            phrase = " ".join(phrase.split())
            if phrase:
                (parsed.excluded_phrases if negated else parsed.phrases).append(phrase)
            continue
        if word.startswith("-") and len(word) > 1 and word.strip("-"):
            parsed.excluded_words.append(word.lstrip("-"))
        elif word.strip("-+|&!()*?~^:\"'"):
            parsed.words.append(word.lstrip("+"))
    return parsed
