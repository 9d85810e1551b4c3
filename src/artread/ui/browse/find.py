"""Finding text in an article as it is shown, matched as `search` matches it: width, case and
traditional characters folded (梯度檢查點 and ＧＰＵ find 梯度检查点 and gpu), and a match may
run on across a line break, since the terminal, not the writer, broke the line there.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rich.cells import cell_len

# Between two characters of what is sought: the end of a line and the indentation, quote
# bar or table border that starts the next one.
_LINE_BREAK = r"(?:[ \t]*\n[ \t│▌|>]*)?"
_SPACE = r"[ \t\n│▌|>]+"


@dataclass(frozen=True, slots=True)
class Match:
    """Where a match is on the screen: a line, and its start and end cells there."""

    line: int
    start: int
    end: int


class Finder:
    """The shown lines of an article, folded once, to find text in them many times."""

    def __init__(self, lines: list[str]) -> None:
        from artread.core.snippets import normalize_with_map  # not before a find

        self.lines = [line.rstrip() for line in lines]
        flat = "\n".join(self.lines)
        self.starts = []  # where each line starts in the flat text
        position = 0
        for line in self.lines:
            self.starts.append(position)
            position += len(line) + 1
        self.folded, self.origin = normalize_with_map(flat)

    def find(self, text: str) -> list[Match]:
        """Every place text is shown, in reading order; a match over a line break is one
        Match on each line."""
        pattern = _pattern(text)
        if pattern is None:
            return []
        found: list[Match] = []
        for hit in pattern.finditer(self.folded):
            if hit.end() > hit.start():
                start = self.origin[hit.start()]
                end = self.origin[hit.end() - 1] + 1
                found.extend(self._on_lines(start, end))
        return found

    def _on_lines(self, start: int, end: int) -> list[Match]:
        first = bisect.bisect_right(self.starts, start) - 1
        last = bisect.bisect_right(self.starts, end - 1) - 1
        pieces = []
        for number in range(first, last + 1):
            line = self.lines[number]
            begin = max(start - self.starts[number], 0)
            stop = min(end - self.starts[number], len(line))
            while begin < stop and line[begin] in " \t│▌|>":
                begin += 1  # the next line's margin is not part of the match
            if begin < stop:
                pieces.append(Match(number, cell_len(line[:begin]), cell_len(line[:stop])))
        return pieces


def _pattern(text: str) -> re.Pattern[str] | None:
    """What text is found as: folded as the shown text is, its spaces any white space, and a
    line break allowed between any two of its characters."""
    from artread.core.snippets import normalize_with_map

    folded, _origin = normalize_with_map(text.strip())
    if not folded:
        return None
    parts: list[str] = []
    for char in folded:
        if char.isspace():
            if parts and parts[-1] != _SPACE:
                parts.append(_SPACE)
            continue
        if parts and parts[-1] != _SPACE:
            parts.append(_LINE_BREAK)
        parts.append(re.escape(char))
    return re.compile("".join(parts))
