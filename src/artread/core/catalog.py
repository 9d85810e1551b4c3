"""The catalog: what the index holds, file by file, with everything list views need.

It sits beside the Whoosh index and is replaced atomically after each commit, so it never
claims an article the index does not hold. `latest` reads only the catalog.
"""

from __future__ import annotations

import mmap
import os
import struct
from collections.abc import ItemsView, Iterator, Mapping, Sequence, ValuesView
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO

from artread.config import check_file, trusted_dir
from artread.core.files import write_atomic
from artread.core.packed_columns import ABSENT, packed_spans, packed_texts, unpacked

FORMAT = 6
# What the entries hold, named in the index's fingerprint: a new layout of the same entries
# (FORMAT) is read as it is and needs no rebuild.
VERSION = 5
# MessagePack, one column per field: reading it cannot run code, as a pickle can, and
# columns decode faster than one small object per article. Format 6 is format 5 with the
# _TAIL_TEXT column's texts after the MessagePack part (its length before it), where a
# command maps them rather than reading them: most of the file, and few commands show them.
FILENAME = "catalog.msgpack"
_MAGIC = b"artread catalog %d\n" % FORMAT
_MAGIC_5 = b"artread catalog 5\n"  # still read
_LENGTH = struct.Struct("<Q")
_TAIL_TEXT = "excerpt"
_ABSENT_CODE = 1  # a MessagePack extension type: this entry has no such field
# Kept as UTF-8 bytes on disk and decoded only for the entries used: most of the catalog's
# size, and of the time to read it. (Catalogs written before packing, below, hold bytes.)
_LONG_TEXT = frozenset({"excerpt"})
# Columns written packed (core.packed_columns), each one as a few byte strings rather than an
# object per article, since every command reads the catalog and most use few of these.
# Columns written as lists of values are read as well. The path column is not written: the
# list of paths holds it.
_PACKED_TEXT = frozenset({"excerpt"})
_PACKED_LISTS = frozenset({"tags", "warnings"})
_PACKED_SPANS = "text"


@dataclass(slots=True)
class Entry:
    """An indexed article: everything list views need, without the body."""

    size: int  # of the file, for the freshness check
    mtime_ns: int
    id: str
    path: str  # relative to the archive root, with "/"
    title: str
    date: str | None  # ISO date, YYYY-MM-DD
    sort_key: float  # seconds since the epoch, for newest-first ordering
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    excerpt: str = ""
    chars: int = 0  # length of the plain text, for reading time
    declared_id: str | None = None  # an id or slug from the front matter
    span: list[int] | None = None  # start, length, written: its text in the literal-text file
    draft: bool = False  # hidden from lists and searches unless drafts are asked for
    warnings: list[str] = field(default_factory=list)  # what reading the file found wrong


@dataclass(slots=True)
class Skipped:
    """A file of the archive that could not be read as an article."""

    size: int
    mtime_ns: int
    reason: str


CatalogEntry = Entry | Skipped

# The columns on disk, in the order of Entry's fields, then Skipped's own.
_ENTRY_COLUMNS = (
    "size",
    "mtime_ns",
    "id",
    "path",
    "title",
    "date",
    "sort_key",
    "category",
    "tags",
    "excerpt",
    "chars",
    "declared_id",
    "text",
    "draft",
    "warnings",
)
_SKIPPED_COLUMN = "skipped"
_COLUMNS = frozenset((*_ENTRY_COLUMNS, _SKIPPED_COLUMN))


class Catalog:
    """What the index holds: the archive, the versions, and one entry per file."""

    def __init__(
        self,
        archive: str,
        fingerprint: str,  # format, schema and analyzer versions: a mismatch means rebuild
        entries: Mapping[str, CatalogEntry] | None = None,  # relative path -> entry
        texts: str = "",  # the literal-text file that goes with this catalog
        dictionary: dict | None = None,  # the user dictionary: size, mtime_ns, text
        *,
        folders: dict | None = None,  # the archive's folders when it was scanned: see index
    ) -> None:
        self.archive = archive
        self.fingerprint = fingerprint
        self.texts = texts
        self.dictionary = dictionary or {}
        self.folders = folders or {}
        self._entries: Mapping[str, CatalogEntry] = entries if entries is not None else {}
        self._stats: dict[str, tuple[int, int]] | None = None
        self.identity: tuple | None = None  # of the file it was read from or written to

    @property
    def entries(self) -> Mapping[str, CatalogEntry]:
        return self._entries

    @property
    def stats(self) -> dict[str, tuple[int, int]]:
        """Every file the catalog knows (articles and skipped files): (size, mtime_ns)."""
        if self._stats is None:
            if isinstance(self._entries, _Entries):
                self._stats = self._entries.stats()
            else:
                self._stats = {p: (e.size, e.mtime_ns) for p, e in self._entries.items()}
        return self._stats

    def spans(self) -> Mapping[str, list[int]]:
        """Each indexed article's span in the literal-text file (read from the catalog's
        column as asked for: a search looks up a few)."""
        if isinstance(self._entries, _Entries):
            return self._entries.column_view("text")
        return {p: e.span for p, e in self._entries.items() if isinstance(e, Entry) and e.span}

    def article(self, path: str) -> Entry | None:
        """The indexed article at path; None for a skipped file or one the catalog lacks."""
        found = self._entries.get(path)
        return found if isinstance(found, Entry) else None

    def articles(self, *, drafts: bool = True) -> list[Entry]:
        """Indexed articles (not skipped files), newest first; without drafts if asked."""
        found = [
            e for e in self.entries.values() if isinstance(e, Entry) and (drafts or not e.draft)
        ]
        return sorted(found, key=lambda e: (-e.sort_key, e.path))

    def drafts(self) -> set[str]:
        """The paths of the articles marked as drafts."""
        if isinstance(self._entries, _Entries):
            return {p for p, draft in self._entries.column("draft").items() if draft}
        return {p for p, e in self._entries.items() if isinstance(e, Entry) and e.draft}

    def searched_paths(self) -> set[str] | None:
        """What a search without filters looks at: every path but the drafts'; None when
        there is no draft (every path)."""
        hidden = self.drafts()
        return {p for p in self.stats if p not in hidden} if hidden else None

    def skipped_paths(self) -> set[str]:
        """The paths of the files that could not be read: one column, no entry made."""
        if isinstance(self._entries, _Entries):
            return set(self._entries.column(_SKIPPED_COLUMN))
        return {p for p, e in self._entries.items() if isinstance(e, Skipped)}

    def skipped(self) -> list[tuple[str, str]]:
        return sorted(
            (path, e.reason) for path, e in self.entries.items() if isinstance(e, Skipped)
        )

    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries.values() if isinstance(e, Entry)}


class _Entries(Mapping[str, CatalogEntry]):
    """The entries of a catalog read from disk: each one is made from the columns when it is
    first asked for (a search looks at the few that match, not at every article)."""

    def __init__(self, paths: list[str], columns: dict[str, Any]) -> None:
        self._rows = {path: row for row, path in enumerate(paths)}
        columns = {name: unpacked(values) for name, values in columns.items()}
        columns.setdefault("path", paths)
        self._columns = columns
        missing = [ABSENT] * len(paths)
        self._aligned = [columns.get(name, missing) for name in _ENTRY_COLUMNS]
        self._reasons = columns.get(_SKIPPED_COLUMN, missing)
        self._made: dict[str, CatalogEntry] = {}

    def __getitem__(self, path: str) -> CatalogEntry:
        entry = self._made.get(path)
        if entry is None:
            row = self._rows[path]
            values = [column[row] for column in self._aligned]
            entry = self._made[path] = _made(path, values, self._reasons[row])
        return entry

    def _every(self) -> dict[str, CatalogEntry]:
        """Every entry, made at once (for lists of every article)."""
        if len(self._made) < len(self._rows):
            made = {}
            reasons = self._reasons
            rows = zip(*self._aligned, strict=True)
            for (path, row), values in zip(self._rows.items(), rows, strict=True):
                entry = self._made.get(path)
                if entry is None:
                    if reasons[row] is not ABSENT or ABSENT in values:
                        entry = _made(path, list(values), reasons[row])
                    else:
                        entry = Entry(*values)
                        if type(entry.excerpt) is bytes:  # a _LONG_TEXT field
                            entry.excerpt = entry.excerpt.decode("utf-8", "surrogatepass")
                made[path] = entry
            self._made = made
        return self._made

    def values(self) -> ValuesView[CatalogEntry]:  # type: ignore[override]
        return self._every().values()

    def items(self) -> ItemsView[str, CatalogEntry]:  # type: ignore[override]
        return self._every().items()

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, path: object) -> bool:
        return path in self._rows

    def stats(self) -> dict[str, tuple[int, int]]:
        sizes, times = self._columns["size"], self._columns["mtime_ns"]
        return dict(zip(self._rows, zip(sizes, times, strict=True), strict=True))

    def column(self, field: str) -> dict[str, Any]:
        values = self._columns.get(field)
        if values is None:
            return {}
        return {p: v for p, v in zip(self._rows, values, strict=True) if v is not ABSENT}

    def column_view(self, field: str) -> Mapping[str, Any]:
        """column(field), each value read when asked for."""
        return _Column(self._rows, self._columns.get(field, ()))


class _Column(Mapping[str, Any]):
    """One column of a catalog read from disk, by path: the rows that have a value."""

    def __init__(self, rows: dict[str, int], values: Sequence[Any]) -> None:
        self._rows, self._values = rows, values
        self._length: int | None = None

    def __getitem__(self, path: str) -> Any:
        row = self._rows.get(path) if self._values else None
        value = ABSENT if row is None else self._values[row]
        if value is ABSENT:
            raise KeyError(path)
        return value

    def __iter__(self) -> Iterator[str]:
        if self._values:
            for path, value in zip(self._rows, self._values, strict=True):
                if value is not ABSENT:
                    yield path

    def __len__(self) -> int:
        if self._length is None:
            self._length = sum(1 for _path in self)
        return self._length


# What a field an article lacks on disk is taken to be (a size of -1: the file is read again).
_DEFAULTS: dict[str, Any] = {
    "size": -1,
    "mtime_ns": -1,
    "id": "",
    "title": "",
    "date": None,
    "sort_key": 0.0,
    "category": None,
    "excerpt": "",
    "chars": 0,
    "declared_id": None,
    "text": None,
    "draft": False,
}


def _made(path: str, values: list, reason: Any) -> CatalogEntry:
    """The entry of one row: values in the order of _ENTRY_COLUMNS, reason its skipped column."""
    if reason is not ABSENT:
        return Skipped(values[0], values[1], reason)
    for number, value in enumerate(values):
        if value is ABSENT:
            name = _ENTRY_COLUMNS[number]
            if name == "path":
                values[number] = path
            else:
                values[number] = [] if name in ("tags", "warnings") else _DEFAULTS[name]
        elif type(value) is bytes:  # a _LONG_TEXT field
            values[number] = value.decode("utf-8", "surrogatepass")
    return Entry(*values)


def load(index_dir: Path) -> Catalog | None:
    """The catalog in index_dir; None if there is none that this version can read (the
    caller rebuilds). UnsafeStorage if another user could have written it."""
    if not trusted_dir(index_dir):
        return None
    path = index_dir / FILENAME
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with open(fd, "rb") as handle:
        st = os.fstat(fd)
        check_file(path, st)
        try:
            return _read(handle, _identity(st))
        except Exception:  # truncated or from another version: rebuilt by the caller
            return None


def _read(handle: BinaryIO, identity: tuple) -> Catalog | None:
    """The catalog in an open file of format 6 (or 5); None for any other."""
    magic = handle.read(len(_MAGIC))
    if magic == _MAGIC_5:
        return _parse(memoryview(handle.read()), identity)
    if magic != _MAGIC:
        return None
    length = _LENGTH.unpack(handle.read(_LENGTH.size))[0]
    header = handle.read(length)
    if len(header) != length:
        return None
    # The texts after the header, mapped: the pages a command reads are all it loads.
    mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    return _parse(memoryview(header), identity, (mapped, handle.tell()))


def _parse(
    body: memoryview, identity: tuple, tail: tuple[mmap.mmap, int] | None = None
) -> Catalog | None:
    import msgpack

    found = msgpack.unpackb(
        body,
        ext_hook=_ext,
        unicode_errors="surrogatepass",  # file names that are not UTF-8
    )
    if not _COLUMNS.issuperset(found["columns"]):
        return None
    column = found["columns"].get(_TAIL_TEXT)
    if isinstance(column, dict) and "tail" in column:
        if tail is None:
            return None
        start, _end = column.pop("tail")
        column["joined"], column["offset"] = tail[0], tail[1] + start
    loaded = Catalog(
        found["archive"],
        found["fingerprint"],
        _Entries(found["paths"], found["columns"]),
        found["texts"],
        found["dictionary"],
        folders=found["folders"],
    )
    loaded.identity = identity
    return loaded


def _packed(name: str, values: list[Any]) -> Any:
    """A column as written: packed where _PACKED_* says, otherwise the list of values."""
    if name == _PACKED_SPANS:
        return packed_spans(values)
    if name not in _PACKED_TEXT and name not in _PACKED_LISTS:
        return values
    return packed_texts(values, lists=name in _PACKED_LISTS)


def _ext(code: int, data: bytes) -> Any:
    if code != _ABSENT_CODE:
        raise ValueError(f"unknown MessagePack extension {code}")
    return ABSENT


_entry_values = attrgetter(*Entry.__slots__)


def _fields(entry: CatalogEntry) -> dict[str, Any]:
    """The columns an entry fills, by name; a span not yet known is left absent."""
    if isinstance(entry, Skipped):
        return {"size": entry.size, "mtime_ns": entry.mtime_ns, _SKIPPED_COLUMN: entry.reason}
    fields = dict(zip(_ENTRY_COLUMNS, _entry_values(entry), strict=True))
    if entry.span is None:
        del fields["text"]
    return fields


def identity_of(index_dir: Path) -> tuple | None:
    """Which catalog file index_dir holds now (compared with Catalog.identity)."""
    try:
        return _identity(os.stat(index_dir / FILENAME))
    except OSError:
        return None


def _identity(st: os.stat_result) -> tuple:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def save(index_dir: Path, catalog: Catalog) -> None:
    import msgpack

    paths = list(catalog.entries)
    rows = [_fields(entry) for entry in catalog.entries.values()]
    columns: dict[str, Any] = {}
    for row in rows:
        for key in row:
            columns.setdefault(key, [])
    absent = msgpack.ExtType(_ABSENT_CODE, b"")
    columns.pop("path", None)  # the list of paths holds it
    packed = {*_PACKED_TEXT, *_PACKED_LISTS, _PACKED_SPANS}
    for key, column in columns.items():
        if key in packed:
            columns[key] = _packed(key, [row.get(key) for row in rows])
        else:
            column.extend(row.get(key, absent) for row in rows)
    body = {
        "archive": catalog.archive,
        "fingerprint": catalog.fingerprint,
        "texts": catalog.texts,
        "dictionary": catalog.dictionary,
        "folders": catalog.folders,
        "paths": paths,
        "columns": columns,
    }
    tail = b""
    if isinstance(columns.get(_TAIL_TEXT), dict):
        tail = columns[_TAIL_TEXT].pop("joined")
        columns[_TAIL_TEXT]["tail"] = [0, len(tail)]
    header = msgpack.packb(body, unicode_errors="surrogatepass")
    data = b"".join([_MAGIC, _LENGTH.pack(len(header)), header, tail])
    catalog.identity = _identity(write_atomic(index_dir / FILENAME, data))
