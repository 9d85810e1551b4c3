"""What artread makes of a text: how it is normalised and segmented, for the index and for a
query, and which glossary groups and typo corrections apply (`artread analyze`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from artread.core import analysis, english, glossary, spelling
from artread.core.index import ArchiveIndex
from artread.core.query import ParsedQuery, parse

if TYPE_CHECKING:
    from artread.core.semantic.fusion import Gate


@dataclass
class Explanation:
    """How a query is read: its terms, what is left out, and the forms searched as well."""

    text: str
    normalized: str
    index_terms: list[str]  # as the index holds the text (jieba's search mode), in order
    query: ParsedQuery  # words, "phrases", -exclusions, filters
    query_terms: list[str]  # the terms a search looks for
    filler: list[str]  # question words and filler, dropped from the search
    expansions: list[glossary.Expansion] = field(default_factory=list)
    corrections: list[spelling.Correction] = field(default_factory=list)
    user_dictionary: bool = False  # the archive's artread.dict is in use
    synonyms: int = 0  # groups from the archive's artread.synonyms
    meaning: Gate | None = None  # how much meaning counts, when the index has vectors


def explain(index: ArchiveIndex | None, text: str, cache_dir: Path | None = None) -> Explanation:
    """How the text is analysed; with an index, its user dictionary, synonyms and typos too.
    cache_dir: where the lexicon and glossary caches are, without an index."""
    cache = index.cache_dir if index is not None else cache_dir
    analyzer = index.analyzer if index is not None else analysis.Analyzer(cache_dir=cache)
    # From the lexicon: the same terms as jieba, without its second to load.
    index_terms = [term for term, _start, _end in analyzer.with_lexicon().terms(text)]
    parsed = parse(text)
    searched = " ".join(parsed.words)
    every = analyzer.query_terms(searched)
    terms = analyzer.query_units(searched)
    filler = [unit for unit, is_filler in every if is_filler and unit not in terms]
    found = glossary.for_archive(index.root if index is not None else None, cache)
    explanation = Explanation(
        text,
        analysis.normalize(text),
        index_terms,
        parsed,
        terms,
        list(dict.fromkeys(filler)),
        found.expand(searched, terms, analyzer),
        user_dictionary=bool(analyzer.user_dictionary),
        synonyms=sum(1 for s in found.sources if s == "synonyms"),
    )
    covered = {u for e in explanation.expansions for u in e.span}
    split = [(w, *analyzer.query_word(w)) for w in parsed.words]
    left_out = english.incidental(split, covered)  # as search leaves them out
    explanation.query_terms = terms = [t for t in terms if t not in left_out]
    explanation.filler += [t for t in left_out if t not in explanation.filler]
    if index is not None and terms:
        from artread.core.engine import match

        with index.searcher() as searcher:
            uncovered = [u for u in terms if u not in covered]
            found_typos = spelling.corrections(
                searcher, uncovered, index.vocabulary, query=searched
            )
            store = index.literal()
            for correction in found_typos:
                # As search shows it: the word as typed, its correction as articles write it.
                first = correction.term.split()[0]
                paths = [hit["path"] for hit in searcher.search(match.term("body", first), limit=3)]
                texts = [store.decoded(p) for p in paths]
                correction = spelling.as_written(correction, texts)
                explanation.corrections.append(
                    replace(correction, asked=spelling.typed(searched, correction.typed))
                )
    if index is not None and index.meaning.present() and not parsed.empty:
        from artread.core.search import rank_query
        from artread.core.semantic.hybrid import decide

        explanation.meaning = decide(index, parsed, text, rank_query(index, parsed))
    return explanation
