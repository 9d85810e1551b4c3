"""Which articles a query's filters let through (title:, category:, tag: and date:), and which
its exclusions (-word, -"phrase") rule out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from artread.core import analysis
from artread.core.catalog import Entry
from artread.core.engine import queries
from artread.core.engine.fields import FIELD_BOOSTS
from artread.core.index import ArchiveIndex
from artread.core.literal import LiteralStore
from artread.core.query import Filter, ParsedQuery


def allowed_paths(index: ArchiveIndex, parsed: ParsedQuery) -> set[str] | None:
    """Paths that pass the title, category, tag and date filters, and are not drafts unless
    the query asks for them; None when every article passes."""
    if not (parsed.filters or parsed.since or parsed.until):
        return None if parsed.drafts else index.catalog.searched_paths()
    hidden = set() if parsed.drafts else index.catalog.drafts()
    titled: dict[str, set[str]] = {}
    for wanted in parsed.filters:
        if wanted.field == "title" and wanted.value not in titled:
            titled[wanted.value] = _title_matches(index, wanted.value)
    filters = parsed.filters
    values = [analysis.normalize(f.value) for f in filters]
    allowed = set()
    for entry in _articles(index):
        if entry.path in hidden:
            continue
        date = entry.date or ""
        if parsed.since and date < parsed.since:
            continue
        if parsed.until and (not date or date > parsed.until):
            continue
        if all(_passes(entry, f, values[i], titled) != f.negated for i, f in enumerate(filters)):
            allowed.add(entry.path)
    return allowed


def _passes(entry: Entry, wanted: Filter, value: str, titled: dict[str, set[str]]) -> bool:
    """value: the filter's value, normalised (once, not for every article)."""
    if wanted.field == "title":
        return entry.path in titled[wanted.value]
    names = [entry.category or ""] if wanted.field == "category" else entry.tags
    # The name or a part of it (category:java finds "Java 基础").
    return any(value in analysis.normalize(n) for n in names)


def _title_matches(index: ArchiveIndex, value: str) -> set[str]:
    """Articles whose title holds every term of value, or the text itself."""
    needle = analysis.normalize(value)
    found = {e.path for e in _articles(index) if needle in analysis.normalize(e.title)}
    units = index.analyzer.query_units(value)
    if units:
        with index.searcher() as searcher:
            found |= queries.paths_holding(searcher, units, ["title"])
    return found


def _articles(index: ArchiveIndex) -> Iterator[Entry]:
    """The indexed articles, in no particular order."""
    return (e for e in index.catalog.entries.values() if isinstance(e, Entry))


def excluded_paths(
    searcher: Any, store: LiteralStore, parsed: ParsedQuery, analyzer: analysis.Analyzer
) -> set[str]:
    """The articles holding an excluded word (as a term, or literally) or phrase."""
    excluded = set()
    for word in parsed.excluded_words:
        word_units = analyzer.query_units(word)
        if word_units:
            excluded |= queries.paths_holding(searcher, word_units, FIELD_BOOSTS)
        excluded.update(store.find(word, word_start=not analysis.has_cjk(word)))
    for phrase in parsed.excluded_phrases:
        excluded.update(store.find(phrase, as_written=True))
    return excluded
