"""Where the archive, the index and artread's caches live."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

ARCHIVE_ENV = "ARTREAD_ARCHIVE"
INDEX_DIR_ENV = "ARTREAD_INDEX_DIR"
CACHE_DIR_ENV = "ARTREAD_CACHE_DIR"


def bundled_archive() -> Path:
    """The sample archive shipped with artread (in the wheel, or in a source checkout)."""
    here = Path(__file__).resolve().parent
    installed = here / "sample_archive"
    if installed.is_dir():
        return installed
    return here.parent.parent / "data" / "articles"


def resolve_archive(option: str | os.PathLike[str] | None = None) -> Path:
    """The archive root: the --archive option, else $ARTREAD_ARCHIVE, else the sample archive."""
    raw = option or os.environ.get(ARCHIVE_ENV) or bundled_archive()
    return Path(raw).expanduser().resolve()


def cache_dir() -> Path:
    """artread's own cache dir: $ARTREAD_CACHE_DIR, else the platform's user cache dir."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path("artread", appauthor=False)


def index_dir_for(archive: Path) -> Path:
    """One index per archive, under $ARTREAD_INDEX_DIR or the cache dir."""
    base_env = os.environ.get(INDEX_DIR_ENV)
    base = Path(base_env).expanduser() if base_env else cache_dir() / "indexes"
    digest = hashlib.sha1(str(archive).encode("utf-8", "surrogatepass")).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", archive.name).strip("-.") or "archive"
    return base / f"{name[:40]}-{digest}"
