"""Knowing that no file of an archive changed without looking at every file (Linux inotify).

The freshness check stats every Markdown file, which grows with the archive. A resident process
(artread.resident.server) watches the archive's folders instead, and looks again only after
the kernel reported a change. The kernel queues an event before the system call that made the change
returns, so a change made before a command starts is always seen by that command.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable

# Anything that can add, change, remove or rename a file, or the folder itself.
try:
    from inotify_simple import INotify
    from inotify_simple import flags as _flags

    _MASK = (
        _flags.CREATE
        | _flags.DELETE
        | _flags.MODIFY
        | _flags.CLOSE_WRITE
        | _flags.ATTRIB
        | _flags.MOVED_FROM
        | _flags.MOVED_TO
        | _flags.DELETE_SELF
        | _flags.MOVE_SELF
    )
    _ONLY_FOLDERS = _flags.ONLYDIR
    _IGNORED = _flags.IGNORED
    _GONE = _flags.IGNORED | _flags.DELETE_SELF  # the kernel dropped (or drops) this watch
except (ImportError, OSError):  # not Linux, or no inotify here
    INotify = None  # type: ignore[assignment,misc]
    _MASK = _ONLY_FOLDERS = _IGNORED = _GONE = 0


def available() -> bool:
    return INotify is not None


class FolderWatch:
    """Watches folders; quiet() is True while nothing changed in them since the last arm().

    The caller checks every file when quiet() is False: arm() first (so a change made during
    the check is reported next time), then cover() with every folder the check found, and
    disarm() if the index turned out not to be up to date.

    Whether a folder is watched is the kernel's answer, not a record of ours: cover() asks
    for a watch on each folder, and inotify gives back the watch a folder already has, or a
    new one for a folder that is new, re-created (even with the same inode), or moved in.
    Any event at all, a lost one (the queue overflowed) included, means a look at every file.
    """

    def __init__(self) -> None:
        if INotify is None:
            raise OSError("inotify is not available")
        self._inotify = INotify()
        self._folders: dict[int, str] = {}  # watch descriptor -> the folder's path when added
        self._armed = False

    def arm(self, root: str) -> None:
        """Watch root, act on what was reported so far (a removed folder's watch is gone),
        then forget those changes: the caller is about to look at every file."""
        watching = self._add(root)  # first: a change in root from now on is reported
        self._read()
        self._armed = bool(watching)

    def cover(self, folders: Iterable[str]) -> None:
        """Watch exactly these folders: every folder of the archive, as the look at every
        file found them; stop watching the others (moved or linked out of the archive).
        A folder not watched before was not watched during that look: the next quiet()
        is False, to look again."""
        kept = set()
        for folder in folders:
            wd = self._add(folder)
            if wd:
                kept.add(wd)
        for wd in set(self._folders) - kept:
            del self._folders[wd]
            with contextlib.suppress(OSError):  # gone already
                self._inotify.rm_watch(wd)

    def disarm(self) -> None:
        self._armed = False

    def quiet(self) -> bool:
        """True when nothing changed in the watched folders since arm()."""
        if not self._armed:
            return False
        if self._read():
            self._armed = False
        return self._armed

    def watched(self) -> list[str]:
        """The folders watched, by the path each had when its watch was added."""
        return sorted(self._folders.values())

    def close(self) -> None:
        self._inotify.close()
        self._folders.clear()
        self._armed = False

    def _add(self, folder: str) -> int:
        """The folder's watch descriptor (0 when it cannot be watched); a folder not
        watched before leaves the watch unarmed."""
        try:
            wd = self._inotify.add_watch(folder, _MASK | _ONLY_FOLDERS)
        except OSError:  # gone meanwhile, or out of watches (fs.inotify.max_user_watches)
            self._armed = False
            return 0
        if wd not in self._folders:
            self._folders[wd] = folder
            self._armed = False
        return wd

    def _read(self) -> bool:
        """Read every pending event and forget the watches the kernel dropped (a removed
        folder's); True when any says something may have changed."""
        changed = False
        for event in self._inotify.read(timeout=0):
            if event.mask == _IGNORED and event.wd not in self._folders:
                continue  # the end of a watch cover() removed
            changed = True
            if event.mask & _GONE:
                self._folders.pop(event.wd, None)
        return changed


# File systems whose files can change without this machine's kernel seeing it (another
# machine, a host's folder shared into a VM): inotify says nothing of those changes.
REMOTE = {
    "9p",
    "afs",
    "ceph",
    "cifs",
    "coda",
    "davfs",
    "fuse.sshfs",
    "fuse.rclone",
    "fuse.s3fs",
    "glusterfs",
    "gpfs",
    "lustre",
    "ncpfs",
    "nfs",
    "nfs4",
    "ocfs2",
    "smb3",
    "smbfs",
    "vboxsf",
    "virtiofs",
    "vmhgfs",
    "fuse.vmhgfs-fuse",
    "prl_fs",
}


def file_system(path: str | os.PathLike[str]) -> str | None:
    """The type of the file system path is on (from /proc/self/mounts), if known."""
    real = os.path.realpath(path)
    best, kind = "", None
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as mounts:
            for line in mounts:
                fields = line.split()
                if len(fields) < 3:
                    continue
                point = fields[1].replace("\\040", " ")
                inside = real == point or real.startswith(point.rstrip("/") + "/")
                if inside and len(point) >= len(best):
                    best, kind = point, fields[2]
    except OSError:
        return None
    return kind


def watch(root: str | os.PathLike[str]) -> FolderWatch | None:
    """A watch for the folders of an archive at root; None where the system has none or
    the archive is on a file system that can change unseen (it is then checked file by
    file on every command)."""
    kind = file_system(root)
    if kind is None or kind in REMOTE or kind.startswith("fuse"):
        return None
    try:
        return FolderWatch()
    except OSError:
        return None


__all__ = ["FolderWatch", "available", "file_system", "watch"]
