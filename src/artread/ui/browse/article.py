"""An article on the screen, as `show` draws it, with what a reader moves through: its
headings (for the outline), its links and related articles (Tab, Enter), and matches of a
find (n, N).

The lines arrive in pieces (the screen draws a long article's beginning before its end) and
are kept as drawn at one width; the view draws the lines on the screen from them.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import ClassVar

from rich.style import Style
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from artread.ui.browse.find import Finder, Match
from artread.ui.browse.lines import highlighted, meta_of, text_of
from artread.ui.markdown import HEADING, RELATED

MARGIN = 1  # cells left of the text
MATCH = Style(bgcolor="yellow", color="black")
CURRENT_MATCH = Style(bgcolor="dark_orange", color="black", bold=True)
SELECTED = Style(reverse=True)
# Without colour (NO_COLOR, --color never) what survives: underline and reverse.
MATCH_NO_COLOR = Style(underline=True)
CURRENT_MATCH_NO_COLOR = Style(reverse=True, bold=True)


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading of the article shown, and the line it is on."""

    level: int
    title: str
    line: int


@dataclass
class Target:
    """Something to open in the article: a link (its address) or a related article (its id)."""

    kind: str  # "link" or "related"
    value: str
    spans: list[Match] = field(default_factory=list)


class ArticleView(ScrollView, can_focus=True):
    """The lines of an article, scrolled as less scrolls."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down,ctrl+e,ctrl+n", "scroll_by(1)", "Down", show=False),
        Binding("k,up,ctrl+y,ctrl+p", "scroll_by(-1)", "Up", show=False),
        Binding("space,pagedown,f,ctrl+f", "page(1)", "Page down", show=False),
        Binding("b,pageup,ctrl+b", "page(-1)", "Page up", show=False),
        Binding("d,ctrl+d", "half(1)", "Half page down", show=False),
        Binding("u,ctrl+u", "half(-1)", "Half page up", show=False),
        Binding("g,home", "edge(0)", "Top", show=False),
        Binding("G,end", "edge(1)", "Bottom", show=False),
        Binding("tab", "select(1)", "Next link", show=False),
        Binding("shift+tab", "select(-1)", "Previous link", show=False),
        Binding("enter", "open_selected", "Open link", show=False),
    ]

    class Opened(Message):
        """A link or a related article was chosen."""

        def __init__(self, target: Target) -> None:
            super().__init__()
            self.target = target

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[Strip] = []
        self.headings: list[Heading] = []
        self.targets: list[Target] = []
        self.selected: int | None = None
        self.matches: list[Match] = []
        self.current: int | None = None
        self._marked: dict[int, list[tuple[int, int, Style]]] = {}
        self._finder: Finder | None = None
        self._last_heading: object = None
        self._last_related: object = None

    def clear(self) -> None:
        self.lines, self.headings, self.targets = [], [], []
        self.selected = self.current = None
        self.matches, self._finder = [], None
        self._last_heading = self._last_related = None
        self._remark()
        self.virtual_size = Size(0, 0)
        self.scroll_to(y=0, animate=False)

    def add_lines(self, strips: list[Strip]) -> None:
        """More of the article, drawn: find its headings, links and related articles."""
        for strip in strips:
            self._place(len(self.lines), strip)
            self.lines.append(strip)
        self._finder = None
        width = max((strip.cell_length for strip in self.lines), default=0)
        self.virtual_size = Size(width + MARGIN, len(self.lines))
        self.refresh()

    def _place(self, number: int, strip: Strip) -> None:
        heading = meta_of(strip, HEADING)
        if heading is not None and heading != self._last_heading:
            self.headings.append(Heading(heading[0], text_of(strip).strip(), number))
        elif heading is not None and self.headings:  # a heading wrapped onto this line
            last = self.headings[-1]
            title = f"{last.title} {text_of(strip).strip()}"
            self.headings[-1] = Heading(last.level, title, last.line)
        self._last_heading = heading
        related = meta_of(strip, RELATED)
        if related is not None:
            span = Match(number, 0, strip.cell_length)
            if related == self._last_related:
                self.targets[-1].spans.append(span)
            else:
                self.targets.append(Target("related", related, [span]))
        self._last_related = related
        self._links(number, strip)

    def _links(self, number: int, strip: Strip) -> None:
        position = 0
        for segment in strip:
            length = segment.cell_length
            link = segment.style.link if segment.style else None
            if link:
                span = Match(number, position, position + length)
                last = self.targets[-1] if self.targets else None
                if last and last.kind == "link" and last.value == link and _follows(last, span):
                    previous = last.spans[-1]
                    if previous.line == number and previous.end == span.start:
                        last.spans[-1] = Match(number, previous.start, span.end)
                    else:
                        last.spans.append(span)
                else:
                    self.targets.append(Target("link", link, [span]))
            position += length

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        number = self.scroll_offset.y + y
        if number >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        strip = self.lines[number]
        marks = self._marked.get(number)
        if marks:
            strip = highlighted(strip, marks)
        strip = Strip.join([Strip.blank(MARGIN, self.rich_style), strip])
        start = self.scroll_offset.x
        return strip.crop_extend(start, start + width, self.rich_style)

    # finding text

    def find(self, text: str, *, move: bool = True) -> int:
        """Mark every place text is shown; the number of them. The first one at or after the
        top of the screen becomes the current one (move) and is scrolled to, or the current
        one stays (more of the article was drawn)."""
        if self._finder is None:
            self._finder = Finder([text_of(strip) for strip in self.lines])
        current = self.matches[self.current] if self.current is not None else None
        self.matches = self._finder.find(text) if text.strip() else []
        self.current = None
        if not move and current in self.matches:
            self.current = self.matches.index(current)
        elif self.matches:
            top = self.scroll_offset.y
            lines = [match.line for match in self.matches]
            self.current = min(bisect.bisect_left(lines, top), len(self.matches) - 1)
            self._show_line(self.matches[self.current].line)
        self._remark()
        return len(self.matches)

    def next_match(self, step: int) -> int | None:
        """Move to the next (1) or previous (-1) match, round the end; its number from 0."""
        if not self.matches:
            return None
        start = self.current if self.current is not None else -1
        self.current = (start + step) % len(self.matches)
        self._show_line(self.matches[self.current].line)
        self._remark()
        return self.current

    def clear_find(self) -> None:
        self.matches, self.current = [], None
        self._remark()

    # headings, links and related articles

    def jump_to(self, heading: Heading) -> None:
        self.scroll_to(y=heading.line, animate=False)

    def heading_at_top(self) -> int | None:
        """Which heading the line at the top of the screen belongs to."""
        lines = [heading.line for heading in self.headings]
        found = bisect.bisect_right(lines, self.scroll_offset.y) - 1
        return found if found >= 0 else None

    def action_select(self, step: int) -> None:
        """Select the next link or related article after (or before) the current one, or
        the first one on the screen."""
        if not self.targets:
            return
        if self.selected is None:
            top = self.scroll_offset.y
            on_screen = [n for n, t in enumerate(self.targets) if t.spans[0].line >= top]
            self.selected = on_screen[0] if on_screen and step > 0 else (len(self.targets) - 1)
        else:
            self.selected = (self.selected + step) % len(self.targets)
        self._show_line(self.targets[self.selected].spans[0].line)
        self._remark()

    def action_open_selected(self) -> None:
        if self.selected is None:
            self.action_select(1)
            return
        self.post_message(self.Opened(self.targets[self.selected]))

    def on_click(self, event: Click) -> None:
        number = self.scroll_offset.y + event.y
        cell = self.scroll_offset.x + event.x - MARGIN
        for position, target in enumerate(self.targets):
            if any(s.line == number and s.start <= cell < s.end for s in target.spans):
                self.selected = position
                self._remark()
                self.post_message(self.Opened(target))
                return

    # scrolling

    def action_scroll_by(self, lines: int) -> None:
        self.scroll_to(y=self.scroll_offset.y + lines, animate=False)

    def action_page(self, pages: int) -> None:
        self.action_scroll_by(pages * max(1, self.size.height - 1))

    def action_half(self, pages: int) -> None:
        self.action_scroll_by(pages * max(1, self.size.height // 2))

    def action_edge(self, bottom: int) -> None:
        self.scroll_to(y=len(self.lines) if bottom else 0, animate=False)

    def _show_line(self, line: int) -> None:
        """Scroll so that line is on the screen, a third of the way down if it was not."""
        top, height = self.scroll_offset.y, self.size.height
        if not top <= line < top + height:
            self.scroll_to(y=max(0, line - height // 3), animate=False)

    def _remark(self) -> None:
        marked: dict[int, list[tuple[int, int, Style]]] = {}
        current, other = (
            (CURRENT_MATCH_NO_COLOR, MATCH_NO_COLOR)
            if self.app.no_color
            else (CURRENT_MATCH, MATCH)
        )
        for number, match in enumerate(self.matches):
            style = current if number == self.current else other
            marked.setdefault(match.line, []).append((match.start, match.end, style))
        if self.selected is not None and self.selected < len(self.targets):
            for span in self.targets[self.selected].spans:
                marked.setdefault(span.line, []).append((span.start, span.end, SELECTED))
        self._marked = marked
        self.refresh()


def _follows(target: Target, span: Match) -> bool:
    """A link piece continues the target's last piece: right after it, or on the next line."""
    last = target.spans[-1]
    return (last.line == span.line and last.end == span.start) or last.line + 1 == span.line
