"""Finding an article by what a user types: its id, a unique prefix of it, or its path."""

from __future__ import annotations

import difflib
import os
import posixpath
from collections.abc import Mapping
from pathlib import Path

from artread.config import expand_user
from artread.core.catalog import Catalog, Entry


class LookupFailed(Exception):
    """No article, or more than one, answers to a reference; carries the closest candidates."""

    def __init__(self, message: str, candidates: list[Entry]) -> None:
        super().__init__(message)
        self.candidates = candidates


def resolve(
    catalog: Catalog,
    root: Path,
    ref: str,
    *,
    cwd: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Entry:
    """The catalog entry for an id, a unique id prefix, or a file path inside the archive
    (a relative one is in cwd, default this process's working folder; ~ is environ's HOME)."""
    by_id = catalog.by_id()
    if ref in by_id:
        return by_id[ref]
    wanted = ref.strip()
    lowered = wanted.lower()
    if lowered in by_id:
        return by_id[lowered]
    entry = _by_path(catalog, root, wanted, cwd, environ)
    if entry is not None:
        return entry
    prefixed = [e for i, e in by_id.items() if lowered and i.startswith(lowered)]
    if len(prefixed) == 1:
        return prefixed[0]
    if len(prefixed) > 1:
        prefixed.sort(key=lambda e: e.id)
        raise LookupFailed(f"{ref!r} matches {len(prefixed)} articles", prefixed[:8])
    close = difflib.get_close_matches(lowered, list(by_id), n=5, cutoff=0.5)
    inside = [e for i, e in by_id.items() if lowered and lowered in i and i not in close]
    candidates = [by_id[i] for i in close] + sorted(inside, key=lambda e: e.id)[: 5 - len(close)]
    raise LookupFailed(f"no article with id {ref!r}", candidates)


def _by_path(
    catalog: Catalog, root: Path, ref: str, cwd: str | None, environ: Mapping[str, str] | None
) -> Entry | None:
    if not ref:
        return None
    candidate = expand_user(ref, environ)
    try:
        full = candidate if candidate.is_absolute() else Path(cwd or os.getcwd()) / candidate
        full = full.resolve()
        rel = full.relative_to(root).as_posix()
    except (ValueError, OSError, RuntimeError):
        rel = posixpath.normpath(ref.replace("\\", "/"))
        if rel.startswith(("../", "/")) or rel == "..":
            return None
    return catalog.article(rel)
