"""Rich renderables as lines of a Textual screen, drawn as the other commands draw them.

The lines break between Chinese characters (ui.console), and article text goes through the
same views and sanitising as `latest`, `search` and `show`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from artread.ui.console import Console, breaking_between_characters


def make_console() -> Console:
    """A console that renders for Textual: colours in full (Textual maps them to the
    terminal's, or to none with NO_COLOR), never printing anywhere itself."""
    return Console(
        file=io.StringIO(),
        width=80,
        color_system="truecolor",
        force_terminal=True,
        legacy_windows=False,
        highlight=False,
        emoji=False,
        markup=False,
    )


_NULL = Style()


def render(console: Console, renderable: Any, width: int) -> list[Strip]:
    """The renderable as lines of `width` cells; every piece has a style (Textual's filters,
    NO_COLOR's among them, expect one)."""
    options = console.options.update(width=width, max_width=width, height=None)
    with breaking_between_characters():
        lines = console.render_lines(renderable, options, pad=True, new_lines=False)
    return [Strip([_styled(segment) for segment in line], width) for line in lines]


def _styled(segment: Segment) -> Segment:
    if segment.style is not None:
        return segment
    return Segment(segment.text, _NULL, segment.control)


def render_all(console: Console, renderables: Iterable[Any], width: int) -> list[Strip]:
    """Several renderables, one after the other, as `console.print` would put them."""
    strips: list[Strip] = []
    for renderable in renderables:
        strips.extend(render(console, renderable, width))
    return strips


def meta_of(strip: Strip, key: str) -> Any:
    """The value of a meta key on the first segment of the line that has it, or None."""
    for segment in strip:
        style = segment.style
        if style is not None and style._meta:
            value = style.meta.get(key)
            if value is not None:
                return value
    return None


def text_of(strip: Strip) -> str:
    return "".join(segment.text for segment in strip if not segment.control)


def highlighted(strip: Strip, spans: Iterable[tuple[int, int, Style]]) -> Strip:
    """The line with each (start cell, end cell, style) span restyled, the style on top."""
    for start, end, style in spans:
        start, end = max(0, start), min(end, strip.cell_length)
        if end <= start:
            continue
        before, middle, after = strip.divide([start, end, strip.cell_length])
        middle = Strip(
            [Segment(s.text, (s.style or Style()) + style, s.control) for s in middle],
            middle.cell_length,
        )
        strip = Strip.join([before, middle, after])
    return strip
