"""An index's vectors and the model, loaded once per process that searches it (the resident
server keeps them for every command), and the articles nearest in meaning to a query.

A search reads a snapshot of the vectors (meaning.snapshot, MessagePack: it cannot run code),
not the SQLite database: one read instead of a row per passage, which at 5,000 articles costs
ten times as long. The snapshot names the database's state it was taken from (the size and
time of its files); a search that finds it stale takes a new one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from artread.core.files import private_files, read_own, write_atomic
from artread.core.semantic import FILENAME, model

if TYPE_CHECKING:
    from artread.core.catalog import Catalog

SNAPSHOT = "meaning.snapshot"
# Scores are computed this many rows at a time: int8 rows become float32 only for the product,
# so memory stays a quarter of float32's.
CHUNK = 8192
# An article is a neighbour in meaning when it stands out from the rest of the archive: this
# many standard deviations above the mean cosine (the top 2% or so). How high a cosine is
# depends on the model and the archive; how far it stands out does not. Fewer articles than
# NEIGHBOURS_AMONG give no measure of the rest: no neighbours then.
NEIGHBOUR_Z = 2.0
NEIGHBOURS_AMONG = 20


@dataclass(frozen=True, slots=True)
class Near:
    """An article near the query in meaning, by its nearest passage."""

    path: str
    score: float  # cosine of the query and the article's nearest passage
    passage: int  # which passage


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many of an index's articles have vectors."""

    embedded: int  # articles with vectors
    total: int  # articles in the index


@dataclass(frozen=True, slots=True)
class Vectors:
    """Every passage vector of an index, grouped by article."""

    made_with: str
    paths: list[str]  # one per article, in the order of the rows
    starts: Any  # numpy int array: the first row of each article
    seqs: Any  # numpy int array: each row's passage number within its article
    scales: Any  # numpy float32: each row's int8 scale
    matrix: Any  # numpy int8 (rows, dim)
    stamps: dict[str, list[int]]  # path -> [size, mtime_ns] of the file embedded

    def rows(self, article: int) -> tuple[int, int]:
        end = int(self.starts[article + 1]) if article + 1 < len(self.paths) else len(self.seqs)
        return int(self.starts[article]), end

    def scores(self, vector: Any) -> Any:
        """Each row's cosine with a unit vector."""
        import numpy as np

        found = np.empty(len(self.seqs), dtype=np.float32)
        for start in range(0, len(self.seqs), CHUNK):
            block = self.matrix[start : start + CHUNK].astype(np.float32)
            found[start : start + CHUNK] = block @ vector
        return found * self.scales


class Meaning:
    """The vectors of one index, for search. Nothing is imported or read until asked for."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._vectors: Vectors | None = None
        self._state: tuple | None = None
        self._embedder: model.Embedder | None = None
        self._coverage: tuple[tuple, Coverage] | None = None

    def present(self) -> bool:
        """Vectors exist, made with the model that is installed."""
        if not os.path.exists(self.index_dir / FILENAME):
            return False
        wanted = model.made_with()  # None without the extra: then nothing imports numpy
        if wanted is None:
            return False
        found = self.vectors()
        return found is not None and found.made_with == wanted

    def vectors(self) -> Vectors | None:
        """Every vector; read again only when a build has changed them since."""
        state = self._database_state()
        if state is None:
            return None
        if self._vectors is None or state != self._state:
            data = self._read_snapshot(state) or self._take_snapshot(state)
            self._vectors, self._state = (_vectors(data) if data else None), state
        return self._vectors

    def embedder(self) -> model.Embedder:
        if self._embedder is None:
            self._embedder = model.Embedder()
        return self._embedder

    def nearest(self, text: str, allowed: set[str] | None, limit: int) -> list[Near]:
        """The articles whose passages are nearest the query's meaning, best first."""
        import numpy as np

        vectors = self.vectors()
        if vectors is None:
            return []
        scores = vectors.scores(self.embedder().query(text))
        best = np.maximum.reduceat(scores, vectors.starts)
        found: list[Near] = []
        for article in np.argsort(-best, kind="stable"):
            path = vectors.paths[article]
            if allowed is not None and path not in allowed:
                continue
            start, end = vectors.rows(int(article))
            row = start + int(np.argmax(scores[start:end]))
            found.append(Near(path, float(best[article]), int(vectors.seqs[row])))
            if len(found) >= limit:
                break
        return found

    def neighbours(self, path: str, limit: int) -> list[tuple[str, float]]:
        """The articles nearest in meaning to an indexed one, (path, cosine) best first: by
        their nearest passage to the mean of its passages, of those that stand out
        (NEIGHBOUR_Z). Empty if it has no vectors."""
        import numpy as np

        vectors = self.vectors()
        if vectors is None or path not in vectors.stamps:
            return []
        article = vectors.paths.index(path)
        start, end = vectors.rows(article)
        rows = vectors.matrix[start:end].astype(np.float32) * vectors.scales[start:end, None]
        centre = rows.mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        best = np.maximum.reduceat(vectors.scores(centre), vectors.starts)
        others = np.delete(best, article)
        if len(others) < NEIGHBOURS_AMONG:
            return []
        floor = others.mean() + NEIGHBOUR_Z * others.std()
        found = []
        for other in np.argsort(-best, kind="stable")[: limit + 1]:
            if vectors.paths[other] != path and best[other] >= floor:
                found.append((vectors.paths[other], float(best[other])))
        return found[:limit]

    def coverage(self, current: Catalog) -> Coverage:
        """How many of the catalog's articles have vectors of their current file. Kept until
        the catalog or the vectors change: every search reports it."""
        vectors = self.vectors()
        key = (current.identity, self._state)
        if self._coverage is None or self._coverage[0] != key or current.identity is None:
            skipped = current.skipped_paths()
            stats = {p: stat for p, stat in current.stats.items() if p not in skipped}
            stamps = vectors.stamps if vectors is not None else {}
            embedded = sum(1 for p, stat in stats.items() if tuple(stamps.get(p, ())) == stat)
            self._coverage = (key, Coverage(embedded, len(stats)))
        return self._coverage[1]

    def passage_texts(self, wanted: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
        """The text of each passage (path, seq) asked for that is stored: the database opened
        once for a page of results."""
        from artread.core.semantic.store import VectorStore

        store = VectorStore.open(self.index_dir) if wanted else None
        if store is None:
            return {}
        try:
            found = {place: store.passage(*place) for place in wanted}
        finally:
            store.close()
        return {place: row[1] for place, row in found.items() if row}

    def _database_state(self) -> tuple | None:
        """The size and time of the database's files: any commit changes them."""
        state = []
        for name in (FILENAME, f"{FILENAME}-wal"):
            try:
                st = os.stat(self.index_dir / name)
            except FileNotFoundError:
                if name == FILENAME:
                    return None
                st = None
            state += [st.st_size, st.st_mtime_ns] if st else [0, 0]
        return tuple(state)

    def _read_snapshot(self, state: tuple) -> dict | None:
        import msgpack

        packed = read_own(self.index_dir / SNAPSHOT)
        if packed is None:
            return None
        try:
            data = msgpack.unpackb(packed)
        except Exception:  # damaged, or from another version: taken again
            return None
        return data if isinstance(data, dict) and data.get("state") == list(state) else None

    def _take_snapshot(self, state: tuple) -> dict | None:
        import msgpack

        from artread.core.semantic.store import VectorStore

        store = VectorStore.open(self.index_dir)
        if store is None:
            return None
        try:
            data = store.export()
        finally:
            store.close()
        data["state"] = list(state)
        try:
            with private_files():
                write_atomic(self.index_dir / SNAPSHOT, msgpack.packb(data))
        except OSError:  # a read-only index: this process keeps its copy in memory
            pass
        return data


def _vectors(data: dict) -> Vectors | None:
    import numpy as np

    if not data.get("paths"):
        return None
    scales = np.frombuffer(data["scales"], dtype=np.float32)
    matrix = np.frombuffer(data["matrix"], dtype=np.int8).reshape(len(scales), -1)
    return Vectors(
        data["made_with"],
        data["paths"],
        np.frombuffer(data["starts"], dtype=np.int32),
        np.frombuffer(data["seqs"], dtype=np.int32),
        scales,
        matrix,
        data["stamps"],
    )
