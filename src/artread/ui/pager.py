"""Paging long output the way gh does: ARTREAD_PAGER, then PAGER, then `less` with LESS=FRX.

An empty ARTREAD_PAGER (or PAGER) turns paging off. Callers page only on a terminal and only
when the text is taller than the screen.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping


def page(text: str, pager: str, environ: Mapping[str, str] | None = None) -> bool:
    """Show text through the pager, run with environ (default: this process's); False if it
    could not be started (print it instead)."""
    env = dict(os.environ if environ is None else environ)
    env.setdefault("LESS", "FRX")  # quit if one screen, keep colours, no screen clearing
    try:
        argv = shlex.split(pager)
    except ValueError:
        return False
    if not argv:
        return False
    try:
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    try:
        assert process.stdin is not None
        process.stdin.write(text.encode("utf-8", "replace"))
        process.stdin.close()
    except BrokenPipeError:  # the reader quit the pager before the end
        pass
    while True:
        try:
            process.wait()
            return True
        except KeyboardInterrupt:  # Ctrl-C belongs to the pager (less handles it itself)
            continue
