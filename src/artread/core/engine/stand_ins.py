"""Import Whoosh without the imports it never uses on artread's path.

whoosh.compat imports urllib.request for a download helper (pulling in http, email and ssl),
whoosh.reading imports the cached_property package, which imports asyncio for its async
variant, whoosh.query imports whoosh.lang.morph_en, which compiles hundreds of regular
expressions for a query type artread never makes (Variations), and whoosh.analysis imports
the Porter stemmer and Double Metaphone for filters artread does not use, and
whoosh.filedb.filetables takes md5 from hashlib, which loads OpenSSL (CPython's own md5 gives
the same digests). While those Whoosh modules load, stand-ins take their place: functools'
cached_property (the same for plain methods), functions that import the real modules only if
they are ever called (shutil's copyfileobj too), and modules that import the real ones when
first used, for tempfile and random (Whoosh uses them to make new indexes, and in functions
artread does not call). The stand-ins are removed straight after, so anything else that
imports those modules gets the real ones.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from typing import Any


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    import urllib.request

    return urllib.request.urlretrieve(*args, **kwargs)


def _variations(*args: Any, **kwargs: Any) -> Any:
    from whoosh.lang.morph_en import variations

    return variations(*args, **kwargs)


def _stem(*args: Any, **kwargs: Any) -> Any:
    from whoosh.lang.porter import stem

    return stem(*args, **kwargs)


def _double_metaphone(*args: Any, **kwargs: Any) -> Any:
    from whoosh.lang.dmetaphone import double_metaphone

    return double_metaphone(*args, **kwargs)


def _copyfileobj(*args: Any, **kwargs: Any) -> Any:
    from shutil import copyfileobj

    return copyfileobj(*args, **kwargs)


def _own_md5() -> dict[str, Any]:
    try:
        from _md5 import md5
    except ImportError:  # pragma: no cover - a CPython built without its own md5
        return {}
    return {"hashlib": {"md5": md5}}


class _Deferred(types.ModuleType):
    """A module imported the first time anything of it is asked for."""

    def __getattr__(self, name: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def _load() -> None:
    deferred = {name: _Deferred(name) for name in ("tempfile", "random")}
    stand_ins = {
        **_own_md5(),
        "cached_property": {"cached_property": functools.cached_property},
        "urllib.request": {"urlretrieve": _urlretrieve},
        "whoosh.lang.morph_en": {"variations": _variations},
        "whoosh.lang.porter": {"stem": _stem},
        "whoosh.lang.dmetaphone": {"double_metaphone": _double_metaphone},
        "shutil": {"copyfileobj": _copyfileobj},
    }
    installed = []
    for name, attributes in stand_ins.items():
        if name not in sys.modules:
            module = types.ModuleType(name)
            module.__dict__.update(attributes)
            sys.modules[name] = module
            installed.append((name, module))
    for name, module in deferred.items():
        if name not in sys.modules:
            sys.modules[name] = module
            installed.append((name, module))
    try:
        import whoosh.analysis
        import whoosh.compat
        import whoosh.filedb.compound
        import whoosh.filedb.filetables
        import whoosh.query
        import whoosh.reading
        import whoosh.searching  # noqa: F401
    finally:
        for name, module in installed:
            if sys.modules.get(name) is module:
                del sys.modules[name]


_load()
