"""Ordinary English words: a plain word that a dictionary holds is not a typo.

A Chinese archive holds few English words, so `work` or `how` looks like a typo of the
archive's `word` or `hot`. A word of data/english-words.txt (SCOWL's common English words, as
a spell checker uses them) is never corrected, whether the archive holds it or not.

The list is read only when a correction is considered, once per call, and never kept: reading
it takes about a millisecond, and a membership test is a search of the text (no set of 60,000
strings to build, which would cost more than all the lookups of a query).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from artread.core import analysis

WORD_LIST = Path(__file__).resolve().parent / "data" / "english-words.txt"


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
