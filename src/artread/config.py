"""Where the archive, the index and artread's caches live."""

from __future__ import annotations

import contextlib
import os
import re
import stat as stat_mod
import sys
from collections.abc import Mapping
from pathlib import Path

from artread.core.digest import sha1_hex

ARCHIVE_ENV = "ARTREAD_ARCHIVE"
INDEX_DIR_ENV = "ARTREAD_INDEX_DIR"
CACHE_DIR_ENV = "ARTREAD_CACHE_DIR"
DATA_DIR_ENV = "ARTREAD_DATA_DIR"  # what the reader has read and seen (core.readstate)
JOBS_ENV = "ARTREAD_JOBS"  # worker processes for a big update; 1 reads in one process


def bundled_archive() -> Path:
    """The sample archive shipped with artread (in the wheel, or in a source checkout)."""
    here = Path(__file__).resolve().parent
    installed = here / "sample_archive"
    if installed.is_dir():
        return installed
    return here.parent.parent / "data" / "articles"


def process_environ(environ: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """The environment a caller gave, else this process's: the one place artread falls back
    on os.environ. Commands always give theirs (Env.environ); library callers need not."""
    return os.environ if environ is None else environ


def expand_user(path: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> Path:
    """path with a leading ~ taken as the home folder in environ ($HOME), as a shell would."""
    text = os.fspath(path)
    home = process_environ(environ).get("HOME", "")
    if os.path.isabs(home) and (text == "~" or text.startswith("~/")):
        return Path(home + text[1:])
    return Path(text).expanduser()  # ~user, or no usable HOME: the password database


def resolve_archive(
    option: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> Path:
    """The archive root: the --archive option, else $ARTREAD_ARCHIVE, else the sample archive;
    a relative path is taken in cwd (default: this process's working folder)."""
    raw = option or process_environ(environ).get(ARCHIVE_ENV) or bundled_archive()
    path = expand_user(raw, environ)
    if cwd and not path.is_absolute():
        path = Path(cwd) / path
    return path.resolve()


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """artread's own cache dir: $ARTREAD_CACHE_DIR, else the user cache dir."""
    xdg = ("XDG_CACHE_HOME", "~/.cache")
    return _user_dir(process_environ(environ), CACHE_DIR_ENV, xdg, "cache")


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """artread's user data dir, for what outlives a cache (what the reader has read):
    $ARTREAD_DATA_DIR, else the user data dir."""
    xdg = ("XDG_DATA_HOME", "~/.local/share")
    return _user_dir(process_environ(environ), DATA_DIR_ENV, xdg, "data")


def _user_dir(environ: Mapping[str, str], setting: str, xdg: tuple[str, str], kind: str) -> Path:
    """artread's folder of a kind ("cache", "data"): the setting's, else in the user's base
    dir of that kind (xdg: its variable and default on Linux)."""
    configured = environ.get(setting)
    if configured:
        return expand_user(configured, environ)
    if sys.platform.startswith("linux"):
        # platformdirs' rule (the XDG base directories), from the given environment: a
        # resident server answers commands from shells other than the one that started it.
        variable, default = xdg
        base = environ.get(variable, "")
        return Path(base if os.path.isabs(base) else expand_user(default, environ)) / "artread"
    import platformdirs

    platform = {"cache": platformdirs.user_cache_path, "data": platformdirs.user_data_path}
    return platform[kind]("artread", appauthor=False)


def cache_subdir(name: str, base: Path | None = None) -> Path:
    """A folder of artread's cache dir (default: cache_dir()), made private to the user and
    checked: UnsafeStorage if another user could write to it."""
    base = Path(base) if base is not None else cache_dir()
    return private_dir(base / name, top=base.parent)


def index_dir_for(archive: Path, environ: Mapping[str, str] | None = None) -> Path:
    """One index per archive, under $ARTREAD_INDEX_DIR or the cache dir."""
    configured = process_environ(environ).get(INDEX_DIR_ENV)
    base = expand_user(configured, environ) if configured else cache_dir(environ) / "indexes"
    return base / archive_key(archive)


def archive_key(archive: Path) -> str:
    """A file name for what artread keeps of one archive: its folder's name, readable, and
    a digest of its whole path, unique."""
    digest = sha1_hex(str(archive).encode("utf-8", "surrogatepass"))[:12]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", archive.name).strip("-.") or "archive"
    return f"{name[:40]}-{digest}"


def requested_jobs(environ: Mapping[str, str] | None = None) -> int | None:
    """Worker processes asked for by $ARTREAD_JOBS; None: artread chooses."""
    value = process_environ(environ).get(JOBS_ENV, "").strip()
    return max(1, int(value)) if value.isdigit() else None


class UnsafeStorage(Exception):
    """A folder or file artread would read from could have been written by another user."""


def private_dir(path: Path, top: Path | None = None) -> Path:
    """Create path as a folder only this user can use (0700, whatever the umask), with any
    missing folders above it, and check it as trusted_dir() does."""
    missing = []
    folder = Path(path)
    while not os.path.lexists(folder) and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue  # another process made it first: checked below like any folder
        os.chmod(folder, 0o700)  # a umask that takes the owner's bits too
    trusted_dir(path, top)
    return path


def trusted_dir(path: Path, top: Path | None = None) -> bool:
    """False if path does not exist. True if it is a folder of this user's that no other user
    can write to, nor the folders from top (default: its parent) down to it; a folder of
    this user's that others can read is made private. Otherwise UnsafeStorage."""
    path = Path(path)
    top = Path(top) if top is not None else path.parent
    chain = [path, *(p for p in path.parents if p == top or top in p.parents)]
    for folder in chain:
        try:
            st = os.stat(folder)
        except FileNotFoundError:
            if folder == path:
                return False
            raise
        _check(folder, st, own=folder != top)
        if folder != top and st.st_mode & 0o077:
            with contextlib.suppress(OSError):  # a read-only file system: no one writes there
                os.chmod(folder, 0o700)  # others may read it: the index holds the text
    return True


def check_file(path: Path | str, st: os.stat_result) -> None:
    """A file artread reads must be a regular file of this user's that no one else can write;
    otherwise UnsafeStorage."""
    _check(Path(path), st, own=True)


def _check(path: Path, st: os.stat_result, *, own: bool) -> None:
    # A shared folder above (a sticky /tmp) may be root's and writable by all: no one can
    # replace another user's entries in it.
    shared_ok = not own and st.st_mode & stat_mod.S_ISVTX
    owners = (os.getuid(),) if own else (os.getuid(), 0)
    if not (stat_mod.S_ISDIR(st.st_mode) or stat_mod.S_ISREG(st.st_mode)):
        problem = "is neither a folder nor a regular file"
    elif st.st_uid not in owners:
        problem = f"belongs to another user (uid {st.st_uid})"
    elif st.st_mode & 0o022 and not shared_ok:
        problem = f"can be changed by other users (mode {stat_mod.S_IMODE(st.st_mode):04o})"
    else:
        return
    raise UnsafeStorage(
        f"{path} {problem}: artread will not use it. Remove it (artread rebuilds what it "
        f"needs) or set {INDEX_DIR_ENV} and {CACHE_DIR_ENV} to folders of your own"
    )
