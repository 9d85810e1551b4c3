"""The `artread` command: hands the command line to a resident server when one runs.

A fresh Python process spends most of a search importing Whoosh, Rich and Typer and reading
the catalog. A server (artread.resident.server) keeps them loaded, with each archive's index
open and its folders watched, and runs the command for this process: its output comes back as the
bytes this process writes, made for this terminal (width, colours, pager). With no server, the
command runs here, and a server is started for the next command. This module imports only
the standard library: it is what every command loads first.

ARTREAD_SERVER=off (or 0, no, false) runs every command in its own process; so does
`server = false` in $XDG_CONFIG_HOME/artread/config.toml (~/.config/...) unless
ARTREAD_SERVER=on.
"""

from __future__ import annotations

import marshal
import os
import sys

# The C module, not `socket`: that imports enum and more, on every command.
from _socket import AF_UNIX, SOCK_STREAM
from _socket import socket as unix_socket
from stat import S_ISCHR, S_ISREG

from artread.options import command_position
from artread.resident.protocol import (
    ACK,
    CANCEL,
    EXIT,
    OPENINGS,
    PAGE,
    RUN,
    STARTED,
    STDERR,
    STDOUT,
    encode_request,
    receive,
    send,
)
from artread.resident.runtime import PEERCRED, enabled, private, server_pid, socket_path

TYPE_CHECKING = False  # typing itself is not imported: this module loads first, every time
if TYPE_CHECKING:
    from typing import NoReturn

# Commands that always run in their own process: managing the server, a whole rebuild (it
# would hold up every other command meanwhile), and the full-screen reader (it owns the
# terminal for as long as it runs; `artread` alone, which opens it, has no command and runs
# here too). So do help (typer reads its settings from the environment once) and shell
# completion (see main()).
LOCAL = {"server", "index", "browse"}
# The server answers one command at a time: a command it has not started within this long
# (it is busy with a long one, or a reader is not reading its output) runs here instead.
WAIT_SECONDS = 0.3


def _command_name(args: list[str]) -> str | None:
    """The subcommand: the first argument that is not an option or an option's value."""
    position = command_position(args)
    return None if position is None else args[position]


def main() -> None:
    args = sys.argv[1:]
    command = _command_name(args)
    local = (
        not enabled()
        or command is None
        or command in LOCAL
        or "--help" in args
        or "-h" in args
        or sys.stdout is None
        or sys.stderr is None
        or any(name.endswith("_COMPLETE") for name in os.environ if name.startswith("_"))
    )
    path = None if local else socket_path()
    running = False
    if path is not None:
        code = ask(path, args)
        if code is not None:
            raise SystemExit(code)
        running = server_pid(path) is not None  # busy, or starting: do not start another
    try:
        code = _run_here(args)
    finally:
        if path is not None and not running:
            from artread.resident.lifecycle import start_server

            start_server(path)
    _leave(code)


def _run_here(args: list[str]) -> int:
    """Run the command in this process: the commonest lines without Typer (see
    commands.shortcut), the rest through artread.cli. The command's exit status."""
    import gc

    from artread.startup import defer_unused_imports

    # As artread.cli.main does: a short process frees its objects at exit.
    gc.disable()
    defer_unused_imports()
    from artread.commands import shortcut
    from artread.env import Env

    env = Env.from_process()
    code = shortcut.run(args, env) if sys.stdout is not None else None
    if code is not None:
        return code
    from artread.cli import run

    return run(args, env)


def _leave(code: int) -> NoReturn:
    """End the process with code once its output is out, without the interpreter's teardown:
    freeing every module and object of a command that loaded Whoosh and an archive's catalog
    takes longer than many a search (BENCHMARKS.md). Exit hooks still run (CPython has no
    public way to run them: atexit._run_exitfuncs). When the output cannot be written (a full
    disk, a closed pipe), or other threads run, the process ends as Python ends it, which
    reports such a failure its own way."""
    import atexit

    threads = sys.modules.get("threading")
    if threads is not None and threads.active_count() > 1:
        raise SystemExit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        raise SystemExit(code) from None
    atexit._run_exitfuncs()
    try:  # anything an exit hook wrote
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _terminal_size() -> tuple[int, int] | None:
    for descriptor in (0, 1, 2):  # as Rich looks for it
        try:
            return os.get_terminal_size(descriptor)
        except (OSError, ValueError):
            continue
    return None


def request(args: list[str]) -> dict:
    """What the server needs to run args as this process would (protocol.REQUEST)."""
    umask = os.umask(0o077)  # reading it means setting it: set the safer one meanwhile
    os.umask(umask)
    size = _terminal_size()
    return {
        "args": list(args),  # as decoded here, with this process's file system encoding
        "cwd": os.getcwdb(),
        "env": dict(os.environb),  # as the system gives it, whatever its encoding
        "tty": [sys.stdout.isatty(), sys.stderr.isatty()],
        "encoding": [sys.stdout.encoding or "utf-8", sys.stdout.errors or "strict"],
        "stderr_encoding": [sys.stderr.encoding or "utf-8", sys.stderr.errors or "strict"],
        "buffering": [_buffering(sys.stdout), _buffering(sys.stderr)],
        "confirmed": [_confirmed(sys.stdout), _confirmed(sys.stderr)],
        "filesystem": [sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()],
        "umask": umask,
        "terminal": None if size is None else [size[0], size[1]],
    }


def _buffering(stream: object) -> int:
    """The buffer Python gives this stream (its create_stdio), so the server buffers alike."""
    if getattr(stream, "write_through", False):  # python -u, PYTHONUNBUFFERED
        return 0
    try:
        size = os.fstat(stream.fileno()).st_blksize  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError):
        size = 0
    return size if size > 1 else 8192


def _confirmed(stream: object) -> bool:
    """Whether the command must hear of each write's outcome: a file or a device can be full
    (not /dev/null). A pipe's reader that quits, or a terminal that hangs up, ends this
    process instead."""
    try:
        st = os.fstat(stream.fileno())  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError):
        return False
    if S_ISCHR(st.st_mode):  # a device: /dev/full can fail, /dev/null cannot
        return st.st_rdev != os.makedev(1, 3) and not os.isatty(stream.fileno())  # type: ignore[attr-defined]
    return S_ISREG(st.st_mode)


def _connect(path: str, timeout: float | None) -> unix_socket | None:
    """A connection to this user's server at path, or None. BlockingIOError when the server's
    queue is full (it is busy with many commands)."""
    from _socket import SO_PEERCRED, SOL_SOCKET

    if not private(os.path.dirname(path)):
        return None
    try:
        connection = unix_socket(AF_UNIX, SOCK_STREAM)
    except OSError:
        return None
    try:
        connection.settimeout(timeout)
        connection.connect(path)
        peer = PEERCRED.unpack(connection.getsockopt(SOL_SOCKET, SO_PEERCRED, PEERCRED.size))
        if peer[1] == os.getuid():
            return connection
    except BlockingIOError:
        connection.close()
        raise
    except OSError:
        pass
    connection.close()
    return None


def ask(path: str, args: list[str]) -> int | None:
    """Run args in the server at path: the exit status, or None when no server started the
    command in time or it refused it (nothing was printed: the caller runs the command)."""
    try:
        details = request(args)
        payload, confirmed = encode_request(details), details["confirmed"]
    except Exception:  # the current folder is gone, an unusual stream: run it here
        return None
    if len(payload) > OPENINGS[RUN]:  # the server would refuse it
        return None
    try:
        connection = _connect(path, WAIT_SECONDS)
    except BlockingIOError:  # many commands queued: this one runs here
        return None
    if connection is None:
        return None
    try:
        try:
            send(connection, RUN, payload)
            answer = receive(connection)
        except (OSError, ValueError):  # no answer in time, none at all, or not one of ours
            return None
        if answer is None or answer[0] != STARTED:  # ERROR: this server cannot run it
            return None
        connection.settimeout(None)  # a command may take long: an index to build
        return _Relay(connection, confirmed).run()
    except KeyboardInterrupt:
        sys.stderr.write("artread: interrupted\n")
        return 130
    finally:
        connection.close()


CANCEL_WAIT_SECONDS = 5  # after Ctrl-C, how long the server may take to stop the command
RESTORE_TERMINAL = "\x1b[0m\x1b[?25h"  # default colours, cursor shown


class _Terminated(BaseException):
    """SIGTERM arrived: stop relaying, then end as SIGTERM ends a command run here."""


class _Relay:
    """Writes the server's output here, answers each write, and passes Ctrl-C on to it."""

    def __init__(self, connection: unix_socket, confirmed: list[bool]) -> None:
        self.connection = connection
        self.confirmed = {STDOUT: confirmed[0], STDERR: confirmed[1]}
        self.printed = False
        self.interrupted = False  # Ctrl-C was passed on: the server stops the command
        self.replying = False  # an ACK is being sent: a CANCEL waits for its end
        self.cancel_due = False

    def run(self) -> int | None:
        import _signal

        handlers = {
            _signal.SIGINT: self._on_interrupt,
            _signal.SIGTERM: self._on_terminate,
            _signal.SIGALRM: self._on_interrupt,  # the server did not stop in time
        }
        self.saved = {number: _signal.signal(number, h) for number, h in handlers.items()}
        code: int | None = None
        terminated = False
        try:
            code = self._relay()
        except KeyboardInterrupt:  # a second Ctrl-C, or no answer in time: stop waiting
            pass
        except _Terminated:
            terminated = True
        finally:
            _signal.alarm(0)
            for number, handler in self.saved.items():
                _signal.signal(number, handler)
        if terminated or self.interrupted:
            _restore_terminal()
        if terminated:  # end as SIGTERM ends a command run here
            self.connection.close()  # the server hears of it and stops the command
            _signal.raise_signal(_signal.SIGTERM)
        if self.interrupted and code is None:
            sys.stderr.write("artread: interrupted\n")
            code = 130
        return code

    def _on_interrupt(self, signal: int, frame: object) -> None:
        if self.interrupted:
            raise KeyboardInterrupt
        self.interrupted = True
        if self.replying:
            self.cancel_due = True
        else:
            self._cancel()
        import _signal

        _signal.alarm(CANCEL_WAIT_SECONDS)

    def _on_terminate(self, signal: int, frame: object) -> None:
        raise _Terminated

    def _cancel(self) -> None:
        try:  # noqa: SIM105  (contextlib would be one more import on every command)
            send(self.connection, CANCEL, b"")
        except OSError:
            pass

    def _relay(self) -> int | None:
        try:
            while (message := receive(self.connection)) is not None:
                kind, payload = message
                if kind == EXIT:
                    return int(payload)
                self.printed = True
                if kind == PAGE:
                    self._page(marshal.loads(payload))
                elif kind in (STDOUT, STDERR):
                    failed = self._write(kind, payload)
                    if self.confirmed[kind]:
                        self._acknowledge(failed)
                else:
                    break  # not a message of this protocol
        except BrokenPipeError:
            from artread.ui.pipes import discard_stdout

            discard_stdout()
            return 0
        except (OSError, ValueError, EOFError):
            pass
        if not self.printed:
            return None  # the server went away before it answered: run the command here
        sys.stderr.write("artread: the artread server stopped in the middle of the command\n")
        return 1

    def _page(self, message: dict) -> None:
        import _signal

        # Ctrl-C belongs to the pager meanwhile (pager.page lets it through).
        mine = _signal.signal(_signal.SIGINT, self.saved[_signal.SIGINT])
        try:
            _page(message)
        finally:
            _signal.signal(_signal.SIGINT, mine)

    def _write(self, kind: bytes, payload: bytes) -> int:
        """Write to stdout or stderr as the command's own write would: 0, or its errno."""
        stream = sys.stdout if kind == STDOUT else sys.stderr
        try:
            descriptor, data = stream.fileno(), memoryview(payload)
            while data:  # straight to the descriptor: a failed write stays in no buffer
                try:
                    data = data[os.write(descriptor, data) :]
                except BlockingIOError:  # a descriptor left non-blocking by another program
                    import select

                    select.select([], [descriptor], [])
        except BrokenPipeError:
            if kind == STDOUT:
                raise
            return 32
        except OSError as exc:
            return exc.errno or 5  # EIO when the system gave no number
        except ValueError:  # closed
            return 9
        return 0

    def _acknowledge(self, errno: int) -> None:
        """Answer a write: the server raises the errno in the command, where it wrote."""
        self.replying = True
        try:
            send(self.connection, ACK, str(errno).encode())
        finally:
            self.replying = False
        if self.cancel_due:
            self.cancel_due = False
            self._cancel()


def _restore_terminal() -> None:
    """Show the cursor and reset colours, which an interrupted command may have left."""
    for stream in (sys.stderr, sys.stdout):
        try:
            if stream.isatty():
                stream.write(RESTORE_TERMINAL)
                stream.flush()
                return
        except (OSError, ValueError):
            continue


def control(path: str | None, kind: bytes) -> dict | None:
    """Ask the server at path for its status (STATUS) or to stop (STOP): its answer, None if
    none runs, {"busy": pid} if it did not answer (it is running a long command, or its queue
    of commands is full)."""
    try:
        connection = _connect(path, 5) if path else None
    except BlockingIOError:
        return {"busy": server_pid(path)} if path else None
    if connection is None:
        return None
    try:
        send(connection, kind, b"")
        message = receive(connection)
        if message is None:
            return None
        return marshal.loads(message[1]) if message[0] == STDOUT else {}
    except TimeoutError:
        return {"busy": server_pid(path)}
    except (OSError, ValueError, EOFError):
        return None
    finally:
        connection.close()


def _page(message: dict) -> None:
    from artread.ui import pager

    if not pager.page(message["text"], message["pager"]):
        sys.stdout.write(message["text"])
        sys.stdout.flush()
