"""The read state's marks for a command's list: which articles are new, which were read."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from artread.commands.context import Command

if TYPE_CHECKING:
    from artread.core.catalog import Entry
    from artread.core.index import ArchiveIndex
    from artread.core.readstate import ReadState


@dataclass
class Marks:
    """The read state of an archive, and the paths of its new articles among those listed."""

    state: ReadState
    new: set[str] = field(default_factory=set)

    def of(self, entries: Iterable[Entry]) -> dict[str, str]:
        """{path: "new" or "read"} for the entries that have a mark."""
        found = {entry.path: self.state.mark_of(entry) for entry in entries}
        return {path: mark for path, mark in found.items() if mark}


def read_marks(
    command: Command,
    index: ArchiveIndex,
    *,
    category: str | None = None,
    tag: str | None = None,
    drafts: bool = False,
) -> Marks:
    """The marks of the archive's articles that pass the filters (none before a first visit)."""
    from artread.core import listing, readstate

    state = readstate.load(index.root, command.env.environ)
    if not state.recorded:
        return Marks(state)
    new = {entry.path for entry in state.new_entries(index.catalog.articles(drafts=drafts))}
    if new and (category or tag):
        narrowed = listing.latest_page(
            index.catalog, per_page=len(new), category=category, tag=tag, drafts=drafts, paths=new
        )
        new = {entry.path for entry in narrowed.articles}
    return Marks(state, new)


def mark_opened(command: Command, index: ArchiveIndex, entry: Entry) -> None:
    """`show` opened an article: it is read, as in the reader, once marks are kept for this
    archive (a plain `show` before any visit writes nothing)."""
    from artread.core import readstate

    state = readstate.load(index.root, command.env.environ)
    if not state.recorded:
        return
    state.mark_read(entry)
    with contextlib.suppress(OSError):  # a read-only data folder: shown all the same
        state.save()
