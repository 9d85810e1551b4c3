"""The meaning side of a search in a child process, on the other core, while this one ranks
by words.

A process that has not loaded the model yet (a command run without the resident server)
would spend about as long loading the model, embedding the query and reading the vectors as
on the whole keyword search. A child forked early does that work meanwhile and sends back
what the fusion needs: whether there are vectors of the installed model, how many articles
they cover, and the articles nearest the query. Then this process loads neither the vectors
nor the model. Only a query without filters (category:, --tag, dates...) is sent to a
child: the articles a filter lets through are worked out by the keyword search's modules,
which are not loaded yet when the child starts.

A command starts the child as soon as it has found the index, before it reads the catalog or
brings the index up to date: a child forked later shares more of this process's memory, and
each page of it this process writes to afterwards is copied (BENCHMARKS.md counts them). The
child then reads the catalog itself, and says which catalog file its answer is of: an answer
of another one than the search's (the index was updated meanwhile) is not used. It reads the
catalog, the vectors and the model, writes only to its pipe (and the vectors' snapshot, as
any search does when it is missing or stale), and leaves with os._exit.
Whatever goes wrong there, the search does the work itself. A process with other threads
never forks (a lock one of them held would stay held in the child), nor one that has loaded
the model already.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Any, NamedTuple

from artread.core.semantic import model
from artread.core.semantic.fusion import NEAREST
from artread.core.semantic.meaning import Coverage, Near

if TYPE_CHECKING:
    from artread.core.index import ArchiveIndex
    from artread.core.query import ParsedQuery

_MAX_REPLY = 256 << 20


class Told(NamedTuple):
    """What the child worked out."""

    present: bool  # vectors of the installed model exist
    coverage: Coverage | None
    near: list[Near]  # Meaning.nearest(words, catalog.searched_paths(), NEAREST)
    catalog: tuple | None  # the identity of the catalog those are of (Catalog.identity)


class Ahead:
    """A child process working out the meaning side of one query."""

    def __init__(self, pid: int, reading: int, words: str) -> None:
        self.pid, self.words = pid, words  # the text it embeds
        self._reading: int | None = reading
        self._told: Told | None = None

    def told(self) -> Told | None:
        """What the child found; None if it failed (the caller does the work itself)."""
        if self._reading is not None:
            reading, self._reading = self._reading, None
            self._told = _receive(self.pid, reading)
        return self._told

    def cancel(self) -> None:
        """Not wanted after all: stop the child."""
        if self._reading is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, 9)  # SIGKILL: the signal module is not loaded for it
            self.told()


def start(index: ArchiveIndex, parsed: ParsedQuery) -> Ahead | None:
    """A child working out the articles nearest the query (with the search's options, as
    query.parse_searched() gives it), when a fused search of it will want them and this
    process would otherwise load the model; None otherwise."""
    words = " ".join(parsed.words)
    if not words or parsed.exact or parsed.filtered:
        return None  # nothing to embed, meaning may only reorder, or see the module's doc
    if not index.has_vectors() or model.made_with() is None:
        return None
    if model.loaded() or not _alone():
        return None
    reading, writing = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        return None
    if pid == 0:
        os.close(reading)
        _child(writing, lambda: _work(index, words))
    os.close(writing)
    return Ahead(pid, reading, words)


def _alone() -> bool:
    """This process can fork: it has no other thread, native ones included. A lock another
    thread held at the fork stays held in the child for good: OpenMP's and OpenBLAS's thread
    pools (a process that has used the model) are such threads, and Python does not count
    them."""
    if not hasattr(os, "fork"):
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: Python's own count, no model loaded (checked above), and
        # no numpy, whose BLAS starts threads of its own
        import sys
        import threading

        return threading.active_count() == 1 and "numpy" not in sys.modules


def _work(index: ArchiveIndex, words: str) -> dict:
    # One core for the model's engine (OpenMP): the other is the keyword search's, and idle
    # OpenMP threads spin on theirs. The child's own environment: the parent's is untouched.
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    catalog = index.catalog  # the parent's, or read here if the parent has not read it yet
    meaning = index.meaning
    if not meaning.present():
        return {"present": False, "coverage": None, "near": [], "catalog": catalog.identity}
    coverage = meaning.coverage(catalog)
    near = meaning.nearest(words, catalog.searched_paths(), NEAREST)
    return {
        "present": True,
        "coverage": [coverage.embedded, coverage.total],
        "near": [[n.path, n.score, n.passage] for n in near],
        "catalog": catalog.identity,
    }


def _child(writing: int, work: Any) -> None:
    """Run work and send its reply; then leave without running anything of the parent's
    (exit handlers, buffered output): os._exit, whatever happens."""
    code = 1
    try:
        # Nothing to say on the parent's streams, nor a reason to hold its pipes open (a
        # reader of its output waits for every writer to close).
        quiet = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(quiet, stream)
        import msgpack

        reply = msgpack.packb(work())
        with open(writing, "wb", closefd=True) as pipe:
            pipe.write(reply)
        code = 0
    except BaseException:  # Ctrl-C included: the parent decides what happens
        pass
    finally:
        os._exit(code)


def _receive(pid: int, reading: int) -> Told | None:
    import msgpack

    try:
        with open(reading, "rb", closefd=True) as pipe:
            reply = pipe.read(_MAX_REPLY)
    finally:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    try:
        data = msgpack.unpackb(reply)
        coverage = Coverage(*data["coverage"]) if data["coverage"] else None
        near = [Near(*n) for n in data["near"]]
        catalog = tuple(data["catalog"]) if data["catalog"] else None
        return Told(bool(data["present"]), coverage, near, catalog)
    except Exception:  # the child died or said something else: no answer
        return None
