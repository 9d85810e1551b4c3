"""How fast the literal scan reads an index's texts file: CPython's bytes.find against
StringZilla's SIMD find (what literal.py uses), and ripgrep over the archive's own files.

    .venv/bin/python bench/scan_speed.py --archive /tmp/a10 [--runs 5] [--words tra,梯度,zqxj]

The index must be built (`artread --archive DIR index`; ARTREAD_INDEX_DIR is honoured). For
each word: every occurrence in the whole texts file, found one after another by bytes.find and
by StringZilla (the loop a scan runs), then the process `rg -c -F -i WORD ARCHIVE` (which
reads the files as written: a smaller input than the texts file, which holds each article twice,
as written and as read). The median of --runs; the ratios are against StringZilla's time.
"""

from __future__ import annotations

import argparse
import mmap
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import stringzilla

from artread.config import cache_dir, index_dir_for
from artread.core.index import ArchiveIndex

WORDS = ["tra", "梯度", "哈希表", "zqxj"]  # a common Latin prefix, two words, nothing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--words", default=",".join(WORDS))
    options = parser.parse_args()
    root = options.archive.resolve()
    index = ArchiveIndex(root, index_dir_for(root, os.environ), cache_dir=cache_dir(os.environ))
    if not index.usable():
        print(f"no index of {root}: run `artread --archive {root} index` first", file=sys.stderr)
        return 1
    file = index.index_dir / index.catalog.texts
    with open(file, "rb") as handle:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    simd = stringzilla.Str(memoryview(data))
    rg = shutil.which("rg")
    print(f"texts file: {len(data) / 1e6:.1f} MB ({file.name}); archive: {root}\n")
    print("| word | occurrences | bytes.find | StringZilla | rg -c -F -i (a whole process) |")
    print("| --- | --- | --- | --- | --- |")
    for word in options.words.split(","):
        needle = word.encode()
        found, python = _timed(partial(_every, data.find, needle), options.runs)
        same, fast = _timed(partial(_every, simd.find, needle), options.runs)
        assert same == found, f"{word}: StringZilla found {same}, bytes.find {found}"
        grep = "rg not found"
        if rg:
            command = [rg, "-c", "-F", "-i", word, str(root)]
            _out, took = _timed(partial(subprocess.run, command, capture_output=True), options.runs)
            grep = f"{took * 1000:.0f} ms ({took / fast:.1f}x)"
        print(
            f"| {word} | {found:,} | {python * 1000:.0f} ms ({python / fast:.1f}x) "
            f"| {fast * 1000:.0f} ms | {grep} |"
        )
    return 0


def _every(find: Callable[..., int], needle: bytes) -> int:
    """How many times needle occurs, found one after another (not overlapping)."""
    count, position = 0, find(needle, 0)
    while position != -1:
        count += 1
        position = find(needle, position + len(needle))
    return count


def _timed(run: Callable[[], object], runs: int) -> tuple[object, float]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


if __name__ == "__main__":
    sys.exit(main())
