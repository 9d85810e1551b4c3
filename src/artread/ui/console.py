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
from rich.style import Style

from artread.ui import layout

_lock = threading.Lock()
_printing = 0  # prints under way (a progress bar prints from a thread of its own)
_rich_words = rich._wrap.words
# A Rich Style keeps the escape codes of its first rendering, whatever the colour system of a
# later one, and Rich's caches hand the same Style objects to every console of the process:
# after a command on an 8-colour terminal, a resident server would show the next one's
# 256-colour code blocks in 8 colours. The caches are emptied when the colour system changes.
_last_color_system: object = None


def _styles_for(color_system: object) -> None:
    global _last_color_system
    if color_system is None or color_system == _last_color_system:
        return
    if _last_color_system is not None:
        for cached in (Style.parse, Style.normalize, Style.clear_meta_and_links, Style._add):
            cache_clear = getattr(cached, "cache_clear", None)
            if cache_clear is not None:
                cache_clear()
    _last_color_system = color_system


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
        with _lock:
            _styles_for(self._color_system)
        with breaking_between_characters():
            super().print(*objects, **options)
