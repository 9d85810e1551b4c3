"""What the reader has seen of an archive: the articles new since the last visit, and those read.

An article is new when its file is not the one the reader has seen (by size and mtime, as
the catalog records them): added or changed since a visit, and not opened since. The first
visit (`artread browse`) sees the archive as it is, with nothing new; from then on a file
dropped into the archive, or one edited, is new until it is opened. Opening it marks it read.
A new article the reader never opens stays new (the browser's `A` sees them all): a glance
at the front page must not lose the marks of articles nobody read.

Kept per archive in the user data dir (config.data_dir) as a small JSON file, replaced
atomically; what one process marked is applied again to the file as it is when it saves, so
two browsers open on one archive lose neither's marks.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from artread.config import archive_key, data_dir, private_dir
from artread.core.catalog import Entry
from artread.core.files import write_atomic

FORMAT = 1
FOLDER = "readstate"

NEW = "new"
READ = "read"


def version_of(entry: Entry) -> list[int]:
    """Which file an article was read from: its size and mtime, as the catalog has them."""
    return [entry.size, entry.mtime_ns]


def state_file(root: Path, environ: dict[str, str] | None = None) -> Path:
    """Where the read state of the archive at root is kept."""
    return data_dir(environ) / FOLDER / f"{archive_key(Path(root))}.json"


@dataclass
class ReadState:
    """The reader's marks on one archive: the file versions seen and read, by path."""

    file: Path
    archive: str = ""
    recorded: bool = False  # a visit was recorded: until then nothing is new
    seen: dict[str, list[int]] = field(default_factory=dict)
    read: dict[str, list[int]] = field(default_factory=dict)
    last_visit: str | None = None
    problem: str | None = None  # why the file could not be read (it is then started afresh)
    _marks: list[Callable[[ReadState], None]] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def is_new(self, entry: Entry) -> bool:
        return self.recorded and self.seen.get(entry.path) != version_of(entry)

    def is_read(self, entry: Entry) -> bool:
        return self.read.get(entry.path) == version_of(entry)

    def mark_of(self, entry: Entry) -> str | None:
        """NEW, READ or None: the mark a list shows beside the article."""
        if self.is_new(entry):
            return NEW
        return READ if self.is_read(entry) else None

    def new_entries(self, entries: Iterable[Entry]) -> list[Entry]:
        return [entry for entry in entries if self.is_new(entry)] if self.recorded else []

    def visit(self, entries: Iterable[Entry], when: datetime | None = None) -> None:
        """Record a visit: the first one sees every article as it is now."""
        stamp = (when or datetime.now(UTC)).isoformat(timespec="seconds")
        baseline = {entry.path: version_of(entry) for entry in entries}

        def visit(state: ReadState) -> None:
            if not state.recorded:
                state.seen = {**baseline, **state.seen}
                state.recorded = True
            state.last_visit = stamp

        self._apply(visit)

    def mark_read(self, entry: Entry) -> None:
        """The article was opened: read, and no longer new."""
        path, version = entry.path, version_of(entry)

        def read(state: ReadState) -> None:
            state.seen[path] = state.read[path] = version

        self._apply(read)

    def mark_all_seen(self, entries: Iterable[Entry]) -> None:
        """Nothing of these is new any more (read marks stay as they are)."""
        versions = {entry.path: version_of(entry) for entry in entries}

        def seen(state: ReadState) -> None:
            state.seen.update(versions)

        self._apply(seen)

    @property
    def unsaved(self) -> bool:
        """Marks were made that the file does not have yet."""
        return bool(self._marks)

    def _apply(self, mark: Callable[[ReadState], None]) -> None:
        with self._lock:
            mark(self)
            self._marks.append(mark)

    def save(self, present: Iterable[str] | None = None) -> None:
        """Write the marks made here over what the file holds now; paths not in present
        (the archive's articles), if given, are forgotten."""
        with self._lock:
            current = load_file(self.file)
            current.archive = self.archive or current.archive
            for mark in self._marks:
                mark(current)
            if present is not None:
                keep = set(present)
                current.seen = {p: v for p, v in current.seen.items() if p in keep}
                current.read = {p: v for p, v in current.read.items() if p in keep}
            private_dir(self.file.parent, top=self.file.parent.parent)
            write_atomic(self.file, _encoded(current))
            self._marks.clear()
            self.recorded, self.last_visit = current.recorded, current.last_visit
            self.seen, self.read = current.seen, current.read


def load(root: Path, environ: dict[str, str] | None = None) -> ReadState:
    """The read state of the archive at root; an empty one if none was recorded."""
    state = load_file(state_file(root, environ))
    state.archive = str(root)
    return state


def load_file(file: Path) -> ReadState:
    """The read state in file; empty when there is none, or when it cannot be read (with
    the reason in .problem: it is written afresh at the next save)."""
    try:
        data = json.loads(Path(file).read_bytes())
    except FileNotFoundError:
        return ReadState(file)
    except (OSError, ValueError) as exc:
        return ReadState(file, problem=f"cannot read {file}: {exc}")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return ReadState(file, problem=f"{file} is not a read state this artread knows")
    return ReadState(
        file,
        archive=str(data.get("archive") or ""),
        recorded=data.get("last_visit") is not None,
        seen=_versions(data.get("seen")),
        read=_versions(data.get("read")),
        last_visit=data.get("last_visit"),
    )


def _versions(found: object) -> dict[str, list[int]]:
    if not isinstance(found, dict):
        return {}
    versions = {}
    for path, version in found.items():
        if isinstance(version, list) and len(version) == 2 and all(type(v) is int for v in version):
            versions[str(path)] = version
    return versions


def _encoded(state: ReadState) -> bytes:
    payload = {
        "format": FORMAT,
        "archive": state.archive,
        "last_visit": state.last_visit,
        "seen": state.seen,
        "read": state.read,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
