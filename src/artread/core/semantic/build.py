"""Making the vectors of an index's articles: those not made yet, or made from another version of
the file, one article at a time, so that a build can stop anywhere and the next one goes on.

Only one build runs per index (a lock beside it); a second one returns at once.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from artread.core.catalog import Entry
from artread.core.digest import sha1_hex
from artread.core.files import private_files
from artread.core.index import ArchiveIndex
from artread.core.semantic import passages
from artread.core.semantic.model import Embedder, made_with
from artread.core.semantic.store import Stamp, VectorStore

LOCK = "meaning.lock"


@dataclass
class BuildReport:
    """What a build of the vectors did."""

    embedded: int = 0  # articles whose vectors were made
    kept: int = 0  # articles changed on disk whose passages did not
    copied: int = 0  # articles with the same passages as one embedded already
    removed: int = 0
    failed: int = 0  # articles that could not be read
    left: int = 0  # articles still without vectors when the build stopped
    busy: bool = False  # another build of this index was running: this one did nothing
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a build of the vectors has got."""

    done: int
    total: int
    seconds: float  # since the build started


def pending(index: ArchiveIndex, store: VectorStore | None) -> list[Entry]:
    """The articles whose vectors are missing or were made from another version of the file."""
    stamps = store.stamps() if store is not None and store.made_with() == made_with() else {}
    return _stale_ones(index.catalog.articles(), stamps)


def _stale_ones(articles: Iterable[Entry], stamps: dict[str, Stamp]) -> list[Entry]:
    return [e for e in articles if _stale(stamps.get(e.path), e)]


def build(
    index: ArchiveIndex,
    *,
    embedder: Embedder | None = None,
    progress: Callable[[Progress], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> BuildReport:
    """Make the missing vectors. stop() is asked between articles: True ends the build there."""
    started = time.perf_counter()
    report = BuildReport()
    identity = made_with()
    if identity is None:
        raise RuntimeError("semantic search is not installed: pip install 'artread[semantic]'")
    with private_files(), _build_lock(index.index_dir) as mine:
        if not mine:
            report.busy = True
            return report
        store = VectorStore.open(index.index_dir, create=True)
        assert store is not None
        try:
            _build(index, store, identity, embedder, progress, stop, report, started)
        finally:
            store.close()
    report.seconds = time.perf_counter() - started
    return report


def _build(
    index: ArchiveIndex,
    store: VectorStore,
    identity: str,
    embedder: Embedder | None,
    progress: Callable[[Progress], None] | None,
    stop: Callable[[], bool] | None,
    report: BuildReport,
    started: float,
) -> None:
    if store.made_with() != identity:
        store.reset(identity)
    articles = {e.path: e for e in index.catalog.articles()}
    stamps = store.stamps()
    gone = [p for p in stamps if p not in articles]
    store.remove(gone)
    report.removed = len(gone)
    todo = _stale_ones(articles.values(), stamps)
    for done, entry in enumerate(todo):
        if stop is not None and stop():
            report.left = len(todo) - done
            return
        try:
            article = index.read_article(entry)
        except (OSError, ValueError):
            report.failed += 1
            continue
        found = passages.passages(entry.title, article.body)
        digest = sha1_hex("\x1e".join(p.text for p in found).encode("utf-8"))
        stamp = Stamp(entry.size, entry.mtime_ns, digest)
        old = stamps.get(entry.path)
        same = store.same_passages(digest) if old is None or old.digest != digest else None
        if old is not None and old.digest == digest:
            store.restamp(entry.path, stamp)
            report.kept += 1
        elif same is not None:
            store.copy(same, entry.path, stamp)
            report.copied += 1
        else:
            embedder = embedder or Embedder()
            vectors = embedder.passages([p.text for p in found]) if found else None
            store.put(entry.path, stamp, [(p.heading, p.text) for p in found], vectors)
            report.embedded += 1
        if progress is not None:
            progress(Progress(done + 1, len(todo), time.perf_counter() - started))


def _stale(stamp: Stamp | None, entry: Entry) -> bool:
    return stamp is None or (stamp.size, stamp.mtime_ns) != (entry.size, entry.mtime_ns)


@contextmanager
def _build_lock(index_dir: Path) -> Iterator[bool]:
    """Hold this index's build lock; yields False if another build holds it."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    descriptor = os.open(Path(index_dir) / LOCK, flags, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)
