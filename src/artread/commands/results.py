"""`artread search`: a search's results as the command prints them: on a terminal, piped, as
JSON, or none at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from artread.commands.choices import DEFAULT_PER_PAGE, SearchMode, SortOrder
from artread.commands.context import Command, Exit, console_of, writes_plain
from artread.commands.lines import (
    next_command,
    say_what_is_left,
    search_options,
    suggested_search,
)
from artread.commands.opening import open_archive, warn_about_synonyms

if TYPE_CHECKING:
    from artread.core.hits import SearchResults
    from artread.core.index import ArchiveIndex


def search_page(
    command: Command,
    query: list[str],
    *,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    category: list[str] | None = None,
    tag: list[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    sort: SortOrder = SortOrder.score,
    drafts: bool = False,
    mode: SearchMode = SearchMode.auto,
    json_output: bool = False,
    archive: str | None = None,
) -> None:
    """Search for the query's words and print a page of results; exit 1 when none match.
    The defaults are the command line's (a test checks that they agree)."""
    from artread.commands.semantic import search_mode

    text, mode_used = as_text(" ".join(query)), search_mode(command, mode)
    narrowed = {
        "categories": [as_text(c) for c in category or ()],
        "tags": [as_text(t) for t in tag or ()],
        "since": since,
        "until": until,
        "drafts": drafts,
    }
    ahead = None

    def start_meaning(index: ArchiveIndex) -> None:
        nonlocal ahead
        if mode_used != "lexical" and index.has_vectors():
            from artread.core.query import parse_searched
            from artread.core.semantic import ahead as meaning_ahead

            # Before the catalog is read and the keyword search imported: the model loads on
            # the other core meanwhile (semantic/ahead.py says why this early).
            ahead = meaning_ahead.start(index, parse_searched(text, **narrowed))

    try:
        index = open_archive(command, archive, found=start_meaning)
        warn_about_synonyms(command, index)
    except BaseException:  # no search after all: the child is not left behind
        if ahead is not None:
            ahead.cancel()
        raise
    from artread.core.search import search
    from artread.ui import plain

    found = search(
        index,
        text,
        page=page,
        per_page=per_page,
        sort=sort.value,
        mode=mode_used,
        meaning_ahead=ahead,
        **narrowed,
    )
    options = search_options(category, tag, since, until, sort) + (["--drafts"] * drafts)
    options += [] if mode == SearchMode.auto else ["--mode", mode.value]
    if json_output:
        plain.write_json(command.env.stdout, plain.results_json(found))
    else:
        show_results(command, found, query, options, archive)
    if not found.hits:
        raise Exit(1)


def as_text(argument: str) -> str:
    """A command-line argument as text: bytes that are not UTF-8 (which Python keeps as lone
    surrogates) become U+FFFD, as in a file that is not UTF-8."""
    return argument.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def show_results(
    command: Command,
    found: SearchResults,
    query: list[str],
    options: list[str],
    archive: str | None,
) -> None:
    """A page of results (or why there are none), with the next page's and the suggested
    search's command lines."""
    from artread.ui import plain

    suggestion = suggested_search(command, found.suggestion, options, archive)
    page, per_page = found.page, found.per_page
    if found.hits:
        following = next_command(
            command, ["search", *query, *options], page, found.pages, per_page, archive
        )
        if writes_plain(command):
            plain.results(command.env.stdout, command.env.stderr, found, suggestion)
            say_what_is_left(command, page, per_page, found.total, "results", following)
        else:
            from artread.ui import views

            views.results(
                console_of(command),
                found,
                next_command=following,
                suggestion=suggestion,
                err=command.env.stderr,
            )
    else:
        from artread.commands import empty

        empty.no_hits(command, found.query, found, page, suggestion)
