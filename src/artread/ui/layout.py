"""Laying out Chinese text by display width: a Chinese character takes two columns.

Wrapping breaks between any two Chinese characters and at spaces between Latin words, and
never starts a line with closing punctuation (，。！？；：、）」》 …).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

ELLIPSIS = "..."
# Characters that may not begin a line (kinsoku): closing punctuation and brackets. Straight
# quotes open as often as they close: _join_quotes() tells which and keeps each with its text.
NO_LINE_START = set("，。！？；：、）》」』】〉〕…—,.!?;:)]}%’”")


# Characters that may not end a line: opening brackets and quotes.
NO_LINE_END = "（《「『【〈〔“‘"
_WIDE = (
    "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd"
)
_CLOSE = "，。！？；：、）》」』】〉〕”’…"
_BREAKABLE_WORD = re.compile(rf"\s*[{NO_LINE_END}]*(?:[{_WIDE}]|[^\s{_WIDE}]+)[{_CLOSE}]*\s*")
_QUOTES = "\"'"


def breakable_words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) pieces a line may break between, as Rich's wrapper takes them.

    Each wide character is a piece of its own, so Chinese breaks between any two characters;
    closing punctuation sticks to the piece before it and opening brackets and quotes to the
    one after.
    """
    words = []
    match = _BREAKABLE_WORD.match(text)
    while match is not None:
        words.append(match.group(0))
        match = _BREAKABLE_WORD.match(text, match.end())
    if '"' in text or "'" in text:  # most paragraphs have none: no second pass for them
        words = _join_quotes(words)
    start = 0
    for word in words:
        yield start, start + len(word), word
        start += len(word)


def _join_quotes(words: list[str]) -> list[str]:
    """The words with each straight quote that stands alone between Chinese characters joined
    to the word after it when it opens and to the word before it when it closes: quotes of a
    kind take turns, the first opening, and one followed by a closing mark ("。) closes."""
    joined: list[str] = []
    opened = dict.fromkeys(_QUOTES, False)
    waiting = ""  # an opening quote, for the next word
    for word in words:
        core = word.strip()
        quote, after = core[:1], core[1:]
        if quote in opened and all(char in _CLOSE for char in after):
            if (opened[quote] or after) and joined and not waiting:
                opened[quote] = False
                joined[-1] += word
                continue
            if not after:
                opened[quote] = True
                waiting += word
                continue
        if core.count('"') % 2:  # a Latin word with a quote of its own ("hello)
            opened['"'] = not opened['"']
        joined.append(waiting + word)
        waiting = ""
    if waiting:
        joined.append(waiting)
    return joined


@lru_cache(maxsize=4096)
def char_width(char: str) -> int:
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufeff":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def width(text: str) -> int:
    return sum(char_width(c) for c in text)


def _pieces(text: str) -> list[str]:
    """Unbreakable pieces: a Latin word, a space, or one wide character."""
    pieces: list[str] = []
    word = ""
    for char in text:
        if char == " ":
            if word:
                pieces.append(word)
                word = ""
            pieces.append(" ")
        elif char_width(char) == 2:
            if word:
                pieces.append(word)
                word = ""
            pieces.append(char)
        else:
            word += char
    if word:
        pieces.append(word)
    return pieces


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most `columns` display cells."""
    columns = max(columns, 4)
    lines: list[list[str]] = [[]]
    used = 0
    pieces = _pieces(" ".join(text.split()))
    for piece in _join_quotes(pieces) if '"' in text or "'" in text else pieces:
        piece_width = width(piece)
        if piece == " " and used == 0:
            continue
        if used + piece_width <= columns:
            lines[-1].append(piece)
            used += piece_width
            continue
        if piece == " ":  # a full line: the next piece breaks it (and may carry a word along)
            continue
        if piece_width > columns:  # a word longer than a line: cut it by cells
            for char in piece:
                if used + char_width(char) > columns:
                    lines.append([])
                    used = 0
                lines[-1].append(char)
                used += char_width(char)
            continue
        carried: list[str] = []
        # Keep closing punctuation off the start of the next line (take the piece before it
        # along) and opening brackets off the end of this one, when the next line has room.
        line = lines[-1]
        while line and line[-1] == " ":
            line.pop()
        take = 0
        # Closing marks in a row ("。) go along with the piece before the first of them.
        while take < len(line) and (piece if take == 0 else line[-take])[0] in NO_LINE_START:
            take += 1
        while take < len(line) - 1 and line[-1 - take] in NO_LINE_END:
            take += 1
        if take and width("".join(line[-take:])) + piece_width <= columns and take < len(line):
            carried = line[-take:]
            del line[-take:]
        while lines[-1] and lines[-1][-1] == " ":
            lines[-1].pop()
        lines.append([*carried, piece])
        used = sum(width(p) for p in lines[-1])
    return ["".join(line).rstrip() for line in lines if line or len(lines) == 1]


def truncate(text: str, columns: int, ellipsis: str = ELLIPSIS) -> str:
    """At most `columns` cells, never cut inside a character, ending in `ellipsis` if cut."""
    if width(text) <= columns:
        return text
    room = max(columns - width(ellipsis), 0)
    out: list[str] = []
    used = 0
    for char in text:
        if used + char_width(char) > room:
            break
        out.append(char)
        used += char_width(char)
    return "".join(out).rstrip() + ellipsis


def clip_lines(text: str, columns: int, max_lines: int, ellipsis: str = ELLIPSIS) -> list[str]:
    """Wrap to `columns` and keep `max_lines` lines; the last one ends in `ellipsis` if cut."""
    lines = wrap(text, columns)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and width(last) + width(ellipsis) > columns:
        last = last[:-1]
    kept[-1] = last.rstrip() + ellipsis
    return kept
