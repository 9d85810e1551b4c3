"""Writing a file so that readers see the old one or the new one whole, and reading small
UTF-8 files that the user writes (the user dictionary, the synonyms)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A new empty file beside path (mode 0600) for the block to fill; when the block ends
    without an error it is made durable and takes path's place, otherwise it is removed."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}-{time.monotonic_ns()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    os.close(os.open(partial, flags, 0o600))
    try:
        yield partial
        # fsync before the rename: after a crash the name never points at a half-written file
        descriptor = os.open(partial, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> os.stat_result:
    """Replace path with data as one step; returns the stat of the file written."""
    with replacing(path) as partial, open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        written = os.fstat(handle.fileno())
    return written


def read_own(path: Path) -> bytes | None:
    """A file artread wrote (an index's or a cache's); None if there is none. Opened without
    following a link or waiting on a FIFO, and UnsafeStorage if another user could have
    written it."""
    from artread.config import check_file

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with open(fd, "rb") as handle:
        check_file(path, os.fstat(fd))
        return handle.read()


def read_utf8(path: Path, errors: str = "strict") -> str:
    """A UTF-8 text file written by the user, without its byte-order mark if it has one.
    OSError if it cannot be read; UnicodeDecodeError if it is not UTF-8 (errors="strict")."""
    return Path(path).read_bytes().decode("utf-8-sig", errors)


@contextmanager
def private_files() -> Iterator[None]:
    """What the block creates is the user's alone (folders 0700, files 0600) whatever the
    process's umask: Whoosh and SQLite create their files with the default mode."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)
