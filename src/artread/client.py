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
# Kinds of message from the server: stdout bytes, stderr bytes, a text to page, exit status.
STDOUT, STDERR, PAGE, EXIT = b"o", b"e", b"p", b"x"
# Commands that always run in their own process: managing the server, and a whole rebuild (it
# would hold up every other command meanwhile). Shell completion does too (see main()).
LOCAL = {"server", "index"}


def enabled() -> bool:
    setting = os.environ.get("ARTREAD_SERVER", "").strip().lower()
    return setting not in {"off", "0", "no", "false"} and sys.platform == "linux"


def runtime_dir() -> str:
    """Where the server's socket lives: $XDG_RUNTIME_DIR/artread, else /tmp/artread-UID."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isdir(base):
        return os.path.join(base, "artread")
    return os.path.join("/tmp", f"artread-{os.getuid()}")


def stamp() -> str:
    """This installation of artread, as its code is now: a server runs the code it started
    with, so an upgraded or edited artread starts a server of its own."""
    import zlib

    package = os.path.dirname(os.path.abspath(__file__))
    parts = [package, sys.executable]
    with os.scandir(package) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.endswith(".py"):
                st = entry.stat()
                parts.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    data = "\n".join(parts).encode("utf-8", "surrogateescape")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def socket_path() -> str:
    return os.path.join(runtime_dir(), f"server-{stamp()}.sock")


def private(directory: str) -> bool:
    """The folder belongs to this user and nobody else can enter it: a socket in it can only
    be this user's server (the command line and environment go to it)."""
    try:
        st = os.stat(directory)
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & 0o077


def main() -> None:
    args = sys.argv[1:]
    local = (
        not enabled()
        or not args
        or not LOCAL.isdisjoint(args)
        or any(name.endswith("_COMPLETE") for name in os.environ if name.startswith("_"))
    )
    path = None if local else socket_path()
    if path is not None:
        code = ask(path, args)
        if code is not None:
            raise SystemExit(code)
    from artread.cli import main as run_here

    try:
        run_here()
    finally:
        if path is not None:
            start_server(path)


def _terminal_size() -> tuple[int, int] | None:
    for descriptor in (0, 1, 2):  # as Rich looks for it
        try:
            return os.get_terminal_size(descriptor)
        except (OSError, ValueError):
            continue
    return None


def request(args: list[str]) -> dict:
    """What the server needs to run args as this process would."""
    env = dict(os.environ)
    size = _terminal_size()
    if size is not None:  # the server has no terminal: say which one output is for
        env.setdefault("COLUMNS", str(size[0]))
        env.setdefault("LINES", str(size[1]))
    return {
        "args": [a.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for a in args],
        "cwd": os.getcwd(),
        "env": {k: v for k, v in env.items() if _encodable(k) and _encodable(v)},
        "tty": [sys.stdout.isatty(), sys.stderr.isatty()],
        "encoding": [sys.stdout.encoding or "utf-8", sys.stdout.errors or "strict"],
        "stderr_encoding": [sys.stderr.encoding or "utf-8", sys.stderr.errors or "strict"],
    }


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def ask(path: str, args: list[str]) -> int | None:
    """Run args in the server at path: the exit status, or None when no server answered
    (nothing was printed: the caller runs the command itself)."""
    if not private(os.path.dirname(path)):
        return None
    try:
        connection = unix_socket(AF_UNIX, SOCK_STREAM)
    except OSError:
        return None
    try:
        try:
            connection.connect(path)
            send(connection, b"r", marshal.dumps(request(args)))
        except OSError:
            return None
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


def control(path: str, kind: bytes) -> dict | None:
    """Ask the server at path for its status (b"i") or to stop (b"q"); None if none runs."""
    try:
        connection = unix_socket(AF_UNIX, SOCK_STREAM)
    except OSError:
        return None
    try:
        connection.settimeout(5)
        connection.connect(path)
        send(connection, kind, b"")
        message = receive(connection)
        if message is None:
            return None
        return marshal.loads(message[1]) if message[0] == STDOUT else {}
    except (OSError, ValueError, EOFError):
        return None
    finally:
        connection.close()


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
            [sys.executable, "-m", "artread.server", path],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        pass
