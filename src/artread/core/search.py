"""Turning a query into ranked, paginated results with snippets. Knows nothing of terminals.

A query is ranked in stages: plan (its words and terms, their weights, glossary forms and
corrections, the articles the filters allow), collect (the articles that hold its terms, through
the index or literally), narrow (phrases, exclusions, how many terms an article must hold),
score (BM25F times the share of the query held, in tiers) and re-rank (the best by how close
together they hold the query's words).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from artread.core import analysis, english, filters, glossary, ranking, spelling, suggest
from artread.core.catalog import Entry
from artread.core.engine import scoring
from artread.core.engine.fields import FIELD_BOOSTS
from artread.core.hits import Hit, SearchResults, Tier
from artread.core.index import ArchiveIndex
from artread.core.literal import LiteralStore, Stopped
from artread.core.paging import page_of
from artread.core.proximity import best_share
from artread.core.query import ParsedQuery, QueryError, parse_searched
from artread.core.snippets import SNIPPET_CHARS, Snippet, highlight_needles, make_snippet

if TYPE_CHECKING:
    from artread.core.semantic.ahead import Ahead
    from artread.core.semantic.hybrid import Meaning

__all__ = ["Hit", "QueryError", "SearchResults", "Snippet", "Tier", "rank", "search"]


@dataclass(repr=False, eq=False)
class Ranking:
    """Every matching article, best first, and the glossary forms and corrections used."""

    hits: list[Hit]
    expansions: list[glossary.Expansion] = field(default_factory=list)
    corrections: list[spelling.Correction] = field(default_factory=list)
    units: int = 0  # the terms searched, filler left out


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
    drafts: bool = False,
    mode: str = "auto",
    meaning_ahead: Ahead | None = None,
    wanted: Callable[[], bool] | None = None,
) -> SearchResults:
    """Ranked results for a query, one page of them with snippets.

    Options narrow like the query's own filters (category:, tag:, date:). mode: "lexical"
    ranks by the words alone; "semantic" by meaning alone; "auto" fuses the two when the index
    has vectors (artread[semantic]), weighing meaning by what the query is. meaning_ahead:
    semantic.ahead.start(index, parsed), started by a caller before it imported this module.
    wanted: asked now and then; once it is false, the search raises literal.Stopped (a
    reader's search overtaken by the next key typed).
    """
    parsed = parse_searched(
        text, categories=categories, tags=tags, since=since, until=until, drafts=drafts
    )
    fusing = mode == "semantic" or (mode == "auto" and index.has_vectors())
    if fusing and meaning_ahead is None:
        from artread.core.semantic import ahead

        meaning_ahead = ahead.start(index, parsed)  # meaning's side, on the other core meanwhile
    elif meaning_ahead is not None and not fusing:
        meaning_ahead.cancel()
    try:
        found = rank_query(index, parsed, enough=page * per_page, wanted=wanted)
    except Stopped:
        if meaning_ahead is not None:
            meaning_ahead.cancel()
        raise
    ranked = found.hits
    meaning = None
    if fusing:
        from artread.core.semantic import hybrid

        meaning = hybrid.apply(index, parsed, text, found, mode, meaning_ahead)
        ranked = found.hits
    if sort == "date":
        ranked.sort(key=lambda h: (-h.entry.sort_key, h.entry.path))
    hits = list(page_of(ranked, page, per_page))
    needles = highlight_needles(parsed, found.expansions, found.corrections, index.analyzer)
    _add_snippets(index, hits, needles, meaning, wanted)
    complete = sum(1 for hit in ranked if hit.matched_all)
    results = SearchResults(text, len(ranked), page, per_page, hits, complete, meaning=meaning)
    results.expansions, results.corrections = found.expansions, found.corrections
    if len(ranked) < suggest.SUGGEST_BELOW and parsed.words:
        ranked_here = partial(rank, wanted=wanted)  # the suggestion's searches: given up too
        results.suggestion = suggest.suggest(index, text, parsed, len(ranked), ranked_here)
    return results


def _add_snippets(
    index: ArchiveIndex,
    hits: list[Hit],
    needles: list[str],
    meaning: Meaning | None,
    wanted: Callable[[], bool] | None,
) -> None:
    if meaning is not None:  # the passages of those found by meaning alone, read at once
        by_meaning = [hit for hit in hits if hit.tier == Tier.MEANING]
        snippets = meaning.snippets(index, [hit.entry for hit in by_meaning])
        for hit, snippet in zip(by_meaning, snippets, strict=True):
            hit.snippet = snippet
    for hit in hits:
        if wanted is not None and not wanted():
            raise Stopped
        if hit.tier != Tier.MEANING or meaning is None:
            hit.snippet = _snippet(index, hit.entry, needles)


def _snippet(index: ArchiveIndex, entry: Entry, needles: list[str]) -> Snippet:
    """The passages of the article that hold the needles; its excerpt if there are none."""
    if needles:
        try:
            return make_snippet(index.read_text(entry), needles)
        except (OSError, ValueError):
            pass
    return Snippet(entry.excerpt[:SNIPPET_CHARS])


def rank(
    index: ArchiveIndex,
    parsed: ParsedQuery,
    *,
    enough: int | None = None,
    wanted: Callable[[], bool] | None = None,
) -> list[Hit]:
    """Every matching article, best first (rank_query() without what it used)."""
    return rank_query(index, parsed, enough=enough, wanted=wanted).hits


def rank_query(
    index: ArchiveIndex,
    parsed: ParsedQuery,
    *,
    enough: int | None = None,
    wanted: Callable[[], bool] | None = None,
) -> Ranking:
    """Every matching article, best first, and the glossary groups and corrections used.

    The literal fallback for a word (a scan of every article's text) is skipped when `enough`
    articles already hold its terms: what it finds would rank after them, past the page shown.

    Ranked by BM25F times the share of the query (by IDF) an article holds, with a bonus for a
    word written exactly as typed and, for the top results, for the query's words standing
    together in one passage. For up to TIER_UNITS terms, articles holding all of them come
    first. Two terms must both match if any article holds both; of more terms, at least half.
    Question words carry no weight, nor, in an English question, ordinary English words that
    no glossary group covers (work in how does dropout work). An article that
    holds a query word only literally (segmented differently, or inside a longer word) is still
    found, after the word matches.
    A word is also searched as the other forms of its glossary group, and an English word
    the index does not hold (or holds once) as the index's closest word; both weigh less than
    the word as typed, and a correction never ranks above an article holding the typed word
    as a word.
    Ties go to the newest. wanted: as search()'s.
    """
    store = index.literal()
    if wanted is not None:
        store = store.stopping(wanted)
    with index.searcher() as searcher:
        planned = plan(index, searcher, parsed)
        found = collect(index, searcher, store, planned, enough)
        candidates = narrow(index, searcher, store, parsed, planned, found)
    hits = score(planned, found, candidates)
    rerank(hits, planned, store)
    corrections = suggest.reported(planned.corrections, hits, store)
    return Ranking(hits, planned.expansions, corrections, len(planned.units))


# --- plan: what to look for ------------------------------------------------------------------
# The records of the stages below are plain dataclasses: each of frozen, slots, eq and repr
# makes Python generate more code when the module is imported, on every command, for records
# that never leave this module's functions.


@dataclass(repr=False, eq=False)
class Word:
    """A word of the query as typed, and the terms it is searched as."""

    text: str
    units: tuple[str, ...]
    filler: bool = False  # made only of question words and filler (如何, how, does)


@dataclass(repr=False, eq=False)
class Variant:
    """Another way to write some of the query's terms: a glossary form, or a correction."""

    stands_for: tuple[str, ...]  # the query terms an article holding it is credited with
    terms: tuple[str, ...]  # the index terms an article must hold, all of them
    boost: float  # each term's weight: N terms standing for M query terms weigh M/N a term
    correction: bool


@dataclass(repr=False, eq=False)
class Plan:
    """What a search looks for: the query's terms, their weights, and the other forms."""

    words: list[Word]  # question words (english.incidental too) left out, unless all there is
    units: list[str]  # the words' terms, each once
    weights: dict[str, float]  # each term's IDF
    expansions: list[glossary.Expansion]
    corrections: list[spelling.Correction]
    variants: list[Variant]
    allowed: set[str] | None  # the paths the filters let through; None when there are none


def plan(index: ArchiveIndex, searcher: Any, parsed: ParsedQuery) -> Plan:
    """The query's words and terms, their weights, the glossary forms and corrections to
    search as well, and the articles the filters allow."""
    allowed = filters.allowed_paths(index, parsed)
    every = [Word(w, *index.analyzer.query_word(w)) for w in parsed.words]
    # "为什么" alone is searched; beside other words it is filler
    words = [w for w in every if not w.filler] or every
    units = list(dict.fromkeys(u for w in words for u in w.units))
    typed = " ".join(w.text for w in words)
    expansions: list[glossary.Expansion] = []
    corrections: list[spelling.Correction] = []
    if units:
        found = glossary.for_archive(index.root, index.cache_dir)
        expansions = found.expand(typed, units, index.analyzer)
        covered = {u for e in expansions for u in e.span}
        uncovered = [u for u in units if u not in covered]
        corrections = spelling.corrections(searcher, uncovered, index.vocabulary, query=typed)
        corrections = [replace(c, asked=spelling.typed(typed, c.typed)) for c in corrections]
        left_out = english.incidental([(w.text, w.units, w.filler) for w in every], covered)
        words = [w for w in words if not set(w.units) <= left_out]
        units = [u for u in units if u not in left_out]
    weights = {u: ranking.term_idf(searcher, u) for u in units}
    variants = [
        Variant(e.span, a.terms, ranking.GLOSSARY_WEIGHT * len(e.span) / len(a.terms), False)
        for e in expansions
        for a in e.alternatives
    ]
    variants += [
        Variant((c.typed,), tuple(c.term.split()), CORRECTION_WEIGHT, True) for c in corrections
    ]
    return Plan(words, units, weights, expansions, corrections, variants, allowed)


# --- collect: the articles that hold the query's terms -----------------------------------------


@dataclass(repr=False, eq=False)
class Match:
    """What one article holds of the query, as it is collected."""

    score: float = 0.0
    units: set[str] = field(default_factory=set)  # query units the article holds
    corrected: set[str] = field(default_factory=set)  # of those, held only as a correction
    literal: dict[str, int] = field(default_factory=dict)  # words held as typed: how often
    indexed: bool = False  # found through the index, not only literally


@dataclass(repr=False, eq=False)
class Found:
    """The articles that hold the query's terms, before they are narrowed."""

    matches: dict[str, Match]  # by path
    # Corrected terms some article holds as typed: articles holding only the correction
    # rank after those.
    held_as_typed: set[str]


def collect(
    index: ArchiveIndex, searcher: Any, store: LiteralStore, planned: Plan, enough: int | None
) -> Found:
    """The articles that hold the query's terms through the index, then those that hold a
    word as typed (found even where segmentation differs), unless `enough` hold its terms."""
    matches = _indexed(index, searcher, planned)
    # A word held only inside a longer word (kafak in Kafaka) is most likely a typo: those
    # articles come after the correction's, so literal matches do not count here.
    corrected = {c.typed for c in planned.corrections}
    held_as_typed = {
        u for u in corrected if any(u in m.units - m.corrected for m in matches.values())
    }
    _add_literal(store, planned, matches, enough)
    return Found(matches, held_as_typed)


def _indexed(index: ArchiveIndex, searcher: Any, planned: Plan) -> dict[str, Match]:
    """BM25F matches of the terms and their variants, with what each article holds."""
    matches: dict[str, Match] = {}
    if not planned.units:
        return matches
    clauses = [((u,), 1.0) for u in planned.units]
    clauses += [(v.terms, v.boost) for v in planned.variants]
    allowed = planned.allowed
    for document, bm25f, found in scoring.matches(
        searcher, clauses, FIELD_BOOSTS, index.field_lengths
    ):
        path = index.path_of(searcher, document)
        if allowed is not None and path not in allowed:
            continue
        match = Match(bm25f, {u for u in planned.units if u in found}, indexed=True)
        for variant in planned.variants:
            if set(variant.terms) <= found:
                if variant.correction:
                    match.corrected.update(set(variant.stands_for) - match.units)
                match.units.update(variant.stands_for)
        matches[path] = match
    return matches


def _add_literal(
    store: LiteralStore, planned: Plan, matches: dict[str, Match], enough: int | None
) -> None:
    """Each word's exact occurrences. Latin words are looked up where a word starts (GRU in
    GRUCell, not it in title), anywhere only when nothing else was found."""
    for word in planned.words:
        needed = set(word.units)
        held = sum(1 for m in matches.values() if needed <= m.units - m.corrected)
        if enough is not None and held >= enough:
            continue  # literal-only matches rank after these: none would be on the page
        latin = bool(matches) and not analysis.has_cjk(word.text)
        for path, count in store.find(word.text, word_start=latin).items():
            if planned.allowed is not None and path not in planned.allowed:
                continue
            match = matches.setdefault(path, Match())
            match.literal[word.text] = count
            match.units.update(word.units)
            match.corrected -= needed


# --- narrow: phrases, exclusions, filters and the terms an article must hold -----------------


@dataclass(repr=False, eq=False)
class Candidate:
    """An article that passed the query's phrases, exclusions and filters."""

    entry: Entry
    match: Match
    held: set[str]  # the query's terms it holds


def narrow(
    index: ArchiveIndex,
    searcher: Any,
    store: LiteralStore,
    parsed: ParsedQuery,
    planned: Plan,
    found: Found,
) -> list[Candidate]:
    """The articles that hold every phrase, none of the excluded words and phrases, pass the
    filters, and hold enough of the terms: every term of one or two, then at least half."""
    matches = _with_phrases(index, store, parsed, found.matches, planned.allowed)
    excluded = filters.excluded_paths(searcher, store, parsed, index.analyzer)
    units = planned.units
    # Loose words and questions still find the articles that answer them, and a stray term
    # alone does not. When no article holds both of two terms, one of them is enough.
    required = math.ceil(len(units) / 2)
    if len(units) == 2 and any(set(units) <= m.units for m in matches.values()):
        required = 2
    candidates = []
    for path, match in matches.items():
        entry = index.catalog.article(path)
        if path in excluded or entry is None:
            continue
        if planned.allowed is not None and path not in planned.allowed:
            continue
        held = match.units & set(units)
        if len(held) < required and match.indexed:
            continue
        candidates.append(Candidate(entry, match, held))
    return candidates


def _with_phrases(
    index: ArchiveIndex,
    store: LiteralStore,
    parsed: ParsedQuery,
    matches: dict[str, Match],
    allowed: set[str] | None,
) -> dict[str, Match]:
    """The matches that hold every phrase, scored for them; with neither words nor phrases,
    every article that passes the filters."""
    if not parsed.phrases:
        if parsed.words:
            return matches
        return {p: Match(indexed=True) for p in allowed or ()}
    # Exactly the articles whose file holds the text, as grep finds them.
    holding = [store.find(p, as_written=True) for p in parsed.phrases]
    both = set.intersection(*(set(h) for h in holding))
    if parsed.words:
        matches = {p: m for p, m in matches.items() if p in both}
    else:
        matches = {p: Match(indexed=True) for p in both}
    for path, match in matches.items():
        count = sum(h[path] for h in holding)
        match.score += math.log1p(count)
        entry = index.catalog.article(path)
        title = analysis.normalize(entry.title if entry else "")
        match.score += sum(2.0 for p in parsed.phrases if analysis.normalize(p) in title)
    return matches


# --- score and re-rank --------------------------------------------------------------------------


def score(planned: Plan, found: Found, candidates: list[Candidate]) -> list[Hit]:
    """The candidates as hits, best first: by tier, then BM25F times the share of the query
    (by IDF) held; an article found only literally scores below every word match."""
    units = planned.units
    total_weight = sum(planned.weights.values()) or 1.0
    hits = []
    for candidate in candidates:
        match = candidate.match
        share = sum(planned.weights[u] for u in candidate.held) / total_weight
        value = match.score
        if not match.indexed:
            value = 0.01 * sum(math.log1p(count) for count in match.literal.values())
        value *= share if units else 1.0
        complete = not units or set(units) <= match.units
        tier = _tier(match, complete, len(units), found.held_as_typed)
        hits.append(Hit(candidate.entry, value, complete, tier))
    hits.sort(key=_order)
    return hits


def _tier(match: Match, complete: bool, units: int, held_as_typed: set[str]) -> Tier:
    if match.corrected & held_as_typed:  # after every article holding the word as typed
        return Tier.CORRECTED
    if not match.indexed:
        return Tier.LITERAL
    if complete or units > TIER_UNITS:
        return Tier.COMPLETE
    return Tier.PARTIAL


def _order(hit: Hit) -> tuple:
    """Tier, then score, then the newest; the path breaks what ties remain."""
    return (hit.tier, -hit.score, -hit.entry.sort_key, hit.entry.path)


def rerank(hits: list[Hit], planned: Plan, store: LiteralStore) -> None:
    """Re-rank the best RERANK hits, in place, by a bonus for each multi-term word written
    as typed and for the share of the query found in one short passage."""
    units = planned.units
    if len(units) <= 1:
        return
    top = hits[:RERANK]
    multi = [analysis.normalize(w.text) for w in planned.words if len(w.units) > 1]
    needles = [(u, (u,)) for u in units]
    needles += [
        (analysis.normalize(a.form), e.span) for e in planned.expansions for a in e.alternatives
    ]
    needles += [(t, (c.typed,)) for c in planned.corrections for t in c.term.split()]
    for hit in top:
        text = store.decoded(hit.entry.path)
        exact = sum(1 for w in multi if w in text) / len(multi) if multi else 0.0
        hit.score *= 1 + PHRASE_BONUS * exact
        hit.score *= 1 + PROXIMITY * best_share(text, needles, planned.weights, PROXIMITY_WINDOW)
    top.sort(key=_order)
    hits[:RERANK] = top
