"""A keyword ranking joined with the articles nearest the query in meaning (search --mode)."""

from __future__ import annotations

from artread.core import analysis, filters
from artread.core.catalog import Entry
from artread.core.hits import Hit, Tier
from artread.core.index import ArchiveIndex
from artread.core.query import ParsedQuery, QueryError
from artread.core.search import Ranking
from artread.core.semantic import ahead
from artread.core.semantic.fusion import NEAREST, Gate, fuse, gate
from artread.core.semantic.meaning import Coverage, Near
from artread.core.snippets import SNIPPET_CHARS, Snippet

MEANING_ONLY = Gate(1.0, "meaning alone (--mode semantic)")


class Meaning:
    """How meaning took part in a search. (A plain class: a dataclass costs a fused first
    command more to define than to use.)"""

    __slots__ = ("added", "coverage", "gate", "mode", "near")

    def __init__(self, mode: str, gate: Gate, coverage: Coverage) -> None:
        self.mode, self.gate, self.coverage = mode, gate, coverage
        self.near: dict[str, Near] = {}  # the articles nearest, by path
        self.added: list[str] = []  # results found by meaning alone

    def snippets(self, index: ArchiveIndex, entries: list[Entry]) -> list[Snippet]:
        """The passage nearest the query of each article found by meaning alone."""
        near = self.near
        places = {e.path: (e.path, near[e.path].passage) for e in entries if e.path in near}
        texts = index.meaning.passage_texts(list(places.values()))
        found = []
        for entry in entries:
            text = texts.get(places.get(entry.path, ("", -1)), "")
            text = text.removeprefix(entry.title)  # the opening's passage starts with the title
            shown = " ".join(text.split())[:SNIPPET_CHARS]
            found.append(Snippet(shown or entry.excerpt[:SNIPPET_CHARS]))
        return found


def apply(
    index: ArchiveIndex,
    parsed: ParsedQuery,
    text: str,
    ranking: Ranking,
    mode: str,
    started: ahead.Ahead | None = None,
) -> Meaning | None:
    """Reorder ranking.hits by meaning as the mode and the gate say; None if the index has no
    vectors (or the model is not installed) and the mode lets words alone decide. started:
    a child process (semantic.ahead) working out meaning's side; its answer stands for
    this process's own work."""
    told = started.told() if started is not None else None
    # The index was updated after the child read the catalog: its nearest articles stand (the
    # vectors are the same), its count of articles with vectors does not.
    outdated = told is not None and told.catalog != index.catalog.identity
    if not (told.present if told else index.meaning.present()):
        if mode == "semantic":
            raise QueryError(_why_no_vectors(index))
        return None
    hits = ranking.hits
    chosen = MEANING_ONLY if mode == "semantic" else decide(index, parsed, text, ranking)
    coverage = told.coverage if told and not outdated else None
    used = Meaning(mode, chosen, coverage or index.meaning.coverage(index.catalog))
    if chosen.meaning == 0 or not parsed.words:
        return used
    by_path = {hit.entry.path: hit for hit in hits}
    # Quoted text and exclusions stay exact: meaning may only reorder what the words found.
    allowed = set(by_path) if parsed.exact else filters.allowed_paths(index, parsed)
    words = " ".join(parsed.words)
    if told and started and started.words == words and not (parsed.exact or parsed.filtered):
        near = [n for n in told.near if allowed is None or n.path in allowed]
    else:
        near = index.meaning.nearest(words, allowed, NEAREST)
    used.near = {n.path: n for n in near}
    if mode == "semantic":
        order = [n.path for n in near]
    else:
        nearest = [(n.path, n.score) for n in near]
        order = fuse(list(by_path), nearest, chosen.meaning, chosen.added)
    ranking.hits = [_hit(index, path, by_path.get(path), used.near.get(path)) for path in order]
    ranking.hits = [hit for hit in ranking.hits if hit is not None]
    used.added = [hit.entry.path for hit in ranking.hits if hit.tier == Tier.MEANING]
    return used


def decide(index: ArchiveIndex, parsed: ParsedQuery, text: str, ranking: Ranking) -> Gate:
    """How much meaning counts for this query in auto mode, given its keyword ranking."""
    asked = index.analyzer.query_terms(" ".join(parsed.words))
    question = any(term in analysis.QUESTION_WORDS for term, _filler in asked)
    return gate(
        question=question or text.rstrip().endswith(("?", "？")),
        units=ranking.units,
        exact=parsed.exact,
        complete=sum(1 for hit in ranking.hits if hit.matched_all),
    )


def _hit(index: ArchiveIndex, path: str, words: Hit | None, near: Near | None) -> Hit | None:
    if words is not None:
        words.matched = ("words", "meaning") if near is not None else ("words",)
        return words
    entry = index.catalog.article(path)
    if entry is None or near is None:  # removed since the vectors were made
        return None
    return Hit(entry, near.score, False, Tier.MEANING, matched=("meaning",))


def _why_no_vectors(index: ArchiveIndex) -> str:
    from artread.core.semantic import model

    if model.version() is None:
        return "search by meaning is not installed: pip install 'artread[semantic]'"
    return "this archive has no vectors yet: run `artread index --semantic` to make them"
