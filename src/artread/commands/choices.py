"""The values an option can take, as enums: read by commands with or without Typer (the
shortcut in commands/shortcut.py runs the commonest command lines without importing it)."""

from __future__ import annotations

from enum import StrEnum

DEFAULT_PER_PAGE = 10


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class ServerAction(StrEnum):
    status = "status"
    stop = "stop"


class SortOrder(StrEnum):
    score = "score"
    date = "date"


class SearchMode(StrEnum):
    auto = "auto"
    lexical = "lexical"
    semantic = "semantic"
