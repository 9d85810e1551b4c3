"""A search's results as the command prints them: on a terminal, piped, or none at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from artread.commands.context import Command, console_of, writes_plain
from artread.commands.lines import next_command, say_what_is_left, suggested_search

if TYPE_CHECKING:
    from artread.core.search import SearchResults


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
