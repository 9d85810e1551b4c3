"""When the reader of a command's output goes away (`artread search x | head`)."""

from __future__ import annotations

import os
import sys


def discard_stdout() -> None:
    """Point stdout at /dev/null, so nothing written or flushed later fails: the command then
    stops quietly with status 0, as ripgrep does."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
