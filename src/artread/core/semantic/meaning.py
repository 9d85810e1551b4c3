"""An index's vectors and the model, loaded once per process that searches it (the resident
server keeps them for every command), and the articles nearest in meaning to a query.

A search reads a snapshot of the vectors (meaning.snapshot, MessagePack: it cannot run code),
not the SQLite database: one read instead of a row per passage, which at 5,000 articles costs
ten times as long. The snapshot names the database's state it was taken from (the size and
time of its files); a search that finds it stale takes a new one.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from artread.core.files import private_files, read_own, write_atomic
from artread.core.semantic import FILENAME, model

if TYPE_CHECKING:
    from artread.core.catalog import Catalog

SNAPSHOT = "meaning.snapshot"
# Without SimSIMD, distances are computed this many rows at a time: int8 rows become float32
# only for the product, so memory stays a quarter of float32's.
CHUNK = 8192
# An article is a neighbour in meaning when it stands out from the rest of the archive: this
# many standard deviations above the mean cosine (the top 2% or so). How high a cosine is
# depends on the model and the archive; how far it stands out does not. Fewer articles than
# NEIGHBOURS_AMONG give no measure of the rest: no neighbours then.
NEIGHBOUR_Z = 2.0
NEIGHBOURS_AMONG = 20


class Near(NamedTuple):
    """An article near the query in meaning, by its nearest passage."""

    path: str
    score: float  # cosine of the query and the article's nearest passage
    passage: int  # which passage


class Coverage(NamedTuple):
    """How many of an index's articles have vectors."""

    embedded: int  # articles with vectors
    total: int  # articles in the index


class Vectors(NamedTuple):
    """Every passage vector of an index, grouped by article. Plain buffers, not numpy arrays:
    a search scores them with SimSIMD and imports no numpy (model.Embedder says why)."""

    made_with: str
    paths: list[str]  # one per article, in the order of the rows
    starts: array  # "i": the first row of each article
    seqs: array  # "i": each row's passage number within its article
    matrix: memoryview  # int8, (rows, dim): each row a unit vector times its own scale
    stamps: dict[str, list[int]]  # path -> [size, mtime_ns] of the file embedded

    def rows(self, article: int) -> tuple[int, int]:
        end = self.starts[article + 1] if article + 1 < len(self.paths) else len(self.seqs)
        return self.starts[article], end

    def distances(self, vector: Sequence[float]) -> array:
        """Each row's cosine distance (1 - cosine) from a vector ("f"). A row's scale drops out
        of a cosine: the int8 rows are compared as they are stored."""
        return cosine_distances(self.matrix, vector)

    def best(self, distances: array) -> list[float]:
        """Each article's best cosine: that of its nearest passage."""
        bounds = [*self.starts, len(distances)]
        return [1.0 - min(distances[bounds[a] : bounds[a + 1]]) for a in range(len(self.paths))]

    def nearest_row(self, article: int, distances: array) -> int:
        """The article's nearest passage (its first, of equals)."""
        start, end = self.rows(article)
        part = distances[start:end]
        return start + part.index(min(part))


def cosine_distances(matrix: memoryview, vector: Sequence[float]) -> array:
    """The cosine distance of each int8 row of matrix from vector ("f"), the vector quantised as
    the rows are (to within 1/254 of its largest component). SimSIMD: a vectorised pass over
    the int8 rows, with no float copy of them; numpy, without it, is far slower (a float copy
    of each block of rows) and slow to import."""
    largest = max(map(abs, vector)) or 1.0
    quantised = array("b", [round(x * 127 / largest) for x in vector])
    try:
        import simsimd
    except ImportError:
        return _distances_by_numpy(matrix, quantised)
    query = memoryview(quantised).cast("B").cast("b", (1, len(quantised)))
    found = simsimd.cdist(matrix, query, metric="cosine", dtype="int8", out_dtype="float32")
    distances = array("f")
    distances.frombytes(memoryview(found).cast("B"))
    return distances


def _distances_by_numpy(matrix: memoryview, vector: array) -> array:
    import numpy as np

    rows = np.frombuffer(matrix.cast("B"), dtype=np.int8).reshape(matrix.shape)
    query = np.frombuffer(vector, dtype=np.int8).astype(np.float32)
    query /= np.linalg.norm(query) or 1.0
    found = np.empty(len(rows), dtype=np.float32)
    for start in range(0, len(rows), CHUNK):
        block = rows[start : start + CHUNK].astype(np.float32)
        norms = np.linalg.norm(block, axis=1)
        norms[norms == 0] = 1.0
        found[start : start + CHUNK] = 1.0 - (block @ query) / norms
    return array("f", found.tobytes())


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
        vectors = self.vectors()
        if vectors is None:
            return []
        distances = vectors.distances(self.embedder().query(text))
        best = vectors.best(distances)
        found: list[Near] = []
        for article in _best_first(best):
            path = vectors.paths[article]
            if allowed is not None and path not in allowed:
                continue
            row = vectors.nearest_row(article, distances)
            found.append(Near(path, best[article], vectors.seqs[row]))
            if len(found) >= limit:
                break
        return found

    def neighbours(self, path: str, limit: int) -> list[tuple[str, float]]:
        """The articles nearest in meaning to an indexed one, (path, cosine) best first: by
        their nearest passage to the mean of its passages, of those that stand out
        (NEIGHBOUR_Z). Empty if it has no vectors."""
        vectors = self.vectors()
        if vectors is None or path not in vectors.stamps:
            return []
        article = vectors.paths.index(path)
        start, end = vectors.rows(article)
        best = vectors.best(vectors.distances(_centre(vectors.matrix[start:end])))
        others = best[:article] + best[article + 1 :]
        if len(others) < NEIGHBOURS_AMONG:
            return []
        mean = sum(others) / len(others)
        spread = (sum((b - mean) ** 2 for b in others) / len(others)) ** 0.5
        floor = mean + NEIGHBOUR_Z * spread
        found = []
        for other in _best_first(best)[: limit + 1]:
            if vectors.paths[other] != path and best[other] >= floor:
                found.append((vectors.paths[other], best[other]))
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


def _best_first(best: list[float]) -> list[int]:
    """The articles by their best cosine, highest first; of equals, the first first."""
    return sorted(range(len(best)), key=best.__getitem__, reverse=True)


def _centre(rows: memoryview) -> list[float]:
    """The unit mean of an article's rows, each made a unit vector first (as a cosine sees it)."""
    dim = rows.shape[1]
    total = [0.0] * dim
    for row in rows.tolist():
        norm = sum(x * x for x in row) ** 0.5 or 1.0
        total = [t + x / norm for t, x in zip(total, row, strict=True)]
    norm = sum(t * t for t in total) ** 0.5 or 1.0
    return [t / norm for t in total]


def _vectors(data: dict) -> Vectors | None:
    """The snapshot's vectors: the matrix a view over its bytes, not a copy. It holds no row
    scales (an older one may: they are left unread): a cosine does without them."""
    if not data.get("paths"):
        return None
    seqs = array("i", data["seqs"])
    matrix = memoryview(data["matrix"])
    return Vectors(
        data["made_with"],
        data["paths"],
        array("i", data["starts"]),
        seqs,
        matrix.cast("b", (len(seqs), len(matrix) // max(len(seqs), 1))),
        data["stamps"],
    )
