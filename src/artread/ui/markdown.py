"""Rich's Markdown, with table cells that wrap rather than end in an ellipsis.

On a narrow terminal Rich cuts a table cell's words with "…" (`约 3.…` for `约 3.4`): a
reader loses the number. Cells here fold onto the next line instead.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markdown import Markdown, TableElement


class _FoldingTable(TableElement):
    def __rich_console__(self, console: Any, options: Any) -> Any:
        for table in super().__rich_console__(console, options):
            for column in table.columns:
                column.overflow = "fold"
            yield table


class ArticleMarkdown(Markdown):
    """An article's Markdown as Rich renders it, tables folding."""

    elements: ClassVar[dict[str, Any]] = {**Markdown.elements, "table_open": _FoldingTable}
