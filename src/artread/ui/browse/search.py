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
from textual.widgets import Footer, Input, Static

from artread.core.query import QueryError
from artread.core.wording import counted
from artread.ui import plain, views
from artread.ui.browse.entries import ITEM_LINES, EntryList
from artread.ui.sanitize import clean_line

if TYPE_CHECKING:
    from artread.core.search import SearchResults
    from artread.ui.browse.app import BrowseApp

HINT = 'Words, "quoted text", -word to leave out, category:NAME, tag:NAME, date:2025'


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

    @property
    def reader(self) -> BrowseApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search", id="query")
        yield Static(Text(HINT, style="dim"), id="notes")
        yield EntryList(id="results")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @property
    def per_page(self) -> int:
        """Enough results to fill the screen, and a few more; more come as the cursor nears
        the end."""
        return max(5, self.size.height // ITEM_LINES + 2)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.asked += 1
        if self._timer is not None:
            self._timer.stop()
        text, asked = event.value, self.asked
        if not text.strip():
            self._show(text, asked, None)
            return
        if self.reader.debounce > 0:
            self._timer = self.set_timer(self.reader.debounce, lambda: self._search(text, asked))
        else:
            self._search(text, asked)

    @work(thread=True, group="search")
    def _search(self, text: str, asked: int, page: int = 1) -> None:
        library = self.reader.library
        with library.lock:
            if asked != self.asked:
                return  # typed on meanwhile: a later search is on its way
            try:
                found: SearchResults | QueryError = library.search(
                    text, page=page, per_page=self.per_page
                )
            except QueryError as exc:
                found = exc
        self.app.call_from_thread(self._show, text, asked, found)

    def _show(self, text: str, asked: int, found: SearchResults | QueryError | None) -> None:
        if asked != self.asked:
            return
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
        results.show(len(self.hits), self._draw)

    def _draw(self, position: int, width: int) -> Group:
        hit = self.hits[position]
        mark = self.reader.library.state.mark_of(hit.entry)
        return Group(*views.result_entry(position + 1, hit, max(width - 5, 20), mark))

    def on_entry_list_near_end(self) -> None:
        found = self.found
        # Only once per page: the page asked for adds exactly per_page results.
        if found is not None and found.page * found.per_page == len(self.hits) < found.total:
            self._search(found.query, self.asked, found.page + 1)

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
