"""`artread show`: one article, rendered from its Markdown (paged when long), as it is in
the file, as its outline, or as JSON; opening it marks it read."""

from __future__ import annotations

from artread.commands.choices import SearchMode
from artread.commands.context import Command, console_of, paged
from artread.commands.opening import find_article, open_archive
from artread.commands.results import as_text


def show_article(
    command: Command,
    article_id: str,
    *,
    json_output: bool = False,
    toc: bool = False,
    raw: bool = False,
    no_pager: bool = False,
    archive: str | None = None,
) -> None:
    """Print the article that article_id names. The defaults are the command line's."""
    from artread.core.front_matter import split_front_matter
    from artread.ui import plain, views

    index = open_archive(command, archive)
    entry = find_article(command, index, as_text(article_id))
    source = index.read_text(entry)
    console = console_of(command)
    if raw:
        from artread.ui.sanitize import clean

        # As written; a terminal still never receives the file's escape sequences.
        command.env.stdout.write(clean(source) if console.is_terminal else source)
        return
    _meta, body, _problem = split_front_matter(source)
    if toc and not json_output:
        views.table_of_contents(console, entry, body)
        return
    from artread.commands.semantic import search_mode
    from artread.core.related import related

    meaning = search_mode(command, SearchMode.auto) != "lexical"  # $ARTREAD_SEMANTIC=off
    alike = related(index, entry, body, by_meaning=meaning)
    if json_output:
        plain.write_json(command.env.stdout, plain.article_json(entry, body, alike))
        return
    from artread.commands.marks import mark_opened

    def draw() -> None:
        views.article(console, entry, body, alike)

    paged(command.env, console, draw, no_pager)
    mark_opened(command, index, entry)
