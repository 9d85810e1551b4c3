"""An article, drawn as `show` draws it: the beginning at once, the rest as it is drawn, the
related articles last; an outline of its headings (o, t) and a find (/, n, N)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.worker import get_current_worker

from artread.ui import views
from artread.ui.browse.article import MARGIN, ArticleView
from artread.ui.browse.keybar import KeyBar
from artread.ui.browse.lines import make_console, render
from artread.ui.browse.outline import Outline
from artread.ui.sanitize import clean_line

if TYPE_CHECKING:
    from textual.strip import Strip

    from artread.core.catalog import Entry
    from artread.ui.browse.app import BrowseApp

SCROLLBAR = 1  # cells


KEY_BAR = [  # the main keys, at the bottom
    ("o", "Outline"),
    ("/", "Find"),
    ("n N", "Next match"),
    ("Tab", "Links"),
    ("y", "Copy id"),
    ("Esc", "Back"),
    ("?", "Keys"),
    ("q", "Quit"),
]


class ArticleScreen(Screen[None]):
    """One article."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o,t", "outline", "Outline"),
        Binding("slash", "find", "Find"),
        Binding("n", "next_match(1)", "Next", show=False),
        Binding("N", "next_match(-1)", "Previous", show=False),
        Binding("y", "copy('id')", "Copy id"),
        Binding("Y", "copy('path')", "Copy path", show=False),
    ]

    def __init__(self, entry: Entry) -> None:
        super().__init__()
        self.entry = entry
        self.found = ""  # what the find looks for
        self.loaded = False  # every line is drawn, related articles too
        self.drawn_at = 0  # the width the lines are drawn at
        self.drawing = 0  # which drawing of the article the lines coming in belong to
        self.keep_place: float | None = None  # how far down to be once drawn again
        self.sent = False  # lines of the article went to the screen: it is read

    @property
    def reader(self) -> BrowseApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield ArticleView(id="article")
        yield Outline(id="outline", classes="hidden")
        yield Input(placeholder="Find in the article", id="find", classes="hidden")
        yield Static(id="status", classes="hidden")
        yield KeyBar(KEY_BAR)

    def on_mount(self) -> None:
        self.query_one(ArticleView).focus()
        self._draw()

    def _draw(self) -> None:
        self.loaded = False
        self.drawn_at = self.measure()
        self.drawing += 1
        self.say("Loading…")
        self._load(self.drawn_at, self.drawing)

    def on_resize(self) -> None:
        """Draw the article again at the new width (the terminal was resized)."""
        if self.drawn_at and self.measure() != self.drawn_at:
            view = self.query_one(ArticleView)
            self.keep_place = view.scroll_offset.y / max(1, len(view.lines))
            view.clear()
            self._draw()

    def measure(self) -> int:
        """The width the article is drawn at: the screen's, at most views.READING_WIDTH."""
        return max(20, min(self.app.size.width - MARGIN - SCROLLBAR, views.READING_WIDTH))

    @work(thread=True, exclusive=True, group="article")
    def _load(self, measure: int, drawing: int) -> None:
        """Draw the article in the order it is read: the lines of the first screen go up at
        once (and the article is read from then on), the rest in a few batches, then the
        related articles."""
        library, entry = self.reader.library, self.entry
        worker = get_current_worker()
        body = library.body(entry)
        console = make_console()
        wanted = self.app.size.height
        batch: list[Strip] = []
        for part in views.article_parts(entry, body, (), measure, places=True, pieces=True):
            if worker.is_cancelled:  # the reader went back, or drew it again at another width
                return
            batch.extend(render(console, part, measure))
            if len(batch) >= wanted:
                self._send(drawing, batch)
                batch, wanted = [], 4 * wanted
        related = library.related(entry, body) if not worker.is_cancelled else []
        for part in views.related_parts(related, measure, places=True) if related else []:
            batch.extend(render(console, part, measure))
        if not worker.is_cancelled:
            self._send(drawing, batch, last=True)

    def _send(self, drawing: int, strips: list[Strip], *, last: bool = False) -> None:
        """Lines drawn in the worker, to the screen; the first ones mark the article read."""
        first = not self.sent
        self.sent = True
        self.app.call_from_thread(self._add, drawing, strips, last)
        if first:
            self.reader.library.mark_read(self.entry)

    def _add(self, drawing: int, strips: list[Strip], last: bool = False) -> None:
        if drawing != self.drawing or not self.is_attached:
            return  # drawn at a width the screen no longer has, or for a screen left
        view = self.query_one(ArticleView)
        view.add_lines(strips)
        outline = self.query_one(Outline)
        if outline.display:
            outline.show(view.headings)
        if self.found:
            view.find(self.found, move=False)
        if last:
            self.loaded = True
            self.say(self._find_status() if self.found else "")
            if self.keep_place is not None:
                view.scroll_to(y=round(self.keep_place * len(view.lines)), animate=False)
                self.keep_place = None

    def say(self, message: str) -> None:
        status = self.query_one("#status", Static)
        status.update(Text(message, style="dim"))
        status.set_class(not message, "hidden")

    # outline

    def action_outline(self) -> None:
        outline = self.query_one(Outline)
        view = self.query_one(ArticleView)
        if outline.has_class("hidden"):
            outline.show(view.headings)
            outline.remove_class("hidden")
            here = view.heading_at_top()
            if here is not None and view.headings:
                outline.highlighted = here
            elif view.headings:
                outline.highlighted = 0
            outline.focus()
        else:
            self._close_outline()

    def _close_outline(self) -> None:
        self.query_one(Outline).add_class("hidden")
        self.query_one(ArticleView).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        view = self.query_one(ArticleView)
        if event.option_list.id == "outline" and event.option_index < len(view.headings):
            view.jump_to(view.headings[event.option_index])
            self._close_outline()

    # find

    def action_find(self) -> None:
        box = self.query_one("#find", Input)
        box.remove_class("hidden")
        box.value = self.found
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "find":
            self.found = event.value
            self.query_one(ArticleView).find(self.found)
            self.say(self._find_status() if self.found.strip() else "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "find":
            self._close_find()

    def _close_find(self) -> None:
        self.query_one("#find", Input).add_class("hidden")
        self.query_one(ArticleView).focus()

    def action_next_match(self, step: int) -> None:
        if self.query_one(ArticleView).next_match(step) is not None:
            self.say(self._find_status())

    def _find_status(self) -> str:
        view = self.query_one(ArticleView)
        wanted = clean_line(self.found)
        if not view.matches:
            more = "" if self.loaded else " yet"
            return f"No match{more} for {wanted}"
        number = (view.current or 0) + 1
        return f"{number} of {len(view.matches)} for {wanted}  (n, N: next, previous)"

    def close_panel(self) -> bool:
        """Esc closes the find box or the outline first; False when neither is open."""
        for panel in ("#find", "#outline"):
            widget = self.query_one(panel)
            if not widget.has_class("hidden") and widget.has_focus:
                widget.add_class("hidden")
                self.query_one(ArticleView).focus()
                return True
        return False

    # links, related articles, copies

    def on_article_view_opened(self, event: ArticleView.Opened) -> None:
        target = event.target
        if target.kind == "related":
            found = self.reader.library.article(target.value)
            if found is not None:
                self.reader.open_article(found)
        else:
            self.reader.open_link(self.entry, target.value, self.query_one(ArticleView))

    def action_copy(self, what: str) -> None:
        self.reader.copy(self.entry, what)
