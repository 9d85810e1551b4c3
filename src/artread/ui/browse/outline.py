"""The outline of an article: its headings, indented by level; choosing one jumps there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from artread.ui.browse.article import Heading
from artread.ui.sanitize import clean_line


class Outline(OptionList):
    """The headings of the article on the screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
        Binding("l", "select", "Jump", show=False),
    ]

    def show(self, headings: Sequence[Heading]) -> None:
        """List the headings (keeping the highlighted one where it can)."""
        highlighted = self.highlighted
        top = min((heading.level for heading in headings), default=1)
        self.clear_options()
        self.add_options(Option(_line(heading.level - top, heading.title)) for heading in headings)
        if highlighted is not None and headings:
            self.highlighted = min(highlighted, len(headings) - 1)


def _line(depth: int, title: str) -> Text:
    """A heading on one line, indented by its depth: cut with an ellipsis rather than wrapped
    under its own indentation."""
    return Text("  " * depth + clean_line(title), no_wrap=True, overflow="ellipsis")
