"""Which articles may hold a text, told without reading them: a scan for a text that no indexed
word holds (a single Chinese character, the start of a word being typed) reads only those.

Each article's literal text has a signature of a fixed size: a bit for each character beyond
ASCII it holds (folded onto CHAR_BITS bits) and for each pair of ASCII letters or digits in a
row. An article whose signature lacks a bit of the text's cannot hold the text; one that has
them all may.

The signatures are kept beside the texts file (texts-N.keys1 beside texts-N.bin; the number
is the layout's), one record per text written, in the same order: where the text starts in the
texts file and its length, then its signature. A record counts for a text only when both agree
with the text's span: a record left by an update killed before its text was written is never
taken for the text later written there. A text without a record (in an index made before
signatures, or by an update killed between the two files) is read like any other.
"""

from __future__ import annotations

import mmap
import os
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import BinaryIO

SUFFIX = ".keys1"  # bumped when the layout below changes: other files are not read
SUFFIXES = ".keys*"  # every layout's, for clean-ups
CHAR_BITS = 8192  # characters beyond ASCII, by code point modulo this
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
SIZE = (CHAR_BITS + len(_ALNUM) ** 2 + 7) // 8  # bytes of a signature
_PLACE = 16  # bytes of a record's start and length, 8 each, little-endian
RECORD = _PLACE + SIZE
# Runs of letters and digits, whose pairs in a row are recorded (the texts are case-folded).
_RUNS = re.compile(r"[a-z0-9]{2,}")
_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"  # as cast("I") reads it
_EVERYTHING = b"\xff" * SIZE  # the signature of a text that cannot be read: it may hold anything


def worth_it(length: int) -> bool:
    """Whether a text this long gets a signature: a shorter one is read faster than its
    signature would be (and an archive of short notes would have more signature than text)."""
    return length > RECORD


def keys_of(texts_file: Path) -> Path:
    """The signatures file of a texts file."""
    return texts_file.with_suffix(SUFFIX)


def _bits(text: str) -> Iterable[int]:
    # The code points as integers, each once: quicker than a set of the characters.
    for code in set(memoryview(text.encode(_UTF32, "surrogatepass")).cast("I")):
        if code > 127:
            yield code % CHAR_BITS
    runs = set(_RUNS.findall(text))
    pair_bits = _pair_bits()
    for pair in {run[i : i + 2] for run in runs for i in range(len(run) - 1)}:
        yield pair_bits[pair]


# The tables are made when first used: a command that scans nothing does without them.
@cache
def _pair_bits() -> dict[str, int]:
    """The bit of each pair of letters or digits."""
    return {
        a + b: CHAR_BITS + i * len(_ALNUM) + j
        for i, a in enumerate(_ALNUM)
        for j, b in enumerate(_ALNUM)
    }


@cache
def _has(mask: int) -> bytes:
    """A table that turns a byte into 1 if it has the mask's bit, else into 0."""
    return bytes(1 if value & mask else 0 for value in range(256))


def signature(blob: bytes) -> bytes:
    """The signature of a text (UTF-8, normalised as literal.article_text makes it)."""
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        return _EVERYTHING
    marks = bytearray(SIZE)
    for bit in _bits(text):
        marks[bit >> 3] |= 1 << (bit & 7)
    return bytes(marks)


def record(start: int, length: int, made: bytes) -> bytes:
    """A record of the signatures file: a text's place in the texts file, and its signature."""
    return _place(start, length) + made


def _place(start: int, length: int) -> bytes:
    return start.to_bytes(8, "little") + length.to_bytes(8, "little")


def _read_place(data: bytes | mmap.mmap, offset: int) -> tuple[int, int]:
    place = data[offset : offset + _PLACE]
    return int.from_bytes(place[:8], "little"), int.from_bytes(place[8:], "little")


def required(needle: str) -> list[tuple[int, int]]:
    """The (byte, mask) pairs a signature must have all of to hold needle (normalised text);
    none when needle has nothing a signature records (ASCII punctuation, one letter)."""
    return [(bit >> 3, 1 << (bit & 7)) for bit in sorted(set(_bits(needle)))]


def drop_partial_record(descriptor: int) -> None:
    """Cut a signatures file about to be appended to back to its last whole record: a record
    cut short (an update killed while writing it) would shift every record after it."""
    size = os.fstat(descriptor).st_size
    if size % RECORD:
        os.ftruncate(descriptor, size - size % RECORD)


def copy_shifted(source: Path, shift: int, target: BinaryIO) -> None:
    """Append the records of source to target, each text's start moved by shift (the texts
    of another file appended at shift)."""
    with open(source, "rb") as handle:
        while block := handle.read(RECORD * 256):
            for offset in range(0, len(block) - RECORD + 1, RECORD):
                start, length = _read_place(block, offset)
                target.write(
                    _place(start + shift, length) + block[offset + _PLACE : offset + RECORD]
                )


class Signatures:
    """The signatures file of a texts file, read-only."""

    def __init__(self, file: Path) -> None:
        with open(file, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            self._data: bytes | mmap.mmap = (
                mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
            )
        data = self._data
        self._count = len(data) // RECORD  # a record cut short by a killed update is left out
        # each record's (start, length); of two records for one place, the later one counts
        self._places = [
            _read_place(data, offset) for offset in range(0, self._count * RECORD, RECORD)
        ]
        self._at = {place: record for record, place in enumerate(self._places)}

    def get(self, place: tuple[int, int]) -> bytes | None:
        """The signature of the text at place (start, length), if it has one."""
        record = self._at.get(place)
        if record is None:
            return None
        offset = record * RECORD + _PLACE
        return bytes(self._data[offset : offset + SIZE])

    def unsigned(self, places: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        """Those of the places (start, length) whose texts have no signature."""
        return [place for place in places if place not in self._at]

    def may_hold(self, needs: list[tuple[int, int]]) -> set[tuple[int, int]]:
        """The places (start, length) of the texts whose signatures have every bit a text
        needs."""
        if not needs or not self._count:
            return set(self._places)
        end = self._count * RECORD
        every = None
        for byte, mask in needs:
            # The byte of every record at once; 1 where it has the bit, 0 where it has not.
            column = self._data[_PLACE + byte : end : RECORD].translate(_has(mask))
            has = int.from_bytes(column, "little")
            every = has if every is None else every & has
        held = every.to_bytes(self._count, "little") if every else b""
        return {self._places[match.start()] for match in _ONE.finditer(held)}


_ONE = re.compile(b"\x01")


def load(texts_file: Path) -> Signatures | None:
    """The signatures of a texts file; None if it has none (every text is read)."""
    try:
        return Signatures(keys_of(texts_file))
    except (OSError, ValueError):
        return None
