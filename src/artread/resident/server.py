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
import io
import marshal
import os
import select
import signal
import socket
import stat
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from artread import cli
from artread.config import index_dir_for
from artread.core import analysis
from artread.core.index import ArchiveIndex
from artread.env import Env
from artread.resident import watch
from artread.resident.client import PEERCRED, installation, open_own, private
from artread.resident.protocol import (
    ACK,
    CANCEL,
    DURING_MAX,
    ERROR,
    EXIT,
    HEADER,
    OPENINGS,
    PAGE,
    REQUEST_SECONDS,
    STARTED,
    STATUS,
    STDERR,
    STDOUT,
    STOP,
    ProtocolError,
    decode_request,
    receive,
    send,
)

IDLE_SECONDS = 600  # exit after ten minutes without a command
CHECK_SECONDS = 60  # how often an idle server checks that it is still wanted


class ClientGone(BaseException):
    """The client closed the connection (its reader quit, or Ctrl-C): stop the command.

    A BaseException, so that the command's own error handling does not report it."""


class _Interrupts:
    """Whether an interrupt (SIGINT: the client's Ctrl-C, passed on) may stop what runs now."""

    running = False  # a command runs: an interrupt stops it as Ctrl-C stops a local run
    wanted = False  # the client asked: interrupt the command at its next safe point
    delivered = False  # the command was interrupted: what it held open may be half-updated
    nagger: threading.Thread | None = None


_interrupts = _Interrupts()
# Code an interrupt must not cut, as it would leave state half-changed that outlives the
# command here: Rich's render stack, a Whoosh commit, a message half sent. An interrupt that
# comes there is tried again until it comes elsewhere (between two articles of a build, where
# the writer is cancelled).
_UNSAFE_PACKAGES = {"rich"}
_UNSAFE_WHOOSH = {"commit", "cancel"}
_UNSAFE_CODE: set[object] = set()  # the server's own output, filled in below


def _on_interrupt(signal_number: int, frame: Any) -> None:
    if not (_interrupts.running and _interrupts.wanted):
        return  # between commands there is nothing to stop, and the server stays
    while frame is not None:
        package = frame.f_globals.get("__name__", "").partition(".")[0]
        if (
            package in _UNSAFE_PACKAGES
            or (package == "whoosh" and frame.f_code.co_name in _UNSAFE_WHOOSH)
            or frame.f_code in _UNSAFE_CODE
        ):
            return  # not here: the nagger tries again
        frame = frame.f_back
    _interrupts.delivered = True
    raise KeyboardInterrupt


def _interrupt_command() -> None:
    """Interrupt the command as Ctrl-C would, at its next safe point."""
    if _interrupts.running and not _interrupts.wanted:
        _interrupts.wanted = True
        _interrupts.nagger = threading.Thread(target=_nag, daemon=True)
        _interrupts.nagger.start()


def _nag() -> None:
    """Signal the main thread (a real signal: it ends a blocking wait, for a lock say) until
    the interrupt lands or the command ends."""
    main = threading.main_thread().ident
    while _interrupts.running and not _interrupts.delivered:
        signal.pthread_kill(main, signal.SIGINT)  # type: ignore[arg-type]
        time.sleep(0.02)


class _Session:
    """A command's connection: sends its output, and hears the client while it runs: Ctrl-C,
    the answers to its writes, or the client gone (each but an answer stops the command)."""

    def __init__(self, connection: socket.socket, confirmed: list[bool]) -> None:
        self.connection = connection
        self.confirmed = {STDOUT: confirmed[0], STDERR: confirmed[1]}
        self.lock = threading.Lock()  # Rich's progress bar writes from a thread of its own
        self.heard = threading.Condition()
        self.answers: list[int] = []  # the client's answer to each output message, in order
        self.written = 0
        self.open = False
        self.gone = False
        self._wake, self._woken = os.pipe()
        self._listener = threading.Thread(target=self._listen, daemon=True)

    def start(self) -> None:
        self.open = True
        self._listener.start()

    def stop(self) -> None:
        self.open = False
        os.write(self._woken, b"x")
        self._listener.join()
        os.close(self._wake)
        os.close(self._woken)

    def send(self, kind: bytes, data: bytes) -> int:
        """Send one message whole; how many confirmed ones were sent before it."""
        try:
            with self.lock:
                number = self.written
                self.written += self.confirmed.get(kind, False)
                send(self.connection, kind, data)
        except OSError:
            raise ClientGone from None
        return number

    def write(self, kind: bytes, data: bytes) -> None:
        """Write to the client's stdout or stderr: return once the client has written it, or
        raise the error its write met (a full disk), as the system call does in a process of
        the client's own."""
        if not self.open:
            return  # a buffer flushed as it is freed, after the command
        number = self.send(kind, data)
        if not self.confirmed[kind]:
            return
        with self.heard:
            while len(self.answers) <= number and not self.gone:
                self.heard.wait()
            if len(self.answers) <= number:
                raise ClientGone
            failed = self.answers[number]
        if failed:
            raise OSError(failed, os.strerror(failed))

    def _listen(self) -> None:
        poller = select.poll()
        poller.register(self.connection.fileno(), select.POLLIN)
        poller.register(self._wake, select.POLLIN)
        buffer = b""
        while self._wake not in dict(poller.poll()):
            try:
                chunk = self.connection.recv(4096, socket.MSG_DONTWAIT)
                buffer = self._hear(buffer + chunk)
            except BlockingIOError:
                continue
            except (OSError, ProtocolError):
                chunk = b""
            if not chunk:  # the client went away, or broke the protocol
                with self.heard:
                    self.gone = True
                    self.heard.notify_all()
                _interrupt_command()
                return

    def _hear(self, buffer: bytes) -> bytes:
        """Act on each whole message in buffer; what is left of it."""
        while len(buffer) >= HEADER.size:
            kind, length = HEADER.unpack_from(buffer)
            if kind not in (CANCEL, ACK) or length > DURING_MAX:
                raise ProtocolError(f"message kind {kind!r} while a command runs")
            end = HEADER.size + length
            if len(buffer) < end:
                break
            payload, buffer = buffer[HEADER.size : end], buffer[end:]
            if kind == CANCEL:
                _interrupt_command()
            elif payload.isdigit():
                with self.heard:
                    self.answers.append(int(payload))
                    self.heard.notify_all()
            else:
                raise ProtocolError("an answer to a write that is not an error number")
        return buffer


class _Channel(io.RawIOBase):
    """One of the client's output streams, as its file descriptor: each write is written
    there before it returns."""

    def __init__(self, session: _Session, kind: bytes, tty: bool) -> None:
        self._session, self._kind, self._tty = session, kind, tty

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._tty

    def write(self, data: Any) -> int:
        data = bytes(data)
        if data:
            self._session.write(self._kind, data)
        return len(data)


def _stream(
    session: _Session, kind: bytes, tty: bool, encoding: list[str], buffering: int
) -> io.TextIOWrapper:
    """The client's stream, buffered as Python buffers it there (pylifecycle's create_stdio),
    so that a write fails at the same point of the command."""
    raw = _Channel(session, kind, tty)
    return io.TextIOWrapper(
        io.BufferedWriter(raw, buffering) if buffering else raw,  # type: ignore[arg-type]
        encoding=encoding[0],
        errors=encoding[1],
        newline="\n",
        line_buffering=bool(buffering) and (tty or kind == STDERR),
        write_through=not buffering,
    )


_UNSAFE_CODE.update({_Session.send.__code__, _Session.write.__code__, _Channel.write.__code__})


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


def run_command(connection: socket.socket, request: dict, indexes: Indexes) -> None:
    """Run one command line as the client would have, and send its exit status last."""
    session = _Session(connection, request["confirmed"])
    code = _run(session, request, indexes)
    session.send(EXIT, str(code).encode())


def _run(session: _Session, request: dict, indexes: Indexes) -> int:
    """The command's exit status, run in an Env made of the client's streams, terminal,
    environment and folder, with its umask; everything of the server's restored after it."""
    saved_umask = os.umask(request["umask"])  # what the command creates is the client's
    _interrupts.wanted = _interrupts.delivered = False
    env = _env(session, request)
    session.start()
    try:
        with _process_environment(env):
            gc.disable()
            return _at_exit(_call(request["args"], indexes, env), request, env)
    finally:
        session.stop()
        if _interrupts.nagger is not None:  # it stops with the command: not to touch the next
            _interrupts.nagger.join()
            _interrupts.nagger = None
        os.umask(saved_umask)
        gc.enable()
        if _interrupts.delivered:
            indexes.close_all()


def _env(session: _Session, request: dict) -> Env:
    """Where the command runs: the client's streams and terminal, environment and folder."""

    def page(text: str, pager: str) -> bool:
        session.send(PAGE, marshal.dumps({"text": text, "pager": pager}))
        return True

    tty, buffering, size = request["tty"], request["buffering"], request["terminal"]
    return Env(
        stdout=_stream(session, STDOUT, tty[0], request["encoding"], buffering[0]),
        stderr=_stream(session, STDERR, tty[1], request["stderr_encoding"], buffering[1]),
        stdout_isatty=tty[0],
        stderr_isatty=tty[1],
        columns=None if size is None else size[0],
        lines=None if size is None else size[1],
        environ={os.fsdecode(k): os.fsdecode(v) for k, v in request["env"].items()},
        cwd=os.fsdecode(request["cwd"]),
        page=page,
    )


@contextlib.contextmanager
def _process_environment(env: Env) -> Iterator[None]:
    """The client's environment and folder as the process's own while the command runs: the
    core reads its folders (ARTREAD_INDEX_DIR, ARTREAD_CACHE_DIR, HOME), ARTREAD_JOBS and
    relative paths from the process, and index workers inherit its environment."""
    saved_env, saved_cwd = dict(os.environb), os.getcwd()
    try:
        if env.cwd is not None:
            os.chdir(env.cwd)
        os.environ.clear()
        os.environ.update(env.terminal_environ())
        yield
    finally:
        os.environb.clear()
        os.environb.update(saved_env)
        with contextlib.suppress(OSError):
            os.chdir(saved_cwd)


def _at_exit(code: int, request: dict, env: Env) -> int:
    """Flush what the command left buffered as Python does after the `artread` script:
    once quietly (pythonrun's flush_io), then at exit, where a failure is a line on stderr
    and exit status 120."""
    streams = {"stdout": env.stdout, "stderr": env.stderr}
    for stream in streams.values():
        with contextlib.suppress(OSError):
            stream.flush()
    for name, encoding in (("stdout", request["encoding"]), ("stderr", request["stderr_encoding"])):
        try:
            streams[name].flush()
        except OSError as exc:
            stream = f"<_io.TextIOWrapper name='<{name}>' mode='w' encoding='{encoding[0]}'>"
            with contextlib.suppress(OSError):
                env.stderr.write(f"Exception ignored in: {stream}\n{type(exc).__name__}: {exc}\n")
                env.stderr.flush()
            code = 120
    return code


def _call(args: list[str], indexes: Indexes, env: Env) -> int:
    """cli.run, which an interrupt from the client stops as Ctrl-C stops a command run alone."""
    try:
        _interrupts.running = True
        try:
            return cli.run(args, env, open_index=indexes)
        finally:
            _interrupts.running = False
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:  # one that came outside the command's own handling of it
        env.stderr.write("artread: interrupted\n")
        return 130
    except Exception:  # ARTREAD_DEBUG lets errors through: show them as Python would
        traceback.print_exc(file=env.stderr)
        return 1


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
    signal.signal(signal.SIGINT, _on_interrupt)  # a stray interrupt never ends the server
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
