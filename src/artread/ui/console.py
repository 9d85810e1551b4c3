"""artread's Rich console: lines break between Chinese characters, for this console only.

Rich breaks lines only at spaces, and Chinese has none. Rich has no setting for where a line
may break: its wrapper asks the private function rich._wrap.words, which is swapped for
layout.breakable_words only while an artread console prints, and put back after.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import rich._wrap
import rich.console

from artread.ui import layout

_lock = threading.Lock()
_printing = 0  # prints under way (a progress bar prints from a thread of its own)
_rich_words = rich._wrap.words


@contextmanager
def breaking_between_characters() -> Iterator[None]:
    """Rich wraps text with layout.breakable_words while this lasts."""
    global _printing
    with _lock:
        _printing += 1
        rich._wrap.words = layout.breakable_words
    try:
        yield
    finally:
        with _lock:
            _printing -= 1
            if not _printing:
                rich._wrap.words = _rich_words


class Console(rich.console.Console):
    """A Rich console whose lines break between Chinese characters."""

    def print(self, *objects: Any, **options: Any) -> None:
        with breaking_between_characters():
            super().print(*objects, **options)
