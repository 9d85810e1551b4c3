"""Counts as a reader says them: 1 article, 2 articles."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """The number and the noun it governs: `counted(1, "article")` is "1 article"."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
