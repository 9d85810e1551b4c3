"""Every article's normalised text in one file, for literal matching the way grep does it.

The index finds words; this finds any text at all, inside words and across them, so a quoted
phrase matches exactly what the articles contain and no query of text that occurs comes back
empty. Each update writes a new file (texts-<n>.bin) and the catalog names it, so an update
killed halfway leaves the last complete file in use.
"""

from __future__ import annotations

import contextlib
import copy
import mmap
import os
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import stringzilla

from artread.core import signatures
from artread.core.analysis import normalize

PREFIX = "texts-"
_SEPARATOR = b"\x00"
# A scan looks at this much text between two questions of whether it is still wanted: a rare
# word is one search of the whole file, which takes a moment over a big archive.
_WINDOW = 16 << 20


class Stopped(Exception):
    """A scan given up because whoever asked for it no longer wants it (see stopping())."""


def article_text(title: str, source: str, plain: str) -> tuple[bytes, int]:
    """What literal matching sees, normalised like the index: the file as written (what grep
    sees), then the title and the text a reader sees (`**共享**同一个` reads 共享同一个).
    Returns the bytes and the length of the first part."""
    written = normalize(source).replace("\x00", " ").encode("utf-8")
    shown = normalize(f"{title}\n{plain}").replace("\x00", " ").encode("utf-8")
    return written + b"\n" + shown, len(written)


class LiteralStore:
    """A read-only view of one texts file. Spans give each article's [offset, length, length
    of the file-as-written part] in bytes."""

    def __init__(self, file: Path, spans: Mapping[str, list[int]]) -> None:
        self.file = file
        self.spans = spans
        self._in_order: tuple[list[tuple[int, int, int, str]], list[int]] | None = None
        self._data: bytes | mmap.mmap | None = None
        # The same bytes searched with SIMD instructions, several times bytes.find's speed
        # (BENCHMARKS.md): a text most articles hold is looked for in most of the file.
        self._search: stringzilla.Str | None = None
        self._signed: signatures.Signatures | None = None
        self._signed_read = False
        self._unsigned_places: list[tuple[int, int]] | None = None
        self._wanted: Callable[[], bool] | None = None

    def stopping(self, wanted: Callable[[], bool]) -> LiteralStore:
        """This store, for one search whose scans raise Stopped as soon as wanted() is false
        (a reader's search overtaken by the next key typed). The texts are shared."""
        self.open()
        self._order()  # made here, once: each search's copy would make it again
        held = self.signed()
        if held is not None:
            self._unsigned(held)  # likewise
        view = copy.copy(self)
        view._wanted = wanted
        return view

    def open(self) -> bytes | mmap.mmap:
        if self._data is None:
            with open(self.file, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
            self._search = stringzilla.Str(memoryview(data))
            self._data = data
        return self._data

    def _searched(self) -> tuple[bytes | mmap.mmap, stringzilla.Str]:
        """The texts, and the same bytes to search: find() and count() as bytes has them."""
        data = self.open()
        assert self._search is not None
        return data, self._search

    def _order(self) -> tuple[list[tuple[int, int, int, str]], list[int]]:
        """Every article's (start, length, written, path) in the file's order, and the starts:
        made when first needed (a search that finds enough through the index needs neither)."""
        if self._in_order is None:
            ordered = sorted((span[0], span[1], span[2], path) for path, span in self.spans.items())
            self._in_order = ordered, [start for start, *_rest in ordered]
        return self._in_order

    def signed(self) -> signatures.Signatures | None:
        """The signatures of the texts, read once; None if there are none."""
        if not self._signed_read:
            self._signed, self._signed_read = signatures.load(self.file), True
        return self._signed

    def signature(self, path: str) -> bytes | None:
        """An article's signature, to carry over with its text."""
        span, found = self.spans.get(path), self.signed()
        return found.get((span[0], span[1])) if span is not None and found is not None else None

    def entry(self, path: str) -> tuple[bytes, int] | None:
        """An article's text and the length of its file-as-written part, to carry over."""
        span = self.spans.get(path)
        if span is None:
            return None
        start, length, written = span
        return bytes(self.open()[start : start + length]), written

    def text(self, path: str) -> bytes | None:
        found = self.entry(path)
        return found[0] if found else None

    def decoded(self, path: str) -> str:
        """An article's normalised text as a string; empty if the store does not hold it."""
        return (self.text(path) or b"").decode("utf-8", "replace")

    def find(
        self, text: str, *, as_written: bool = False, word_start: bool = False
    ) -> dict[str, int]:
        """Articles whose text holds `text` (normalised), with how often it occurs.

        as_written: only in the file as written, the way grep would find it.
        word_start: only where a word starts (gru in nn.GRUCell, not it in title).
        """
        normalised = normalize(text).replace("\x00", " ")
        needle = normalised.encode("utf-8")
        ordered = self._order()[0]
        if not needle or not ordered:
            return {}
        needs, held = signatures.required(normalised), self.signed()
        if needs and held is not None:
            may = held.may_hold(needs)
            may.update(self._unsigned(held))
            candidates = [span for span in ordered if (span[0], span[1]) in may]
            return self._find_in(candidates, needle, as_written, word_start)
        return self._scan(needle, as_written, word_start)

    def _unsigned(self, held: signatures.Signatures) -> list[tuple[int, int]]:
        """The places of the texts that have no signature (always read), found once."""
        if self._unsigned_places is None:
            places = [(start, length) for start, length, *_rest in self._order()[0]]
            self._unsigned_places = held.unsigned(places)
        return self._unsigned_places

    def _find_in(
        self, candidates: list, needle: bytes, as_written: bool, word_start: bool
    ) -> dict[str, int]:
        """find() in the candidates' texts alone: (start, length, written, path) each."""
        (data, search), wanted = self._searched(), self._wanted
        found: dict[str, int] = {}
        for number, (start, length, written, path) in enumerate(candidates):
            if wanted is not None and number % 64 == 0 and not wanted():
                raise Stopped
            end = start + (written if as_written else length)
            position = search.find(needle, start, end)
            if position == -1:
                continue
            if count := _count(data, search, needle, position, end, word_start):
                found[path] = count
        return found

    def _scan(self, needle: bytes, as_written: bool, word_start: bool) -> dict[str, int]:
        """find() by a scan of the whole file."""
        found: dict[str, int] = {}
        data, search = self._searched()
        ordered, starts = self._order()
        position = self._next(search, needle, 0)
        while position != -1:
            slot = bisect_right(starts, position) - 1
            if slot < 0:  # before the first article (dead text of an earlier update)
                position = self._next(search, needle, starts[0])
                continue
            start, length, written, path = ordered[slot]
            if position >= start + length:  # dead text between articles: go to the next one
                following = starts[slot + 1] if slot + 1 < len(starts) else None
                position = -1 if following is None else self._next(search, needle, following)
                continue
            end = start + (written if as_written else length)
            if count := _count(data, search, needle, position, end, word_start):
                found[path] = count
            position = self._next(search, needle, start + length)
        return found

    def _next(self, search: stringzilla.Str, needle: bytes, start: int) -> int:
        """Where needle next occurs from start on (-1: nowhere); a window at a time when the
        search may be given up."""
        wanted = self._wanted
        if wanted is None:
            return search.find(needle, start)
        while start < len(search):
            if not wanted():
                raise Stopped
            end = start + _WINDOW
            position = search.find(needle, start, end + len(needle) - 1)
            if position != -1:
                return position
            start = end
        return -1


# What may not come right before a word's start (ASCII: the needle is normalised text).
_WORD_CHARACTERS = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_")


def _count(
    data: bytes | mmap.mmap,
    search: stringzilla.Str,
    needle: bytes,
    position: int,
    end: int,
    word_start: bool,
) -> int:
    """How often needle occurs in data[position:end] (position: its first occurrence), or
    starts a word there."""
    if word_start:
        return _word_starts(data, search, needle, position, end)
    return search.count(needle, position, end)


def _word_starts(
    data: bytes | mmap.mmap, search: stringzilla.Str, needle: bytes, position: int, end: int
) -> int:
    """How often needle starts a word in data[position:end], as rb"(?<![a-z0-9_])" + needle
    counts them (position: the first occurrence; search: data, to search). A search for the
    needle, then a look at the byte before: a regular expression that starts with a
    look-behind tries every position, and took seconds over a big archive for each prefix
    typed in the reader's search box."""
    count = 0
    while position != -1 and position + len(needle) <= end:
        if position == 0 or data[position - 1] not in _WORD_CHARACTERS:
            count += 1
            position = search.find(needle, position + len(needle), end)
        else:
            position = search.find(needle, position + 1, end)
    return count


class Writer:
    """Writes the texts for one update, as the articles are read.

    It appends to the current file when at most half of the result would be dead (texts of
    articles since changed or removed): the catalog names only complete texts, so a reader or
    a killed update never sees a partial one. Otherwise it starts a new file, copying the
    texts of unchanged articles first.
    """

    def __init__(
        self,
        index_dir: Path,
        old: LiteralStore | None,
        kept: Iterable[str],
        name: str | None = None,  # of the new file, when it does not append
    ) -> None:
        kept = [path for path in kept if old is not None and path in old.spans]
        live = sum(old.spans[path][1] + 1 for path in kept) if old else 0
        size = old.file.stat().st_size if old else 0
        self.spans: dict[str, list[int]] = {}
        self.appending = old is not None and size - live <= max(live, 1 << 20)
        if self.appending:
            assert old is not None
            self.name = old.file.name
            self.spans = {path: list(old.spans[path]) for path in kept}
            self._offset = size
        else:
            self.name = name or f"{PREFIX}{time.time_ns()}-{os.getpid()}.bin"
            self._offset = 0
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        flags |= os.O_APPEND if self.appending else os.O_TRUNC
        self._file = index_dir / self.name
        # Only the user may read the articles' text, whatever the umask.
        self._handle = open(os.open(self._file, flags, 0o600), "wb")  # noqa: SIM115
        try:
            keys = os.open(signatures.keys_of(self._file), flags, 0o600)
        except OSError:
            self._handle.close()
            raise
        self._keys = open(keys, "wb")  # noqa: SIM115
        if self.appending:
            signatures.drop_partial_record(self._keys.fileno())
        if not self.appending and old is not None:
            for path in kept:
                found = old.entry(path)
                if found is not None:
                    self.add(path, *found, made=old.signature(path))

    def add(self, path: str, blob: bytes, written: int, made: bytes | None = None) -> None:
        """An article's text; made: its signature, if it was made before."""
        self._handle.write(blob)
        self._handle.write(_SEPARATOR)
        if signatures.worth_it(len(blob)):
            made = made or signatures.signature(blob)
            self._keys.write(signatures.record(self._offset, len(blob), made))
        self.spans[path] = [self._offset, len(blob), written]
        self._offset += len(blob) + 1

    def add_file(self, part: Path, spans: dict[str, list[int]]) -> None:
        """Append the texts another Writer wrote to part, with their spans in it."""
        size = 0
        with open(part, "rb") as source:
            while block := source.read(1 << 20):
                self._handle.write(block)
                size += len(block)
        for path, (start, length, written) in spans.items():
            self.spans[path] = [self._offset + start, length, written]
        with contextlib.suppress(FileNotFoundError):
            signatures.copy_shifted(signatures.keys_of(part), self._offset, self._keys)
        self._offset += size

    def finish(self) -> tuple[str, dict[str, list[int]]]:
        """Make the texts durable; returns the file's name and every article's span."""
        for handle in (self._keys, self._handle):  # the texts last: the catalog names them
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        return self.name, self.spans

    def abort(self) -> None:
        try:
            self._handle.close()
        finally:
            self._keys.close()
            if not self.appending:
                remove(self._file)


def remove(texts: Path) -> None:
    """Delete a texts file and its signatures."""
    texts.unlink(missing_ok=True)
    signatures.keys_of(texts).unlink(missing_ok=True)


def remove_unused(index_dir: Path, keep: str) -> None:
    """Delete texts files other than `keep`, and their signatures (left by earlier updates or
    killed builds)."""
    kept = {keep, signatures.keys_of(Path(keep)).name}
    for pattern in (f"{PREFIX}*.bin", f"{PREFIX}*{signatures.SUFFIXES}"):
        for stale in index_dir.glob(pattern):
            if stale.name not in kept:
                stale.unlink(missing_ok=True)
