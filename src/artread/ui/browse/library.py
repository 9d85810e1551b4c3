"""What the reader shows, asked of the core as `latest`, `search` and `show` ask it, and the
read state it keeps. No Textual here.

The reader calls the core from worker threads, so that typing and scrolling never wait for a
search; the index holds one Whoosh reader, so one search (or related articles, or an update)
runs at a time (the lock). What the catalog alone answers (the lists, an article by id) needs
no lock: the screen's thread asks it, and must not wait behind a search.
"""

from __future__ import annotations

import posixpath
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from artread.core import listing

if TYPE_CHECKING:
    from artread.core.catalog import Entry
    from artread.core.hits import SearchResults
    from artread.core.index import ArchiveIndex
    from artread.core.readstate import ReadState

# How the command line opens the archive again (brought up to date): the index, and what
# the update had to say (skipped files, warnings) for the reader to show.
Reopen = Callable[[], tuple["ArchiveIndex", list[str]]]
SEARCHES_KEPT = 64  # a search typed letter by letter comes back to its earlier queries
# Searched once when the reader starts: Chinese, traditional characters and English load the
# segmenter, the traditional-to-simplified table, the stemmer, the glossary and the reader.
WARM_UP = "注意力 檢查 transformer"
# A symbol the built-in table lacks: the whole table is read (pylatexenc's), once.
WARM_UP_FORMULA = r"p_\theta(\mathbf{x}) \hookrightarrow \aleph_0"


@dataclass
class Filter:
    """Which articles the front page lists."""

    category: str | None = None
    tag: str | None = None
    new_only: bool = False

    def describe(self) -> str:
        parts = [f"in {self.category}"] * bool(self.category)
        parts += [f"tagged {self.tag}"] * bool(self.tag)
        parts += ["new only"] * self.new_only
        return ", ".join(parts)


@dataclass
class Library:
    """An archive's index and the reader's read state, for the screens."""

    index: ArchiveIndex
    state: ReadState
    reopen: Reopen | None = None
    closing: Callable[[], None] | None = None  # what the reader does when it is done
    mode: str = "auto"  # how searches rank (core.search's mode); lexical: no meaning at all
    lock: threading.RLock = field(default_factory=threading.RLock)
    _searches: OrderedDict = field(default_factory=OrderedDict)

    def articles(self, chosen: Filter | None = None) -> list[Entry]:
        """The articles `latest` lists, newest first, all of them."""
        chosen = chosen or Filter()
        catalog = self.index.catalog
        paths = self.new_paths() if chosen.new_only else None
        every = len(catalog.entries) or 1
        page = listing.latest_page(
            catalog, per_page=every, category=chosen.category, tag=chosen.tag, paths=paths
        )
        return page.articles

    def new_paths(self) -> set[str]:
        listed = self.index.catalog.articles(drafts=False)
        return {entry.path for entry in self.state.new_entries(listed)}

    def names(self) -> tuple[dict[str, int], dict[str, int]]:
        """Every category and every tag, with their numbers of articles."""
        catalog = self.index.catalog
        return listing.categories(catalog), listing.tags(catalog)

    def search(
        self,
        text: str,
        *,
        page: int = 1,
        per_page: int = 10,
        wanted: Callable[[], bool] | None = None,
    ) -> SearchResults:
        """A page of `artread search TEXT`'s results, ranked as it ranks them. wanted: as
        core.search's (literal.Stopped once it is false)."""
        from artread.core.search import search

        key = (text, page, per_page)
        with self.lock:
            found = self._searches.get(key)
            if found is None:
                found = search(
                    self.index, text, page=page, per_page=per_page, mode=self.mode, wanted=wanted
                )
                self._searches[key] = found
                while len(self._searches) > SEARCHES_KEPT:
                    self._searches.popitem(last=False)
            self._searches.move_to_end(key)
            return found

    def warm(self) -> None:
        """Load what a search needs now, so that the first key typed is answered as fast as
        the next one; a step at a time, so that a search typed meanwhile goes in between."""
        from artread.core import formula
        from artread.core.search import search

        with self.lock:
            search(self.index, WARM_UP, per_page=1)
        formula.to_unicode(WARM_UP_FORMULA)  # snippets read formulas
        for latin in (True, False):  # the index's words, for typos and did-you-mean
            with self.lock, self.index.searcher() as searcher:
                self.index.vocabulary.words(searcher, latin=latin)

    def body(self, entry: Entry) -> str:
        """The article's Markdown, without its front matter, as `show` reads it."""
        from artread.core.front_matter import split_front_matter

        return split_front_matter(self.index.read_text(entry))[1]

    def related(self, entry: Entry, body: str) -> list[Entry]:
        from artread.core.related import related

        with self.lock:
            return related(self.index, entry, body, by_meaning=self.mode != "lexical")

    # The read state has a lock of its own: marking never waits for a search.

    def visit(self, *, save: bool = True) -> None:
        """Record this visit (the first one sees every article as it is now); save: write it
        now (otherwise at the next save, or when the reader closes)."""
        self.state.visit(self.index.catalog.articles(drafts=True))
        if save:
            self.save()

    def mark_read(self, entry: Entry) -> None:
        self.state.mark_read(entry)
        self.save()

    def mark_all_seen(self) -> None:
        self.state.mark_all_seen(self.index.catalog.articles(drafts=True))
        self.save()

    def save(self) -> None:
        """Write the read state's marks (the visit's among them)."""
        self.state.save(present=self.index.catalog.entries)

    def refresh(self) -> tuple[bool, list[str]]:
        """Bring the index up to date with the archive: whether anything changed, and what
        the update said."""
        if self.reopen is None:
            return False, []
        with self.lock:
            before = self.index.catalog
            self.index, said = self.reopen()
            changed = self.index.catalog is not before
            if changed:
                self._searches.clear()
            return changed, said

    def close(self) -> None:
        """Write what is not written of the read state; let go of the index and the watch."""
        if self.state.unsaved:
            self.save()
        if self.closing is not None:
            with self.lock:
                self.closing()

    def article(self, ref: str) -> Entry | None:
        """The article with this id or path, or None."""
        catalog = self.index.catalog
        return catalog.by_id().get(ref) or catalog.article(ref)

    def linked(self, entry: Entry, url: str) -> Entry | None:
        """The article of the archive a link in entry points at (a relative path to its
        file, as Hexo and Jekyll sources link), or None."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path:
            return None
        target = posixpath.normpath(
            posixpath.join(posixpath.dirname(entry.path), unquote(parts.path))
        )
        catalog = self.index.catalog
        found = catalog.article(target) or catalog.article(target.lstrip("/"))
        if found is None and not target.endswith(".md"):
            found = catalog.article(target.rstrip("/") + ".md")
        return found
