"""The catalog: what the index holds, file by file, with everything list views need.

It sits beside the Whoosh index and is replaced atomically after each commit, so it never
claims an article the index does not hold. `latest` and `show` read only the catalog.
"""

from __future__ import annotations

import gc
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = 3
# Pickled: at 5,000 articles it loads in 17 ms where JSON takes 65, and every command loads it.
# It is only ever read from artread's own index folder, which holds Whoosh's pickled
# table of contents too.
FILENAME = "catalog.pickle"


@dataclass
class Catalog:
    archive: str
    fingerprint: str  # format, schema and analyzer versions: a mismatch means rebuild
    entries: dict[str, dict] = field(default_factory=dict)  # relative path -> entry
    texts: str = ""  # the literal-text file that goes with this catalog
    dictionary: dict = field(default_factory=dict)  # the user dictionary: size, mtime_ns, text

    def articles(self) -> list[dict]:
        """Indexed articles (not skipped files), newest first."""
        found = [e for e in self.entries.values() if "id" in e]
        return sorted(found, key=lambda e: (-e["sort_key"], e["path"]))

    def skipped(self) -> list[tuple[str, str]]:
        return sorted((path, e["skipped"]) for path, e in self.entries.items() if "skipped" in e)

    def by_id(self) -> dict[str, dict]:
        return {e["id"]: e for e in self.entries.values() if "id" in e}


def load(index_dir: Path) -> Catalog | None:
    try:
        with open(index_dir / FILENAME, "rb") as handle:
            # Unpickling makes one dict per article: with the cyclic collector paused it
            # takes two thirds of the time (84 ms against 125 at 26,000 articles).
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                raw = pickle.load(handle)
            finally:
                if was_enabled:
                    gc.enable()
        return Catalog(
            raw["archive"],
            raw["fingerprint"],
            raw["entries"],
            raw.get("texts", ""),
            raw.get("dictionary") or {},
        )
    except Exception:  # missing, truncated or from another version: rebuilt by the caller
        return None


def save(index_dir: Path, catalog: Catalog) -> None:
    payload = {
        "archive": catalog.archive,
        "fingerprint": catalog.fingerprint,
        "entries": catalog.entries,
        "texts": catalog.texts,
        "dictionary": catalog.dictionary,
    }
    fd, tmp = tempfile.mkstemp(prefix=".catalog-", dir=index_dir)
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, index_dir / FILENAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
