"""Turning a query into ranked, paginated results with snippets. Knows nothing of terminals."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from artread import analysis, plaintext
from artread.index import FIELD_BOOSTS, ArchiveIndex
from artread.query import ParsedQuery, parse

SNIPPET_CHARS = 120
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")


@dataclass
class Snippet:
    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans in text
    truncated_start: bool = False
    truncated_end: bool = False


@dataclass
class Hit:
    entry: dict  # the catalog entry: id, path, title, date, category, tags, ...
    score: float
    matched_all: bool
    snippet: Snippet | None = None


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class QueryError(ValueError):
    """A query that cannot be run; the message says why."""


def search(index: ArchiveIndex, text: str, *, page: int = 1, per_page: int = 10) -> SearchResults:
    parsed = parse(text)
    parsed.words = [w for w in parsed.words if analysis.query_terms_default(w)]
    if parsed.empty:
        raise QueryError(
            f"nothing to search for in {text!r}: only common words or punctuation "
            '(put text in "quotes" to find it literally)'
        )
    ranked = rank(index, parsed)
    start = (page - 1) * per_page
    hits = ranked[start : start + per_page]
    needles = highlight_needles(parsed)
    for hit in hits:
        try:
            hit.snippet = make_snippet(index.read_text(hit.entry), needles)
        except (OSError, ValueError):
            hit.snippet = Snippet(hit.entry.get("excerpt", "")[:SNIPPET_CHARS])
    return SearchResults(text, len(ranked), page, per_page, hits)


def rank(index: ArchiveIndex, parsed: ParsedQuery) -> list[Hit]:
    """Every matching article, best first: all words matched, then BM25F, then newest."""
    from whoosh import query as Q
    from whoosh import scoring

    entries = index.catalog.entries
    groups = [analysis.query_terms_default(w) for w in parsed.words]
    groups = [g for g in groups if g]
    scored: dict[str, tuple[int, float]] = {}  # path -> (words matched, score)
    with index.whoosh().searcher(weighting=scoring.BM25F()) as searcher:
        if groups:
            per_word = [Q.And([_any_field(Q, t) for t in g]) for g in groups]
            results = searcher.search(Q.Or(per_word), limit=None, terms=True)
            for hit in results:
                matched = {t for _f, t in hit.matched_terms()}
                covered = sum(
                    1 for g in groups if all(t.encode() in matched or t in matched for t in g)
                )
                if covered:
                    scored[hit["path"]] = (covered, hit.score)
        else:
            scored = {p: (0, 0.0) for p, e in entries.items() if "id" in e}
        for word in parsed.excluded_words:
            terms = analysis.query_terms_default(word)
            if terms:
                excluded = searcher.search(Q.And([_any_field(Q, t) for t in terms]), limit=None)
                for hit in excluded:
                    scored.pop(hit["path"], None)
    if parsed.phrases or parsed.excluded_phrases:
        scored = _literal_filter(index, parsed, scored)
    hits = []
    for path, (covered, score) in scored.items():
        entry = entries.get(path)
        if entry and "id" in entry:
            hits.append(Hit(entry, score, covered == len(groups)))
    hits.sort(key=lambda h: (not h.matched_all, -h.score, -h.entry["sort_key"], h.entry["path"]))
    return hits


def _any_field(Q, term: str):
    return Q.Or([Q.Term(name, term) for name in FIELD_BOOSTS])


def _literal_filter(
    index: ArchiveIndex, parsed: ParsedQuery, scored: dict[str, tuple[int, float]]
) -> dict[str, tuple[int, float]]:
    """Keep articles holding every quoted phrase (after normalisation) and no excluded one."""
    phrases = [analysis.normalize(p) for p in parsed.phrases]
    banned = [analysis.normalize(p) for p in parsed.excluded_phrases]
    kept: dict[str, tuple[int, float]] = {}
    for path, (covered, score) in scored.items():
        entry = index.catalog.entries.get(path)
        if not entry or "id" not in entry:
            continue
        try:
            source = index.read_text(entry)
        except (OSError, ValueError):
            continue
        # The Markdown source and the text a reader sees (`**共享**同一个` reads 共享同一个).
        text = (
            analysis.normalize(source)
            + "\n"
            + analysis.normalize(plaintext.to_plain(source, keep_code=True))
        )
        if all(p in text for p in phrases) and not any(b in text for b in banned):
            title = analysis.normalize(entry["title"])
            bonus = sum(text.count(p) for p in phrases) + sum(5 for p in phrases if p in title)
            kept[path] = (covered, score + bonus)
    return kept


def highlight_needles(parsed: ParsedQuery) -> list[str]:
    """Normalised strings to highlight: each word whole, its terms, and each phrase."""
    needles: list[str] = []
    for word in parsed.words:
        needles.append(analysis.normalize(word))
        needles.extend(analysis.query_terms_default(word))
    needles.extend(analysis.normalize(p) for p in parsed.phrases)
    return [n for n in dict.fromkeys(needles) if n.strip()]


def make_snippet(source: str, needles: list[str], limit: int = SNIPPET_CHARS) -> Snippet:
    """The passage with the most query words, with highlight spans on the original text."""
    _meta, body, _problem = _split(source)
    plain = " ".join(plaintext.to_plain(body, keep_code=True).split("\n"))
    normalized, origin = _normalize_with_map(plain)
    spans: list[tuple[int, int]] = []
    for needle in needles:
        # A Latin term matches whole words only: R is not the r in "random".
        latin = needle[0].isascii() and needle[0].isalnum()
        pattern = re.escape(needle)
        if latin:
            pattern = rf"(?<![a-z0-9]){pattern}(?![a-z0-9])"
        for found in re.finditer(pattern, normalized):
            start, end = found.span()
            spans.append((origin[start], origin[end - 1] + 1))
    spans = _merge(spans)
    if not spans:
        return Snippet(plain[:limit], [], False, len(plain) > limit)
    begin, end = _best_window(plain, spans, needles, limit)
    shown = [
        (max(s, begin) - begin, min(e, end) - begin) for s, e in spans if s < end and e > begin
    ]
    return Snippet(plain[begin:end], shown, begin > 0, end < len(plain))


def _split(source: str) -> tuple[dict, str, str | None]:
    from artread.archive import split_front_matter

    return split_front_matter(source)


def _normalize_with_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index it came from."""
    whole = analysis.normalize(text)
    if len(whole) == len(text):
        return whole, list(range(len(text)))
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char).casefold()
        chars.append(folded)
        origin.extend([index] * len(folded))
    return "".join(chars), origin


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of overlapping spans, so overlapping words highlight as their longest whole."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _best_window(
    plain: str, spans: list[tuple[int, int]], needles: list[str], limit: int
) -> tuple[int, int]:
    """A window of about `limit` characters over the densest run of matches, cut at sentences."""
    best, best_score = spans[0], -1.0
    for anchor_start, _ in spans:
        window_end = anchor_start + limit
        inside = [plain[s:e].casefold() for s, e in spans if s >= anchor_start and e <= window_end]
        score = len(set(inside)) * 10 + sum(len(t) for t in inside) * 0.1
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
    end = min(len(plain), begin + limit)
    return begin, end
