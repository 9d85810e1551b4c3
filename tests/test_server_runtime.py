"""Where the resident server lives and which one a command talks to: only a folder that is the
user's alone, a server of its own for each installation and interpreter setting, a server that
leaves when its code changes or it is told to, and a status that tells the truth."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import artread, start_server, wait_for_server, wait_until

from artread.resident import client, protocol, watch

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or not watch.available(), reason="the server needs Linux inotify"
)


class Folders:
    """Short temp folders for every place a runtime folder may be (a socket path is at most
    107 bytes), so that no test touches the machine's own /tmp/artread-UID."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.top = Path(tempfile.mkdtemp(prefix="ar-"))
        self.xdg, self.temp, self.cache = (self.top / name for name in ("x", "t", "c"))
        for folder in (self.xdg, self.temp, self.cache):
            folder.mkdir(mode=0o700)
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(self.xdg))
        monkeypatch.setenv("TMPDIR", str(self.temp))
        monkeypatch.setenv("XDG_CACHE_HOME", str(self.cache))
        monkeypatch.setenv("XDG_CONFIG_HOME", str(self.top / "config"))
        monkeypatch.setenv("ARTREAD_SERVER", "on")

    @property
    def xdg_folder(self) -> Path:
        return self.xdg / "artread"

    @property
    def temp_folder(self) -> Path:
        return self.temp / f"artread-{os.getuid()}"

    @property
    def cache_folder(self) -> Path:
        return self.cache / "artread" / "run"


@pytest.fixture
def folders(monkeypatch: pytest.MonkeyPatch) -> Iterator[Folders]:
    made = Folders(monkeypatch)
    yield made
    os.environ.update(XDG_RUNTIME_DIR=str(made.xdg), TMPDIR=str(made.temp))  # a test may move
    for path in client.servers():
        client.stop(path)
    for path in client.servers():
        wait_until(lambda p=path: client.server_pid(p) is None)
    _end_servers_under(made.top)  # one a command started in the background, still starting
    shutil.rmtree(made.top, ignore_errors=True)


def _end_servers_under(top: Path) -> None:
    mine = os.fsencode(top)
    for entry in Path("/proc").iterdir():
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"artread.resident.server" in args and any(arg.startswith(mine) for arg in args):
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGTERM)
            wait_until(lambda pid=entry.name: b"Z" in _state(int(pid)))


def _latest(archive: Path, **env: str) -> subprocess.CompletedProcess:
    done = artread("--archive", str(archive), "latest", "-n", "1", **env)
    assert done.returncode == 0, done.stderr
    return done


# Runtime folder trust


def test_a_runtime_dir_others_can_write_to_is_not_used(folders: Folders, sample_archive):
    folders.xdg.chmod(0o1777)  # as XDG_RUNTIME_DIR=/tmp would be
    _latest(sample_archive)
    status = wait_for_server(client.socket_path())
    assert Path(status["socket"]).parent == folders.temp_folder
    assert not folders.xdg_folder.exists()
    said = artread("server", "status").stdout.decode()
    assert f"runtime folder {folders.temp_folder}, as:" in said
    assert "others can write to (mode 1777)" in said


def _take(folder: Path, how: str, elsewhere: Path) -> None:
    if how == "file":
        folder.write_text("")
    elif how == "link":
        elsewhere.mkdir(mode=0o700)
        folder.symlink_to(elsewhere)
    elif how == "open to others":
        folder.mkdir(mode=0o700)
        folder.chmod(0o755)
        os.mkfifo(folder / (os.path.basename(_socket_in({})) + ".lock"))  # never opened
    else:  # another owner
        folder.mkdir(mode=0o700)
        os.chown(folder, 65534, 65534)


@pytest.mark.parametrize(
    ("how", "why"),
    [
        ("file", "is not a folder"),
        ("link", "is a link"),
        ("open to others", "is open to others (mode 755)"),
        ("another owner", "belongs to uid 65534"),
    ],
)
def test_a_taken_tmp_folder_is_passed_over_for_one_of_the_users_own(
    folders: Folders, sample_archive: Path, how: str, why: str
) -> None:
    if how == "another owner" and os.getuid() != 0:
        pytest.skip("giving a folder to another user needs root")
    os.environ.pop("XDG_RUNTIME_DIR")  # monkeypatch restores it
    _take(folders.temp_folder, how, folders.top / "elsewhere")
    alone = _latest(sample_archive, ARTREAD_SERVER="off")
    assert _latest(sample_archive).stdout == alone.stdout
    status = wait_for_server(client.socket_path())
    assert Path(status["socket"]).parent == folders.cache_folder
    assert folders.cache_folder.stat().st_mode & 0o777 == 0o700
    said = artread("server", "status").stdout.decode()
    assert f"runtime folder {folders.cache_folder}, as:\n    {folders.temp_folder} {why}" in said
    assert _latest(sample_archive).stdout == alone.stdout


def test_a_fifo_at_the_lock_path_neither_hangs_nor_stops_commands(
    folders: Folders, sample_archive: Path
) -> None:
    folders.xdg_folder.mkdir(mode=0o700)
    lock = client.socket_path() + ".lock"
    os.mkfifo(lock)
    alone = _latest(sample_archive, ARTREAD_SERVER="off")
    for _ in range(2):  # the second one finds what the first left (a server could not start)
        assert _latest(sample_archive).stdout == alone.stdout
    said = artread("server", "status")
    assert said.returncode == 1
    assert f"{lock} is not a regular file: remove it" in said.stdout.decode()
    os.unlink(lock)
    _latest(sample_archive)
    assert wait_for_server(client.socket_path())["pid"]


def test_a_huge_lock_file_is_not_read_whole(folders: Folders, sample_archive: Path) -> None:
    folders.xdg_folder.mkdir(mode=0o700)
    lock_path = client.socket_path() + ".lock"
    with open(lock_path, "wb") as lock:
        lock.truncate(512 << 20)  # sparse: no disk used
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a server holds it
        measure = (
            "import resource, subprocess, sys;"
            "run = lambda *a: subprocess.run([sys.executable, '-m', 'artread', *a]).returncode;"
            "assert run('server', 'status') == 1;"  # none answers
            "assert run('--archive', sys.argv[1], 'latest', '-n', '1') == 0;"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)"
        )
        done = subprocess.run(
            [sys.executable, "-c", measure, str(sample_archive)], capture_output=True, timeout=120
        )
    peak_kib = int(done.stderr.splitlines()[-1])
    assert peak_kib < 256 << 10  # far below the 512 MB a whole read would take


# What a server is keyed on


def _socket_in(env: dict[str, str]) -> str:
    probe = "from artread.resident import client; print(client.socket_path())"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, env={**os.environ, **env}
    )
    return done.stdout.decode().strip()


def test_each_interpreter_setting_has_a_server_of_its_own(folders: Folders) -> None:
    settings = [
        {},
        {"LC_ALL": "C"},
        {"LANG": "zh_CN.GB18030"},
        {"PYTHONPATH": str(folders.top)},
        {"PYTHONIOENCODING": "gb18030"},
        {"PYTHONUTF8": "1"},
        {"PYTHONHASHSEED": "7"},
        {"PYTHONWARNINGS": "error"},
        {"PYTHONNOUSERSITE": "1"},
    ]
    sockets = [_socket_in(env) for env in settings]
    assert all(sockets)
    assert len(set(sockets)) == len(settings)
    assert _socket_in({}) == sockets[0]  # and the same setting, the same server


def test_a_server_leaves_when_a_distribution_is_installed(folders: Folders, sample_archive):
    packages = folders.top / "site-packages"  # a folder of installed distributions
    packages.mkdir()
    env = {"PYTHONPATH": str(packages)}
    _latest(sample_archive, **env)
    old = _socket_in(env)
    pid = wait_for_server(old)["pid"]
    (packages / "rich-99.0.dist-info").mkdir()  # what pip install does
    new = _socket_in(env)
    assert new != old
    _latest(sample_archive, **env)  # runs here, and starts the new server
    assert wait_for_server(new)["pid"] != pid
    assert client.control(old, protocol.STATUS) is None  # the old one answers nothing more: it left
    wait_until(lambda: not Path(f"/proc/{pid}").exists() or b"Z" in _state(pid))
    assert not Path(old).exists() and not Path(old + ".lock").exists()


def _state(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1][:3]
    except OSError:
        return b"Z"


def test_a_client_in_another_mount_namespace_is_not_served(folders: Folders) -> None:
    path = client.socket_path()
    process = start_server(path)
    probe = (
        "import sys; from artread.resident import client, protocol;"
        "print(client.control(sys.argv[1], protocol.STATUS))"
    )
    command = [sys.executable, "-c", probe, path]
    here = subprocess.run(command, capture_output=True, timeout=120)
    assert here.stdout.startswith(b"{")
    try:
        there = subprocess.run(["unshare", "-Urm", *command], capture_output=True, timeout=120)
    except FileNotFoundError:
        pytest.skip("no unshare")
    if there.returncode != 0 or b"unshare" in there.stderr:
        pytest.skip(f"no mount namespace for this user: {there.stderr.decode()}")
    assert there.stdout == b"None\n"
    stamp = "from artread.resident import client; print(client.stamp())"
    inside = subprocess.run(["unshare", "-Urm", sys.executable, "-c", stamp], capture_output=True)
    assert inside.stdout.strip().decode() != client.stamp()  # its own server, in its own view
    client.stop(path)
    process.wait(timeout=60)


# Status and stop


def test_status_and_stop_tell_the_truth_when_many_commands_are_queued(
    folders: Folders, sample_archive: Path
) -> None:
    alone = _latest(sample_archive, ARTREAD_SERVER="off")
    path = client.socket_path()
    process = start_server(path)
    os.kill(process.pid, signal.SIGSTOP)  # busy: it accepts no connection
    queued, refused = [], 0
    try:
        for _ in range(20):
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.setblocking(False)
            try:
                connection.connect(path)
            except BlockingIOError:
                refused += 1
            queued.append(connection)
        assert refused  # the queue is full
        assert _latest(sample_archive).stdout == alone.stdout  # runs here instead
        status = artread("server", "status")
        assert status.returncode == 0
        assert f"artread server: pid {process.pid}, busy".encode() in status.stdout
        stopped = artread("server", "stop")
        assert stopped.stdout == b"Stopped the artread server.\n"
    finally:
        os.kill(process.pid, signal.SIGCONT)
        for connection in queued:
            connection.close()
    process.wait(timeout=60)
    assert not Path(path).exists() and not Path(path + ".lock").exists()


def test_sigterm_removes_the_socket_and_lock(folders: Folders) -> None:
    path = client.socket_path()
    process = start_server(path)
    assert Path(path).exists() and Path(path + ".lock").exists()
    process.terminate()
    assert process.wait(timeout=60) == 0
    assert not Path(path).exists() and not Path(path + ".lock").exists()


def test_stop_all_stops_every_server_of_the_user_and_nothing_else(
    folders: Folders, sample_archive: Path
) -> None:
    first = start_server(client.socket_path())
    os.environ.pop("XDG_RUNTIME_DIR")  # another shell: another folder and another stamp
    second_path = _socket_in({"PYTHONHASHSEED": "3"})
    second = start_server(second_path, {**os.environ, "PYTHONHASHSEED": "3"})
    assert Path(second_path).parent == folders.temp_folder
    stale = folders.temp_folder / "server-0000000000000000.sock.lock"
    stale.write_text("1")  # left by a server that was killed
    decoy_path = folders.temp_folder / "server-1111111111111111.sock"
    decoy = subprocess.Popen(
        [sys.executable, "-c", DECOY, str(decoy_path)], stdout=subprocess.PIPE
    )  # holds a lock with its pid and listens, but is no artread server
    try:
        decoy.stdout.readline()
        done = artread("server", "stop", "--all", XDG_RUNTIME_DIR=str(folders.xdg))
        assert first.wait(timeout=60) == 0 and second.wait(timeout=60) == 0
        assert decoy.poll() is None  # not signalled
        assert done.returncode == 1  # and said so
        assert done.stdout == b"Stopped 2 artread servers.\n"
        assert b"1 busy artread server could not be stopped" in done.stderr
    finally:
        decoy.kill()
        decoy.wait()
    assert not stale.exists()
    assert sorted(folders.temp_folder.iterdir()) == [decoy_path, Path(f"{decoy_path}.lock")]
    assert list(folders.xdg_folder.iterdir()) == []
    done = artread("server", "stop", "--all", XDG_RUNTIME_DIR=str(folders.xdg))
    assert done.stdout == b"No artread server is running.\n"
    assert list(folders.temp_folder.iterdir()) == []  # what the killed decoy left is gone


DECOY = """
import fcntl, os, socket, sys, time
lock = open(sys.argv[1] + ".lock", "w")
fcntl.flock(lock, fcntl.LOCK_EX)
lock.write(str(os.getpid()))
lock.flush()
listener = socket.socket(socket.AF_UNIX)
listener.bind(sys.argv[1])
listener.listen(1)
print(1, flush=True)
time.sleep(600)
"""


def test_a_folder_at_the_socket_path_is_reported(folders: Folders, sample_archive) -> None:
    path = Path(client.socket_path())
    path.parent.mkdir(mode=0o700)
    path.mkdir()
    alone = _latest(sample_archive, ARTREAD_SERVER="off")
    assert _latest(sample_archive).stdout == alone.stdout
    status = artread("server", "status")
    assert status.returncode == 1
    assert f"{path} is a folder: remove it (rm -r '{path}')".encode() in status.stdout
    path.rmdir()
    path.write_text("")  # a file in the way is the user's own: the server replaces it
    _latest(sample_archive)
    assert wait_for_server(str(path))["pid"]


# Turned off for good


def test_the_config_file_turns_the_server_off(folders: Folders, sample_archive: Path) -> None:
    config = folders.top / "config" / "artread" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("server = false\n", encoding="utf-8")
    os.environ.pop("ARTREAD_SERVER")
    _latest(sample_archive)
    assert not folders.xdg_folder.exists()  # no server was started: its folder was not made
    said = artread("server", "status").stdout.decode()
    assert said == f"No artread server is running (turned off by server = false in {config}).\n"
    _latest(sample_archive, ARTREAD_SERVER="on")  # the variable still wins
    assert wait_for_server(client.socket_path())["pid"]


def test_a_broken_config_file_is_reported_and_leaves_the_server_on(
    folders: Folders, sample_archive: Path
) -> None:
    config = folders.top / "config" / "artread" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("server = maybe\n", encoding="utf-8")
    os.environ.pop("ARTREAD_SERVER")
    said = artread("server", "status").stdout.decode()
    assert said.startswith(f"No artread server is running.\n  {config}: ")
    _latest(sample_archive)
    assert wait_for_server(client.socket_path())["pid"]
