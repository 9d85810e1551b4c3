"""A resident artread that runs commands for artread.resident.client, everything already loaded.

Started by the first command that finds none (`python -m artread.resident.server SOCKET`),
it listens on a socket only its user can reach, runs one command at a time, and exits after
IDLE_SECONDS without one. Each command runs as it would in its own process: in the client's
folder, with the client's environment, its output written for the client's terminal and
sent back as it is written; the pager runs in the client. What it keeps between commands:
the imported modules, and each archive's index open (catalog, Whoosh reader, literal texts)
with the archive's folders watched, so the freshness check looks at every file only after
something changed (artread.resident.watch). An index another process updated is opened afresh.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import marshal
import os
import select
import signal
import socket
import stat
import sys
import time
from pathlib import Path
from typing import Any

from artread.core import analysis
from artread.core.index import ArchiveIndex
from artread.resident import watch
from artread.resident.protocol import (
    ERROR,
    EXIT,
    OPENINGS,
    REQUEST_SECONDS,
    STARTED,
    STATUS,
    STDOUT,
    STOP,
    ProtocolError,
    decode_request,
    receive,
    send,
)
from artread.resident.runtime import PEERCRED, installation, open_own, private
from artread.resident.session import ClientGone, on_interrupt, run_command

IDLE_SECONDS = 600  # exit after ten minutes without a command
CHECK_SECONDS = 60  # how often an idle server checks that it is still wanted


class Indexes:
    """The indexes of the archives used last, kept open and watched, for cli._open."""

    KEEP = 4  # archives; each holds its catalog, a Whoosh reader and a folder watch

    def __init__(self) -> None:
        # (archive, index folder, cache folder): where the command's environment puts them
        self._held: dict[tuple[str, str, str], ArchiveIndex] = {}

    def __call__(self, root: Path, index_dir: Path, cache_dir: Path) -> ArchiveIndex:
        root = Path(root).resolve()
        key = (str(root), str(index_dir), str(cache_dir))
        held = self._held.pop(key, None)
        if held is not None and held.is_current():
            index = held
        else:
            if held is not None:  # another process updated the index: open it afresh
                _close(held)
            index = ArchiveIndex(root, index_dir, cache_dir=cache_dir)
            index.resident = True
            index.watch = watch.watch(root)
        self._held[key] = index  # the most recently used last
        for old in [k for k, i in self._held.items() if not i.root.is_dir()]:
            _close(self._held.pop(old))  # archives that are gone
        while len(self._held) > self.KEEP:
            _close(self._held.pop(next(iter(self._held))))
        return index

    def describe(self) -> list[dict]:
        return [
            {"archive": archive, "index": index_dir, "watched": index.watch is not None}
            for (archive, index_dir, _cache), index in self._held.items()
        ]

    def close_all(self) -> None:
        """Forget every index: an interrupted command may have left one half-updated."""
        while self._held:
            _close(self._held.pop(next(iter(self._held))))


def _close(index: ArchiveIndex) -> None:
    index.forget_open_files()
    if index.watch is not None:
        index.watch.close()


def _cache_sizes() -> dict[str, int]:
    """What the server holds for the archives' user dictionaries and synonyms."""
    from artread.core import glossary

    return {**analysis.cache_sizes(), "glossaries": glossary.cache_size()}


def _warm() -> None:
    """Import what commands use, before the first one arrives."""
    from artread.core.engine.schema import schema

    schema()


def _answer(connection: socket.socket, indexes: Indexes, status: dict) -> bool:
    """Answer one client; False when told to stop. Whatever the client sends or does, only
    its connection ends with it."""
    try:
        return _converse(connection, indexes, status)
    except (Exception, ClientGone, KeyboardInterrupt):
        return True


def _converse(connection: socket.socket, indexes: Indexes, status: dict) -> bool:
    peer = PEERCRED.unpack(
        connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, PEERCRED.size)
    )
    if peer[1] != os.getuid() or (MOUNTS is not None and _mounts(peer[0]) != MOUNTS):
        return True  # another user, or a process that sees other files (a container)
    try:
        message = receive(connection, OPENINGS, time.monotonic() + REQUEST_SECONDS)
        if message is None:
            return True
        kind, payload = message
        if kind == STOP:  # artread server stop
            with contextlib.suppress(OSError):
                send(connection, EXIT, b"0")
            return False
        if kind == STATUS:  # artread server status
            answer = {**status, "indexes": indexes.describe(), "caches": _cache_sizes()}
            send(connection, STDOUT, marshal.dumps(answer))
            return True
        request = decode_request(payload)
        _check_file_names(request["filesystem"])
    except (ProtocolError, TimeoutError) as exc:
        reason = str(exc) if isinstance(exc, ProtocolError) else "the request did not come in time"
        with contextlib.suppress(OSError):
            send(connection, ERROR, reason.encode("utf-8", "replace"))
        return True
    connection.settimeout(None)
    send(connection, STARTED, b"")  # the client waits no longer
    status["commands"] += 1
    run_command(connection, request, indexes)
    return True


class Stopped(BaseException):
    """SIGTERM: end the serve loop, whose `finally` removes the socket and lock files."""


def _terminate(signum: int, frame: Any) -> None:
    raise Stopped


def _check_file_names(filesystem: list[str]) -> None:
    """Refuse a client that decodes file names otherwise (another locale): the command would
    encode its arguments and paths as this process does (the client runs it itself)."""
    import codecs

    mine = [codecs.lookup(sys.getfilesystemencoding()).name, sys.getfilesystemencodeerrors()]
    theirs = [codecs.lookup(filesystem[0]).name, filesystem[1]]
    if theirs != mine:
        raise ProtocolError(f"file names are {'/'.join(mine)} here, {'/'.join(theirs)} there")


def serve(path: str) -> int:
    """Answer commands on the socket at path until idle; 0 when another server has it."""
    directory = os.path.dirname(path)
    with contextlib.suppress(FileExistsError):
        os.mkdir(directory, mode=0o700)  # not its parents: a folder removed stays removed
    if not private(directory):
        sys.stderr.write(f"artread server: {directory} is not private to this user\n")
        return 1
    try:
        lock = _take_lock(path + ".lock")
    except OSError as exc:
        sys.stderr.write(f"artread server: {exc}\n")
        return 1
    if lock is None:
        return 0  # another server is starting or running
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, on_interrupt)  # a stray interrupt never ends the server
    try:
        os.ftruncate(lock, 0)
        os.write(lock, str(os.getpid()).encode())  # for `artread server stop` when it is busy
        os.chdir("/")  # hold no folder of the user's (a drive to unmount)
        listener = _listen(path)
        bound = os.stat(path).st_ino
        try:
            _serve(listener, path, bound)
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the files go, whatever comes
            with contextlib.suppress(OSError):
                if os.stat(path).st_ino == bound:  # not another server's since
                    os.unlink(path)
            listener.close()
    except Stopped:
        pass
    except OSError as exc:
        sys.stderr.write(f"artread server: {exc}\n")
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        with contextlib.suppress(OSError):
            os.unlink(path + ".lock")  # still held: no other server uses this file
        os.close(lock)
    return 0


def _take_lock(path: str) -> int | None:
    """The lock file at path, made if need be and held; None when another server holds it.
    OSError when what is there is not a regular file of this user's (it is never followed or
    read)."""
    for _ in range(3):
        lock = open_own(path, os.O_RDWR | os.O_CREAT)
        if lock is None:
            raise OSError(f"{path} is not a regular file of this user's: remove it")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            return None
        with contextlib.suppress(OSError):
            if os.lstat(path).st_ino == os.fstat(lock).st_ino:
                return lock  # not a file that a server leaving removed meanwhile
        os.close(lock)
    return None


def _listen(path: str) -> socket.socket:
    """A socket at path, in place of a socket left behind or anything else but a folder."""
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISDIR(os.lstat(path).st_mode):
            raise IsADirectoryError(f"{path} is a folder where the socket goes: remove it")
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(path)
        os.chmod(path, 0o600)
        listener.listen(16)
    except OSError:
        listener.close()
        raise
    return listener


def _serve(listener: socket.socket, path: str, bound: int) -> None:
    """Answer clients one at a time until told to stop, idle for IDLE_SECONDS, or outdated."""
    _warm()
    gc.collect()
    gc.freeze()  # what is loaded now stays: later collections need not walk it
    indexes = Indexes()
    status = {"pid": os.getpid(), "since": time.time(), "commands": 0, "socket": path}
    installed = installation()
    last = time.monotonic()
    while True:
        if not select.select([listener], [], [], CHECK_SECONDS)[0]:
            if time.monotonic() - last >= IDLE_SECONDS or not _wanted(path, bound, installed):
                return
            continue
        if installation() != installed:
            return  # code or a dependency changed: the client runs its command itself
        connection, _ = listener.accept()
        with connection:
            try:
                if not _answer(connection, indexes, status):
                    return
            except (OSError, ClientGone, ValueError, EOFError, KeyError):
                pass  # a client that went away or sent something else: wait for the next
        gc.collect()
        last = time.monotonic()


def _wanted(path: str, bound: int, installed: list[str]) -> bool:
    """The socket is still this server's, and the code it runs is still the installed one."""
    try:
        return os.stat(path).st_ino == bound and installation() == installed
    except OSError:
        return False


def _mounts(pid: int | str) -> str | None:
    """The mount namespace of a process: which files it sees."""
    try:
        return os.readlink(f"/proc/{pid}/ns/mnt")
    except OSError:
        return None


MOUNTS = _mounts("self")


if __name__ == "__main__":
    raise SystemExit(serve(sys.argv[1]))
