"""Typos: the index's closest words to a word it does not hold.

Works on an open Whoosh searcher, whose term lists are the vocabulary; edit distances come from
rapidfuzz (optimal string alignment: a swap of two letters is one edit, pytroch → pytorch).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from artread.core import analysis, english
from artread.core.ranking import frequency
from artread.core.vocabulary import LATIN_SHORTEST, Vocabulary

_PART = re.compile(r"[^\W_]+")
# An English word held by at most TYPO_RARE articles may be a typo: it is also searched as the
# closest word of the index held by at least TYPO_MIN_ARTICLES (and by more articles than it).
# Words shorter than TYPO_SHORTEST are left alone: gpu is not a typo of cpu.
TYPO_RARE = 1
TYPO_MIN_ARTICLES = 2
TYPO_SHORTEST = LATIN_SHORTEST + 1  # the vocabulary holds one letter less: a letter too many


@dataclass(frozen=True)
class Correction:
    """A query term the index does not hold, and the index's term taken to be meant."""

    typed: str  # the query's term (English words are stemmed: tranform)
    term: str  # the index's terms searched for instead, space-separated (transform)
    word: str  # that term as the articles write it (transformer), for display
    asked: str = ""  # the query's word as typed (tranformer), for display


def typo_distance(word: str) -> int:
    """How many edits a correction of this word may make: 1 for short words, 2 for long."""
    return 1 if len(word) <= 5 else 2


def corrections(
    searcher: Any, terms: Iterable[str], vocabulary: Vocabulary, *, query: str = ""
) -> list[Correction]:
    """For each English term the index does not hold (or holds in TYPO_RARE articles), the
    index's closest English term within typo_distance() edits, if one is held more often.

    A compound (self-atention, torch.utils.checkpiont) is corrected part by part; its
    correction is the corrected parts, all of which an article must hold. A word that is
    ordinary English (work, does) is no typo, however rarely the archive holds it: it is
    looked up as typed in query (works, not its stem work), or as the term without a query.
    """
    candidates = _candidates(searcher, terms, query)
    if not candidates:
        return []
    known = english.ordinary(word for _term, parts in candidates for _stem, word in parts)
    found = []
    words: list[str] = []
    for term, parts in candidates:
        fixed = []
        for part, word in parts:
            held = frequency(searcher, part)
            better = None
            if _correctable(part) and held <= TYPO_RARE and word not in known:
                words = words or vocabulary.words(searcher, latin=True)
                at_least = max(TYPO_MIN_ARTICLES, 2 * held + 1)
                better = closest(searcher, part, words, at_least=at_least)
            fixed.append(better or part)
        if fixed != [part for part, _word in parts]:
            joined = " ".join(fixed)
            found.append(Correction(term, joined, joined, term))
    return found


def _candidates(
    searcher: Any, terms: Iterable[str], query: str
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The terms that may hold a typo, each with its parts: (stem, the word as typed)."""
    found = []
    for term in terms:
        if not term.isascii() or frequency(searcher, term) > TYPO_RARE:
            continue
        stems = [analysis.stem(p) for p in _PART.findall(term)]
        if not any(_correctable(p) for p in stems):
            continue
        words = _PART.findall(typed(query, term) if query else term)
        if len(words) != len(stems):
            words = _PART.findall(term)
        found.append((term, list(zip(stems, words, strict=True))))
    return found


def _correctable(word: str) -> bool:
    """Long enough and with letters: gpu and 2024 are left alone."""
    return len(word) >= TYPO_SHORTEST and any(c.isalpha() for c in word)


def closest(
    searcher: Any,
    word: str,
    vocabulary: list[str],
    *,
    at_least: int = 1,
    analyzer: analysis.Analyzer | None = None,
) -> str | None:
    """The vocabulary's word nearest to word, held by at least `at_least` articles; None if
    none is within typo_distance(word). Fewest edits first, then the word that begins most
    like it (Jaro-Winkler), then the one most articles hold. A glossary form is looked up by
    its terms, segmented with analyzer (the archive's; None: no user dictionary).

    A two-character Chinese word is only matched by one of the same length (卷机 → 卷积).
    """
    from rapidfuzz import process
    from rapidfuzz.distance import OSA, JaroWinkler

    limit = typo_distance(word) if word.isascii() else 1
    best: tuple[tuple[int, float, int, str], str] | None = None
    for other, distance, _index in process.extract(
        word, vocabulary, scorer=OSA.distance, score_cutoff=limit, limit=None
    ):
        if other == word or (len(word) <= 2 and len(other) != len(word)):
            continue
        held = frequency(searcher, other)
        if not held and (" " in other or not other.isascii()):  # a glossary form: its terms
            units = (analyzer or analysis.Analyzer()).query_units(other)
            held = min((frequency(searcher, u) for u in units), default=0)
        if held < at_least:
            continue
        # Among equally near words, the one that begins like the typed word, then the commoner:
        # atent (atention) is attent, not agent.
        key = (int(distance), -round(JaroWinkler.similarity(word, other), 3), -held, other)
        if best is None or key < best[0]:
            best = (key, other)
    return None if best is None else best[1]


def typed(query: str, term: str) -> str:
    """The query's word that gave this term, as typed (tranformer for the term tranform)."""
    for token in analysis.tokens(analysis.normalize(query)):
        word = token.text
        if not token.cjk and term in (word, analysis.stem(word)):
            return word
    return term


def as_written(correction: Correction, texts: Iterable[str]) -> Correction:
    """The correction with its terms as the texts write them: transform → transformer."""
    texts = list(texts)
    words = [_written(term, texts) for term in correction.term.split()]
    return replace(correction, word=" ".join(words))


def _written(term: str, texts: list[str]) -> str:
    pattern = re.compile(rf"(?<![a-z]){re.escape(term)}[a-z]*")
    for text in texts:
        words = Counter(m.group() for m in islice(pattern.finditer(text), 200))
        for word, _count in words.most_common():
            if analysis.stem(word) == term:
                return word
    return term
