"""Where this user's servers live, and which one runs this installation.

The runtime folder (a folder of the user's alone that holds the sockets), the socket's name
(a stamp of the installed code and the interpreter's settings), the lock file a server holds,
and whether a server is wanted at all (ARTREAD_SERVER, the config file). Standard library only:
the `artread` client (artread.resident.client) loads it before every command.
"""

from __future__ import annotations

import os
import struct
import sys
from stat import S_ISDIR, S_ISLNK, S_ISREG

PEERCRED = struct.Struct("3i")  # pid, uid, gid of the process at the other end
SOCKET_PATH_MAX = 107  # bytes, for AF_UNIX on Linux
SOCKET_NAME_LENGTH = len("/server-0123456789abcdef.sock")
OFF, ON = {"off", "0", "no", "false"}, {"on", "1", "yes", "true"}
CONFIG_MAX = 1 << 16  # bytes of config file read at most
PID_MAX = 32  # bytes of a lock file read at most: a pid
MISSING = "is missing"


def enabled() -> bool:
    """ARTREAD_SERVER when it says on or off, else the config file's `server` setting."""
    if sys.platform != "linux":
        return False
    setting = os.environ.get("ARTREAD_SERVER", "").strip().lower()
    if setting in OFF:
        return False
    return setting in ON or configured()[0] is not False


def config_path() -> str:
    """artread's config file: $XDG_CONFIG_HOME/artread/config.toml, else ~/.config/..."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "artread", "config.toml")


def configured() -> tuple[bool | None, str | None]:
    """The config file's `server = true|false` (None when unset), and what is wrong with the
    file if it cannot be read. Only a file that exists is parsed: most users have none."""
    path = config_path()
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None, None
    try:
        data = os.read(descriptor, CONFIG_MAX + 1)
    except OSError as exc:
        return None, f"{path}: {exc.strerror}"
    finally:
        os.close(descriptor)
    import tomllib

    try:
        if len(data) > CONFIG_MAX:
            raise ValueError(f"longer than {CONFIG_MAX} bytes")
        setting = tomllib.loads(data.decode("utf-8")).get("server")
    except ValueError as exc:  # TOMLDecodeError and UnicodeDecodeError are ValueErrors
        return None, f"{path}: {exc}"
    if setting is None or isinstance(setting, bool):
        return setting, None
    return None, f"{path}: server must be true or false"


def _candidates() -> list[tuple[str, str | None]]:
    """The folders a server's socket may go in, best first, each with why it may not."""
    candidates = []
    base = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(base):
        candidates.append((os.path.join(base, "artread"), _not_owned("XDG_RUNTIME_DIR", base)))
    temp = os.environ.get("TMPDIR", "")
    temp = temp if os.path.isabs(temp) else "/tmp"
    candidates.append((os.path.join(temp, f"artread-{os.getuid()}"), None))
    cache = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(cache):
        cache = os.path.join(os.path.expanduser("~"), ".cache")
    candidates.append((os.path.join(cache, "artread", "run"), None))
    return candidates


def _not_owned(name: str, base: str) -> str | None:
    """Why a folder such as $XDG_RUNTIME_DIR cannot hold one of this user's alone, or None."""
    try:
        st = os.stat(base)
    except OSError as exc:
        return f"is in {name}={base}: {exc.strerror}"
    if not S_ISDIR(st.st_mode):
        return f"is in {name}={base}, which is not a folder"
    if st.st_uid != os.getuid():
        return f"is in {name}={base}, which belongs to uid {st.st_uid}"
    if st.st_mode & 0o022:
        return f"is in {name}={base}, which others can write to (mode {st.st_mode & 0o7777:o})"
    return None


def _not_private(directory: str) -> str | None:
    """Why directory is not a folder of this user's alone ("missing" if absent), or None."""
    try:
        st = os.lstat(directory)
    except FileNotFoundError:
        return MISSING
    except OSError as exc:
        return exc.strerror
    if S_ISLNK(st.st_mode):
        return "is a link"
    if not S_ISDIR(st.st_mode):
        return "is not a folder"
    if st.st_uid != os.getuid():
        return f"belongs to uid {st.st_uid}"
    if st.st_mode & 0o077:
        return f"is open to others (mode {st.st_mode & 0o7777:o})"
    return None


def runtime_dir(create: bool = False) -> tuple[str | None, list[str]]:
    """The folder for this user's server sockets, and why each better one was passed over.

    Only a folder that is the user's alone will do (the command line and environment go
    through it): one that is taken (another owner, a link, open to others) is never used."""
    skipped: list[str] = []
    candidates = _candidates()
    for number, (directory, problem) in enumerate(candidates):
        if problem is None and len(os.fsencode(directory)) + SOCKET_NAME_LENGTH > SOCKET_PATH_MAX:
            problem = "is too long a path for a socket"
        elif problem is None:
            problem = _not_private(directory)
        if problem == MISSING:
            last = number == len(candidates) - 1
            if not create and (last or os.access(os.path.dirname(directory), os.W_OK | os.X_OK)):
                return directory, skipped  # it will be made when a server starts
            problem = _make_private(directory, last) if create else "cannot be made"
        if problem is None:
            return directory, skipped
        skipped.append(f"{directory} {problem}")
    return None, skipped


def _make_private(directory: str, parents: bool) -> str | None:
    """Make directory, and its parents only in the user's own cache folder."""
    try:
        if parents:
            os.makedirs(directory, mode=0o700)
        else:
            os.mkdir(directory, mode=0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        return f"cannot be made: {exc.strerror}"
    return _not_private(directory)


def runtime_dirs() -> list[str]:
    """Every folder a server of this user's may have its socket in, in this environment."""
    return [directory for directory, _ in _candidates()]


def installation() -> list[str]:
    """The code a server runs: artread's own modules and the folders of the installed
    distributions (pip adding or removing one changes its folder)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # artread/
    parts = [package, sys.prefix]  # the installation and the environment it is in
    _modules(package, parts)
    for folder in sys.path:
        if folder.endswith(("site-packages", "dist-packages")):
            try:
                st = os.stat(folder)
                parts.append(f"{folder}:{st.st_ino}:{st.st_mtime_ns}")
            except OSError:
                parts.append(f"{folder}:missing")
    return parts


def _modules(folder: str, parts: list[str]) -> None:
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.endswith(".py"):
                st = entry.stat()
                parts.append(f"{entry.path}:{st.st_size}:{st.st_mtime_ns}")
            elif (
                entry.name != "__pycache__"
                and entry.is_dir(follow_symlinks=False)
                and entry.name.isidentifier()
                and os.path.exists(os.path.join(entry.path, "__init__.py"))
            ):
                _modules(entry.path, parts)  # a subpackage


# Interpreter settings that each command brings with it (its output buffering) or that change
# nothing a command sees (whether bytecode is cached): no reason for a server of their own.
PER_COMMAND = {"PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"}


def context() -> list[str]:
    """What else changes how the same code behaves: the interpreter, its settings from the
    environment, the locale, the user site folder, and the files this process can see."""
    site = sys.modules.get("site")
    try:
        mounts = os.readlink("/proc/self/ns/mnt")
    except OSError:
        mounts = "?"
    parts = [
        sys.version,
        sys.base_prefix,
        os.path.dirname(sys.executable),  # not its name: python and python3 run alike
        sys.getfilesystemencoding(),
        sys.getfilesystemencodeerrors(),
        str(getattr(site, "ENABLE_USER_SITE", None) and getattr(site, "USER_SITE", None)),
        mounts,
    ]
    for name in sorted(os.environ):  # only the keys are decoded, not every value
        if name in PER_COMMAND:
            continue
        if name.startswith(("PYTHON", "LC_")) or name in ("LANG", "LANGUAGE"):
            parts.append(f"{name}={os.environ[name]}")
    return parts


def stamp() -> str:
    """This installation of artread as its code is now, and the interpreter settings it runs
    with: a server runs the code and settings it started with, so a change of either starts a
    server of its own."""
    import zlib

    data = "\n".join([*installation(), "", *context()]).encode("utf-8", "surrogateescape")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def socket_path() -> str | None:
    """The socket of this installation's server; None where no folder will do."""
    directory, _ = runtime_dir()
    return None if directory is None else os.path.join(directory, f"server-{stamp()}.sock")


def private(directory: str) -> bool:
    """The folder (not a link to one) belongs to this user and nobody else can enter it: a
    socket in it can only be this user's server (the command line and environment go to it)."""
    return _not_private(directory) is None


def open_own(path: str, flags: int) -> int | None:
    """A descriptor of path if it is a regular file of this user's, else None: opened without
    following a link or waiting on a FIFO, whoever put it there."""
    try:
        descriptor = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o600)
    except OSError:
        return None
    st = os.fstat(descriptor)
    if S_ISREG(st.st_mode) and st.st_uid == os.getuid():
        return descriptor
    os.close(descriptor)
    return None


def server_pid(path: str) -> int | None:
    """The pid of the server that holds path's lock, if one does. Only a regular file of this
    user's, in a folder of the user's alone, is opened, and only a pid's length of it read."""
    import fcntl

    if not private(os.path.dirname(path)):
        return None
    descriptor = open_own(path + ".lock", os.O_RDONLY)
    if descriptor is None:
        return None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return int(os.read(descriptor, PID_MAX).strip() or 0) or None
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return None
    except (OSError, ValueError):
        return None
    finally:
        os.close(descriptor)
