"""Bringing an index up to date with its archive: build, incremental update, locking.

update() compares the archive's files (size and mtime) with the catalog and re-reads only what
was added or changed. Whoosh commits first and the catalog is replaced after it, so a killed
update leaves the last complete index in use.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from artread.config import check_file, private_dir
from artread.core import analysis, archive, catalog, ingest, literal
from artread.core.engine import segments
from artread.core.engine import store as whoosh_store
from artread.core.engine.tokenizer import bind
from artread.core.files import private_files, read_utf8
from artread.core.freshness import (
    LATER_FOLDERS,
    USER_DICTIONARY,
    dictionary_stat,
    diff,
    folder_stats,
)
from artread.core.index import (
    FINGERPRINT,
    WHOOSH_DIR,
    Progress,
    SyncReport,
    texts_of,
)

if TYPE_CHECKING:
    from artread.core.index import ArchiveIndex

WRITER_MB = 128  # Whoosh's indexing buffer, in one process
WORKERS_MB = 80  # the same, shared by the worker processes
LEXICON_BELOW_BYTES = 256 * 1024  # less to read than this: segment from the lexicon
_USER_WORD = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")  # jieba's user-dict line


@dataclass
class _Plan:
    """What an update does: the files to read and remove, and what it starts from."""

    scanned: archive.ScanResult
    added: list[str]
    changed: list[str]
    removed: list[str]
    entries: dict[str, catalog.CatalogEntry]  # the catalog's entries that stay, to be completed
    old_texts: literal.LiteralStore | None
    dictionary: dict  # the user dictionary: size, mtime_ns, text

    @property
    def to_read(self) -> list[str]:
        return self.added + self.changed


def update(
    index: ArchiveIndex,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    waiting: Callable[[], None] | None = None,
    wait: bool = True,
    jobs: int | None = None,
    started: float | None = None,
    updating: Callable[[], AbstractContextManager[Any]] = nullcontext,
) -> SyncReport:
    """Update an index that is not fresh (or rebuild it), under its lock: see
    ArchiveIndex.sync. started: when the caller began (time.perf_counter())."""
    started = time.perf_counter() if started is None else started
    # Readers do not wait for another process's update: they use the last complete index.
    wait = wait or rebuild or not index.usable()
    with locked(index.index_dir, waiting, wait) as holding:
        if not holding:
            return SyncReport(scanned=len(index.catalog.stats), busy=True)
        index.forget_catalog()  # another process may have updated it while we waited
        with updating(), private_files():
            report = _update(index, rebuild, progress, jobs)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def locked(
    index_dir: Path, waiting: Callable[[], None] | None, wait: bool = True
) -> Iterator[bool]:
    """Hold the index's write lock; yields False if busy and told not to wait."""
    private_dir(index_dir)
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    lock_file = index_dir / "lock"
    with open(os.open(lock_file, flags, 0o600), "a+") as handle:
        check_file(lock_file, os.fstat(handle.fileno()))
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                yield False
                return
            if waiting:
                waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _update(
    index: ArchiveIndex, rebuild: bool, progress: Progress | None, jobs: int | None
) -> SyncReport:
    """The update itself, under the lock."""
    report = SyncReport()
    old = index.catalog
    # Ids once given stay given, across rebuilds and version changes too.
    previous = {p: e.id for p, e in old.entries.items() if isinstance(e, catalog.Entry)}
    if old.archive != str(index.root):
        previous = {}
    if _needs_rebuild(index, old, rebuild, report):
        report.rebuilt = True
        old = _start_afresh(index)
    scan_started = time.time_ns()
    plan = _plan(index, old, archive.scan(index.root), report)
    commit, texts_name, spans = _write(index, plan, report, progress, jobs)
    for path, reason in plan.scanned.skipped:
        report.skipped.append((path, reason))
    entries = plan.entries
    articles = {p: e for p, e in entries.items() if isinstance(e, catalog.Entry)}
    declared = {p: e.declared_id for p, e in articles.items()}
    ids, id_warnings = archive.assign_ids(declared, previous)
    report.warnings.extend(id_warnings)
    for path, entry in articles.items():
        entry.id = ids[path]
    commit()
    for path, span in spans.items():
        articles[path].span = span
    report.added = sum(1 for p in plan.added if p in articles)
    report.updated = sum(1 for p in plan.changed if p in articles)
    report.removed = len(plan.removed)
    report.unchanged = report.scanned - len(plan.to_read)
    new_catalog = catalog.Catalog(
        str(index.root),
        FINGERPRINT,
        entries,
        texts_name,
        plan.dictionary,
        folders=folder_stats(plan.scanned, scan_started),
    )
    catalog.save(index.index_dir, new_catalog)
    (index.index_dir / LATER_FOLDERS).unlink(missing_ok=True)  # it vouched for the old catalog
    literal.remove_unused(index.index_dir, keep=texts_name)
    index.adopt(new_catalog)
    with index.searcher() as searcher:  # the words of new segments: no search waits for them
        index.vocabulary.words(searcher, latin=True)
    return report


def _needs_rebuild(
    index: ArchiveIndex, old: catalog.Catalog, rebuild: bool, report: SyncReport
) -> bool:
    """Whether the update starts from an empty index rather than the one on disk."""
    whoosh_dir = index.index_dir / WHOOSH_DIR
    whoosh_store.check(whoosh_dir)  # Whoosh unpickles what it reads from there
    stale = old.fingerprint != FINGERPRINT or old.archive != str(index.root)
    if rebuild or stale:
        return True
    if whoosh_dir.exists() and not whoosh_store.opens(whoosh_dir):
        report.warnings.append("the index was damaged or incomplete; rebuilt it")
        return True
    if old.entries and not (old.texts and (index.index_dir / old.texts).is_file()):
        # Without the literal texts every article is read again: build afresh rather than
        # update every document in place (which leaves Whoosh's statistics skewed).
        return True
    return not whoosh_store.exists(whoosh_dir)


def _start_afresh(index: ArchiveIndex) -> catalog.Catalog:
    """An empty index, and the empty catalog that describes it."""
    # Forget what the old catalog claims before wiping the index it describes, so a build
    # killed from here on leaves nothing that claims articles it does not hold.
    (index.index_dir / catalog.FILENAME).unlink(missing_ok=True)
    whoosh_dir = index.index_dir / WHOOSH_DIR
    shutil.rmtree(whoosh_dir, ignore_errors=True)
    private_dir(whoosh_dir)
    whoosh_store.create(whoosh_dir)
    return catalog.Catalog(str(index.root), FINGERPRINT)


def _plan(
    index: ArchiveIndex, old: catalog.Catalog, scanned: archive.ScanResult, report: SyncReport
) -> _Plan:
    """What to read and remove, from the scan against the catalog and the user dictionary."""
    report.scanned = len(scanned.files)
    added, changed, removed = diff(old, scanned.files)
    old_texts = (
        texts_of(index.index_dir, old)
        if old.texts and (index.index_dir / old.texts).is_file()
        else None
    )
    dictionary = read_dictionary(index.root, report.warnings)
    # Words the user dictionary added, removed or re-weighted: re-read what holds them.
    lines = _dictionary_lines(dictionary.get("text")) ^ _dictionary_lines(
        old.dictionary.get("text")
    )
    moved = {word for word, _line in lines}
    if moved and old_texts:
        affected = set()
        for word in moved:
            affected.update(old_texts.find(word))
        changed += sorted(p for p in affected - set(changed) if p in scanned.files)
    entries = {p: e for p, e in old.entries.items() if p not in removed}
    return _Plan(scanned, added, changed, removed, entries, old_texts, dictionary)


def _write(
    index: ArchiveIndex,
    plan: _Plan,
    report: SyncReport,
    progress: Progress | None,
    jobs: int | None,
) -> tuple[Callable[[], None], str, dict[str, list[int]]]:
    """Read the files and write them to Whoosh and the literal texts; returns the Whoosh
    commit, still to be made, and the texts file's name and spans."""
    to_read, files = plan.to_read, plan.scanned.files
    # A few changed files are segmented from the lexicon: jieba would take a second to load.
    size = sum(files[p].size for p in to_read)
    small = size < LEXICON_BELOW_BYTES and not report.rebuilt
    analyzer = analysis.Analyzer(
        plan.dictionary.get("text"), index_from_lexicon=small, cache_dir=index.cache_dir
    )
    report.workers = 0 if small else ingest.worker_count(jobs, len(to_read), size)
    reading = set(to_read)
    kept = [p for p, e in plan.entries.items() if isinstance(e, catalog.Entry) and p not in reading]
    whoosh_dir = index.index_dir / WHOOSH_DIR
    writer = segments.index_writer(whoosh_dir, WRITER_MB)
    bind(writer.schema, analyzer)
    store = literal.Writer(index.index_dir, plan.old_texts, kept)
    workers = None
    if report.workers:
        # Memory stays bounded as workers grow: each also holds jieba's dictionary.
        limit = max(WORKERS_MB // report.workers, 32)
        workers = ingest.Workers(index.root, index.index_dir, whoosh_dir, limit, index.cache_dir)
    try:
        for path in plan.removed:
            writer.delete_by_term("path", path)
        if workers is None:
            _read_here(index.root, plan, report, progress, writer, store, analyzer)
        else:
            _read_in_workers(workers, plan, report, progress, writer, store)
        texts_name, spans = store.finish()
    except BaseException:
        if workers is not None:
            workers.close()  # stops the workers before the index is left as it was
        writer.cancel()
        store.abort()
        raise
    if workers is None:
        return writer.commit, texts_name, spans
    workers.close()
    written = [run.segment for run in workers.runs if run.segment is not None]
    return partial(segments.commit_with, writer, written), texts_name, spans


def _read_here(
    root: Path,
    plan: _Plan,
    report: SyncReport,
    progress: Progress | None,
    writer: Any,
    store: literal.Writer,
    analyzer: analysis.Analyzer,
) -> None:
    """Read the files in this process, one at a time, so memory does not grow with them."""
    for done, article in enumerate(ingest.prepared(root, plan.to_read, analyzer), start=1):
        path = article.path
        if article.skipped is None:
            writer.update_document(**article.document)
            store.add(path, article.text, article.written)
        else:
            writer.delete_by_term("path", path)  # changed into something unreadable
        _record(path, _made(article, plan), plan, report)
        if progress and article.skipped is None:
            progress(done, len(plan.to_read), path)


def _read_in_workers(
    workers: ingest.Workers,
    plan: _Plan,
    report: SyncReport,
    progress: Progress | None,
    writer: Any,
    store: literal.Writer,
) -> None:
    """Have worker processes read runs of the files into segments of their own; then take
    their texts and records in the order of the files, as _read_here would have."""
    for path in plan.changed:
        writer.delete_by_term("path", path)  # the new documents are in the workers' segments
    sizes = [plan.scanned.files[p].size for p in plan.to_read]
    runs = ingest.runs(plan.to_read, sizes, report.workers)
    report.workers = len(runs)
    workers.start(runs, plan.dictionary.get("text"))
    # Made into catalog entries as they come (a record holds far more), recorded in file order.
    arrived: dict[str, _Made] = {}
    for done, record in enumerate(workers.records(), start=1):
        arrived[record.path] = _made(record, plan)
        if progress and record.skipped is None:
            progress(done, len(plan.to_read), record.path)
    for run in workers.runs:
        store.add_file(workers.index_dir / run.texts, run.spans)
        for path in run.paths:
            _record(path, arrived.pop(path), plan, report)


_Made = tuple[catalog.CatalogEntry, list[str]]  # a file's catalog entry, and its warnings


def _made(article: ingest.Prepared, plan: _Plan) -> _Made:
    """A file read, as its catalog entry and warnings."""
    stat = plan.scanned.files[article.path]
    if article.skipped is not None:
        return catalog.Skipped(stat.size, stat.mtime_ns, article.skipped), []
    return catalog.Entry(stat.size, stat.mtime_ns, **article.summary), article.warnings


def _record(path: str, made: _Made, plan: _Plan, report: SyncReport) -> None:
    """A file read, in the catalog's entries and the report."""
    entry, warnings = made
    plan.entries[path] = entry
    if isinstance(entry, catalog.Skipped):
        report.skipped.append((path, entry.reason))
    report.warnings.extend(f"{path}: {w}" for w in warnings)


def read_dictionary(root: Path, warnings: list[str]) -> dict:
    """The archive's user dictionary: its stat and text (empty when there is none)."""
    stat = dictionary_stat(root)
    if not stat:
        return {}
    try:
        text = read_utf8(root / USER_DICTIONARY)
    except (OSError, UnicodeDecodeError) as exc:
        warnings.append(f"{USER_DICTIONARY}: not read ({exc}); it must be UTF-8 text")
        return {**stat, "text": ""}
    return {**stat, "text": text}


def _dictionary_lines(text: str | None) -> set[tuple[str, str]]:
    """(word, line) for each user-dictionary line: a changed frequency moves the word too."""
    lines = set()
    for line in (text or "").splitlines():
        line = line.strip()
        match = _USER_WORD.match(line) if line else None
        if match:
            lines.add((match.group(1), line))
    return lines
