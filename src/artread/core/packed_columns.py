"""A catalog's columns as packed on disk, read back a row at a time.

The texts of a column are joined into one byte string, with where each one ends (a row's
list of texts joined by LIST_SEPARATOR); the spans are three integers a row. Reading a
catalog then makes a few byte strings, not an object per article: a row is decoded when
asked for.
"""

from __future__ import annotations

import mmap
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

LIST_SEPARATOR = "\x1f"


class Absent:
    """A field the entry does not have (unlike None, a field whose value is None)."""


ABSENT = Absent()


class Texts(Sequence[Any]):
    """A packed column of texts (or of lists of texts): each row decoded when asked for. The
    joined texts start at `offset` in `joined` (a catalog's mapped file holds them there)."""

    def __init__(
        self, joined: bytes | mmap.mmap, ends: bytes, lists: bool, offset: int = 0
    ) -> None:
        self._joined, self._ends, self._lists = joined, array("Q", ends), lists
        self._offset = offset

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, row: int) -> Any:  # type: ignore[override]
        start = self._offset + (self._ends[row - 1] if row else 0)
        end = self._offset + self._ends[row]
        text = self._joined[start:end].decode("utf-8", "surrogatepass")
        if self._lists:
            return text.split(LIST_SEPARATOR) if text else []
        return text

    def __iter__(self) -> Iterator[Any]:  # every row, for lists of every article
        joined, start, lists, offset = self._joined, self._offset, self._lists, self._offset
        for end in self._ends:
            text = joined[start : offset + end].decode("utf-8", "surrogatepass")
            start = offset + end
            yield (text.split(LIST_SEPARATOR) if text else []) if lists else text


class Spans(Sequence[Any]):
    """The packed span column: [start, length, written] a row, or absent."""

    def __init__(self, numbers: bytes) -> None:
        self._numbers = array("q", numbers)

    def __len__(self) -> int:
        return len(self._numbers) // 3

    def __getitem__(self, row: int) -> Any:  # type: ignore[override]
        span = self._numbers[3 * row : 3 * row + 3].tolist()
        return ABSENT if span[0] < 0 else span

    def __iter__(self) -> Iterator[Any]:
        numbers = self._numbers.tolist()
        for at in range(0, len(numbers), 3):
            yield ABSENT if numbers[at] < 0 else numbers[at : at + 3]


def unpacked(values: Any) -> Sequence[Any]:
    """A column as read: a list of values, or a packed column (a dict)."""
    if not isinstance(values, dict):
        return values
    if "spans" in values:
        return Spans(values["spans"])
    return Texts(values["joined"], values["ends"], values["lists"], values.get("offset", 0))


def packed_spans(values: list[Any]) -> dict[str, bytes]:
    """A span column as written: three integers a row (-1s for a row without one)."""
    numbers = array("q")
    for span in values:
        numbers.extend(span if isinstance(span, list) else (-1, -1, -1))
    return {"spans": numbers.tobytes()}


def packed_texts(values: list[Any], *, lists: bool) -> dict[str, Any]:
    """A column of texts (or of lists of texts) as written: joined, with where each ends."""
    joined, ends = bytearray(), array("Q")
    for value in values:
        if value is not None:  # None: a skipped file's row
            text = LIST_SEPARATOR.join(value) if lists else value
            joined += text.encode("utf-8", "surrogatepass")
        ends.append(len(joined))
    return {"joined": bytes(joined), "ends": ends.tobytes(), "lists": lists}
