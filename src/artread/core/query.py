"""Parsing what a user types into a search: words, quoted phrases, exclusions and filters.

    梯度 "梯度检查点" -mxnet title:注意力 category:Java tag:pytorch date:2024-01..2024-06

Any input parses: an unbalanced quote runs to the end, stray operators are ignored, and an
unknown `name:` is part of a word. Only a date that cannot be read is an error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# An optional "-", an optional field name, then a quoted phrase or a bare word.
_PIECE = re.compile(r'(-?)(?:([A-Za-z]+):)?"([^"]*)(?:"|$)|(\S+)')
_FIELD_WORD = re.compile(r"^(-?)([A-Za-z]+):(.+)$")
_FIELDS = {"title": "title", "category": "category", "cat": "category", "tag": "tag"}
_FIELDS |= {"tags": "tag", "date": "date"}
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_NOISE = "-+|&!()*?~^:\"'"


class QueryError(ValueError):
    """A query that cannot be run; the message says why."""


@dataclass
class Filter:
    """A field filter of a query: category:x, tag:x, title:x (negated with -)."""

    field: str  # title, category or tag
    value: str
    negated: bool = False


@dataclass
class ParsedQuery:
    """A query as typed, in parts: free words, quoted text, exclusions and filters."""

    words: list[str] = field(default_factory=list)  # free words, analysed into terms
    phrases: list[str] = field(default_factory=list)  # literal text, matched as written
    excluded_words: list[str] = field(default_factory=list)
    excluded_phrases: list[str] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None
    drafts: bool = False  # drafts are searched too

    @property
    def empty(self) -> bool:
        """Nothing to look for and nothing to narrow by."""
        return not (self.words or self.phrases or self.filters or self.since or self.until)

    @property
    def exact(self) -> bool:
        """Quoted text or exclusions: matched as written, whatever meaning says."""
        return bool(self.phrases or self.excluded_words or self.excluded_phrases)

    @property
    def filtered(self) -> bool:
        """Filters, dates or drafts narrow which articles are searched."""
        return bool(self.filters or self.since or self.until or self.drafts)


def parse(text: str) -> ParsedQuery:
    """Split a query into its parts; raises QueryError only for an unreadable date."""
    parsed = ParsedQuery()
    strays: list[str] = []
    for match in _PIECE.finditer(text):
        negated, name, phrase, word = match.groups()
        if phrase is not None:
            phrase = " ".join(phrase.split())
            target = _FIELDS.get((name or "").lower())
            if name and target:
                _add_field(parsed, target, phrase, bool(negated))
            elif phrase:
                if name:  # an unknown name: part of the literal text
                    phrase = f"{name}:{phrase}"
                (parsed.excluded_phrases if negated else parsed.phrases).append(phrase)
            continue
        fielded = _FIELD_WORD.match(word)
        if fielded and fielded.group(2).lower() in _FIELDS:
            target = _FIELDS[fielded.group(2).lower()]
            _add_field(parsed, target, fielded.group(3), bool(fielded.group(1)))
        elif word.startswith("-") and len(word) > 1 and word.strip(_NOISE):
            parsed.excluded_words.append(word.lstrip("-"))
        elif word.strip(_NOISE):
            parsed.words.append(word.lstrip("+"))
        elif word.strip() and not word.strip("-+|&!()"):
            strays.append(word)  # a stray operator, next to something to search for
        elif word.strip():
            parsed.words.append(word)  # punctuation: still searchable literally
    if parsed.empty:  # `!!!` alone is what to find, as `。` is
        parsed.words = strays
    return parsed


def _add_field(parsed: ParsedQuery, name: str, value: str, negated: bool) -> None:
    value = value.strip()
    if not value:
        return
    if name == "date":
        since, until = date_range(value)
        parsed.since = max(filter(None, (parsed.since, since)), default=None)
        parsed.until = min(filter(None, (parsed.until, until)), default=None)
        return
    parsed.filters.append(Filter(name, value, negated))


def date_range(value: str) -> tuple[str | None, str | None]:
    """`2025`, `2025-01`, `2025-01-15`, or a range `A..B` with either side open."""
    if ".." in value:
        low, _, high = value.partition("..")
        since = period(low)[0] if low.strip() else None
        until = period(high)[1] if high.strip() else None
        return since, until
    return period(value)


def period(value: str) -> tuple[str, str]:
    """The first and last day of a year, month or day written as YYYY[-MM[-DD]]."""
    match = _DATE.match(value.strip())
    if not match:
        raise QueryError(f"cannot read the date {value!r}: write 2025, 2025-01 or 2025-01-15")
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    import calendar  # here: a query without a date is most of them, and it loads locale

    try:
        if month is None:
            return f"{year:04d}-01-01", f"{year:04d}-12-31"
        last = calendar.monthrange(year, month)[1]
        if day is None:
            return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"
        if not 1 <= day <= last:
            raise ValueError
    except (ValueError, calendar.IllegalMonthError):
        raise QueryError(f"no such date: {value!r}") from None
    return (f"{year:04d}-{month:02d}-{day:02d}",) * 2


def parse_searched(
    text: str,
    *,
    categories: Sequence[str] = (),
    tags: Sequence[str] = (),
    since: str | None = None,
    until: str | None = None,
    drafts: bool = False,
) -> ParsedQuery:
    """A query with the options of a search added (--category, --tag, --since, --until,
    --drafts), as its own filters would narrow it; QueryError when it has nothing to look for."""
    parsed = parse(text)
    parsed.drafts = drafts
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
    return parsed
