"""Whether an index still matches its archive, without reading any article.

Every command asks first. The catalog records each file's size and mtime and each folder's
stat: when no folder changed, one stat of each known file answers; otherwise the archive is
scanned. A resident process watches the folders instead (artread.resident.watch).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from artread.config import check_file
from artread.core import catalog
from artread.core.files import write_atomic

if TYPE_CHECKING:
    from artread.core import archive
    from artread.core.index import ArchiveIndex

USER_DICTIONARY = "artread.dict"  # extra jieba words, at the archive root
# A folder changed this close to the scan (or after it) may hide a change made within the same
# timestamp tick: its stat is not trusted, and the next check scans the whole archive.
RACY_NS = 2_000_000_000
# Folder stats vouched for by a later check, when the catalog could not record them (a folder
# had just changed when it was written): keyed by the catalog file they go with.
LATER_FOLDERS = "folders.msgpack"
_MAX_LATER_FOLDERS = 64 << 20


def is_fresh(index: ArchiveIndex) -> bool:
    """True when the index is usable and no file was added, changed or removed."""
    if not index.usable():
        return False
    if index.watch is None:
        return same_dictionary(index) and _files_unchanged(index)
    # Nothing happened in the archive's folders since the last check, and the files that
    # can change through a path elsewhere (links; the user dictionary too) did not change.
    if index.watch.quiet() and _same_linked(index):
        return same_dictionary(index)
    index.watch.arm(str(index.root))
    scanned = scan(index.root)
    index.watch.cover(scanned.folders)
    index.linked = scanned.linked
    fresh = same_dictionary(index) and diff(index.catalog, scanned.files) == ([], [], [])
    if not fresh:
        index.watch.disarm()  # checked again once the update is done
    return fresh


def _same_linked(index: ArchiveIndex) -> bool:
    """The linked files of the last look at every file have the catalog's size and mtime."""
    known = index.catalog.stats
    for path in index.linked:
        try:
            stat = os.stat(index.root / path)
        except OSError:
            return False
        if known.get(path) != (stat.st_size, stat.st_mtime_ns):
            return False
    return True


def _files_unchanged(index: ArchiveIndex) -> bool:
    """No file added, changed or removed. When no folder changed since the catalog was
    written, one stat of each file it knows says so; otherwise the archive is scanned."""
    current = index.catalog
    folders = current.folders or _later_folders(index.index_dir, current)
    if folders and _same_folders(folders):
        return _same_files(str(index.root), current.stats)
    started = time.time_ns()
    scanned = scan(index.root)
    if diff(current, scanned.files) != ([], [], []):
        return False
    # Like `git status` refreshing a racy index: when the folders have settled since the
    # catalog was written, record them so that the next command need not list every folder.
    if not current.folders:
        _vouch_for_folders(index.index_dir, current, folder_stats(scanned, started))
    return True


def _later_folders(index_dir: Path, current: catalog.Catalog) -> dict[str, list[int]]:
    """The folder stats a later check recorded for this very catalog file; none otherwise."""
    import msgpack

    path = index_dir / LATER_FOLDERS
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return {}
    with open(fd, "rb") as handle:
        st = os.fstat(fd)
        check_file(path, st)
        try:
            found = msgpack.unpackb(handle.read(_MAX_LATER_FOLDERS), unicode_errors="surrogatepass")
            if tuple(found["catalog"]) == current.identity:
                return dict(found["folders"])
        except Exception:  # truncated or from another version: the next check writes it again
            pass
    return {}


def _vouch_for_folders(
    index_dir: Path, current: catalog.Catalog, folders: dict[str, list[int]]
) -> None:
    import msgpack

    if not folders or current.identity is None:
        return
    data = msgpack.packb(
        {"catalog": list(current.identity), "folders": folders}, unicode_errors="surrogatepass"
    )
    with contextlib.suppress(OSError):  # a read-only index still answers; the next scans
        write_atomic(index_dir / LATER_FOLDERS, data)


def same_dictionary(index: ArchiveIndex) -> bool:
    """The archive's user dictionary is the one the index was built with."""
    recorded = index.catalog.dictionary
    return dictionary_stat(index.root) == {
        k: recorded[k] for k in ("size", "mtime_ns") if k in recorded
    }


def dictionary_stat(root: Path) -> dict:
    """The size and mtime of the archive's user dictionary; empty when there is none."""
    try:
        stat = os.stat(root / USER_DICTIONARY)
    except OSError:
        return {}
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def folder_stats(scanned: archive.ScanResult, since_ns: int) -> dict[str, list[int]]:
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


def scan(root: Path) -> archive.ScanResult:
    """archive.scan, imported when a folder changed: one stat of each file needs none of it."""
    from artread.core import archive

    return archive.scan(root)
