"""What a search tells the user about the query: did you mean (a query like the one typed
that finds more articles), and the corrections of typos it made, as the articles write them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from artread.core import analysis, english, glossary, spelling
from artread.core.index import ArchiveIndex
from artread.core.literal import LiteralStore
from artread.core.query import ParsedQuery, QueryError, parse
from artread.core.ranking import frequency

if TYPE_CHECKING:
    from artread.core.hits import Hit

__all__ = ["SUGGEST_BELOW", "reported", "suggest"]

_PART = re.compile(r"[^\W_]+")
# The results whose text shows how a corrected word is written.
REPORTED_FROM = 5


class Rank(Protocol):
    """Every article a query finds, best first (search.rank)."""

    def __call__(
        self, index: ArchiveIndex, parsed: ParsedQuery, *, enough: int | None = None
    ) -> list[Hit]: ...


# A query that finds fewer articles than this gets a did-you-mean line, if a better one exists.
SUGGEST_BELOW = 3


def suggest(
    index: ArchiveIndex, text: str, parsed: ParsedQuery, found: int, rank: Rank
) -> str | None:
    """A query like this one that finds more: each word the archive does not hold replaced
    by the nearest word of the index or of the glossary, or else left out. None when no such
    query finds more than `found` articles.

    Question words are never rewritten (how does is not hot dots), nor is an ordinary English
    word replaced by another (work is not word): such a word may only be left out.

    rank: how articles are ranked for a query (search.rank), to count what a query finds.
    """
    words = [w for w in parsed.words if not _filler(index.analyzer, w)]
    replaced = _replacements(index, words, rank)
    if not replaced:
        return None
    candidates = [_rewritten(text, replaced, drop=False), _rewritten(text, replaced, drop=True)]
    for candidate in dict.fromkeys(c for c in candidates if c and c != text):
        try:
            if len(rank(index, parse(candidate), enough=SUGGEST_BELOW)) > found:
                return candidate
        except QueryError:
            continue
    return None


def _replacements(index: ArchiveIndex, words: list[str], rank: Rank) -> dict[str, str | None]:
    """Each word the archive does not hold, and its replacement; None to leave it out."""
    forms = glossary.for_archive(index.root, index.cache_dir).forms()
    store = index.literal()
    plain = english.ordinary(p for w in words for p in _PART.findall(analysis.normalize(w)))
    replaced: dict[str, str | None] = {}
    with index.searcher() as searcher:
        vocabularies: dict[bool, list[str]] = {}
        for word in words:
            units = index.analyzer.query_units(word)
            if units and all(frequency(searcher, u) for u in units):
                continue
            latin = not analysis.has_cjk(word)
            typed = analysis.normalize(word)
            better = None
            if not (latin and set(_PART.findall(typed)) <= plain):
                if latin not in vocabularies:
                    vocabularies[latin] = index.vocabulary.words(searcher, latin=latin)
                    vocabularies[latin] += [f for f in forms if analysis.has_cjk(f) != latin]
                if latin:
                    typed = " ".join(analysis.stem(w) for w in typed.split())
                better = spelling.closest(
                    searcher, typed, vocabularies[latin], analyzer=index.analyzer
                )
            if better is not None and latin:  # the index holds stems: show a word
                hits = rank(index, parse(better), enough=3)[:3]
                texts = [store.decoded(h.entry.path) for h in hits]
                better = spelling.as_written(spelling.Correction(typed, better, better), texts).word
            if better is None and store.find(word):
                continue  # the archive holds it, if not as a word
            replaced[word] = better
    return replaced


def _filler(analyzer: analysis.Analyzer, word: str) -> bool:
    units, filler = analyzer.query_word(word)
    return filler and bool(units)  # punctuation is no question word


def _rewritten(text: str, replaced: dict[str, str | None], *, drop: bool) -> str:
    """text with words replaced; those without a replacement left out if drop."""
    words = text.split()
    out = []
    for word in words:
        if word in replaced:
            better = replaced[word]
            if better is None:
                if not drop:
                    out.append(word)
                continue
            out.append(better)
        else:
            out.append(word)
    return " ".join(out)


def reported(
    corrections: list[spelling.Correction], hits: Sequence[Hit], store: LiteralStore
) -> list[spelling.Correction]:
    """The corrections with their words as the best results write them (transform →
    transformer), to show the user."""
    if not corrections or not hits:
        return corrections
    texts = [store.decoded(hit.entry.path) for hit in hits[:REPORTED_FROM]]
    return [spelling.as_written(c, texts) for c in corrections]
