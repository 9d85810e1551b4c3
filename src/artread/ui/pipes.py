"""When the reader of a command's output goes away (`artread search x | head`)."""

from __future__ import annotations

import os
import sys
from typing import TextIO


def discard_stdout(stream: TextIO | None = None) -> None:
    """Point the output stream (stdout unless told) at /dev/null, so nothing written or
    flushed later fails: the command then stops quietly with status 0, as ripgrep does. A
    stream that is no file (a test's, a server's buffer) is left as it is."""
    try:
        descriptor = (stream or sys.stdout).fileno()
    except (AttributeError, ValueError, OSError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)
