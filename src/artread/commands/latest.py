"""`artread latest`: a page of the newest articles with their marks (new, read), on a terminal,
piped, or as JSON; and why there is none when there is none."""

from __future__ import annotations

from artread.commands.choices import DEFAULT_PER_PAGE
from artread.commands.context import Command, Exit, console_of, writes_plain
from artread.commands.lines import next_command, say_what_is_left
from artread.commands.marks import read_marks
from artread.commands.opening import open_archive


def latest_page(
    command: Command,
    *,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    category: str | None = None,
    tag: str | None = None,
    new: bool = False,
    drafts: bool = False,
    json_output: bool = False,
    archive: str | None = None,
) -> None:
    """Print the page; exit 1 when it has no article. The defaults are the command line's."""
    from artread.core import listing
    from artread.ui import plain

    index = open_archive(command, archive)
    marks = read_marks(command, index, category=category, tag=tag, drafts=drafts)
    result = listing.latest_page(
        index.catalog,
        page=page,
        per_page=per_page,
        category=category,
        tag=tag,
        drafts=drafts,
        paths=marks.new if new else None,
    )
    shown = marks.of(result.articles)
    if json_output:
        plain.write_json(command.env.stdout, plain.latest_json(result, shown))
    elif result.articles:
        args = ["latest"] + (["--category", category] if category else [])
        args += ["--tag", tag] if tag else []
        args += ["--new"] if new else []
        args += ["--drafts"] if drafts else []
        following = next_command(command, args, page, result.pages, per_page, archive)
        if writes_plain(command):
            plain.latest(command.env.stdout, result)
            say_what_is_left(command, page, per_page, result.total, "articles", following)
        else:
            from artread.ui import views

            console = console_of(command)
            views.latest(console, result, next_command=following, marks=shown, new=len(marks.new))
    if not result.articles:
        if not json_output:
            from artread.commands import empty

            empty.no_articles(command, result, page, category, tag, marks if new else None)
        raise Exit(1)
