"""Ordinary English words: a plain word that a dictionary holds is not a typo.

A Chinese archive holds few English words, so `work` or `how` looks like a typo of the
archive's `word` or `hot`. A word of data/english-words.txt (SCOWL's common English words, as
a spell checker uses them) is never corrected, whether the archive holds it or not.

The list is read only when a correction is considered, once per call, and never kept: reading
it takes about a millisecond, and a membership test is a search of the text (no set of 60,000
strings to build, which would cost more than all the lookups of a query).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from artread.core import analysis

WORD_LIST = Path(__file__).resolve().parent / "data" / "english-words.txt"
_PART = re.compile(r"[^\W_]+")


def ordinary(words: Iterable[str]) -> set[str]:
    """The words (as typed, any case) that are ordinary English: in the shipped word list, or
    question and function words (how, does, the). Without the list, only the latter."""
    wanted = {word.casefold() for word in words}
    found = wanted & analysis.ENGLISH_FILLER
    rest = [word for word in wanted - found if word.isascii() and word.isalpha()]
    if not rest:
        return found
    try:
        text = "\n" + WORD_LIST.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):  # a damaged install corrects more, and still works
        return found
    return found | {word for word in rest if f"\n{word}\n" in text}


def incidental(words: Sequence[tuple[str, Sequence[str], bool]], covered: set[str]) -> set[str]:
    """The terms of an English question to leave out, as its question words are: those of its
    ordinary English words that no glossary group covers (work, in how does dropout work).
    Articles in Chinese answer in Chinese: one that holds such a word holds it by chance, and
    the answer need not hold it. Empty for a query with no English question word, or when they
    would be all the terms left.

    words: the query's words as typed, each with its terms and whether it is a question word;
    covered: the terms that a glossary group stands for.
    """
    if not any(filler and not analysis.has_cjk(text) for text, _units, filler in words):
        return set()
    asked = [(text, units) for text, units, filler in words if not filler]
    parts = {text: _PART.findall(analysis.normalize(text)) for text, _units in asked}
    known = ordinary(part for found in parts.values() for part in found)
    needed: set[str] = set()
    optional: set[str] = set()
    for text, units in asked:
        plain = not analysis.has_cjk(text) and parts[text] and set(parts[text]) <= known
        (optional if plain and not covered & set(units) else needed).update(units)
    return optional - needed if needed else set()
