"""jieba's dictionary in a SQLite file, to segment queries without loading it.

jieba is slow to load its dictionary into memory, which would be
most of the time a search takes. A query needs the frequencies of its own substrings only, so
artread keeps the dictionary (words and their prefixes, as jieba holds them) in a SQLite file in
its cache dir and runs jieba's own algorithm on the query, looking words up as it goes: the
DAG of dictionary words, the most probable route through it, HMM off. A test checks that the
terms equal jieba's on real text. An archive's user dictionary is applied on top exactly as
jieba's load_userdict would.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from importlib.util import find_spec
from pathlib import Path

from artread.core.files import replacing

FORMAT = "1"
# jieba's own patterns: what it segments with the dictionary, and how it splits the rest.
_HAN = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+)")
_SKIP = re.compile(r"(\r\n|\s)")
_ENGLISH = re.compile(r"[a-zA-Z0-9]")
_USER_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")


def jieba_dictionary() -> Path | None:
    """jieba's dictionary file, found without importing jieba (slow to import)."""
    spec = find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "dict.txt"
    return path if path.is_file() else None


def lexicon_path(cache: Path) -> Path | None:
    """Where the lexicon for the installed jieba dictionary lives (named by its size+mtime)."""
    source = jieba_dictionary()
    if source is None:
        return None
    stat = source.stat()
    return cache / f"lexicon-{FORMAT}-{stat.st_size}-{stat.st_mtime_ns}.sqlite"


def build(path: Path, frequencies: dict[str, int], total: int) -> None:
    """Write jieba's in-memory dictionary (tokenizer.FREQ and .total) to a SQLite file."""
    from artread.config import private_dir

    private_dir(path.parent)
    with replacing(path) as partial, closing(sqlite3.connect(partial)) as db, db:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("CREATE TABLE words (word TEXT PRIMARY KEY, freq INTEGER) WITHOUT ROWID")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER)")
        db.executemany("INSERT INTO words VALUES (?, ?)", frequencies.items())
        db.execute("INSERT INTO meta VALUES ('total', ?)", (total,))


class Lexicon:
    """Segments text as jieba.Tokenizer.cut(text, HMM=False) would, from the SQLite file."""

    def __init__(self, path: Path, user_dictionary: str = "") -> None:
        # Read only, and shared by the threads of one process, which take turns (the full-screen
        # reader searches from worker threads, one at a time).
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        (self.total,) = self._db.execute("SELECT value FROM meta WHERE key = 'total'").fetchone()
        self._overlay: dict[str, int] = {}  # what the user dictionary added or changed
        self._cache: dict[str, int | None] = {}
        for line in user_dictionary.splitlines():
            self._add_user_line(line)

    def close(self) -> None:
        self._db.close()

    def freq(self, word: str) -> int | None:
        """jieba's FREQ.get(word): None when it is neither a word nor a word's prefix."""
        if word in self._overlay:
            return self._overlay[word]
        if word not in self._cache:
            row = self._db.execute("SELECT freq FROM words WHERE word = ?", (word,)).fetchone()
            self._cache[word] = row[0] if row else None
        return self._cache[word]

    def cut(self, sentence: str) -> Iterator[str]:
        """jieba's cut(sentence, HMM=False)."""
        for block in _HAN.split(sentence):
            if not block:
                continue
            if _HAN.match(block):
                yield from self._cut_block(block)
                continue
            for piece in _SKIP.split(block):
                if _SKIP.match(piece):
                    yield piece
                else:
                    yield from piece

    def tokenize_for_search(self, sentence: str) -> Iterator[tuple[str, int, int]]:
        """jieba's tokenize(sentence, mode="search", HMM=False): each word, and before it the
        dictionary words of two and three characters inside it."""
        from artread.core.wordcut import inner_words

        start = 0
        for word in self.cut(sentence):
            if len(word) > 2:
                yield from inner_words(word, start, self.freq)
            yield word, start, start + len(word)
            start += len(word)

    def _cut_block(self, sentence: str) -> Iterator[str]:
        route = self._route(sentence)
        position, buffer = 0, ""
        while position < len(sentence):
            end = route[position][1] + 1
            word = sentence[position:end]
            if _ENGLISH.match(word) and len(word) == 1:
                buffer += word
            else:
                if buffer:
                    yield buffer
                    buffer = ""
                yield word
            position = end
        if buffer:
            yield buffer

    def _route(self, sentence: str) -> dict[int, tuple[float, int]]:
        """jieba's get_DAG and calc: the most probable way through the dictionary words."""
        size = len(sentence)
        dag: dict[int, list[int]] = {}
        for start in range(size):
            ends = []
            end = start
            fragment = sentence[start]
            while end < size:
                found = self.freq(fragment)
                if found is None:
                    break
                if found:
                    ends.append(end)
                end += 1
                fragment = sentence[start : end + 1]
            dag[start] = ends or [start]
        route: dict[int, tuple[float, int]] = {size: (0.0, 0)}
        log_total = math.log(self.total)
        for index in range(size - 1, -1, -1):
            route[index] = max(
                (math.log(self.freq(sentence[index : x + 1]) or 1) - log_total + route[x + 1][0], x)
                for x in dag[index]
            )
        return route

    def _add_user_line(self, line: str) -> None:
        """jieba's load_userdict for one line: add_word(word, freq) with its suggested freq."""
        line = line.strip().lstrip("\ufeff")
        if not line:
            return
        match = _USER_LINE.match(line)
        if match is None:
            return
        word, freq = match.group(1), match.group(2)
        if freq is not None:
            count = int(freq.strip())
        else:  # jieba's suggest_freq(word, tune=False)
            product = 1.0
            for piece in self.cut(word):
                product *= _get(self.freq(piece), 1) / self.total
            count = max(int(product * self.total) + 1, _get(self.freq(word), 1))
        self._overlay[word] = count
        self.total += count
        for length in range(1, len(word) + 1):
            prefix = word[:length]
            if self.freq(prefix) is None:
                self._overlay[prefix] = 0


def _get(found: int | None, default: int) -> int:
    """dict.get semantics: a 0 stays 0, only a missing word takes the default."""
    return default if found is None else found
