"""Turning a query into ranked, paginated results with snippets. Knows nothing of terminals."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import islice

from artread.core import analysis, filters, glossary, ranking, spelling, suggest
from artread.core.catalog import Entry
from artread.core.engine import queries, scoring
from artread.core.index import FIELD_BOOSTS, ArchiveIndex
from artread.core.paging import page_count, page_of
from artread.core.query import Filter, ParsedQuery, QueryError, date_range, parse
from artread.core.snippets import SNIPPET_CHARS, Snippet, highlight_needles, make_snippet

__all__ = ["Hit", "QueryError", "SearchResults", "Snippet", "rank", "search"]


@dataclass
class Ranking:
    hits: list[Hit]
    expansions: list[glossary.Expansion] = field(default_factory=list)
    corrections: list[spelling.Correction] = field(default_factory=list)


@dataclass
class Hit:
    entry: Entry
    score: float
    matched_all: bool  # holds every term of the query
    # 0 all terms, 1 some, 2 found only literally, 3 only through the correction of a word
    # that other articles hold as typed
    tier: int = 0
    snippet: Snippet | None = None


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    complete: int = 0  # how many results hold every word of the query
    expansions: list[glossary.Expansion] = field(default_factory=list)  # glossary groups used
    corrections: list[spelling.Correction] = field(default_factory=list)  # typos corrected
    suggestion: str | None = None  # a query that would find more, when this one finds little

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)


# How much a multi-term word written exactly as typed (梯度检查点, not 梯度 … 检查点) adds.
PHRASE_BONUS = 0.5
# Up to this many terms, articles holding them all come first; longer queries (questions) rank
# by score alone, so an article missing one common word can still lead.
TIER_UNITS = 3
# The best results are re-ranked by how much of the query one passage of PROXIMITY_WINDOW
# characters holds: the answer to a question has its words together. Measured with
# bench/eval_search.py (BENCHMARKS.md).
PROXIMITY = 2.0
PROXIMITY_WINDOW = 150
RERANK = 30
# The correction of a typo counts less than the word as typed, and than a glossary form.
CORRECTION_WEIGHT = 0.6


def search(
    index: ArchiveIndex,
    text: str,
    *,
    page: int = 1,
    per_page: int = 10,
    categories: Sequence[str] = (),
    tags: Sequence[str] = (),
    since: str | None = None,
    until: str | None = None,
    sort: str = "score",
) -> SearchResults:
    """Ranked results for a query, one page of them with snippets.

    Options narrow like the query's own filters (category:, tag:, date:).
    """
    parsed = parse(text)
    parsed.filters += [Filter("category", c) for c in categories if c.strip()]
    parsed.filters += [Filter("tag", t) for t in tags if t.strip()]
    if since:
        parsed.since = max(filter(None, (parsed.since, date_range(since)[0])))
    if until:
        parsed.until = min(filter(None, (parsed.until, date_range(until)[1])))
    if parsed.empty:
        raise QueryError(
            f'nothing to search for in {text!r}: give a word, a "quoted phrase" '
            "or a filter such as category:NAME"
        )
    ranking = rank_query(index, parsed, enough=page * per_page)
    ranked = ranking.hits
    if sort == "date":
        ranked.sort(key=lambda h: (-h.entry.sort_key, h.entry.path))
    hits = list(page_of(ranked, page, per_page))
    needles = highlight_needles(parsed, ranking.expansions, ranking.corrections)
    for hit in hits:
        if not needles:
            hit.snippet = Snippet(hit.entry.excerpt[:SNIPPET_CHARS])
            continue
        try:
            hit.snippet = make_snippet(index.read_text(hit.entry), needles)
        except (OSError, ValueError):
            hit.snippet = Snippet(hit.entry.excerpt[:SNIPPET_CHARS])
    complete = sum(1 for hit in ranked if hit.matched_all)
    results = SearchResults(text, len(ranked), page, per_page, hits, complete)
    results.expansions, results.corrections = ranking.expansions, ranking.corrections
    if len(ranked) < suggest.SUGGEST_BELOW and parsed.words:
        results.suggestion = suggest.suggest(index, text, parsed, len(ranked), rank)
    return results


@dataclass
class _Match:
    score: float = 0.0
    units: set[str] = field(default_factory=set)  # query units the article holds
    corrected: set[str] = field(default_factory=set)  # of those, held only as a correction
    literal: dict[str, int] = field(default_factory=dict)  # words held as typed: how often
    indexed: bool = False  # found through the index, not only literally


def rank(index: ArchiveIndex, parsed: ParsedQuery, *, enough: int | None = None) -> list[Hit]:
    """Every matching article, best first (rank_query() without what it used)."""
    return rank_query(index, parsed, enough=enough).hits


def rank_query(index: ArchiveIndex, parsed: ParsedQuery, *, enough: int | None = None) -> Ranking:
    """Every matching article, best first, and the glossary groups and corrections used.

    The literal fallback for a word (a scan of every article's text) is skipped when `enough`
    articles already hold its terms: what it finds would rank after them, past the page shown.

    Ranked by BM25F times the share of the query (by IDF) an article holds, with a bonus for a
    word written exactly as typed and, for the top results, for the query's words standing
    together in one passage. For up to TIER_UNITS terms, articles holding all of them come
    first. Two terms must both match if any article holds both; of more terms, at least half.
    Question words carry no weight. An article that holds a query word only literally
    (segmented differently, or inside a longer word) is still found, after the word matches.
    A word is also searched as the other forms of its glossary group, and an English word
    the index does not hold (or holds once) as the index's closest word; both weigh less than
    the word as typed, and a correction never ranks above an article holding the typed word
    as a word.
    Ties go to the newest.
    """
    allowed = filters.allowed_paths(index, parsed)
    words = [(w, analysis.query_units(w)) for w in parsed.words]
    meaningful = [(w, us) for w, us in words if not set(us) <= analysis.QUERY_FILLER]
    words = meaningful or words  # "为什么" alone is searched; beside other words it is filler
    units = list(dict.fromkeys(u for _w, us in words for u in us))
    typed = " ".join(w for w, _us in words)
    expansions: list[glossary.Expansion] = []
    if units:
        expansions = glossary.for_archive(index.root).expand(typed, units)
    corrections: list[spelling.Correction] = []
    store = index.literal()
    matches: dict[str, _Match] = {}
    with index.searcher() as searcher:
        weights = {u: ranking.term_idf(searcher, u) for u in units}
        if units:
            covered = {u for e in expansions for u in e.span}
            corrections = spelling.corrections(searcher, [u for u in units if u not in covered])
            corrections = [replace(c, asked=spelling.typed(typed, c.typed)) for c in corrections]
        # (query terms an article is credited with, the terms it must hold, each term's
        # weight, whether it is a correction): a form of N terms standing for M query terms
        # weighs M/N a term, so that it scores about as the query's own terms would.
        others = [
            (e.span, a.terms, ranking.GLOSSARY_WEIGHT * len(e.span) / len(a.terms), False)
            for e in expansions
            for a in e.alternatives
        ]
        others += [
            ((c.typed,), tuple(c.term.split()), CORRECTION_WEIGHT, True) for c in corrections
        ]
        corrected = {c.typed for c in corrections}
        if units:
            clauses = [((u,), 1.0) for u in units]
            clauses += [(terms, boost) for _s, terms, boost, _c in others]
            for document, score, found in scoring.matches(
                searcher, clauses, FIELD_BOOSTS, index.field_lengths
            ):
                path = index.path_of(searcher, document)
                if allowed is not None and path not in allowed:
                    continue
                match = _Match(score, {u for u in units if u in found}, indexed=True)
                for span, terms, _boost, is_correction in others:
                    if set(terms) <= found:
                        if is_correction:
                            match.corrected.update(set(span) - match.units)
                        match.units.update(span)
                matches[path] = match
        # A corrected word some article holds as a word: the articles that hold only its
        # correction come after those. (Held only inside a longer word, kafak in Kafaka, it
        # is most likely a typo: those articles come after the correction's.)
        held_as_typed = {
            u for u in corrected if any(u in m.units - m.corrected for m in matches.values())
        }
        for word, word_units in words:
            # The word as typed: exact occurrences, found even where segmentation differs.
            # Latin words are looked up where a word starts (GRU in GRUCell, not it in title),
            # anywhere only when nothing else was found.
            needed = set(word_units)
            held = sum(1 for m in matches.values() if needed <= m.units - m.corrected)
            if enough is not None and held >= enough:
                continue  # literal-only matches rank after these: none would be on the page
            latin = bool(matches) and not analysis.has_cjk(word)
            for path, count in store.find(word, word_start=latin).items():
                if allowed is not None and path not in allowed:
                    continue
                match = matches.setdefault(path, _Match())
                match.literal[word] = count
                match.units.update(word_units)
                match.corrected -= set(word_units)
        excluded = set()
        for word in parsed.excluded_words:
            word_units = analysis.query_units(word)
            if word_units:
                excluded |= queries.paths_holding(searcher, word_units, FIELD_BOOSTS)
            excluded.update(store.find(word, word_start=not analysis.has_cjk(word)))
    for phrase in parsed.excluded_phrases:
        excluded.update(store.find(phrase, as_written=True))
    if parsed.phrases:  # exactly the articles whose file holds the text, as grep finds them
        holding = [store.find(p, as_written=True) for p in parsed.phrases]
        both = set.intersection(*(set(h) for h in holding))
        if parsed.words:
            matches = {p: m for p, m in matches.items() if p in both}
        else:
            matches = {p: _Match(indexed=True) for p in both}
        for path, match in matches.items():
            count = sum(h[path] for h in holding)
            match.score += math.log1p(count)
            entry = index.catalog.article(path)
            title = analysis.normalize(entry.title if entry else "")
            match.score += sum(2.0 for p in parsed.phrases if analysis.normalize(p) in title)
    elif not parsed.words:  # filters alone: every article that passes them
        matches = {p: _Match(indexed=True) for p in allowed or ()}
    total_weight = sum(weights.values()) or 1.0
    # Every term of one or two, then at least half of them: loose words and questions still
    # find the articles that answer them, and a stray term alone does not. When no article
    # holds both of two terms, articles with one of them are better than nothing.
    required = math.ceil(len(units) / 2)
    if len(units) == 2 and any(set(units) <= m.units for m in matches.values()):
        required = 2
    multi = [w for w, us in words if len(us) > 1]
    hits = []
    for path, match in matches.items():
        entry = index.catalog.article(path)
        if path in excluded or entry is None:
            continue
        if allowed is not None and path not in allowed:
            continue
        held = match.units & set(units)
        if len(held) < required and match.indexed:
            continue
        share = sum(weights[u] for u in held) / total_weight
        score = match.score
        if not match.indexed:  # literal only: below every word match
            score = 0.01 * sum(math.log1p(count) for count in match.literal.values())
        score *= share if units else 1.0
        complete = not units or set(units) <= match.units
        tier = 2 if not match.indexed else 0 if complete or len(units) > TIER_UNITS else 1
        if match.corrected & held_as_typed:  # after every article holding the word as typed
            tier = 3
        hits.append(Hit(entry, score, complete, tier))
    hits.sort(key=lambda h: (h.tier, -h.score, -h.entry.sort_key, h.entry.path))
    if len(units) > 1:
        top = hits[:RERANK]
        typed_words = [analysis.normalize(w) for w in multi]
        needles = [(u, (u,)) for u in units]
        needles += [
            (analysis.normalize(a.form), e.span) for e in expansions for a in e.alternatives
        ]
        needles += [(t, (c.typed,)) for c in corrections for t in c.term.split()]
        for hit in top:
            text = store.decoded(hit.entry.path)
            exact = sum(1 for w in typed_words if w in text) / len(typed_words) if multi else 0.0
            hit.score *= 1 + PHRASE_BONUS * exact
            hit.score *= 1 + PROXIMITY * _proximity(text, needles, weights)
        top.sort(key=lambda h: (h.tier, -h.score, -h.entry.sort_key, h.entry.path))
        hits[:RERANK] = top
    return Ranking(hits, expansions, suggest.reported(corrections, hits, store))


def _proximity(
    text: str, needles: list[tuple[str, tuple[str, ...]]], weights: dict[str, float]
) -> float:
    """The largest share of the query (by IDF) found within one short passage of the text.

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
        while positions[left][0] < position - PROXIMITY_WINDOW:
            gone = positions[left][1]
            inside[gone] -= 1
            if not inside[gone]:
                held -= weights[gone]
            left += 1
        best = max(best, held / total)
        if held >= total - 1e-9:  # every term in one passage: it cannot get better
            break
    return best
