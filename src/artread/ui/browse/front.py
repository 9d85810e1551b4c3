"""The front page: LATEST UPDATES as `latest` draws it, the whole archive in one list, new and
read articles marked, narrowed to a category or tag from the picker."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from artread.ui import views
from artread.ui.browse.entries import EntryList
from artread.ui.browse.keybar import KeyBar
from artread.ui.browse.library import Filter

if TYPE_CHECKING:
    from artread.core.catalog import Entry
    from artread.ui.browse.app import BrowseApp


KEY_BAR = [  # the main keys, at the bottom
    ("/", "Search"),
    ("Enter", "Open"),
    ("f", "Filter"),
    ("n", "New only"),
    ("?", "Keys"),
    ("q", "Quit"),
]


class FrontScreen(Screen[None]):
    """Every article, newest first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "app.search", "Search"),
        Binding("f", "pick", "Filter"),
        Binding("n", "new_only", "New only"),
        Binding("A", "all_seen", "All seen", show=False),
        Binding("r", "app.refresh", "Reload", show=False),
        Binding("y", "copy('id')", "Copy id", show=False),
        Binding("Y", "copy('path')", "Copy path", show=False),
        Binding("escape,backspace,h", "unfilter", "All", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.chosen = Filter()
        self.entries: list[Entry] = []

    @property
    def reader(self) -> BrowseApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        yield EntryList(id="articles")
        yield KeyBar(KEY_BAR)

    def on_mount(self) -> None:
        self.reload(keep_cursor=False)
        self.query_one(EntryList).focus()

    def reload(self, *, keep_cursor: bool = True) -> None:
        """List the articles again: the archive or the marks changed."""
        library = self.reader.library
        current = self.selected()
        self.entries = library.articles(self.chosen)
        listed = {entry.path for entry in self.entries}
        new = len(library.new_paths() & listed)
        header = views.latest_header(len(self.entries), new, self.chosen.describe())
        self.query_one("#header", Static).update(header)
        articles = self.query_one(EntryList)
        articles.show(len(self.entries), self._draw, keep_cursor=keep_cursor)
        if keep_cursor and current is not None and current in self.entries:
            articles.cursor = self.entries.index(current)

    def _draw(self, position: int, width: int) -> Group:
        entry = self.entries[position]
        mark = self.reader.library.state.mark_of(entry)
        columns = max(width - views.INDENT, 20)
        return Group(*views.latest_entry(entry, columns, mark))

    def selected(self) -> Entry | None:
        position = self.query_one(EntryList).cursor
        return self.entries[position] if 0 <= position < len(self.entries) else None

    def on_entry_list_chosen(self, event: EntryList.Chosen) -> None:
        self.reader.open_article(self.entries[event.position])

    def on_screen_resume(self) -> None:
        self.reload()  # an article opened meanwhile is read now

    def action_pick(self) -> None:
        from artread.ui.browse.dialogs import PickerScreen

        categories, tags = self.reader.library.names()

        def chosen(picked: Filter | None) -> None:
            if picked is not None:
                self.chosen = picked
                self.reload(keep_cursor=False)

        self.app.push_screen(PickerScreen(categories, tags), chosen)

    def action_new_only(self) -> None:
        self.chosen = Filter(self.chosen.category, self.chosen.tag, not self.chosen.new_only)
        self.reload(keep_cursor=False)

    def action_unfilter(self) -> None:
        if self.chosen != Filter():
            self.chosen = Filter()
            self.reload(keep_cursor=False)

    @work(thread=True, group="marks")
    def action_all_seen(self) -> None:
        self.reader.library.mark_all_seen()
        self.app.call_from_thread(self.reload)
        self.app.call_from_thread(self.notify, "Every article is seen now: none is new.")

    def action_copy(self, what: str) -> None:
        entry = self.selected()
        if entry is not None:
            self.reader.copy(entry, what)
