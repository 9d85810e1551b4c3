"""Import Whoosh without two imports it never uses on artread's path.

whoosh.compat imports urllib.request for a download helper (pulling in http, email and ssl),
and whoosh.reading imports the cached_property package, which imports asyncio for its async
variant. Together they cost about 45 ms of every command. While those two Whoosh modules load,
stand-ins take their place: functools' cached_property (the same for plain methods) and a
urlretrieve that imports the real urllib.request only if it is ever called. The stand-ins are
removed straight after, so anything else that imports those modules gets the real ones.
"""

from __future__ import annotations

import functools
import sys
import types
from typing import Any


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    import urllib.request

    return urllib.request.urlretrieve(*args, **kwargs)


def _load() -> None:
    stand_ins = {
        "cached_property": {"cached_property": functools.cached_property},
        "urllib.request": {"urlretrieve": _urlretrieve},
    }
    installed = []
    for name, attributes in stand_ins.items():
        if name not in sys.modules:
            module = types.ModuleType(name)
            module.__dict__.update(attributes)
            sys.modules[name] = module
            installed.append((name, module))
    try:
        import whoosh.compat
        import whoosh.reading  # noqa: F401
    finally:
        for name, module in installed:
            if sys.modules.get(name) is module:
                del sys.modules[name]


_load()
