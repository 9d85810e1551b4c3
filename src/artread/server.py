"""A resident artread that runs commands for artread.client, everything already loaded.

Started by the first command that finds none (`python -m artread.server SOCKET`), it listens
on a socket only its user can reach, runs one command at a time, and exits after
IDLE_SECONDS without one. Each command runs as it would in its own process: in the client's
folder, with the client's environment, its output written for the client's terminal and
sent back as it is written; the pager runs in the client. What it keeps between commands:
the imported modules, and each archive's index open (catalog, Whoosh reader, literal texts)
with the archive's folders watched, so the freshness check looks at every file only after
something changed (artread.watch). An index another process updated is opened afresh.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import io
import marshal
import os
import select
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from artread import analysis, cli, watch
from artread.client import (
    EXIT,
    PAGE,
    PEERCRED,
    STARTED,
    STDERR,
    STDOUT,
    private,
    receive,
    send,
)
from artread.config import index_dir_for
from artread.index import ArchiveIndex

IDLE_SECONDS = 600  # exit after ten minutes without a command


class ClientGone(BaseException):
    """The client closed the connection (its reader quit, or Ctrl-C): stop the command.

    A BaseException, so that the command's own error handling does not report it."""


class _Channel(io.RawIOBase):
    """One of the client's output streams: each write is sent as one message."""

    def __init__(self, connection: socket.socket, kind: bytes, tty: bool, lock: Any) -> None:
        self._connection, self._kind, self._tty, self._lock = connection, kind, tty, lock

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._tty

    def write(self, data: Any) -> int:
        data = bytes(data)
        if data:
            _send(self._connection, self._kind, data, self._lock)
        return len(data)


def _send(connection: socket.socket, kind: bytes, data: bytes, lock: Any) -> None:
    try:
        with lock:  # Rich's progress bar writes from a thread of its own
            send(connection, kind, data)
    except OSError:
        raise ClientGone from None


def _stream(
    connection: socket.socket, kind: bytes, tty: bool, encoding: list[str], lock: Any
) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        _Channel(connection, kind, tty, lock),  # type: ignore[arg-type]
        encoding=encoding[0],
        errors=encoding[1],
        write_through=True,
    )


class Indexes:
    """The indexes of the archives used last, kept open and watched, for cli._open."""

    KEEP = 4  # archives; each holds its catalog, a Whoosh reader and a folder watch

    def __init__(self) -> None:
        self._held: dict[tuple[str, str], ArchiveIndex] = {}  # (archive, index folder)

    def __call__(self, root: Path) -> ArchiveIndex:
        root = Path(root).resolve()
        index_dir = index_dir_for(root)
        key = (str(root), str(index_dir))
        held = self._held.pop(key, None)
        if held is not None and held.is_current():
            # Queries are segmented with this archive's user dictionary, not the last one's.
            analysis.use_user_dictionary(held.catalog.dictionary.get("text"))
            index = held
        else:
            if held is not None:  # another process updated the index: open it afresh
                _close(held)
            index = ArchiveIndex(root, index_dir)
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
            for (archive, index_dir), index in self._held.items()
        ]


def _close(index: ArchiveIndex) -> None:
    index.forget_open_files()
    if index.watch is not None:
        index.watch.close()


def _cache_sizes() -> dict[str, int]:
    """What the server holds for the archives' user dictionaries and synonyms."""
    from artread import glossary

    return {**analysis.cache_sizes(), "glossaries": glossary.cache_size()}


def run_command(connection: socket.socket, request: dict, indexes: Indexes) -> None:
    """Run one command line as the client would have, and send its exit status last."""
    lock = threading.Lock()
    saved_env, saved_streams = dict(os.environ), (sys.stdout, sys.stderr)
    saved_cwd = os.getcwd()

    def page(text: str, pager: str) -> bool:
        _send(connection, PAGE, marshal.dumps({"text": text, "pager": pager}), lock)
        return True

    try:
        os.chdir(request["cwd"])
        os.environb.clear()
        os.environb.update(request["env"])
        sys.stdout = _stream(connection, STDOUT, request["tty"][0], request["encoding"], lock)
        sys.stderr = _stream(
            connection, STDERR, request["tty"][1], request["stderr_encoding"], lock
        )
        gc.disable()
        try:
            args = [os.fsdecode(a) for a in request["args"]]  # as Python reads sys.argv
            code = cli.run(args, open_index=indexes, page=page)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception:  # ARTREAD_DEBUG lets errors through: show them as Python would
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        _send(connection, EXIT, str(code).encode(), lock)
    finally:
        sys.stdout, sys.stderr = saved_streams
        os.environ.clear()
        os.environ.update(saved_env)
        with contextlib.suppress(OSError):
            os.chdir(saved_cwd)
        gc.enable()


def _warm() -> None:
    """Import what commands use, before the first one arrives."""
    from artread import explain, listing, lookup, related, render, search, views  # noqa: F401
    from artread.index import schema

    schema()


def _answer(connection: socket.socket, indexes: Indexes, status: dict) -> bool:
    """Answer one client; False when told to stop."""
    peer = PEERCRED.unpack(
        connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, PEERCRED.size)
    )
    if peer[1] != os.getuid():
        return True
    connection.settimeout(30)  # a client that connects and says nothing
    message = receive(connection)
    connection.settimeout(None)
    if message is None:
        return True
    kind, payload = message
    if kind == b"q":  # artread server stop
        with contextlib.suppress(ClientGone):
            _send(connection, EXIT, b"0", threading.Lock())
        return False
    if kind == b"i":  # artread server status
        answer = {**status, "indexes": indexes.describe(), "caches": _cache_sizes()}
        _send(connection, STDOUT, marshal.dumps(answer), threading.Lock())
        return True
    request = marshal.loads(payload)
    _send(connection, STARTED, b"", threading.Lock())  # the client waits no longer
    status["commands"] += 1
    run_command(connection, request, indexes)
    return True


def serve(path: str) -> int:
    """Answer commands on the socket at path until idle; 0 when another server has it."""
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    if not private(directory):
        sys.stderr.write(f"artread server: {directory} is not private to this user\n")
        return 1
    lock = open(path + ".lock", "a")  # noqa: SIM115  (held while serving)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return 0  # another server is starting or running
    os.ftruncate(lock.fileno(), 0)
    lock.write(str(os.getpid()))  # for `artread server stop` when it is busy
    lock.flush()
    os.chdir("/")  # hold no folder of the user's (a drive to unmount)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(16)
    bound = os.stat(path).st_ino
    _warm()
    gc.collect()
    gc.freeze()  # what is loaded now stays: later collections need not walk it
    indexes = Indexes()
    status = {"pid": os.getpid(), "since": time.time(), "commands": 0, "socket": path}
    try:
        while select.select([listener], [], [], IDLE_SECONDS)[0]:
            connection, _ = listener.accept()
            with connection:
                try:
                    if not _answer(connection, indexes, status):
                        break
                except (OSError, ClientGone, ValueError, EOFError, KeyError):
                    pass  # a client that went away or sent something else: wait for the next
            gc.collect()
    finally:
        with contextlib.suppress(OSError):
            if os.stat(path).st_ino == bound:
                os.unlink(path)
        listener.close()
        lock.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(serve(sys.argv[1]))
