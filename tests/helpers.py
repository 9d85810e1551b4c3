"""Helpers shared by the tests: running artread as a user would, on a real terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import time


def run_in_terminal(
    args: list[str], env: dict[str, str], columns: int = 80, rows: int = 24
) -> tuple[str, int]:
    """Run artread on a real pseudo-terminal of `columns` x `rows`: what it printed, and its
    exit status."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "artread", *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        close_fds=True,
    )
    os.close(terminal)
    output = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        output += chunk
    status = process.wait(timeout=120)
    os.close(controller)
    return output.decode("utf-8", "replace"), status
