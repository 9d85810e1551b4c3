"""The index's words, for typo corrections and did-you-mean: English terms (stems) of three
letters or more and Chinese words of two characters or more, from titles and bodies.

Whoosh hands out its term dictionary one term at a time: reading every term of a big archive
took seconds on each search that looked for a typo. A Whoosh segment never changes once
written, so each segment's words are read once and kept beside the index, in a file named
after the segment (msgpack: data, not code); an update that adds a segment adds one file, and
the files of segments merged away are removed. A resident process keeps them in memory too.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from artread.config import UnsafeStorage, check_file
from artread.core import analysis
from artread.core.engine.fields import TITLE_AND_BODY
from artread.core.files import write_atomic

PREFIX = "words-"
SUFFIX = ".msgpack"
FORMAT = 1
LATIN_SHORTEST = 3  # English terms this long or longer are kept
_MAX_BYTES = 256 << 20

Words = dict[str, list[str]]  # "latin" and "cjk": a segment's words of each kind, sorted


class Vocabulary:
    """The words of one index's segments: from memory, from their files, or read once."""

    def __init__(self, index_dir: Path | None) -> None:
        self.index_dir = index_dir  # None: nothing kept on disk
        self._segments: dict[str, Words] = {}

    def words(self, searcher: Any, *, latin: bool) -> list[str]:
        """Every word of one kind in the index the searcher reads, sorted."""
        kind = "latin" if latin else "cjk"
        found: set[str] = set()
        current = {}
        for reader, _offset in searcher.reader().leaf_readers():
            name = reader.segment().segment_id()
            current[name] = self._segments.get(name) or self._load(name) or self._read(name, reader)
            found.update(current[name][kind])
        if current.keys() != self._segments.keys():
            self._segments = current
            self._remove_others(set(current))
        return sorted(found)

    def _load(self, segment: str) -> Words | None:
        if self.index_dir is None:
            return None
        import msgpack

        path = self.index_dir / f"{PREFIX}{segment}{SUFFIX}"
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            return None
        with open(fd, "rb") as handle:
            try:
                check_file(path, os.fstat(fd))
                found = msgpack.unpackb(handle.read(_MAX_BYTES), unicode_errors="surrogatepass")
                if found["format"] == FORMAT:
                    return {"latin": found["latin"], "cjk": found["cjk"]}
            except UnsafeStorage:
                raise
            except Exception:  # truncated or of another format: read again and rewritten
                pass
        return None

    def _read(self, segment: str, reader: Any) -> Words:
        words = segment_words(reader)
        if self.index_dir is not None:
            import msgpack

            data = msgpack.packb({"format": FORMAT, **words}, unicode_errors="surrogatepass")
            with contextlib.suppress(OSError):  # a read-only index still answers, more slowly
                write_atomic(self.index_dir / f"{PREFIX}{segment}{SUFFIX}", data)
        return words

    def _remove_others(self, segments: set[str]) -> None:
        """Remove the files of segments the index no longer has (merged into others)."""
        if self.index_dir is None:
            return
        with contextlib.suppress(OSError):
            for name in os.listdir(self.index_dir):
                ours = name.startswith(PREFIX) and name.endswith(SUFFIX)
                if ours and name[len(PREFIX) : -len(SUFFIX)] not in segments:
                    with contextlib.suppress(OSError):
                        os.unlink(self.index_dir / name)


def segment_words(reader: Any) -> Words:
    """The words of one segment's titles and bodies, read from its term dictionary."""
    latin: set[str] = set()
    cjk: set[str] = set()
    for field in TITLE_AND_BODY:
        for term in reader.lexicon(field):
            if isinstance(term, bytes):
                term = term.decode("utf-8", "replace")
            if term.isascii():
                if term.isalnum() and len(term) >= LATIN_SHORTEST:
                    latin.add(term)
            elif len(term) >= 2 and analysis.has_cjk(term):
                cjk.add(term)
    return {"latin": sorted(latin), "cjk": sorted(cjk)}
