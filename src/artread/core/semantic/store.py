"""Passage vectors beside the index, in one SQLite file.

SQLite because the vectors are made in the background, a few at a time, while searches read
them: each article's passages are committed as one transaction, so a build killed at any point
keeps every article finished before it and the next build goes on from there; readers see the
last commit (WAL). Reading it runs no code, as a pickle would. Vectors are int8 with one scale
a row: a quarter of float32's size, and cosine order is kept to within a rounding.
Searches read a snapshot of it (meaning.py), not the database.
"""

from __future__ import annotations

import os
import sqlite3
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from artread.config import check_file
from artread.core.semantic import FILENAME

SCHEMA = 1

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, digest TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    path TEXT NOT NULL, seq INTEGER NOT NULL, heading TEXT NOT NULL, text TEXT NOT NULL,
    scale REAL NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (path, seq)
);
CREATE INDEX IF NOT EXISTS articles_by_digest ON articles (digest);
"""


@dataclass(frozen=True, slots=True)
class Stamp:
    """What an article's vectors were made from: its file then, and its passages' digest."""

    size: int
    mtime_ns: int
    digest: str


class VectorStore:
    """The vectors of one index. made_with is the model identity they were made with."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, index_dir: Path, *, create: bool = False) -> VectorStore | None:
        """The index's vector store; None if it has none (and create is not set)."""
        path = Path(index_dir) / FILENAME
        try:
            check_file(path, os.stat(path))
        except FileNotFoundError:
            if not create:
                return None
        if create:  # the user's alone whatever the umask: SQLite gives its journal the same mode
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600))
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        if create:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_TABLES)
        elif not _has_tables(connection):  # a build has made the file, not yet its tables
            connection.close()
            return None
        return cls(connection, path)

    def close(self) -> None:
        self._db.close()

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def made_with(self) -> str | None:
        """The model and passage rule the vectors were made with ("model|rule")."""
        return self.meta("made_with")

    def generation(self) -> int:
        """Grows with every change: a reader's copy of the vectors is stale when it differs."""
        return int(self.meta("generation") or 0)

    def reset(self, made_with: str) -> None:
        """Forget every vector: they were made with another model or passage rule."""
        with self._transaction():
            self._db.execute("DELETE FROM passages")
            self._db.execute("DELETE FROM articles")
            self._set("made_with", made_with)
            self._set("schema", str(SCHEMA))

    def stamps(self) -> dict[str, Stamp]:
        rows = self._db.execute("SELECT path, size, mtime_ns, digest FROM articles")
        return {path: Stamp(size, mtime, digest) for path, size, mtime, digest in rows}

    def put(
        self, path: str, stamp: Stamp, passages: Sequence[tuple[str, str]], vectors: Any
    ) -> None:
        """Replace an article's passages, (heading, text) each, and their float vectors."""
        import numpy as np

        if not passages:
            vectors = np.zeros((0, 1), dtype=np.float32)
        scales = np.abs(vectors).max(axis=1, initial=0.0) / 127.0
        scales[scales == 0] = 1.0
        quantized = np.round(vectors / scales[:, None]).astype(np.int8)
        rows = [
            (path, seq, heading, text, float(scales[seq]), quantized[seq].tobytes())
            for seq, (heading, text) in enumerate(passages)
        ]
        with self._transaction():
            self._db.execute("DELETE FROM passages WHERE path = ?", (path,))
            self._db.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?)", rows)
            self._put_stamp(path, stamp)

    def same_passages(self, digest: str) -> str | None:
        """An article whose passages have this digest, if one has vectors."""
        row = self._db.execute("SELECT path FROM articles WHERE digest = ? LIMIT 1", (digest,))
        found = row.fetchone()
        return found[0] if found else None

    def copy(self, source: str, path: str, stamp: Stamp) -> None:
        """Give an article the vectors of another with the same passages (a copy, a mirror)."""
        with self._transaction():
            self._db.execute("DELETE FROM passages WHERE path = ?", (path,))
            self._db.execute(
                "INSERT INTO passages SELECT ?, seq, heading, text, scale, vector "
                "FROM passages WHERE path = ?",
                (path, source),
            )
            self._put_stamp(path, stamp)

    def restamp(self, path: str, stamp: Stamp) -> None:
        """The file changed but not its passages: keep the vectors."""
        with self._transaction():
            self._put_stamp(path, stamp)

    def remove(self, paths: Iterable[str]) -> None:
        gone = [(p,) for p in paths]
        if gone:
            with self._transaction():
                self._db.executemany("DELETE FROM passages WHERE path = ?", gone)
                self._db.executemany("DELETE FROM articles WHERE path = ?", gone)

    def passage(self, path: str, seq: int) -> tuple[str, str] | None:
        """A stored passage's heading and text."""
        query = "SELECT heading, text FROM passages WHERE path = ? AND seq = ?"
        return self._db.execute(query, (path, seq)).fetchone()

    def export(self) -> dict[str, Any]:
        """Everything a search needs, as plain data (MessagePack-able): the model, the
        articles' stamps, and every passage's vector, grouped by article."""
        rows = self._db.execute(
            "SELECT path, seq, vector FROM passages ORDER BY path, seq"
        ).fetchall()
        paths: list[str] = []
        starts: list[int] = []
        for number, (path, *_rest) in enumerate(rows):
            if not paths or paths[-1] != path:
                paths.append(path)
                starts.append(number)
        stamps = {
            p: [size, mtime]
            for p, size, mtime, _digest in self._db.execute(
                "SELECT path, size, mtime_ns, digest FROM articles"
            )
        }
        return {
            "made_with": self.made_with() or "",
            "paths": paths,
            "starts": array("i", starts).tobytes(),
            "seqs": array("i", (row[1] for row in rows)).tobytes(),
            "matrix": b"".join(row[2] for row in rows),
            "stamps": stamps,
        }

    def _set(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def _put_stamp(self, path: str, stamp: Stamp) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?)",
            (path, stamp.size, stamp.mtime_ns, stamp.digest),
        )

    def _transaction(self) -> _Transaction:
        return _Transaction(self)


def _has_tables(connection: sqlite3.Connection) -> bool:
    query = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (?, ?, ?)"
    return connection.execute(query, ("meta", "articles", "passages")).fetchone()[0] == 3


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, with the generation bumped; ROLLBACK on any error."""

    def __init__(self, store: VectorStore) -> None:
        self._store = store

    def __enter__(self) -> None:
        self._store._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: Any, *_rest: Any) -> None:
        db = self._store._db
        if kind is not None:
            db.execute("ROLLBACK")
            return
        db.execute(
            "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )
        db.execute("COMMIT")
