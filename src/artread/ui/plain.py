"""Output for pipes and programs, without Rich: one tab-separated line per article, and JSON.

A command whose output is not a terminal writes through here alone, so a script's `artread
search` does not import Rich. Article text still goes through sanitize.clean()."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

from artread.ui.sanitize import clean, clean_line

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from artread.core.catalog import Entry
    from artread.core.explain import Explanation
    from artread.core.hits import SearchResults
    from artread.core.listing import LatestPage


def write(stream: TextIO, line: str) -> None:
    """A line as is (Rich would expand tabs and wrap)."""
    stream.write(line + "\n")


def record(entry: Entry, tail: str) -> str:
    """An article as one tab-separated line: id, date, category, title, then tail."""
    fields = [
        entry.id,
        entry.date or "-",
        clean_line(entry.category or "-"),
        clean_line(entry.title),
        tail,
    ]
    return "\t".join(fields)


def latest(stream: TextIO, page: LatestPage) -> None:
    """A page of `latest`: one record per article, its excerpt last."""
    for entry in page.articles:
        write(stream, record(entry, clean_line(entry.excerpt)))


def results(stream: TextIO, err: TextIO, found: SearchResults, suggestion: str | None) -> None:
    """A page of results, one record each with its snippet; corrections and the suggestion
    (not the glossary line) go to err."""
    for hit in found.hits:
        snippet = clean_line(hit.snippet.text) if hit.snippet else ""
        write(stream, record(hit.entry, snippet))
    notes = search_notes(found)
    for note in [*notes[1:], *([f"Did you mean: {suggestion}"] if suggestion else [])]:
        err.write(f"artread: {note}\n")


def counts(stream: TextIO, counted: dict[str, int]) -> None:
    """Names and their article counts, tab-separated."""
    for name, count in counted.items():
        write(stream, f"{clean_line(name) or '-'}\t{count}")


def search_notes(found: SearchResults) -> list[str]:
    """What the search also looked for: [glossary line or "", correction lines...]."""
    expanded = [f"{e.form} → {', '.join(a.form for a in e.alternatives)}" for e in found.expansions]
    notes = [f"Also searching for {'; '.join(clean_line(x) for x in expanded)}" if expanded else ""]
    notes += [
        f"Including results for {clean_line(c.word)}, "
        f"the archive's closest word to {clean_line(c.asked)}"
        for c in found.corrections
    ]
    used = found.meaning
    if used is not None and used.near and used.coverage.embedded < used.coverage.total:
        notes.append(
            f"Semantic: {used.coverage.embedded} of {used.coverage.total} articles "
            "(`artread index --semantic` makes the rest)"
        )
    return notes if any(notes) else []


def write_json(stream: TextIO, payload: Any) -> None:
    import json  # here: most commands print lines, not JSON

    stream.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def _public(entry: Entry) -> dict:
    return {
        "id": entry.id,
        "title": clean_line(entry.title),
        "date": entry.date,
        "category": clean_line(entry.category) if entry.category else None,
        "tags": [clean_line(t) for t in entry.tags],
    }


def latest_json(page: LatestPage, marks: Mapping[str, str] | None = None) -> dict:
    """A page of `latest`; marks: {path: "new" or "read"} (core.readstate)."""
    marks = marks or {}
    return {
        "page": page.page,
        "pages": page.pages,
        "total": page.total,
        "per_page": page.per_page,
        "articles": [
            {
                **_public(e),
                "excerpt": clean_line(e.excerpt),
                "path": e.path,
                "new": marks.get(e.path) == "new",
                "read": marks.get(e.path) == "read",
            }
            for e in page.articles
        ],
    }


def results_json(found: SearchResults) -> dict:
    return {
        "query": found.query,
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
        "results": [
            {
                **_public(hit.entry),
                "score": round(hit.score, 4),
                "matched_all": hit.matched_all,
                "matched": list(hit.matched),
                "snippet": clean_line(hit.snippet.text) if hit.snippet else "",
                "path": hit.entry.path,
            }
            for hit in found.hits
        ],
        "also_searched": [
            {"form": e.form, "alternatives": [a.form for a in e.alternatives], "from": e.source}
            for e in found.expansions
        ],
        "corrections": [
            {"typed": c.asked, "corrected": c.word, "term": c.term} for c in found.corrections
        ],
        "did_you_mean": found.suggestion,
        "semantic": _semantic_json(found),
    }


def _semantic_json(found: SearchResults) -> dict | None:
    used = found.meaning
    if used is None:
        return None
    return {
        "mode": used.mode,
        "weight": used.gate.meaning,
        "reason": used.gate.reason,
        "articles_with_vectors": used.coverage.embedded,
        "articles": used.coverage.total,
    }


def article_json(entry: Entry, body: str, related: Sequence[Entry] = ()) -> dict:
    return {
        **_public(entry),
        "path": entry.path,
        "body": clean(body),
        "related": [{"id": e.id, "title": clean_line(e.title)} for e in related],
    }


def explanation_json(found: Explanation) -> dict:
    query = found.query
    return {
        "text": found.text,
        "normalized": found.normalized,
        "index_terms": found.index_terms,
        "query_terms": found.query_terms,
        "filler": found.filler,
        "phrases": query.phrases,
        "excluded": [*query.excluded_words, *query.excluded_phrases],
        "filters": [
            {"field": f.field, "value": f.value, "negated": f.negated} for f in query.filters
        ],
        "since": query.since,
        "until": query.until,
        "glossary": [
            {
                "form": e.form,
                "terms": list(e.span),
                "alternatives": [{"form": a.form, "terms": list(a.terms)} for a in e.alternatives],
                "from": e.source,
            }
            for e in found.expansions
        ],
        "corrections": [
            {"typed": c.asked, "corrected": c.word, "term": c.term} for c in found.corrections
        ],
        "user_dictionary": found.user_dictionary,
        "meaning": (
            {"weight": found.meaning.meaning, "reason": found.meaning.reason}
            if found.meaning is not None
            else None
        ),
    }


def health_json(report: Any) -> dict:
    return {
        "archive": report.archive,
        "index": report.index_dir,
        "problems": len(report.problems),
        "findings": [
            {"level": f.level, "topic": f.topic, "text": clean_line(f.text)}
            for f in report.findings
        ],
    }
