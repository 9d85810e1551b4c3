"""The `artread` command: hands the command line to a resident server when one runs.

A fresh Python process spends most of a search importing Whoosh, Rich and Typer and reading
the catalog. A server (artread.server) keeps them loaded, with each archive's index open and
its folders watched, and runs the command for this process: its output comes back as the
bytes this process writes, made for this terminal (width, colours, pager). With no server, the
command runs here, and a server is started for the next command. This module imports only
the standard library: it is what every command loads first.

ARTREAD_SERVER=off (or 0, no, false) runs every command in its own process.
"""

from __future__ import annotations

import marshal
import os
import struct
import sys

# The C module, not `socket`: that imports enum and more, 3 ms of every command.
from _socket import AF_UNIX, SOCK_STREAM
from _socket import socket as unix_socket

HEADER = struct.Struct(">cI")  # kind, length of the payload
# Kinds of message from the server: the command started, stdout bytes, stderr bytes, a text
# to page, exit status.
STARTED, STDOUT, STDERR, PAGE, EXIT = b"s", b"o", b"e", b"p", b"x"
# Commands that always run in their own process: managing the server, and a whole rebuild (it
# would hold up every other command meanwhile). So do help (typer reads its settings from the
# environment once) and shell completion (see main()).
LOCAL = {"server", "index"}
VALUE_OPTIONS = {"--archive", "-a", "--color"}  # options before the command that take a value
# The server answers one command at a time: a command it has not started within this long
# (it is busy with a long one, or a reader is not reading its output) runs here instead.
WAIT_SECONDS = 0.3
PEERCRED = struct.Struct("3i")  # pid, uid, gid of the process at the other end
SOCKET_PATH_MAX = 107  # bytes, for AF_UNIX on Linux


def enabled() -> bool:
    setting = os.environ.get("ARTREAD_SERVER", "").strip().lower()
    return setting not in {"off", "0", "no", "false"} and sys.platform == "linux"


def runtime_dirs() -> list[str]:
    """Where the server's socket may live: $XDG_RUNTIME_DIR/artread, else /tmp/artread-UID."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    found = [os.path.join(base, "artread")] if base and os.path.isdir(base) else []
    return [*found, os.path.join("/tmp", f"artread-{os.getuid()}")]


def stamp() -> str:
    """This installation of artread, as its code is now: a server runs the code it started
    with, so an upgraded or edited artread starts a server of its own."""
    import zlib

    package = os.path.dirname(os.path.abspath(__file__))
    parts = [package, sys.prefix]  # the installation and the environment it is in
    with os.scandir(package) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.endswith(".py"):
                st = entry.stat()
                parts.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    data = "\n".join(parts).encode("utf-8", "surrogateescape")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def socket_path() -> str | None:
    """The socket of this installation's server; None where no path is short enough."""
    name = f"server-{stamp()}.sock"
    for directory in runtime_dirs():
        path = os.path.join(directory, name)
        if len(os.fsencode(path)) <= SOCKET_PATH_MAX:
            return path
    return None


def private(directory: str) -> bool:
    """The folder (not a link to one) belongs to this user and nobody else can enter it: a
    socket in it can only be this user's server (the command line and environment go to it)."""
    import stat

    try:
        st = os.lstat(directory)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


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
    """What the server needs to run args as this process would: arguments, folder and
    environment as bytes (as the system gives them, whatever their encoding)."""
    env = dict(os.environb)
    size = _terminal_size()
    if size is not None:  # the server has no terminal: say which one output is for
        env.setdefault(b"COLUMNS", str(size[0]).encode())
        env.setdefault(b"LINES", str(size[1]).encode())
    return {
        "args": [os.fsencode(a) for a in args],
        "cwd": os.getcwdb(),
        "env": env,
        "tty": [sys.stdout.isatty(), sys.stderr.isatty()],
        "encoding": [sys.stdout.encoding or "utf-8", sys.stdout.errors or "strict"],
        "stderr_encoding": [sys.stderr.encoding or "utf-8", sys.stderr.errors or "strict"],
    }


def _connect(path: str, timeout: float | None) -> unix_socket | None:
    """A connection to this user's server at path, or None."""
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
    except OSError:
        pass
    connection.close()
    return None


def ask(path: str, args: list[str]) -> int | None:
    """Run args in the server at path: the exit status, or None when no server started the
    command in time (nothing was printed: the caller runs the command itself)."""
    connection = _connect(path, WAIT_SECONDS)
    if connection is None:
        return None
    try:
        try:
            send(connection, b"r", marshal.dumps(request(args)))
            answer = receive(connection)
        except OSError:  # no answer in time, or none at all
            return None
        if answer is None or answer[0] != STARTED:
            return None
        connection.settimeout(None)  # a command may take long: an index to build
        return _relay(connection)
    except KeyboardInterrupt:
        sys.stderr.write("artread: interrupted\n")
        return 130
    finally:
        connection.close()


def send(connection: unix_socket, kind: bytes, payload: bytes) -> None:
    connection.sendall(HEADER.pack(kind, len(payload)) + payload)


def receive(connection: unix_socket) -> tuple[bytes, bytes] | None:
    """The next message (kind, payload), or None when the connection ended."""
    header = _exactly(connection, HEADER.size)
    if header is None:
        return None
    kind, length = HEADER.unpack(header)
    payload = _exactly(connection, length)
    return None if payload is None else (kind, payload)


def _exactly(connection: unix_socket, size: int) -> bytes | None:
    chunks, missing = [], size
    while missing:
        chunk = connection.recv(min(missing, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _relay(connection: unix_socket) -> int | None:
    printed = False
    try:
        while (message := receive(connection)) is not None:
            kind, payload = message
            if kind == EXIT:
                return int(payload)
            printed = True
            if kind == PAGE:
                _page(marshal.loads(payload))
            else:
                stream = sys.stdout if kind == STDOUT else sys.stderr
                stream.buffer.write(payload)
                stream.buffer.flush()
    except BrokenPipeError:  # the reader went away (`artread search x | head`)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError:
        pass
    if not printed:
        return None  # the server went away before it answered: run the command here
    sys.stderr.write("artread: the artread server stopped in the middle of the command\n")
    return 1


def control(path: str | None, kind: bytes) -> dict | None:
    """Ask the server at path for its status (b"i") or to stop (b"q"): its answer, None if
    none runs, {"busy": pid} if it did not answer (it is running a long command)."""
    connection = _connect(path, 5) if path else None
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
    """The pid of the server that holds path's lock, if one does."""
    import fcntl

    try:
        with open(path + ".lock", "rb") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return int(lock.read().strip() or 0) or None
            fcntl.flock(lock, fcntl.LOCK_UN)
            return None
    except (OSError, ValueError):
        return None


def _page(message: dict) -> None:
    from artread import pager

    if not pager.page(message["text"], message["pager"]):
        sys.stdout.write(message["text"])
        sys.stdout.flush()


def start_server(path: str) -> None:
    """Start a server for the next commands, in the background, if none is running."""
    import subprocess

    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        subprocess.Popen(
            # -P: not the current folder first on the import path (it is any folder at all).
            [sys.executable, "-P", "-m", "artread.server", path],
            cwd="/",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        pass
