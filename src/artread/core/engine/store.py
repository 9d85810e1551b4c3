"""The Whoosh index on disk: created, checked, opened and searched.

Whoosh unpickles its table of contents and segments, and unpickling runs code: a folder is
checked (check()) before it is opened.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from artread.config import check_file, trusted_dir
from artread.core.engine.backend import index, scoring, searching
from artread.core.engine.schema import schema


@dataclass(frozen=True, slots=True)
class Census:
    """How many documents a Whoosh index holds, and in how many segments."""

    documents: int
    deleted: int  # awaiting a merge
    segments: int


def check(folder: Path) -> None:
    """The folder and every file in it must be the user's alone to write (UnsafeStorage if
    not)."""
    if not trusted_dir(folder, top=folder.parent.parent):
        return
    with os.scandir(folder) as found:
        for entry in found:
            check_file(entry.path, entry.stat(follow_symlinks=False))


def exists(folder: Path) -> bool:
    """An index is in the folder (it may still be damaged: see opens())."""
    return index.exists_in(str(folder))


def create(folder: Path) -> Any:
    """An empty index in the folder, of artread's schema."""
    return index.create_in(str(folder), schema())


def open_index(folder: Path, *, mapped: bool = True) -> Any:
    """The index in the folder. Whoosh copies each file it maps into memory when it opens it:
    worth it for a process that keeps the index open (the resident server), while one that
    answers one command reads only what it needs with mapped=False."""
    from whoosh.filedb.filestore import FileStorage

    return FileStorage(str(folder), supports_mmap=mapped).open_index()


def opens(folder: Path) -> bool:
    """The index in the folder opens and reads: not damaged or half written."""
    try:
        open_index(folder, mapped=False).doc_count_all()
    except Exception:  # any damage: Whoosh raises many kinds
        return False
    return True


def census(folder: Path) -> Census:
    """What the index in the folder holds; raises whatever Whoosh raises if it is damaged."""
    opened = open_index(folder, mapped=False)
    with opened.reader() as reader:
        documents = reader.doc_count()
        deleted = reader.doc_count_all() - documents
    return Census(documents, deleted, len(opened._segments()))


def searcher(reader: Any, weighting: Any = None) -> Any:
    """A searcher (BM25F unless told otherwise) on a reader that outlives it."""
    return searching.Searcher(reader, weighting=weighting or scoring.BM25F(), closereader=False)
