"""Turning a query into ranked, paginated results with snippets. Knows nothing of terminals."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import islice

import artread.core.engine.stand_ins  # noqa: F401  (before Whoosh: rank() imports it)
from artread.core import analysis, glossary, plaintext, ranking, spelling
from artread.core.archive import body_of
from artread.core.catalog import Entry
from artread.core.engine import scoring
from artread.core.index import FIELD_BOOSTS, ArchiveIndex
from artread.core.paging import page_count, page_of
from artread.core.query import Filter, ParsedQuery, QueryError, date_range, parse

__all__ = ["Hit", "QueryError", "SearchResults", "Snippet", "rank", "search"]

SNIPPET_CHARS = 120
FRAGMENT_CHARS = 2000  # a long article is turned into plain text only this far around the match
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")


@dataclass
class Ranking:
    hits: list[Hit]
    expansions: list[glossary.Expansion] = field(default_factory=list)
    corrections: list[spelling.Correction] = field(default_factory=list)


@dataclass
class Snippet:
    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans in text
    truncated_start: bool = False
    truncated_end: bool = False


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
    needles = highlight_needles(parsed, ranking)
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
    if len(ranked) < SUGGEST_BELOW and parsed.words:
        results.suggestion = suggest(index, text, parsed, len(ranked))
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
    from whoosh import query as Q

    allowed = _filtered(index, parsed)
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
                query = Q.And([_any_field(Q, u) for u in word_units])
                excluded.update(hit["path"] for hit in searcher.search(query, limit=None))
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
    if corrections and hits:
        texts = [store.decoded(hit.entry.path) for hit in hits[:5]]
        corrections = [spelling.as_written(c, texts) for c in corrections]
    return Ranking(hits, expansions, corrections)


# A query that finds fewer articles than this gets a did-you-mean line, if a better one exists.
SUGGEST_BELOW = 3


def suggest(index: ArchiveIndex, text: str, parsed: ParsedQuery, found: int) -> str | None:
    """A query like this one that finds more: each word the archive does not hold replaced
    by the nearest word of the index or of the glossary, or else left out. None when no such
    query finds more than `found` articles."""
    forms = glossary.for_archive(index.root).forms()
    store = index.literal()
    replaced: dict[str, str | None] = {}  # word -> its replacement, None to leave it out
    with index.searcher() as searcher:
        vocabularies: dict[bool, list[str]] = {}
        for word in parsed.words:
            units = analysis.query_units(word)
            if units and all(ranking.frequency(searcher, u) for u in units):
                continue
            latin = not analysis.has_cjk(word)
            if latin not in vocabularies:
                vocabularies[latin] = spelling.index_terms(searcher, latin=latin)
                vocabularies[latin] += [f for f in forms if analysis.has_cjk(f) != latin]
            typed = analysis.normalize(word)
            if latin:
                typed = " ".join(analysis.stem(w) for w in typed.split())
            better = spelling.closest(searcher, typed, vocabularies[latin])
            if better is not None and latin:  # the index holds stems: show a word
                hits = rank(index, parse(better), enough=3)[:3]
                texts = [store.decoded(h.entry.path) for h in hits]
                better = spelling.as_written(spelling.Correction(typed, better, better), texts).word
            if better is None and store.find(word):
                continue  # the archive holds it, if not as a word
            replaced[word] = better
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


def _any_field(Q, term: str, boost: float = 1.0):
    return Q.Or([Q.Term(name, term, boost=boost) for name in FIELD_BOOSTS])


def _filtered(index: ArchiveIndex, parsed: ParsedQuery) -> set[str] | None:
    """Paths that pass the title, category, tag and date filters; None when there are none."""
    if not (parsed.filters or parsed.since or parsed.until):
        return None
    titled: dict[str, set[str]] = {}
    for wanted in parsed.filters:
        if wanted.field == "title" and wanted.value not in titled:
            titled[wanted.value] = _title_matches(index, wanted.value)
    filters = parsed.filters
    values = [analysis.normalize(f.value) for f in filters]
    allowed = set()
    for path, entry in index.catalog.entries.items():
        if not isinstance(entry, Entry):
            continue
        date = entry.date or ""
        if parsed.since and date < parsed.since:
            continue
        if parsed.until and (not date or date > parsed.until):
            continue
        if all(_passes(entry, f, values[i], titled) != f.negated for i, f in enumerate(filters)):
            allowed.add(path)
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
    from whoosh import query as Q

    found = set()
    needle = analysis.normalize(value)
    for path, entry in index.catalog.entries.items():
        if isinstance(entry, Entry) and needle in analysis.normalize(entry.title):
            found.add(path)
    units = analysis.query_units(value)
    if units:
        with index.searcher() as searcher:
            query = Q.And([Q.Term("title", u) for u in units])
            found.update(hit["path"] for hit in searcher.search(query, limit=None))
    return found


def highlight_needles(parsed: ParsedQuery, ranking: Ranking | None = None) -> list[str]:
    """Normalised strings to highlight: each word whole, its terms, each phrase, and the
    glossary forms and corrections the ranking used."""
    needles: list[str] = []
    for word in parsed.words:
        needles.append(analysis.normalize(word))
        needles.extend(analysis.query_units(word))
    needles.extend(analysis.normalize(p) for p in parsed.phrases)
    if ranking is not None:
        for expansion in ranking.expansions:
            for alternative in expansion.alternatives:
                needles.append(analysis.normalize(alternative.form))
                needles.extend(alternative.terms)
        needles.extend(t for c in ranking.corrections for t in c.term.split())
    return [n for n in dict.fromkeys(needles) if n.strip()]


def make_snippet(source: str, needles: list[str], limit: int = SNIPPET_CHARS) -> Snippet:
    """The one or two passages with the most query words, highlights on the original text.

    A second passage is added when the best one misses a query word that occurs elsewhere.
    Passages start and end at sentence punctuation where that is near.
    """
    body, cut_before, cut_after = _fragment(body_of(source), needles)
    snippet = _snippet_of(
        " ".join(plaintext.to_plain(body, keep_code=True).split("\n")), needles, limit
    )
    snippet.truncated_start |= cut_before
    snippet.truncated_end |= cut_after
    return snippet


def _snippet_of(plain: str, needles: list[str], limit: int) -> Snippet:
    spans = _find_needles(plain, needles)
    if not spans:
        return Snippet(plain[:limit], [], False, len(plain) > limit)
    first = _best_window(plain, spans, limit)
    missing = {label for s, e, label in spans} - _labels_in(spans, first)
    rest = [span for span in spans if span[2] in missing and not _inside(span, first)]
    if not rest:
        return _passage_snippet(plain, spans, [first])
    share = limit * 11 // 20
    first = _best_window(plain, spans, share)
    second = _best_window(plain, rest, limit - share)
    windows = sorted([first, second])
    if windows[0][1] >= windows[1][0]:  # they touch: one passage
        windows = [(windows[0][0], max(windows[0][1], windows[1][1]))]
    return _passage_snippet(plain, spans, windows)


def _fragment(body: str, needles: list[str]) -> tuple[str, bool, bool]:
    """The part of a long body around its densest matches, whole paragraphs, so that only
    that part is turned into plain text. Returns it and whether text was cut before or after.
    """
    if len(body) <= 2 * FRAGMENT_CHARS:
        return body, False, False
    spans = _find_needles(body, needles)
    if not spans:
        return body[: 2 * FRAGMENT_CHARS], False, True
    center = _best_window(body, spans, SNIPPET_CHARS)[0]
    start = max(0, center - FRAGMENT_CHARS)
    end = min(len(body), center + FRAGMENT_CHARS)
    if start:
        paragraph = body.rfind("\n\n", 0, start)
        start = paragraph + 2 if paragraph != -1 else 0
        if body.count("```", 0, start) % 2:  # inside a code fence: start at the fence
            start = body.rfind("```", 0, start)
    paragraph = body.find("\n\n", end)
    end = paragraph if paragraph != -1 else len(body)
    return body[start:end], start > 0, end < len(body)


_Span = tuple[int, int, str]  # start, end in the plain text; what it matched


def _find_needles(plain: str, needles: list[str]) -> list[_Span]:
    normalized, origin = _normalize_with_map(plain)
    spans: list[_Span] = []
    stems = {analysis.stem(n) for n in needles if n.isascii() and n.isalpha()}
    for needle in needles:
        if needle.isascii() and needle.isalpha():
            continue
        # A Latin term matches whole words only: R is not the r in "random".
        pattern = re.escape(needle)
        if needle[0].isascii() and needle[0].isalnum():
            pattern = rf"(?<![a-z0-9]){pattern}(?![a-z0-9])"
        for found in re.finditer(pattern, normalized):
            start, end = found.span()
            spans.append((origin[start], origin[end - 1] + 1, needle))
    if stems:  # English words by stem: transformers finds Transformer
        # A word's stem begins like the word (Porter may turn a last y into i): look only at
        # words that begin like a stem, then stem those.
        starts = sorted({re.escape(s[:-1] if len(s) > 3 else s) for s in stems}, key=len)
        candidates = re.compile(rf"(?<![a-z])(?:{'|'.join(reversed(starts))})[a-z]*")
        for found in candidates.finditer(normalized):
            stem = analysis.stem(found.group())
            if stem in stems:
                start, end = found.span()
                spans.append((origin[start], origin[end - 1] + 1, stem))
    return sorted(spans)


def _labels_in(spans: list[_Span], window: tuple[int, int]) -> set[str]:
    return {label for span in spans if _inside(span, window) for label in [span[2]]}


def _inside(span: _Span, window: tuple[int, int]) -> bool:
    return span[0] >= window[0] and span[1] <= window[1]


def _passage_snippet(plain: str, spans: list[_Span], windows: list[tuple[int, int]]) -> Snippet:
    text = ""
    highlights: list[tuple[int, int]] = []
    merged = _merge([(s, e) for s, e, _label in spans])
    for number, (begin, end) in enumerate(windows):
        if number:
            text += " … "
        offset = len(text) - begin
        text += plain[begin:end]
        highlights += [
            (max(s, begin) + offset, min(e, end) + offset)
            for s, e in merged
            if s < end and e > begin
        ]
    return Snippet(text, highlights, windows[0][0] > 0, windows[-1][1] < len(plain))


def _normalize_with_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index it came from.

    Width and case folding are what change lengths (… becomes ...): they are applied one
    character (with its combining marks) at a time outside ASCII and CJK runs, which keep
    their length, and the conversion to simplified Chinese runs once over the result (OpenCC
    per piece took 0.2 s for ten long articles).
    """
    whole = analysis.normalize(text)
    if len(whole) == len(text):
        return whole, list(range(len(text)))
    parts: list[str] = []
    origin: list[int] = []
    last = 0
    for run in _CHANGEABLE.finditer(text):
        start, end = run.span()
        if start > last and unicodedata.combining(text[start]):
            start -= 1  # a letter goes with its combining marks: e + ́ is é
        parts.append(text[last:start].lower())
        origin.extend(range(last, start))
        index = start
        while index < end:
            stop = index + 1
            while stop < len(text) and unicodedata.combining(text[stop]):
                stop += 1
            one = unicodedata.normalize("NFKC", text[index:stop]).casefold()
            parts.append(one)
            origin.extend([index] * len(one))
            index = stop
        last = max(end, index)
    parts.append(text[last:].lower())
    origin.extend(range(last, len(text)))
    folded = analysis.to_simplified("".join(parts))
    if folded == whole and len(folded) == len(origin):
        return folded, origin
    # Folding in context differed (rare): the text is right, highlight positions approximate.
    return whole, [min(len(text) - 1, i * len(text) // len(whole)) for i in range(len(whole))]


_CHANGEABLE = re.compile(r"[^\x00-\x7f\u3400-\u4dbf\u4e00-\u9fff]+")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of overlapping spans, so overlapping words highlight as their longest whole."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _best_window(plain: str, spans: list[_Span], limit: int) -> tuple[int, int]:
    """A window of about `limit` characters over the densest run of matches, cut at sentences."""
    best, best_score = (spans[0][0], spans[0][0] + limit), -1.0
    for number, (anchor_start, _end, _label) in enumerate(spans):
        window_end = anchor_start + limit
        labels: set[str] = set()
        length = 0
        for start, end, label in spans[number:]:  # sorted by start: stop past the window
            if start >= window_end:
                break
            if end <= window_end:
                labels.add(label)
                length += end - start
        score = len(labels) * 10 + length * 0.1
        if score > best_score:
            best, best_score = (anchor_start, window_end), score
    first = best[0]
    # Start at the beginning of the sentence holding the first match, when it is near.
    sentence_start = 0
    for match in _SENTENCE_END.finditer(plain, max(0, first - limit // 2), first):
        sentence_start = match.end()
    if first - sentence_start <= limit // 2:
        begin = sentence_start
    else:
        begin = max(0, first - limit // 4)
        # Do not start inside a Latin word: move to the next space if one is near.
        space = plain.find(" ", begin, first)
        if begin and plain[begin - 1].isascii() and plain[begin - 1].isalnum() and space != -1:
            begin = space + 1
    while begin < first and plain[begin] == " ":
        begin += 1
    end = min(len(plain), begin + limit)
    # End at the last sentence end after the last match in the window, when there is one.
    last_match = max((e for s, e, _l in spans if begin <= s and e <= end), default=begin)
    stops = [m.end() for m in _SENTENCE_END.finditer(plain, last_match, end)]
    if stops and end < len(plain):
        end = stops[-1]
    return begin, end
