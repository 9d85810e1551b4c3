"""A list of articles that scrolls through thousands of them: the front page and the results.

Each article takes the same number of lines, so only the ones on the screen are drawn (by the
views `latest` and `search` draw them with); the list of the whole archive needs no pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from artread.ui.browse.lines import make_console, render

ITEM_LINES = 5  # title, meta line, two lines of excerpt or snippet, a blank line
CURSOR = Style(bgcolor="grey23")
# Without colour, a bar in the first column (the entries' indent) marks the cursor's entry.
CURSOR_BAR = Segment("▌", Style(bold=True))
_REVERSED = Style(reverse=True)

# (position in the list, width in cells) -> what to draw: a renderable of ITEM_LINES lines
Draw = Callable[[int, int], Any]


class EntryList(ScrollView, can_focus=True):
    """Articles drawn by `draw`, one under the other, with a cursor; Enter or a click chooses."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "Down", show=False),
        Binding("k,up", "move(-1)", "Up", show=False),
        Binding("space,pagedown,ctrl+f", "page(1)", "Page down", show=False),
        Binding("b,pageup,ctrl+b", "page(-1)", "Page up", show=False),
        Binding("g,home", "edge(0)", "First", show=False),
        Binding("G,end", "edge(1)", "Last", show=False),
        Binding("enter,l,right", "choose", "Open", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    class Chosen(Message):
        """An article of the list was chosen (Enter or a click)."""

        def __init__(self, position: int) -> None:
            super().__init__()
            self.position = position

    class NearEnd(Message):
        """The cursor is near the end of what the list holds: a caller may add more."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.count = 0
        self._draw: Draw | None = None
        self._rich = make_console()
        self._drawn: LRUCache[tuple[int, int], list[Strip]] = LRUCache(256)

    def show(
        self,
        count: int,
        draw: Draw,
        *,
        keep_cursor: bool = False,
        drawn: dict[int, list[Strip]] | None = None,
    ) -> None:
        """List `count` articles, drawn by draw(position, width); drawn: some of them drawn
        already, at the list's width."""
        self.count, self._draw = count, draw
        self._drawn.clear()
        width = self.scrollable_content_region.width
        for position, strips in (drawn or {}).items():
            if strips and strips[0].cell_length == width:
                self._drawn[(position, width)] = strips
        self.virtual_size = Size(self.scrollable_content_region.width, count * ITEM_LINES)
        if not keep_cursor:
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        else:
            self.cursor = min(self.cursor, max(count - 1, 0))
        self.refresh()

    def extend(self, count: int) -> None:
        """More articles were added at the end (the next page of results)."""
        self.count = count
        self.virtual_size = Size(self.scrollable_content_region.width, count * ITEM_LINES)
        self.refresh()

    def redraw(self) -> None:
        """Draw every article again (their marks changed)."""
        self._drawn.clear()
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.count * ITEM_LINES)
        self._drawn.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = self.scroll_offset.y + y
        position, within = divmod(line, ITEM_LINES)
        if self._draw is None or position >= self.count or width <= 0:
            return Strip.blank(width, self.rich_style)
        key = (position, width)
        strips = self._drawn.get(key)
        if strips is None:
            strips = render(self._rich, self._draw(position, width), width)
            self._drawn[key] = strips
        strip = strips[within] if within < len(strips) else Strip.blank(width, self.rich_style)
        if position == self.cursor:
            strip = _at_cursor(strip, no_color=self.app.no_color)
        return strip.crop_extend(0, width, self.rich_style)

    def watch_cursor(self, old: int, new: int) -> None:
        if not self.count:
            return
        self.scroll_to_region(
            Region(0, new * ITEM_LINES, 1, ITEM_LINES), animate=False, immediate=True
        )
        self.refresh()
        if new >= self.count - 3:
            self.post_message(self.NearEnd())

    def action_move(self, by: int) -> None:
        if self.count:
            self.cursor = max(0, min(self.count - 1, self.cursor + by))

    def action_page(self, by: int) -> None:
        per_page = max(1, self.size.height // ITEM_LINES)
        self.action_move(by * per_page)

    def action_edge(self, last: int) -> None:
        if self.count:
            self.cursor = self.count - 1 if last else 0

    def action_choose(self) -> None:
        if self.count:
            self.post_message(self.Chosen(self.cursor))

    def on_click(self, event: Click) -> None:
        position = (self.scroll_offset.y + event.y) // ITEM_LINES
        if 0 <= position < self.count:
            self.cursor = position
            self.post_message(self.Chosen(position))


def _at_cursor(strip: Strip, *, no_color: bool) -> Strip:
    """A line of the entry under the cursor: on a grey ground, or without colour, after a bar
    (but for its blank lines). A line that starts with text (a result's number from 10 on)
    keeps it, reversed."""
    if not no_color:
        return strip.apply_style(CURSOR)
    if not strip.text.strip():
        return strip
    first = Strip([CURSOR_BAR], 1)
    if strip.text[:1] != " ":
        first = strip.crop(0, 1).apply_style(_REVERSED)
    return Strip.join([first, strip.crop(1)])
