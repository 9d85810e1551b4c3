"""A posting pool for a worker's segment writer: Whoosh's, with faster runs on disk.

A big first index holds more postings than a worker may keep in memory, so Whoosh's pool
writes sorted runs to disk and merges them: one pickle per posting on the way out, one on the
way back, and a Python heap step per posting. This pool writes a run as pickled lists of the
postings of each term, and merges the runs term by term, so the per-posting work is left to C.
The postings come out in the order Whoosh's own pool gives them: by field, term, document.
"""

from __future__ import annotations

import heapq
import pickle
from collections.abc import Iterable, Iterator
from itertools import groupby, pairwise
from operator import itemgetter
from typing import Any

from artread.core.engine import backend  # noqa: F401  Whoosh's stand-ins first

# isort: split
from whoosh.writing import PostingPool

# Postings pickled at once (whole terms): one chunk of each run is in memory while merging.
_POSTINGS_PER_CHUNK = 4096
_term = itemgetter(0, 1)  # (field name, term bytes) of a posting


class BulkPool(PostingPool):
    """whoosh.writing.PostingPool with runs written and merged by term."""

    def save(self) -> None:
        current = self.current
        if current:
            current.sort()
            path, handle = self._new_run()
            try:
                self._write_groups(handle, current)
            finally:
                handle.close()
            self._add_run(path)
            self.current = []
        self.currentsize = 0

    def items(self, maxfiles: int = 128) -> Iterator[tuple] | list[tuple]:
        if not self.runs:
            return sorted(self.current)
        self.save()
        while len(self.runs) > maxfiles:  # at most maxfiles runs open at once
            first, self.runs = self.runs[:maxfiles], self.runs[maxfiles:]
            path, handle = self._new_run()
            try:
                self._write_groups(handle, self._merged(first))
            finally:
                handle.close()
            self.runs.insert(0, path)  # run order is document order
        runs, self.runs = self.runs, []
        return self._merged(runs)

    @staticmethod
    def _write_groups(handle: Any, postings: Iterable[tuple]) -> None:
        """Sorted postings, as pickled lists of (term, its postings)."""
        chunk: list[tuple[Any, list]] = []
        held = 0
        for key, group in groupby(postings, _term):
            found = list(group)
            chunk.append((key, found))
            held += len(found)
            if held >= _POSTINGS_PER_CHUNK:
                pickle.dump(chunk, handle, pickle.HIGHEST_PROTOCOL)
                chunk, held = [], 0
        if chunk:
            pickle.dump(chunk, handle, pickle.HIGHEST_PROTOCOL)

    def _merged(self, runs: list[str]) -> Iterator[tuple]:
        # A run holds the documents added after the previous one's: for a term found in
        # several runs, their postings follow each other in run order.
        streams = [self._terms_of(path, number) for number, path in enumerate(runs)]
        for _key, group in groupby(heapq.merge(*streams), itemgetter(0)):
            parts = [postings for _key, _number, postings in group]
            if len(parts) == 1:
                yield from parts[0]
            elif all(a[-1] < b[0] for a, b in pairwise(parts)):
                for postings in parts:
                    yield from postings
            else:  # not in run order after all: sort them as Whoosh would
                yield from sorted(posting for postings in parts for posting in postings)

    def _terms_of(self, path: str, number: int) -> Iterator[tuple[Any, int, list]]:
        handle = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(handle)
                except EOFError:
                    return
                for key, postings in chunk:
                    yield key, number, postings
        finally:
            handle.close()
            self._remove_run(path)
