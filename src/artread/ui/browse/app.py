"""The reader: its screens on a back stack (Esc goes back, q quits from anywhere), and what
they share: the library, copying, opening links, looking for new files."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType

from artread.ui.browse.front import FrontScreen
from artread.ui.sanitize import clean_line

if TYPE_CHECKING:
    from artread.core.catalog import Entry
    from artread.ui.browse.article import ArticleView
    from artread.ui.browse.library import Library

# After a key in the search box, before the search starts: keys that come together (a paste,
# a repeating key) make one search. A search running meanwhile is given up at the next key.
DEBOUNCE_SECONDS = 0.01
REFRESH_SECONDS = 30.0  # how often the archive is looked at for new and changed files
OPENED_SCHEMES = {"http", "https", "mailto", "ftp"}  # links the system opener is given

CSS = """
Screen { background: $background; }
#header { height: 2; padding: 0 0 1 0; }
EntryList, ArticleView { scrollbar-size-vertical: 1; }
ArticleScreen { layers: base overlay; }
ArticleView { height: 1fr; }
#outline {
    layer: overlay; dock: left; width: 40%; max-width: 44; min-width: 24;
    height: 100%; margin-bottom: 1; background: $surface;
}
#status { height: 1; padding: 0 1; }
#notes { height: 4; padding: 0 1; }
#help { width: 90%; max-width: 96; height: 90%; border: round $foreground 50%;
    background: $surface; padding: 0 1; }
HelpScreen, PickerScreen { align: center middle; }
#narrow { width: 70%; max-width: 70; }
#choices { width: 70%; max-width: 70; max-height: 70%; }
.hidden { display: none; }
/* Only without colour (see BrowseApp): what a background showed, underline shows. */
Input:ansi > .input--cursor { text-style: underline; }
OptionList:ansi > .option-list--option-highlighted { text-style: bold underline; }
"""


class BrowseApp(App[int]):
    """`artread browse`."""

    CSS = CSS
    TITLE = "artread"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit_reader", "Quit"),
        Binding("question_mark", "help", "Keys"),
        Binding("escape,backspace,h", "back", "Back"),
        # Ctrl+C quits from a text box too (it would copy there): a terminal's habit.
        Binding("ctrl+c", "quit_reader", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        library: Library,
        *,
        opener: Callable[[str], bool] | None = None,
        debounce: float = DEBOUNCE_SECONDS,
        refresh_seconds: float | None = REFRESH_SECONDS,
        no_color: bool = False,
    ) -> None:
        # Without colour Textual draws in shades of grey unless told the terminal's own colours
        # are wanted: then it drops every colour, keeping bold, dim, underline and reverse.
        super().__init__(ansi_color=True if no_color else None)
        self.library = library
        self.opener = opener if opener is not None else system_opener
        self.debounce = debounce
        self.refresh_seconds = refresh_seconds

    def get_default_screen(self) -> FrontScreen:
        return FrontScreen()

    def on_mount(self) -> None:
        # The visit is recorded now (written by the worker, or when the reader closes): an
        # article opened at once is read after the visit, not before it.
        self.library.visit(save=False)
        self.call_after_refresh(self._visit)
        if self.refresh_seconds:
            self.set_interval(self.refresh_seconds, self.action_refresh)

    @work(thread=True, group="background")
    def _visit(self) -> None:
        """Record the visit, then load what the other screens and the first search need (the
        segmenter, the index's reader, the glossary) while the front page is looked at."""
        self.library.save()
        import artread.ui.browse.dialogs
        import artread.ui.browse.reader
        import artread.ui.browse.search  # noqa: F401  (the first screen did without them)

        self.library.warm()
        # What is loaded now (the catalog, the index's words, the modules) lives as long as
        # the reader: out of the collector's way, whose full passes over it took up to 150 ms
        # in the middle of a search (measured over 5,250 articles).
        gc.freeze()

    # the back stack

    # The screens after the first are imported when first wanted: the front page comes sooner.

    def open_article(self, entry: Entry) -> None:
        from artread.ui.browse.reader import ArticleScreen

        self.push_screen(ArticleScreen(entry))

    def action_search(self) -> None:
        from artread.ui.browse.search import SearchScreen

        self.push_screen(SearchScreen())

    def action_back(self) -> None:
        close_panel = getattr(self.screen, "close_panel", None)  # the article's find, outline
        if close_panel is not None and close_panel():
            return
        if len(self.screen_stack) > 1:
            self.pop_screen()

    def action_help(self) -> None:
        from artread.ui.browse.dialogs import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_quit_reader(self) -> None:
        self.exit(0)

    # what the screens share

    def copy(self, entry: Entry, what: str) -> None:
        """Copy the article's id, or its file's path, to the terminal's clipboard."""
        text = entry.id if what == "id" else str(self.library.index.root / entry.path)
        self.copy_to_clipboard(text)
        self.notify(f"Copied {'the id' if what == 'id' else 'the path'}: {clean_line(text)}")

    def open_link(self, entry: Entry, url: str, view: ArticleView) -> None:
        """An article of the archive opens here; a web address in the system's browser."""
        linked = self.library.linked(entry, url)
        if linked is not None:
            self.open_article(linked)
            return
        shown = clean_line(url)
        if url.startswith("#"):
            heading = _heading_for(view, url[1:])
            if heading is not None:
                view.jump_to(heading)
            return
        if urlsplit(url).scheme.lower() not in OPENED_SCHEMES:
            self.notify(f"Not opened (not a web address): {shown}", severity="warning")
        elif self.opener(url):
            self.notify(f"Opened {shown}")
        else:
            self.copy_to_clipboard(url)
            self.notify(f"No program opens links here; copied {shown}", severity="warning")

    @work(thread=True, exclusive=True, group="refresh")
    def action_refresh(self) -> None:
        """Look for files added, changed or removed; list them, marked new, if any."""
        changed, said = self.library.refresh()
        if changed or said:
            self.call_from_thread(self._refreshed, changed, said)

    def _refreshed(self, changed: bool, said: list[str]) -> None:
        front = self.screen_stack[0]
        if changed and isinstance(front, FrontScreen):
            front.reload()
        for line in said[:3]:
            self.notify(clean_line(line), severity="warning")


def _heading_for(view: ArticleView, anchor: str) -> object:
    wanted = anchor.casefold().replace("-", " ").strip()
    for heading in view.headings:
        if heading.title.casefold().replace("-", " ").strip() == wanted:
            return heading
    return None


def system_opener(url: str) -> bool:
    """Give url to the system's opener (xdg-open, open), away from this terminal: what it
    starts must not draw over the reader. False when there is none."""
    program = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(program) is None:
        return False
    subprocess.Popen(
        [program, url],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )
    return True


@contextmanager
def _environment(no_color: bool) -> Iterator[None]:
    """NO_COLOR for Textual, which reads it when the app is made (--color never)."""
    if not no_color or "NO_COLOR" in os.environ:
        yield
        return
    os.environ["NO_COLOR"] = "1"
    try:
        yield
    finally:
        os.environ.pop("NO_COLOR", None)


def make_app(library: Library, *, no_color: bool = False, **options: object) -> BrowseApp:
    """The reader of library; no colour at all with no_color (as NO_COLOR would)."""
    no_color = no_color or "NO_COLOR" in os.environ
    with _environment(no_color):
        return BrowseApp(library, no_color=no_color, **options)  # type: ignore[arg-type]


def run_browser(library: Library, *, no_color: bool = False) -> int:
    """Run the reader on this process's terminal until it quits; its exit status."""
    app = make_app(library, no_color=no_color)
    try:
        result = app.run()
    finally:
        library.close()
    return result if isinstance(result, int) else (app.return_code or 0)
