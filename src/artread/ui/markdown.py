"""Rich's Markdown, with table cells that wrap rather than end in an ellipsis.

On a narrow terminal Rich cuts a table cell's words with "…" (`约 3.…` for `约 3.4`): a
reader loses the number. Cells here fold onto the next line instead.

For the full-screen reader, headings can carry their level and number in their style's meta
(HEADING), as related articles carry their id (RELATED, in views): the reader finds on which
rendered line each one starts, whatever Rich made of the Markdown around it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markdown import Heading, Markdown, TableElement
from rich.style import Style

HEADING = "artread-heading"  # meta: (level, number) of a heading, numbered from 0
RELATED = "artread-related"  # meta: the id of a related article


class _FoldingTable(TableElement):
    def __rich_console__(self, console: Any, options: Any) -> Any:
        for table in super().__rich_console__(console, options):
            for column in table.columns:
                column.overflow = "fold"
            yield table


class _PlacedHeading(Heading):
    """A heading whose text carries HEADING in its style's meta."""

    def __rich_console__(self, console: Any, options: Any) -> Any:
        level = int(self.tag[1:])
        place = Style(meta={HEADING: (level, self.number)})
        for rendered in super().__rich_console__(console, options):
            rendered.stylize(place)
            yield rendered


class ArticleMarkdown(Markdown):
    """An article's Markdown as Rich renders it, tables folding; mark_headings: headings
    carry HEADING in their style's meta."""

    elements: ClassVar[dict[str, Any]] = {**Markdown.elements, "table_open": _FoldingTable}

    def __init__(self, markup: str, *args: Any, mark_headings: bool = False, **kwargs: Any) -> None:
        super().__init__(markup, *args, **kwargs)
        if mark_headings:
            self.elements = {**self.elements, "heading_open": _numbered_headings()}


def _numbered_headings() -> type[_PlacedHeading]:
    """A heading class that numbers its headings in the order they are made (document order)."""
    count = iter(range(1 << 30))

    class Numbered(_PlacedHeading):
        def __init__(self, tag: str) -> None:
            super().__init__(tag)
            self.number = next(count)

    return Numbered
