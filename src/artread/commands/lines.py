"""Command lines for the user to copy: the next page's, and the suggested search's."""

from __future__ import annotations

from collections.abc import Sequence

from artread.commands.choices import DEFAULT_PER_PAGE, SortOrder
from artread.commands.context import Command


def next_command(
    command: Command, args: list[str], page: int, pages: int, per_page: int, archive: str | None
) -> str | None:
    """The command that shows the next page, with every option that shaped this one."""
    if page >= pages:
        return None
    extra = ["--per-page", str(per_page)] if per_page != DEFAULT_PER_PAGE else []
    return command_line(command, [*args, *extra], archive, ["--page", str(page + 1)])


def say_what_is_left(
    command: Command, page: int, per_page: int, total: int, noun: str, following: str | None
) -> None:
    """On stderr, when piped output holds one page of several: a script must not take it for
    all there is (ripgrep prints everything; artread keeps its pages and says so)."""
    if following is None:
        return
    first = (page - 1) * per_page + 1
    last = min(page * per_page, total)
    command.err(
        f"artread: showing {first}-{last} of {total} {noun}; "
        f"the next page: {following} (all at once: --per-page {total})"
    )


def command_line(
    command: Command, args: list[str], archive: str | None, last: Sequence[str] = ()
) -> str:
    """An artread command line to copy, with --archive when one was given, then `last`."""
    import re
    import shlex

    where = archive or command.archive
    words = ["artread", *args, *(["--archive", where] if where else []), *last]
    # Quote only what the shell would split or expand; Chinese words need no quotes.
    return " ".join(w if re.fullmatch(r"[\w./:@%+=,-]+", w) else shlex.quote(w) for w in words)


def suggested_search(
    command: Command, said: str | None, options: list[str], archive: str | None
) -> str | None:
    """The command line that searches for the suggested words, with the same options."""
    from artread.ui.sanitize import clean_line

    if not said:
        return None
    words = [said] if '"' in said else said.split()
    # Made of the index's words and the synonyms file: made safe before it is shown.
    return clean_line(command_line(command, ["search", *words, *options], archive))


def search_options(
    categories: list[str] | None,
    tags: list[str] | None,
    since: str | None,
    until: str | None,
    sort: SortOrder,
) -> list[str]:
    """The options that shaped a search, as words of its command line."""
    options = [w for c in categories or () for w in ("--category", c)]
    options += [w for t in tags or () for w in ("--tag", t)]
    options += ["--since", since] if since else []
    options += ["--until", until] if until else []
    return options + (["--sort", sort.value] if sort != SortOrder.score else [])
