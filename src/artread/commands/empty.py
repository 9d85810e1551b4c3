"""What a command says on stderr when it has nothing to show: why, and where to look instead."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from artread.commands.context import Command, fail

if TYPE_CHECKING:
    from artread.commands.marks import Marks
    from artread.core.hits import SearchResults
    from artread.core.listing import LatestPage


def no_articles(
    command: Command,
    result: LatestPage,
    page: int,
    category: str | None,
    tag: str | None,
    new: Marks | None = None,
) -> NoReturn:
    """`latest` found no article to show on this page: past the last page, or none at all
    (new: --new asked for the new ones only)."""
    if result.total:
        fail(command, f"page {page} is past the last page ({result.pages})", 1)
    if new is not None and not new.state.recorded:
        fail(
            command,
            "no visit recorded yet: from the first `artread browse` on, articles added or "
            "changed are new until you open them",
            1,
        )
    what = "no new articles" if new is not None else "no articles"
    narrowed = [f"in category {category!r}"] * bool(category)
    narrowed += [f"tagged {tag!r}"] * bool(tag)
    fail(command, " ".join([what, *narrowed]) + _names_hint(category, tag), 1)


def _names_hint(category: str | None, tag: str | None) -> str:
    if category:
        return " (artread categories lists them)"
    return " (artread tags lists them)" if tag else ""


def no_hits(
    command: Command, text: str, found: SearchResults, page: int, suggestion: str | None
) -> None:
    """`search` found nothing to show on this page: past the last page, or no match at all."""
    if found.total:
        fail(command, f"page {page} is past the last page ({found.pages})", 1)
    command.err(f"artread: no articles match {text!r}")
    if suggestion:
        command.err(f"Did you mean: {suggestion}")
