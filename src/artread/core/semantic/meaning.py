"""An index's vectors and the model, loaded once per process that searches it (the resident
server keeps them for every command), and the articles nearest in meaning to a query."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from artread.core.semantic import FILENAME, model
from artread.core.semantic.store import Vectors, VectorStore


@dataclass(frozen=True, slots=True)
class Near:
    path: str
    score: float  # cosine of the query and the article's nearest passage
    passage: int  # which passage


@dataclass(frozen=True, slots=True)
class Coverage:
    embedded: int  # articles with vectors
    total: int  # articles in the index


class Meaning:
    """The vectors of one index, for search. Nothing is imported or read until asked for."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._store: VectorStore | None = None
        self._vectors: Vectors | None = None
        self._generation = -1
        self._embedder: model.Embedder | None = None

    def present(self) -> bool:
        """Vectors exist, made with the model that is installed."""
        return os.path.exists(self.index_dir / FILENAME) and self._store_matches()

    def store(self) -> VectorStore | None:
        if self._store is None:
            self._store = VectorStore.open(self.index_dir)
        return self._store

    def vectors(self) -> Vectors | None:
        """Every vector, read again only when a build has changed them since."""
        store = self.store()
        if store is None:
            return None
        generation = store.generation()
        if generation != self._generation:
            self._vectors, self._generation = store.load(), generation
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
        scores = vectors.matrix @ self.embedder().query(text)
        best = np.maximum.reduceat(scores, vectors.starts)
        found: list[Near] = []
        for article in np.argsort(-best, kind="stable"):
            path = vectors.paths[article]
            if allowed is not None and path not in allowed:
                continue
            start = vectors.starts[article]
            row = start + int(np.argmax(scores[start : _end(vectors, article)]))
            found.append(Near(path, float(best[article]), int(vectors.seqs[row])))
            if len(found) >= limit:
                break
        return found

    def neighbours(self, path: str, limit: int) -> list[tuple[str, float]]:
        """The articles nearest in meaning to an indexed one, (path, cosine) best first: by
        their nearest passage to the mean of its passages. Empty if it has no vectors."""
        import numpy as np

        vectors = self.vectors()
        if vectors is None or path not in vectors.rows_of:
            return []
        start, end = vectors.rows_of[path]
        centre = vectors.matrix[start:end].mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        best = np.maximum.reduceat(vectors.matrix @ centre, vectors.starts)
        found = []
        for article in np.argsort(-best, kind="stable")[: limit + 1]:
            if vectors.paths[article] != path:
                found.append((vectors.paths[article], float(best[article])))
        return found[:limit]

    def coverage(self, stats: dict[str, tuple[int, int]]) -> Coverage:
        """How many of the index's articles (path -> size and mtime) have vectors of their
        current file."""
        store = self.store()
        stamps = store.stamps() if store is not None else {}
        current = sum(
            1
            for path, stat in stats.items()
            if (stamp := stamps.get(path)) and (stamp.size, stamp.mtime_ns) == stat
        )
        return Coverage(current, len(stats))

    def passage_text(self, path: str, seq: int) -> str:
        store = self.store()
        found = store.passage(path, seq) if store is not None else None
        return found[1] if found else ""

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def _store_matches(self) -> bool:
        from artread.core.semantic.build import made_with

        store = self.store()
        return store is not None and store.made_with() == made_with()


def _end(vectors: Vectors, article: int) -> int:
    following = article + 1
    return int(vectors.starts[following]) if following < len(vectors.starts) else len(vectors.seqs)
