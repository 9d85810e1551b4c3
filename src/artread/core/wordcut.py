"""jieba's segmentation of a run of Chinese characters, HMM off, computed with fewer steps.

Indexing spends most of its time in jieba's cut: a dict of word ends for every character, then
a generator of (score, end) tuples per character. This walks the same dictionary (jieba's
in-memory FREQ, the user dictionary included) once, from the end of the run to its start,
scoring each word as it is found, and gives exactly jieba's words: the same floating-point
sums in the same order, ties going to the longer word as max() over (score, end) does.
Runs with a character outside the range jieba segments as one block go to jieba itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

# jieba's re_han_default without its Latin part (our runs hold Chinese characters only): a run
# within it is one block for jieba.
_BLOCK_FIRST, _BLOCK_LAST = "\u4e00", "\u9fd5"


def tokenize(tokenizer: Any, run: str, search_mode: bool) -> Iterator[tuple[str, int, int]]:
    """tokenizer.tokenize(run, mode="search" or "default", HMM=False), for an initialised
    jieba Tokenizer."""
    if not run or min(run) < _BLOCK_FIRST or max(run) > _BLOCK_LAST:
        yield from tokenizer.tokenize(run, mode="search" if search_mode else "default", HMM=False)
        return
    freq = tokenizer.FREQ
    start = 0
    for end in _word_ends(run, freq, math.log(tokenizer.total)):
        word = run[start:end]
        if search_mode and end - start > 2:
            yield from inner_words(word, start, freq.get)
        yield word, start, end
        start = end


def inner_words(
    word: str, start: int, frequency: Callable[[str], int | None]
) -> Iterator[tuple[str, int, int]]:
    """The dictionary words of two and three characters inside a longer word, as jieba's
    search mode adds them before the word: (word, start, end), start being the word's."""
    width = len(word)
    if width > 2:
        for i in range(width - 1):
            if frequency(word[i : i + 2]):
                yield word[i : i + 2], start + i, start + i + 2
    if width > 3:
        for i in range(width - 2):
            if frequency(word[i : i + 3]):
                yield word[i : i + 3], start + i, start + i + 3


def _word_ends(run: str, freq: dict[str, int], log_total: float) -> list[int]:
    """Where each word of jieba's most probable route through run ends, in order."""
    size = len(run)
    log = math.log
    score = [0.0] * (size + 1)
    best_end = [0] * size
    for first in range(size - 1, -1, -1):
        best: float | None = None
        end = first
        last = first
        fragment = run[first]
        # jieba's get_DAG: FREQ holds every word and every prefix of one (prefixes with 0).
        while last < size and fragment in freq:
            found = freq[fragment]
            if found:
                total = log(found) - log_total + score[last + 1]
                if best is None or total >= best:
                    best, end = total, last
            last += 1
            fragment = run[first : last + 1]
        if best is None:  # no word starts here: the character alone
            best = log(freq.get(run[first]) or 1) - log_total + score[first + 1]
        score[first] = best
        best_end[first] = end
    ends = []
    position = 0
    while position < size:
        position = best_end[position] + 1
        ends.append(position)
    return ends
