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
import struct
import sys

# The C module, not `socket`: that imports enum and more, on every command.
from _socket import AF_UNIX, SOCK_STREAM
from _socket import socket as unix_socket
from stat import S_ISCHR, S_ISDIR, S_ISLNK, S_ISREG, S_ISSOCK

from artread.options import VALUE_OPTIONS
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
    STOP,
    encode_request,
    receive,
    send,
)

# Commands that always run in their own process: managing the server, and a whole rebuild (it
# would hold up every other command meanwhile). So do help (typer reads its settings from the
# environment once) and shell completion (see main()).
LOCAL = {"server", "index"}
# The server answers one command at a time: a command it has not started within this long
# (it is busy with a long one, or a reader is not reading its output) runs here instead.
WAIT_SECONDS = 0.3
PEERCRED = struct.Struct("3i")  # pid, uid, gid of the process at the other end
SOCKET_PATH_MAX = 107  # bytes, for AF_UNIX on Linux
SOCKET_NAME_LENGTH = len("/server-0123456789abcdef.sock")
OFF, ON = {"off", "0", "no", "false"}, {"on", "1", "yes", "true"}
CONFIG_MAX = 1 << 16  # bytes of config file read at most
PID_MAX = 32  # bytes of a lock file read at most: a pid
MISSING = "is missing"


def enabled() -> bool:
    """ARTREAD_SERVER when it says on or off, else the config file's `server` setting."""
    if sys.platform != "linux":
        return False
    setting = os.environ.get("ARTREAD_SERVER", "").strip().lower()
    if setting in OFF:
        return False
    return setting in ON or configured()[0] is not False


def config_path() -> str:
    """artread's config file: $XDG_CONFIG_HOME/artread/config.toml, else ~/.config/..."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "artread", "config.toml")


def configured() -> tuple[bool | None, str | None]:
    """The config file's `server = true|false` (None when unset), and what is wrong with the
    file if it cannot be read. Only a file that exists is parsed: most users have none."""
    path = config_path()
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None, None
    try:
        data = os.read(descriptor, CONFIG_MAX + 1)
    except OSError as exc:
        return None, f"{path}: {exc.strerror}"
    finally:
        os.close(descriptor)
    import tomllib

    try:
        if len(data) > CONFIG_MAX:
            raise ValueError(f"longer than {CONFIG_MAX} bytes")
        setting = tomllib.loads(data.decode("utf-8")).get("server")
    except ValueError as exc:  # TOMLDecodeError and UnicodeDecodeError are ValueErrors
        return None, f"{path}: {exc}"
    if setting is None or isinstance(setting, bool):
        return setting, None
    return None, f"{path}: server must be true or false"


def _candidates() -> list[tuple[str, str | None]]:
    """The folders a server's socket may go in, best first, each with why it may not."""
    candidates = []
    base = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(base):
        candidates.append((os.path.join(base, "artread"), _not_owned("XDG_RUNTIME_DIR", base)))
    temp = os.environ.get("TMPDIR", "")
    temp = temp if os.path.isabs(temp) else "/tmp"
    candidates.append((os.path.join(temp, f"artread-{os.getuid()}"), None))
    cache = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(cache):
        cache = os.path.join(os.path.expanduser("~"), ".cache")
    candidates.append((os.path.join(cache, "artread", "run"), None))
    return candidates


def _not_owned(name: str, base: str) -> str | None:
    """Why a folder such as $XDG_RUNTIME_DIR cannot hold one of this user's alone, or None."""
    try:
        st = os.stat(base)
    except OSError as exc:
        return f"is in {name}={base}: {exc.strerror}"
    if not S_ISDIR(st.st_mode):
        return f"is in {name}={base}, which is not a folder"
    if st.st_uid != os.getuid():
        return f"is in {name}={base}, which belongs to uid {st.st_uid}"
    if st.st_mode & 0o022:
        return f"is in {name}={base}, which others can write to (mode {st.st_mode & 0o7777:o})"
    return None


def _not_private(directory: str) -> str | None:
    """Why directory is not a folder of this user's alone ("missing" if absent), or None."""
    try:
        st = os.lstat(directory)
    except FileNotFoundError:
        return MISSING
    except OSError as exc:
        return exc.strerror
    if S_ISLNK(st.st_mode):
        return "is a link"
    if not S_ISDIR(st.st_mode):
        return "is not a folder"
    if st.st_uid != os.getuid():
        return f"belongs to uid {st.st_uid}"
    if st.st_mode & 0o077:
        return f"is open to others (mode {st.st_mode & 0o7777:o})"
    return None


def runtime_dir(create: bool = False) -> tuple[str | None, list[str]]:
    """The folder for this user's server sockets, and why each better one was passed over.

    Only a folder that is the user's alone will do (the command line and environment go
    through it): one that is taken (another owner, a link, open to others) is never used."""
    skipped: list[str] = []
    candidates = _candidates()
    for number, (directory, problem) in enumerate(candidates):
        if problem is None and len(os.fsencode(directory)) + SOCKET_NAME_LENGTH > SOCKET_PATH_MAX:
            problem = "is too long a path for a socket"
        elif problem is None:
            problem = _not_private(directory)
        if problem == MISSING:
            last = number == len(candidates) - 1
            if not create and (last or os.access(os.path.dirname(directory), os.W_OK | os.X_OK)):
                return directory, skipped  # it will be made when a server starts
            problem = _make_private(directory, last) if create else "cannot be made"
        if problem is None:
            return directory, skipped
        skipped.append(f"{directory} {problem}")
    return None, skipped


def _make_private(directory: str, parents: bool) -> str | None:
    """Make directory, and its parents only in the user's own cache folder."""
    try:
        if parents:
            os.makedirs(directory, mode=0o700)
        else:
            os.mkdir(directory, mode=0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        return f"cannot be made: {exc.strerror}"
    return _not_private(directory)


def runtime_dirs() -> list[str]:
    """Every folder a server of this user's may have its socket in, in this environment."""
    return [directory for directory, _ in _candidates()]


def installation() -> list[str]:
    """The code a server runs: artread's own modules and the folders of the installed
    distributions (pip adding or removing one changes its folder)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # artread/
    parts = [package, sys.prefix]  # the installation and the environment it is in
    _modules(package, parts)
    for folder in sys.path:
        if folder.endswith(("site-packages", "dist-packages")):
            try:
                st = os.stat(folder)
                parts.append(f"{folder}:{st.st_ino}:{st.st_mtime_ns}")
            except OSError:
                parts.append(f"{folder}:missing")
    return parts


def _modules(folder: str, parts: list[str]) -> None:
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.endswith(".py"):
                st = entry.stat()
                parts.append(f"{entry.path}:{st.st_size}:{st.st_mtime_ns}")
            elif (
                entry.name != "__pycache__"
                and entry.is_dir(follow_symlinks=False)
                and entry.name.isidentifier()
                and os.path.exists(os.path.join(entry.path, "__init__.py"))
            ):
                _modules(entry.path, parts)  # a subpackage


# Interpreter settings that each command brings with it (its output buffering) or that change
# nothing a command sees (whether bytecode is cached): no reason for a server of their own.
PER_COMMAND = {"PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"}


def context() -> list[str]:
    """What else changes how the same code behaves: the interpreter, its settings from the
    environment, the locale, the user site folder, and the files this process can see."""
    site = sys.modules.get("site")
    try:
        mounts = os.readlink("/proc/self/ns/mnt")
    except OSError:
        mounts = "?"
    parts = [
        sys.version,
        sys.base_prefix,
        os.path.dirname(sys.executable),  # not its name: python and python3 run alike
        sys.getfilesystemencoding(),
        sys.getfilesystemencodeerrors(),
        str(getattr(site, "ENABLE_USER_SITE", None) and getattr(site, "USER_SITE", None)),
        mounts,
    ]
    for name in sorted(os.environ):  # only the keys are decoded, not every value
        if name in PER_COMMAND:
            continue
        if name.startswith(("PYTHON", "LC_")) or name in ("LANG", "LANGUAGE"):
            parts.append(f"{name}={os.environ[name]}")
    return parts


def stamp() -> str:
    """This installation of artread as its code is now, and the interpreter settings it runs
    with: a server runs the code and settings it started with, so a change of either starts a
    server of its own."""
    import zlib

    data = "\n".join([*installation(), "", *context()]).encode("utf-8", "surrogateescape")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def socket_path() -> str | None:
    """The socket of this installation's server; None where no folder will do."""
    directory, _ = runtime_dir()
    return None if directory is None else os.path.join(directory, f"server-{stamp()}.sock")


def private(directory: str) -> bool:
    """The folder (not a link to one) belongs to this user and nobody else can enter it: a
    socket in it can only be this user's server (the command line and environment go to it)."""
    return _not_private(directory) is None


def open_own(path: str, flags: int) -> int | None:
    """A descriptor of path if it is a regular file of this user's, else None: opened without
    following a link or waiting on a FIFO, whoever put it there."""
    try:
        descriptor = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o600)
    except OSError:
        return None
    st = os.fstat(descriptor)
    if S_ISREG(st.st_mode) and st.st_uid == os.getuid():
        return descriptor
    os.close(descriptor)
    return None


def _command_name(args: list[str]) -> str | None:
    """The subcommand: the first argument that is not an option or an option's value."""
    remaining = iter(args)
    for arg in remaining:
        if arg in VALUE_OPTIONS:
            next(remaining, None)
        elif not arg.startswith("-"):
            return arg
    return None


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
    from artread.cli import main as run_here

    try:
        run_here()
    finally:
        if path is not None and not running:
            start_server(path)


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


def server_pid(path: str) -> int | None:
    """The pid of the server that holds path's lock, if one does. Only a regular file of this
    user's, in a folder of the user's alone, is opened, and only a pid's length of it read."""
    import fcntl

    if not private(os.path.dirname(path)):
        return None
    descriptor = open_own(path + ".lock", os.O_RDONLY)
    if descriptor is None:
        return None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return int(os.read(descriptor, PID_MAX).strip() or 0) or None
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return None
    except (OSError, ValueError):
        return None
    finally:
        os.close(descriptor)


def obstacles(path: str) -> list[str]:
    """What is in the way of a server at path, each with what to do about it."""
    found = []
    for where, wanted in ((path, S_ISSOCK), (path + ".lock", S_ISREG)):
        try:
            st = os.lstat(where)
        except OSError:
            continue
        if S_ISDIR(st.st_mode):
            found.append(f"{where} is a folder: remove it (rm -r '{where}')")
        elif not wanted(st.st_mode) and wanted is S_ISREG:
            found.append(f"{where} is not a regular file: remove it (rm '{where}')")
        elif st.st_uid != os.getuid():
            found.append(f"{where} belongs to uid {st.st_uid}: remove it (rm '{where}')")
    return found


def servers() -> list[str]:
    """The socket paths of this user's servers in every runtime folder of this environment,
    running or not (their socket or lock file is there)."""
    found = []
    for directory in runtime_dirs():
        if not private(directory):
            continue
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        sockets = {name.removesuffix(".lock") for name in names if name.startswith("server-")}
        found += [os.path.join(directory, n) for n in sorted(sockets) if n.endswith(".sock")]
    return found


def stop(path: str) -> bool | None:
    """Stop the server at path: True if it was stopped, None if none runs there, False if a
    busy one could not be ended."""
    status = control(path, STOP)
    if status is None:
        return None
    if "busy" not in status:
        return True
    pid = status["busy"]
    return bool(pid) and end_server(pid, path)


def remove_stale(path: str) -> None:
    """Remove the socket and lock files at path if no server holds the lock."""
    if private(os.path.dirname(path)) and server_pid(path) is None:
        for leftover in (path, path + ".lock"):
            try:
                if not S_ISDIR(os.lstat(leftover).st_mode):
                    os.unlink(leftover)
            except OSError:
                pass


def end_server(pid: int, path: str) -> bool:
    """SIGTERM the process pid if it is this user's artread server at path (a pid can be
    reused); False if it is not."""
    import signal

    try:
        if os.stat(f"/proc/{pid}").st_uid != os.getuid():
            return False
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            args = handle.read(1 << 16).split(b"\0")
        if b"artread.resident.server" not in args or os.fsencode(path) not in args:
            return False
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError):
        return False
    return True


def _page(message: dict) -> None:
    from artread.ui import pager

    if not pager.page(message["text"], message["pager"]):
        sys.stdout.write(message["text"])
        sys.stdout.flush()


def start_server(path: str) -> None:
    """Start a server for the next commands, in the background, if none is running."""
    import contextlib
    import subprocess

    directory, _ = runtime_dir(create=True)
    if directory is None:
        return
    path = os.path.join(directory, os.path.basename(path))  # the folder may have changed
    with contextlib.suppress(OSError):
        subprocess.Popen(
            # -P: not the current folder first on the import path (it is any folder at all).
            [sys.executable, "-P", "-m", "artread.resident.server", path],
            cwd="/",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
