"""Helpers shared by the tests: articles to write, ids to compare, and artread run as a user
runs it, in a process of its own or on a real terminal. Fixtures live in conftest.py."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

from artread.resident import client, protocol

SCRIPT = str(Path(sys.executable).with_name("artread"))  # the console script a user runs


# Archives


def article(title: str, body: str, **meta: str) -> str:
    """A Markdown file with YAML front matter."""
    lines = ["---", f"title: {title}"] + [f"{k}: {v}" for k, v in meta.items()] + ["---", ""]
    return "\n".join(lines) + body + "\n"


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write {relative path: text or bytes} under root, making folders as needed."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


# What was found


def ids(found) -> list[str]:
    """The ids of a page of search results, best first."""
    return [hit.entry.id for hit in found.hits]


def printed_ids(result: subprocess.CompletedProcess) -> list[str]:
    """The ids a piped `artread search` or `latest` printed, one a line."""
    return [line.split("\t")[0] for line in result.stdout.decode().splitlines()]


def ids_by_path(index) -> dict[str, str]:
    """{path: id} of every article in an index's catalog."""
    return {e.path: e.id for e in index.catalog.articles()}


# artread in a process of its own


def artread(
    *args: str | bytes,
    server: bool | None = None,
    script: bool = False,
    umask: int = -1,
    **env: str,
) -> subprocess.CompletedProcess:
    """Run artread as a shell would: with the resident server on or off, or as the environment
    says (None); as the console script or as `python -m artread`."""
    environment = {**os.environ, **env}
    if server is not None:
        environment["ARTREAD_SERVER"] = "on" if server else "off"
    program = [SCRIPT] if script else [sys.executable, "-m", "artread"]
    return subprocess.run(
        [*program, *args], capture_output=True, env=environment, umask=umask, timeout=300
    )


def wait_until(condition: Callable[[], object], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:g} seconds")
        time.sleep(0.05)


def wait_for_server(path: str) -> dict:
    """The status of the server at path, once one answers."""
    found: dict = {}
    wait_until(lambda: found.update(client.control(path, protocol.STATUS) or {}) or found)
    return found


def start_server(
    path: str, env: dict[str, str] | None = None, umask: int = -1, cwd: str | None = None
) -> subprocess.Popen:
    """A resident server listening at path, started as a command starts one, once it answers."""
    command = [sys.executable, "-m", "artread.resident.server", path]
    process = subprocess.Popen(command, env=env, umask=umask, cwd=cwd)
    wait_for_server(path)
    return process


# artread on a terminal


def open_terminal(columns: int, rows: int) -> tuple[int, int]:
    """A pseudo-terminal of columns x rows: (controller, terminal) file descriptors."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    return controller, terminal


def read_until_closed(controller: int, seconds: float = 120) -> bytes:
    """Everything written to the terminal until every process closed it."""
    output = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        output += chunk
    return output


def run_in_terminal(
    args: list[str],
    env: dict[str, str],
    columns: int = 80,
    rows: int = 24,
    *,
    script: bool = False,
) -> tuple[str, int]:
    """Run artread on a real pseudo-terminal of `columns` x `rows`: what it printed, and its
    exit status."""
    controller, terminal = open_terminal(columns, rows)
    program = [SCRIPT] if script else [sys.executable, "-m", "artread"]
    process = subprocess.Popen(
        [*program, *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        close_fds=True,
    )
    os.close(terminal)
    output = read_until_closed(controller)
    status = process.wait(timeout=120)
    os.close(controller)
    return output.decode("utf-8", "replace"), status
