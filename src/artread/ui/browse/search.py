"""Search as you type: the results of `artread search` for what is in the box, with its notes
(the glossary's other words, typo corrections, did-you-mean), a moment after each key."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from artread.core.literal import Stopped
from artread.core.query import QueryError
from artread.core.wording import counted
from artread.ui import plain, views
from artread.ui.browse.entries import ITEM_LINES, EntryList
from artread.ui.browse.keybar import KeyBar
from artread.ui.browse.lines import make_console, render
from artread.ui.sanitize import clean_line

if TYPE_CHECKING:
    from textual.strip import Strip

    from artread.core.hits import Hit, SearchResults
    from artread.ui.browse.app import BrowseApp

HINT = 'Words, "quoted text", -word to leave out, category:NAME, tag:NAME, date:2025'


# the main keys, at the bottom
KEY_BAR = [("Enter", "Open"), ("↓ ↑", "Results"), ("Tab", "Did you mean"), ("Esc", "Back")]


class SearchScreen(Screen[None]):
    """A search box over its results."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,ctrl+n", "move(1)", "Next", show=False),
        Binding("up,ctrl+p", "move(-1)", "Previous", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("tab", "complete", "Did you mean", show=False),
        Binding("y", "copy('id')", "Copy id", show=False),
        Binding("Y", "copy('path')", "Copy path", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: SearchResults | None = None
        self.hits: list = []
        self.asked = 0  # searches started: a result that is not the last one asked is dropped
        self._timer: Timer | None = None
        self._drawer = make_console()  # draws the results in the search's thread

    @property
    def reader(self) -> BrowseApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search", id="query")
        yield Static(Text(HINT, style="dim"), id="notes")
        yield EntryList(id="results")
        yield KeyBar(KEY_BAR)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.asked += 1
        if self._timer is not None:
            self._timer.stop()
        text, asked = event.value, self.asked
        if not text.strip():
            self._show(text, asked, None)
            return
        results = self.query_one(EntryList)
        # A page has what fills the screen: snippets are most of a search's time.
        shown = max(4, results.size.height // ITEM_LINES + 1)
        width = results.scrollable_content_region.width

        def start() -> None:
            self._search(text, asked, page=1, per_page=shown, width=width)

        if self.reader.debounce > 0:
            self._timer = self.set_timer(self.reader.debounce, start)
        else:
            start()

    @work(thread=True, group="search")
    def _search(self, text: str, asked: int, *, page: int, per_page: int, width: int = 0) -> None:
        """Search, and draw the first page's results at width, away from the screen's thread;
        the next page is asked for as the cursor nears the end of the list."""
        library = self.reader.library

        def wanted() -> bool:
            # Not when typed on (a later search is on its way), nor once the search is left.
            return asked == self.asked and self.is_attached

        with library.lock:
            if not wanted():
                return
            try:
                found: SearchResults | QueryError = library.search(
                    text, page=page, per_page=per_page, wanted=wanted
                )
            except QueryError as exc:
                found = exc
            except Stopped:
                return
        drawn = {}
        if width and not isinstance(found, QueryError):
            for number, hit in enumerate(found.hits):
                drawn[number] = render(self._drawer, self._entry(hit, number, width), width)
        self.app.call_from_thread(self._show, text, asked, found, drawn)

    def _show(
        self,
        text: str,
        asked: int,
        found: SearchResults | QueryError | None,
        drawn: dict[int, list[Strip]] | None = None,
    ) -> None:
        if asked != self.asked or not self.is_attached:
            return  # typed on meanwhile, or the search was left
        results = self.query_one(EntryList)
        notes = self.query_one("#notes", Static)
        if found is None or isinstance(found, QueryError):
            self.found, self.hits = None, []
            notes.update(Text(str(found) if found else HINT, style="dim"))
            results.show(0, self._draw)
            return
        if found.page > 1 and self.found is not None and found.query == self.found.query:
            self.found, self.hits = found, self.hits + found.hits
            results.extend(len(self.hits))
            return
        self.found, self.hits = found, list(found.hits)
        notes.update(_notes(found))
        results.show(len(self.hits), self._draw, drawn=drawn)

    def _draw(self, position: int, width: int) -> Group:
        return self._entry(self.hits[position], position, width)

    def _entry(self, hit: Hit, position: int, width: int) -> Group:
        mark = self.reader.library.state.mark_of(hit.entry)
        columns = max(width - views.INDENT - 2, 20)  # as `search` wraps them
        return Group(*views.result_entry(position + 1, hit, columns, mark))

    def on_entry_list_near_end(self) -> None:
        found = self.found
        # Only once per page: the page asked for adds exactly per_page results.
        if found is not None and found.page * found.per_page == len(self.hits) < found.total:
            self._search(found.query, self.asked, page=found.page + 1, per_page=found.per_page)

    def on_input_submitted(self) -> None:
        self.query_one(EntryList).action_choose()

    def on_entry_list_chosen(self, event: EntryList.Chosen) -> None:
        self.reader.open_article(self.hits[event.position].entry)

    def on_screen_resume(self) -> None:
        self.query_one(EntryList).redraw()  # the article opened is read now
        self.query_one(Input).focus()

    def action_move(self, by: int) -> None:
        self.query_one(EntryList).action_move(by)

    def action_page(self, by: int) -> None:
        self.query_one(EntryList).action_page(by)

    def action_complete(self) -> None:
        """Search for the suggestion, if there is one; otherwise go to the results."""
        if self.found is not None and self.found.suggestion:
            self.query_one(Input).value = self.found.suggestion
        else:
            self.query_one(EntryList).focus()

    def action_copy(self, what: str) -> None:
        results = self.query_one(EntryList)
        if self.hits and results.has_focus:
            self.reader.copy(self.hits[results.cursor].entry, what)


def _notes(found: SearchResults) -> Text:
    """What `search` says above and below its results, in a few lines."""
    lines = [note for note in plain.search_notes(found) if note]
    summary = f"{counted(found.total, 'result')} for {clean_line(found.query)}"
    if found.complete < found.total:
        summary += f" ({found.complete} with every word)"
    text = Text("\n".join([*lines, summary]), style="dim")
    if found.suggestion:
        text.append("\nDid you mean: ", style="dim")
        text.append(clean_line(found.suggestion), style="bold")
        text.append("  (Tab)", style="dim")
    return text
