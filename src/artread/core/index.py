"""The Whoosh index of an archive: schema, building, incremental updates, locking.

Every command calls sync() first: it compares the archive's files (size and mtime) with the
catalog and re-reads only what was added or changed.
"""

from __future__ import annotations

import fcntl
import gc
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from artread.config import UnsafeStorage, check_file, index_dir_for, private_dir, trusted_dir
from artread.core import analysis, archive, catalog, ingest, literal
from artread.core.analysis import ANALYZER_VERSION

if TYPE_CHECKING:
    from artread.resident.watch import FolderWatch

SCHEMA_VERSION = "4"  # bump when what is indexed or cataloged changes


def _dictionary_version() -> str:
    """jieba's dictionary, named by its size: another dictionary segments differently."""
    from artread.core.lexicon import jieba_dictionary

    found = jieba_dictionary()
    return f"jieba{found.stat().st_size}" if found else "jieba-unknown"


# Every version the index depends on: a mismatch with the installed artread means rebuild.
FINGERPRINT = (
    f"catalog{catalog.FORMAT}-schema{SCHEMA_VERSION}-analyzer{ANALYZER_VERSION}"
    f"-{_dictionary_version()}"
)
WHOOSH_DIR = "whoosh"
WRITER_MB = 128  # Whoosh's indexing buffer
# A folder changed this close to the scan (or after it) may hide a change made within the same
# timestamp tick: its stat is not trusted, and the next check scans the whole archive.
RACY_NS = 2_000_000_000
LEXICON_BELOW_BYTES = 256 * 1024  # less to read than this: segment from the lexicon
USER_DICTIONARY = "artread.dict"  # extra jieba words, at the archive root
_USER_WORD = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")  # jieba's user-dict line

# BM25F field weights: a word in the title says more than one in the body.
FIELD_BOOSTS = {"title": 5.0, "headings": 2.5, "meta": 2.0, "body": 1.0}

Progress = Callable[[int, int, str], None]


@dataclass
class SyncReport:
    scanned: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    workers: int = 0  # processes that read and segmented the files (0: this one)
    busy: bool = False  # another process was updating; the last complete index is used
    skipped: list[tuple[str, str]] = field(default_factory=list)  # newly found problems
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)


def schema() -> Any:
    from whoosh.fields import ID, KEYWORD, TEXT, Schema

    from artread.core.engine.tokenizer import analyzer

    text = analyzer()
    return Schema(
        path=ID(stored=True, unique=True),
        title=TEXT(analyzer=text, phrase=False, field_boost=FIELD_BOOSTS["title"]),
        headings=TEXT(analyzer=text, phrase=False, field_boost=FIELD_BOOSTS["headings"]),
        meta=TEXT(analyzer=text, phrase=False, field_boost=FIELD_BOOSTS["meta"]),
        body=TEXT(analyzer=text, phrase=False, field_boost=FIELD_BOOSTS["body"]),
        category=ID,
        tags=KEYWORD(commas=True, lowercase=True),
    )


class IndexBusy(Exception):
    """Another process holds the index lock."""


class ArchiveIndex:
    """An archive folder and its index: the entry point of the core."""

    def __init__(self, root: Path, index_dir: Path | None = None) -> None:
        self.root = Path(root).resolve()
        self.index_dir = Path(index_dir) if index_dir else index_dir_for(self.root)
        self._catalog: catalog.Catalog | None = None
        self._whoosh: Any = None
        self._reader: Any = None  # one Whoosh reader for every search of this index
        self._texts: literal.LiteralStore | None = None
        self._paths: dict[int, str] = {}  # Whoosh document number -> article path
        self.field_lengths: dict = {}  # read by scoring.matches() while the reader is open
        # Set by a resident process: what changed is then known without a look at each file.
        self.watch: FolderWatch | None = None
        self._linked: list[str] = []  # files with links, from the last look at every file

    @property
    def catalog(self) -> catalog.Catalog:
        if self._catalog is None:
            loaded = catalog.load(self.index_dir)
            # None read (missing, damaged or of an older format): what index there is, is rebuilt.
            self._catalog = loaded or catalog.Catalog(str(self.root), "")
            # Queries must be segmented with the dictionary the index was built with.
            analysis.use_user_dictionary(self._catalog.dictionary.get("text"))
        return self._catalog

    def is_current(self) -> bool:
        """The catalog this object holds is the one on disk: no other process has updated
        the index since this one read or wrote it."""
        return self._catalog is not None and self._catalog.identity == catalog.identity_of(
            self.index_dir
        )

    def literal(self) -> literal.LiteralStore:
        """The articles' normalised text, for literal matching."""
        current = self.catalog
        if self._texts is not None and self._texts.file == self.index_dir / current.texts:
            return self._texts
        try:
            self._texts = _opened(_texts_of(self.index_dir, current))
        except OSError:  # replaced by another process's update since the catalog was read
            self._catalog = None
            self._texts = _opened(_texts_of(self.index_dir, self.catalog))
        return self._texts

    @contextmanager
    def searcher(self, weighting: Any = None) -> Iterator[Any]:
        """A Whoosh searcher (BM25F unless told otherwise) on a reader opened once: opening
        the segments' files costs more than many searches at 26,000 articles."""
        from whoosh import scoring
        from whoosh.searching import Searcher

        if self._reader is None:
            self._reader = self.whoosh().reader()
        yield Searcher(self._reader, weighting=weighting or scoring.BM25F(), closereader=False)

    def whoosh(self) -> Any:
        """The open Whoosh index; a damaged one is rebuilt from the archive, not a traceback."""
        if self._whoosh is None:
            import artread.core.engine.stand_ins  # noqa: F401  (before the first Whoosh import)

            # isort: split
            from whoosh import index as whoosh_index

            whoosh_dir = self.index_dir / WHOOSH_DIR
            try:
                _check_whoosh(whoosh_dir)
                self._whoosh = whoosh_index.open_dir(str(whoosh_dir))
            except UnsafeStorage:
                raise
            except Exception:
                self.sync(rebuild=True)
                self._whoosh = whoosh_index.open_dir(str(whoosh_dir))
        return self._whoosh

    def read_text(self, entry: catalog.Entry) -> str:
        """The current text of an indexed article's file (front matter included)."""
        full = archive.within(self.root, entry.path)
        if full is None:
            raise FileNotFoundError(entry.path)
        with open(full, "rb") as handle:
            data = handle.read(archive.MAX_BYTES)
        text, _ = archive.decode(data)
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def read_article(self, entry: catalog.Entry) -> archive.Article:
        article = archive.read_article(self.root, entry.path)
        article.id = entry.id
        return article

    @contextmanager
    def _lock(self, waiting: Callable[[], None] | None, wait: bool = True) -> Iterator[bool]:
        """Hold the index's write lock; yields False if busy and told not to wait."""
        private_dir(self.index_dir)
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        lock_file = self.index_dir / "lock"
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

    def usable(self) -> bool:
        """A complete index of this archive, made by this version of artread, is on disk."""
        current = self.catalog
        return (
            current.fingerprint == FINGERPRINT
            and current.archive == str(self.root)
            and (self.index_dir / catalog.FILENAME).is_file()
            and (self.index_dir / WHOOSH_DIR).is_dir()
            and bool(current.texts)
            and (self.index_dir / current.texts).is_file()
        )

    def is_fresh(self) -> bool:
        """True when the index is usable and no file was added, changed or removed."""
        if not self.usable():
            return False
        if self.watch is None:
            return self._same_dictionary() and self._files_unchanged()
        # Nothing happened in the archive's folders since the last check, and the files that
        # can change through a path elsewhere (links; the user dictionary too) did not change.
        if self.watch.quiet() and self._same_linked():
            return self._same_dictionary()
        self.watch.arm(str(self.root))
        scanned = archive.scan(self.root)
        self.watch.cover(scanned.folders)
        self._linked = scanned.linked
        fresh = self._unchanged(scanned)
        if not fresh:
            self.watch.disarm()  # checked again once the update is done
        return fresh

    def _same_linked(self) -> bool:
        """The linked files of the last look at every file have the catalog's size and mtime."""
        known = self.catalog.stats
        for path in self._linked:
            try:
                stat = os.stat(self.root / path)
            except OSError:
                return False
            if known.get(path) != (stat.st_size, stat.st_mtime_ns):
                return False
        return True

    def _unchanged(self, scanned: archive.ScanResult) -> bool:
        return self._same_dictionary() and diff(self.catalog, scanned.files) == ([], [], [])

    def _files_unchanged(self) -> bool:
        """No file added, changed or removed. When no folder changed since the catalog was
        written, one stat of each file it knows says so; otherwise the archive is scanned."""
        current = self.catalog
        if current.folders and _same_folders(current.folders):
            return _same_files(str(self.root), current.stats)
        return diff(current, archive.scan(self.root).files) == ([], [], [])

    def _same_dictionary(self) -> bool:
        return _dictionary_stat(self.root) == _stat_of(self.catalog.dictionary)

    def sync(
        self,
        *,
        rebuild: bool = False,
        progress: Progress | None = None,
        waiting: Callable[[], None] | None = None,
        wait: bool = True,
        jobs: int | None = None,
    ) -> SyncReport:
        """Bring the index up to date with the archive; re-read only changed files.

        With wait=False, when another process is updating the index and a complete one is
        on disk, return at once (report.busy) and let the caller read the last complete index.
        jobs: processes that read and segment a big update (default $ARTREAD_JOBS, else one
        per core when there is enough to read); 1 reads in this process.
        """
        started = time.perf_counter()
        if not self.root.is_dir():
            raise FileNotFoundError(f"archive folder not found: {self.root}")
        if not rebuild and self.is_fresh():
            report = SyncReport(scanned=len(self.catalog.stats), seconds=0.0)
            report.unchanged = report.scanned
            return report
        # Readers do not wait for another process's update: they use the last complete index.
        wait = wait or rebuild or not self.usable()
        with self._lock(waiting, wait) as locked:
            if not locked:
                return SyncReport(scanned=len(self.catalog.stats), busy=True)
            self._catalog = None  # another process may have updated it while we waited
            with _collecting_garbage(), _private_files():
                report = self._sync_locked(rebuild, progress, jobs)
        report.seconds = time.perf_counter() - started
        return report

    def _sync_locked(
        self, rebuild: bool, progress: Progress | None = None, jobs: int | None = None
    ) -> SyncReport:
        import artread.core.engine.stand_ins  # noqa: F401  (before the first Whoosh import)

        # isort: split
        from whoosh import index as whoosh_index

        report = SyncReport()
        old = self.catalog
        # Ids once given stay given, across rebuilds and version changes too.
        previous = {p: e.id for p, e in old.entries.items() if isinstance(e, catalog.Entry)}
        if old.archive != str(self.root):
            previous = {}
        whoosh_dir = self.index_dir / WHOOSH_DIR
        _check_whoosh(whoosh_dir)  # Whoosh unpickles what it reads from there
        stale = old.fingerprint != FINGERPRINT or old.archive != str(self.root)
        if not (rebuild or stale) and whoosh_dir.exists() and not _opens(whoosh_dir):
            report.warnings.append("the index was damaged or incomplete; rebuilt it")
            rebuild = True
        if old.entries and not (old.texts and (self.index_dir / old.texts).is_file()):
            # Without the literal texts every article is read again: build afresh rather than
            # update every document in place (which leaves Whoosh's statistics skewed).
            rebuild = True
        if rebuild or stale or not whoosh_index.exists_in(str(whoosh_dir)):
            report.rebuilt = True
            # Forget what the old catalog claims before wiping the index it describes, so a
            # build killed from here on leaves nothing that claims articles it does not hold.
            for name in (catalog.FILENAME, *catalog.OLD_FILENAMES):
                (self.index_dir / name).unlink(missing_ok=True)
            shutil.rmtree(whoosh_dir, ignore_errors=True)
            private_dir(whoosh_dir)
            whoosh_index.create_in(str(whoosh_dir), schema())
            old = catalog.Catalog(str(self.root), FINGERPRINT)
        scan_started = time.time_ns()
        scanned = archive.scan(self.root)
        report.scanned = len(scanned.files)
        added, changed, removed = diff(old, scanned.files)
        old_texts = (
            _texts_of(self.index_dir, old)
            if old.texts and (self.index_dir / old.texts).is_file()
            else None
        )
        dictionary = self._read_dictionary(report)
        analysis.use_user_dictionary(dictionary.get("text"))
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

        to_read = added + changed
        # A few changed files are segmented from the lexicon: jieba would take a second to load.
        size = sum(scanned.files[p].size for p in to_read)
        small = size < LEXICON_BELOW_BYTES and not report.rebuilt
        analysis.index_with_lexicon(small)
        report.workers = 0 if small else ingest.worker_count(jobs, len(to_read), size)
        kept = [p for p in entries if old.article(p) and p not in set(to_read)]
        ix = whoosh_index.open_dir(str(whoosh_dir))
        writer = ix.writer(limitmb=WRITER_MB)
        store = literal.Writer(self.index_dir, old_texts, kept)
        articles = ingest.prepared(self.root, to_read, report.workers, dictionary.get("text"))
        try:
            for path in removed:
                writer.delete_by_term("path", path)
            # One article at a time, so memory does not grow with the archive.
            for done, article in enumerate(articles, start=1):
                path, stat = article.path, scanned.files[article.path]
                if article.skipped is not None:
                    entries[path] = catalog.Skipped(stat.size, stat.mtime_ns, article.skipped)
                    report.skipped.append((path, article.skipped))
                    writer.delete_by_term("path", path)  # changed into something unreadable
                    continue
                report.warnings.extend(f"{path}: {w}" for w in article.warnings)
                writer.update_document(**article.document)
                store.add(path, article.text, article.written)
                entries[path] = catalog.Entry(stat.size, stat.mtime_ns, **article.summary)
                if progress:
                    progress(done, len(to_read), path)
            texts_name, spans = store.finish()
        except BaseException:
            articles.close()  # stops the workers before the index is left as it was
            writer.cancel()
            store.abort()
            raise
        finally:
            analysis.index_with_lexicon(False)
        for path, reason in scanned.skipped:
            report.skipped.append((path, reason))
        articles_now = {p: e for p, e in entries.items() if isinstance(e, catalog.Entry)}
        declared = {p: e.declared_id for p, e in articles_now.items()}
        ids, id_warnings = archive.assign_ids(declared, previous)
        report.warnings.extend(id_warnings)
        for path, entry in articles_now.items():
            entry.id = ids[path]
        writer.commit()
        for path, span in spans.items():
            entries[path].span = span
        report.added = sum(1 for p in added if p in articles_now)
        report.updated = sum(1 for p in changed if p in articles_now)
        report.removed = len(removed)
        report.unchanged = report.scanned - len(to_read)
        new_catalog = catalog.Catalog(
            str(self.root),
            FINGERPRINT,
            entries,
            texts_name,
            dictionary,
            folders=_folder_stats(scanned, scan_started),
        )
        catalog.save(self.index_dir, new_catalog)
        literal.remove_unused(self.index_dir, keep=texts_name)
        self._catalog = new_catalog
        self.forget_open_files()
        return report

    def path_of(self, searcher: Any, document: int) -> str:
        """The path of the article a Whoosh document number (of self.searcher()) stands for."""
        path = self._paths.get(document)
        if path is None:
            path = self._paths[document] = searcher.stored_fields(document)["path"]
        return path

    def forget_open_files(self) -> None:
        """Drop the open Whoosh index, reader and texts, so the next use opens them afresh."""
        if self._reader is not None:
            self._reader.close()
        self._whoosh = self._reader = self._texts = None
        self._paths, self.field_lengths = {}, {}

    def _read_dictionary(self, report: SyncReport) -> dict:
        """The archive's user dictionary: its stat and text (empty when there is none)."""
        stat = _dictionary_stat(self.root)
        if not stat:
            return {}
        try:
            data = (self.root / USER_DICTIONARY).read_bytes()
            text = data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            report.warnings.append(f"{USER_DICTIONARY}: not read ({exc}); it must be UTF-8 text")
            return {**stat, "text": ""}
        return {**stat, "text": text}


@contextmanager
def _collecting_garbage() -> Iterator[None]:
    """Cyclic garbage collection on while the index is updated, whatever the caller chose:
    the command line turns it off for its short read-only work (cli.main), and an update of
    a large archive allocates far more than a query."""
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was_enabled:
            gc.disable()


@contextmanager
def _private_files() -> Iterator[None]:
    """What an update creates is the user's alone (folders 0700, files 0600) whatever the
    process's umask: Whoosh creates its files with the default mode."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _check_whoosh(whoosh_dir: Path) -> None:
    """Whoosh unpickles its table of contents and segments, and unpickling runs code: its
    folder and every file in it must be the user's alone to write (UnsafeStorage if not)."""
    if not trusted_dir(whoosh_dir, top=whoosh_dir.parent.parent):
        return
    with os.scandir(whoosh_dir) as found:
        for entry in found:
            check_file(entry.path, entry.stat(follow_symlinks=False))


def _folder_stats(scanned: archive.ScanResult, since_ns: int) -> dict[str, list[int]]:
    """Each scanned folder's stat, for the next freshness check; none (the next check scans)
    when the scan skipped something, or a folder changed too close to the scan to tell."""
    if scanned.skipped:
        return {}
    found = {}
    for folder in scanned.folders:
        try:
            st = os.stat(folder)
        except OSError:
            return {}
        if max(st.st_mtime_ns, st.st_ctime_ns) >= since_ns - RACY_NS:
            return {}
        found[folder] = [st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]
    return found


def _same_folders(folders: dict[str, list[int]]) -> bool:
    """No folder had a file added, removed or renamed: each one's stat is as recorded."""
    for folder, recorded in folders.items():
        try:
            st = os.stat(folder)
        except OSError:
            return False
        if [st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns] != recorded:
            return False
    return True


def _same_files(root: str, stats: dict[str, tuple[int, int]]) -> bool:
    prefix = os.path.join(root, "")
    stat = os.stat
    for path, (size, mtime_ns) in stats.items():
        try:
            st = stat(prefix + path)
        except OSError:
            return False
        if st.st_size != size or st.st_mtime_ns != mtime_ns:
            return False
    return True


def _dictionary_stat(root: Path) -> dict:
    try:
        stat = os.stat(root / USER_DICTIONARY)
    except OSError:
        return {}
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _stat_of(dictionary: dict) -> dict:
    return {k: dictionary[k] for k in ("size", "mtime_ns") if k in dictionary}


def _dictionary_lines(text: str | None) -> set[tuple[str, str]]:
    """(word, line) for each user-dictionary line: a changed frequency moves the word too."""
    lines = set()
    for line in (text or "").splitlines():
        line = line.strip()
        match = _USER_WORD.match(line) if line else None
        if match:
            lines.add((match.group(1), line))
    return lines


def _texts_of(index_dir: Path, current: catalog.Catalog) -> literal.LiteralStore:
    """The literal texts a catalog names, with each article's span in them."""
    return literal.LiteralStore(index_dir / current.texts, current.spans())


def _opened(store: literal.LiteralStore) -> literal.LiteralStore:
    store.open()  # fails now, not in the middle of a search, if the file is gone
    return store


def _opens(whoosh_dir: Path) -> bool:
    from whoosh import index as whoosh_index

    try:
        whoosh_index.open_dir(str(whoosh_dir)).doc_count_all()
    except Exception:
        return False
    return True


def diff(
    old: catalog.Catalog, files: dict[str, archive.FileStat]
) -> tuple[list[str], list[str], list[str]]:
    """(added, changed, removed): the files on disk against what the catalog recorded."""
    added, changed = [], []
    known = old.stats
    for path, stat in files.items():
        seen = known.get(path)
        if seen is None:
            added.append(path)
        elif seen[0] != stat.size or seen[1] != stat.mtime_ns:
            changed.append(path)
    removed = [path for path in known if path not in files]
    return added, changed, removed


def remove_index(index_dir: Path) -> None:
    if index_dir.exists():
        shutil.rmtree(index_dir)


def index_size(index_dir: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(index_dir):
        for name in files:
            with suppress(OSError):
                total += os.path.getsize(os.path.join(folder, name))
    return total
