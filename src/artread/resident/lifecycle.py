"""Starting this user's servers, finding them, and stopping them (`artread server stop`).

Standard library only, as the `artread` client is: it starts a server after a command that
found none.
"""

from __future__ import annotations

import os
import sys
from stat import S_ISDIR, S_ISREG, S_ISSOCK

from artread.resident.client import control
from artread.resident.protocol import STOP
from artread.resident.runtime import private, runtime_dir, runtime_dirs, server_pid


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
