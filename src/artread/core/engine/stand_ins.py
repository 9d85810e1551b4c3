"""Import Whoosh without the imports it never uses on artread's path.

whoosh.compat imports urllib.request for a download helper (pulling in http, email and ssl),
and queue and html for its multiprocessing writer and highlighting, whoosh.reading imports
the cached_property package, which imports asyncio for its async variant, whoosh.query
imports whoosh.lang.morph_en, which compiles hundreds of regular expressions for a query type
artread never makes (Variations), whoosh.analysis imports the Porter stemmer and Double
Metaphone for filters artread does not use, whoosh.fields imports whoosh.util.times (with
calendar and locale) for date fields, and tempfile, shutil and random serve only to make new
indexes and functions artread does not call. While those Whoosh modules load, core.deferred
stands in for them. Three are replaced instead: cached_property by functools' (the same for
plain methods), hashlib's md5 by CPython's own (hashlib loads OpenSSL; the digests are the
same), and threading, for the Lock it takes, by _thread (whose locks threading.Lock makes).
"""

from __future__ import annotations

import _thread
import functools
from typing import Any

from artread.core.deferred import standing_in

DEFERRED = {
    "urllib.request": ("urlretrieve",),
    "whoosh.lang.morph_en": ("variations",),
    "whoosh.lang.porter": ("stem",),
    "whoosh.lang.dmetaphone": ("double_metaphone",),
    "whoosh.util.times": ("datetime_to_long", "long_to_datetime"),
    "shutil": ("copyfileobj",),
    "html": ("escape",),
    "tempfile": (),
    "random": (),
    "queue": (),
}


def _replacements() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {
        "cached_property": {"cached_property": functools.cached_property},
        "threading": {"Lock": _thread.allocate_lock},  # the locks threading.Lock makes
    }
    try:
        from _md5 import md5
    except ImportError:  # pragma: no cover - a CPython built without its own md5
        return found
    return {**found, "hashlib": {"md5": md5}}


with standing_in(DEFERRED, _replacements()):
    import whoosh.analysis
    import whoosh.compat
    import whoosh.fields
    import whoosh.filedb.compound
    import whoosh.filedb.filetables
    import whoosh.query
    import whoosh.reading
    import whoosh.searching  # noqa: F401
