"""One command run in the resident server for its client.

The command writes to the client's stdout and stderr (a write to a file waits for the client's
answer, so a full disk fails it as it would there); its Env is the client's terminal,
environment and folder; the client's Ctrl-C, or the client going away, interrupts it as Ctrl-C
interrupts a command run alone, at a point where nothing the server keeps is left half-changed.
"""

from __future__ import annotations

import contextlib
import gc
import io
import marshal
import os
import select
import signal
import socket
import threading
import time
import traceback
from typing import TYPE_CHECKING, Any

from artread import cli
from artread.env import Env
from artread.resident.protocol import (
    ACK,
    CANCEL,
    DURING_MAX,
    EXIT,
    HEADER,
    PAGE,
    STDERR,
    STDOUT,
    ProtocolError,
    send,
)

if TYPE_CHECKING:
    from artread.resident.server import Indexes


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


def on_interrupt(signal_number: int, frame: Any) -> None:
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


def run_command(connection: socket.socket, request: dict, indexes: Indexes) -> None:
    """Run one command line as the client would have, and send its exit status last."""
    session = _Session(connection, request["confirmed"])
    code = _run(session, request, indexes)
    session.send(EXIT, str(code).encode())


def _run(session: _Session, request: dict, indexes: Indexes) -> int:
    """The command's exit status, run in an Env made of the client's streams, terminal,
    environment and folder (the process's own are left alone), with the client's umask."""
    saved_umask = os.umask(request["umask"])  # what the command creates is the client's
    _interrupts.wanted = _interrupts.delivered = False
    env = _env(session, request)
    session.start()
    try:
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
