"""Whoosh queries built from plain data: terms, the fields to look in, and boosts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from artread.core.engine.backend import query


def term(field: str, text: str, boost: float = 1.0) -> Any:
    """Articles whose field holds the term."""
    return query.Term(field, text, boost=boost)


def any_field(text: str, fields: Iterable[str], boost: float = 1.0) -> Any:
    """Articles that hold the term in any of the fields; the fields' scores add up."""
    return query.Or([query.Term(field, text, boost=boost) for field in fields])


def all_of(queries: Iterable[Any]) -> Any:
    """Articles that match every one of the queries."""
    return query.And(list(queries))


def any_of(queries: Iterable[Any]) -> Any:
    """Articles that match at least one of the queries."""
    return query.Or(list(queries))
