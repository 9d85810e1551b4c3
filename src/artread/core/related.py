"""Articles like a given one: more-like-this over its key terms, glossary forms included.

The key terms come from what the article says it is about (title, headings, tags, category),
segmented with the query lexicon (no jieba load), each weighed by how often the article uses
it and how rare it is in the archive. Reading the whole body through the analyzer would cost a
second for a long article; its headings say what it covers.
"""

from __future__ import annotations

import math
from typing import Any

from artread.core import analysis, glossary, plaintext, ranking
from artread.core.catalog import Entry
from artread.core.engine import match
from artread.core.engine.fields import TITLE_AND_BODY
from artread.core.index import ArchiveIndex

RELATED = 5  # articles listed
KEY_TERMS = 12  # terms searched for
COMMON_SHARE = 0.1  # key terms held by more of the archive than this are left out...
COMMON_AT_LEAST = 5  # ...but always those held by up to this many articles are kept


def key_terms(index: ArchiveIndex, entry: Entry, body: str, searcher: Any) -> dict[str, float]:
    """The article's most telling terms, with their weights (occurrences times IDF)."""
    about = [entry.title, *plaintext.headings(body)]
    about += [entry.category or "", *entry.tags]
    units = index.analyzer.query_units("\n".join(about))
    text = index.literal().decoded(entry.path)
    total = ranking.article_count(searcher)
    # A term in more than a tenth of the archive (计算, 小结) says little about what an
    # article is about, and its long posting list is most of the search's time.
    common = max(COMMON_SHARE * total, COMMON_AT_LEAST)
    weights: dict[str, float] = {}
    for unit in units:
        if unit in analysis.QUERY_FILLER or len(unit) < 2:
            continue
        held = ranking.frequency(searcher, unit)
        if held < 2 or held > common:  # nothing to relate to, or nearly everything
            continue
        idf = ranking.idf(held, total)
        weights[unit] = math.log1p(text.count(unit)) * idf + idf
    best = sorted(weights.items(), key=lambda item: -item[1])[:KEY_TERMS]
    return dict(best)


def related(
    index: ArchiveIndex, entry: Entry, body: str, limit: int = RELATED, *, by_meaning: bool = True
) -> list[Entry]:
    """Up to `limit` catalog entries of the articles most like this one, best first; by_meaning:
    fused with the nearest in meaning when the index has vectors."""
    with index.searcher() as searcher:
        terms = key_terms(index, entry, body, searcher)
        found = _by_terms(index, searcher, entry, terms, limit) if terms else []
    if by_meaning and index.has_vectors() and index.meaning.present():
        found = _with_meaning(index, entry, found, limit)
    return found[:limit]


def _by_terms(
    index: ArchiveIndex, searcher: Any, entry: Entry, terms: dict[str, float], limit: int
) -> list[Entry]:
    """More like this: the articles that hold most of its key terms (and their glossary forms)."""
    current = index.catalog
    top = max(terms.values())
    alternatives: list[Any] = []
    words = list(terms)
    groups = glossary.for_archive(index.root, index.cache_dir)
    for expansion in groups.expand(" ".join(words), words, index.analyzer):
        weight = max(terms[u] for u in expansion.span) / top * ranking.GLOSSARY_WEIGHT
        for alternative in expansion.alternatives:
            alternatives.append(match.all_of(_any_field(t, weight) for t in alternative.terms))
    query = match.any_of([_any_field(t, w / top) for t, w in terms.items()] + alternatives)
    found = []
    for hit in searcher.search(query, limit=limit + 1 + len(current.drafts())):
        other = current.article(hit["path"])
        if other is not None and other.path != entry.path and not other.draft:
            found.append(other)
    return found


def _with_meaning(index: ArchiveIndex, entry: Entry, found: list[Entry], limit: int) -> list[Entry]:
    """The related articles by terms fused with those nearest in meaning: meaning is what
    "related" means, and it finds articles that share no rare term."""
    from artread.core.semantic import fusion

    near = index.meaning.neighbours(entry.path, limit * 2)
    order = fusion.fuse([e.path for e in found], near, 1.0, limit)
    current = index.catalog
    fused = [current.article(path) for path in order]
    return [e for e in fused if e is not None and not e.draft]


def _any_field(term: str, boost: float) -> Any:
    # Title and body only: the headings and tags are where the key terms came from, and
    # searching four fields doubles the time.
    return match.any_field(term, TITLE_AND_BODY, boost)
