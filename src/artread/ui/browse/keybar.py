"""The line of main keys at the bottom of each screen.

Textual's Footer recomposes a widget per key whenever the focus moves; drawn as one line of
text instead, a screen opens in a fraction of the time (measured: bench/browse_speed.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static


class KeyBar(Static):
    """Keys and what they do, on one line."""

    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; padding: 0 1; }
    """

    def __init__(self, keys: Sequence[tuple[str, str]]) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for key, what in keys:
            text.append(key, style="bold")
            text.append(f" {what}  ", style="dim")
        super().__init__(text)
