"""A command run through the resident server behaves as one run in its own process, whatever
differs between the shell that started the server and this one: locale, umask, a full disk,
an empty COLUMNS, Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import helpers
import pytest
from helpers import (
    SCRIPT,
    artread,
    open_terminal,
    read_until_closed,
    run_in_terminal,
    wait_for_server,
)

from artread.resident import client, protocol, watch

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or not watch.available(), reason="the server needs Linux inotify"
)

GB18030 = "zh_CN.GB18030"


def _locale_exists(name: str) -> bool:
    found = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
    return name.lower().replace("-", "") in {n.lower().replace("-", "") for n in found}


needs_gb18030 = pytest.mark.skipif(
    not _locale_exists(GB18030),
    reason=f"no {GB18030} locale (make one: localedef -i zh_CN -f GB18030 {GB18030})",
)


@pytest.fixture
def start_server(runtime: Path) -> Iterator:
    started: list[subprocess.Popen] = []

    def start(umask: int = 0o022, **env: str) -> str:
        path = client.socket_path()
        assert path is not None
        started.append(helpers.start_server(path, {**os.environ, **env}, umask, cwd="/"))
        return path

    yield start
    for process in started:
        client.control(client.socket_path(), protocol.STOP)
        process.wait(timeout=60)


def run(*args: str | bytes, server: bool = True, **options) -> subprocess.CompletedProcess:
    """The `artread` script, with the server on unless asked otherwise."""
    return artread(*args, server=server, script=True, **options)


def same(served: subprocess.CompletedProcess, alone: subprocess.CompletedProcess) -> None:
    assert (served.returncode, served.stdout, served.stderr) == (
        alone.returncode,
        alone.stdout,
        alone.stderr,
    )


def _idle(path: str) -> dict:
    """The server's status once it answers (it is not busy with a command)."""
    deadline = time.monotonic() + 120
    while "pid" not in (status := wait_for_server(path)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return status


def _commands(path: str) -> int:
    return _idle(path)["commands"]


@pytest.mark.parametrize("unbuffered", ["1", ""])
@pytest.mark.parametrize("command", [["latest"], ["latest", "-n", "1"], ["search", "注意力"]])
def test_a_full_disk_is_reported_as_without_the_server(
    start_server, sample_archive: Path, command: list[str], unbuffered: str
) -> None:
    path = start_server()
    args = ["--archive", str(sample_archive), *command]
    run(*args, server=False)  # the index, built
    results = []
    for server in (False, True):
        script = [SCRIPT, *args]
        env = {**os.environ, "ARTREAD_SERVER": "on" if server else "off"}
        env.pop("PYTHONUNBUFFERED", None)
        env.update({"PYTHONUNBUFFERED": unbuffered} if unbuffered else {})
        with open("/dev/full", "wb") as full:
            results.append(subprocess.run(script, stdout=full, stderr=subprocess.PIPE, env=env))
    alone, served = results
    assert (served.returncode, served.stderr) == (alone.returncode, alone.stderr)
    assert b"server stopped" not in served.stderr
    if unbuffered:  # every write is the system's: the first one fails inside the command
        assert alone.returncode == 2 and b"No space left on device" in alone.stderr
    assert _commands(path) == 1


def _on_terminal(args: list[str], env: dict[str, str], columns: int = 120) -> str:
    """What the `artread` script prints on a pseudo-terminal of this width."""
    return run_in_terminal(args, env, columns=columns, rows=40, script=True)[0]


@pytest.mark.parametrize("columns", ["", "wide", None])
def test_a_columns_that_is_no_number_renders_for_the_real_terminal(
    start_server, sample_archive: Path, columns: str | None
) -> None:
    path = start_server()
    args = ["--archive", str(sample_archive), "search", "注意力"]
    env = {**os.environ, "ARTREAD_PAGER": "", "TERM": "xterm"}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    if columns is not None:
        env["COLUMNS"] = columns
    run(*args[:2], "latest", server=False)
    alone = _on_terminal(args, {**env, "ARTREAD_SERVER": "off"})
    served = _on_terminal(args, {**env, "ARTREAD_SERVER": "on"})
    assert served == alone
    assert _commands(path) == 1
    narrow = _on_terminal(args, {**env, "ARTREAD_SERVER": "off", "COLUMNS": "80"})
    assert served != narrow  # laid out for the 120 columns, not the 80 of no terminal


LOCALES = [("C.UTF-8", "C.UTF-8"), ("C.UTF-8", "C"), ("C", "C.UTF-8")]


@pytest.mark.parametrize(("server_locale", "command_locale"), LOCALES)
def test_a_command_from_another_locale_prints_the_same(
    start_server, sample_archive: Path, server_locale: str, command_locale: str
) -> None:
    start_server(LANG=server_locale, LC_ALL=server_locale)
    archive = ["--archive", str(sample_archive)]
    run(*archive, "latest", server=False)
    for command in (["search", "注意力"], ["show", "attention"], ["search", "zzzqqq"]):
        env = {"LANG": command_locale, "LC_ALL": command_locale}
        same(run(*archive, *command, **env), run(*archive, *command, server=False, **env))


@needs_gb18030
@pytest.mark.parametrize("server_locale", ["C.UTF-8", GB18030])
@pytest.mark.parametrize("command_locale", ["C.UTF-8", GB18030])
def test_a_gb18030_argument_is_read_as_the_shell_wrote_it(
    start_server, sample_archive: Path, server_locale: str, command_locale: str
) -> None:
    start_server(LANG=server_locale, LC_ALL=server_locale)
    archive = ["--archive", str(sample_archive)]
    run(*archive, "latest", server=False)
    encoding = "gb18030" if command_locale == GB18030 else "utf-8"
    word = "注意力".encode(encoding)  # as the shell passes it: bytes in its locale's encoding
    env = {"LANG": command_locale, "LC_ALL": command_locale}
    alone = run(*archive, "search", word, server=False, **env)
    served = run(*archive, "search", word, **env)
    assert alone.returncode == 0 and b"attention-mechanism" in alone.stdout
    same(served, alone)


def _umask_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    raise AssertionError("no umask in /proc")


def test_a_command_runs_with_the_client_umask(start_server, make_archive) -> None:
    path = start_server(umask=0o022)
    server_pid = wait_for_server(path)["pid"]
    big = "这是一段很长的正文，讲哈希表的扩容与再散列。\n\n" * 3000  # more than a pipe holds
    root = make_archive({"long.md": f"---\ntitle: 长文\ndate: 2025-01-01\n---\n\n{big}"})
    env = {**os.environ, "ARTREAD_SERVER": "on", "ARTREAD_PAGER": ""}
    shown = subprocess.Popen(  # its output is not read: the command waits, mid-way, in the server
        [SCRIPT, "--archive", str(root), "show", "long"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        umask=0o077,
    )
    seen, deadline = set(), time.monotonic() + 120
    while 0o077 not in seen and shown.poll() is None and time.monotonic() < deadline:
        seen.add(_umask_of(server_pid))
        time.sleep(0.01)
    output, _ = shown.communicate(timeout=300)
    assert 0o077 in seen, f"umasks seen in the server during the command: {sorted(seen)}"
    assert shown.returncode == 0 and len(output) > len(big)
    assert _commands(path) == 1
    deadline = time.monotonic() + 60
    while _umask_of(server_pid) != 0o022 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _umask_of(server_pid) == 0o022  # the server's own, back after the command
    index_dir = next(Path(os.environ["ARTREAD_INDEX_DIR"]).iterdir())
    for created in [index_dir, *index_dir.rglob("*")]:
        assert not created.stat().st_mode & 0o077, created


def _archive_of(make_archive, count: int) -> Path:
    body = "".join(f"第{i}段讲注意力机制、哈希表与布隆过滤器的取舍。\n\n" for i in range(60))
    return make_archive(
        {
            f"a{n:04d}.md": f"---\ntitle: 文章{n}\ndate: 2025-01-01\n---\n\n编号{n}。{body}"
            for n in range(count)
        }
    )


def _interrupt(root: Path, signal_number: int, server: bool) -> tuple[int, bytes, bytes]:
    """Start the first index of root, signal the client once the build has begun; its exit
    status, stdout and stderr."""
    env = {**os.environ, "ARTREAD_SERVER": "on" if server else "off"}
    process = subprocess.Popen(
        [SCRIPT, "--archive", str(root), "search", "布隆过滤器"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stderr is not None
    started = process.stderr.readline()  # "indexing N articles...", once the build began
    assert b"indexing" in started, started
    process.send_signal(signal_number)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, started + err


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_the_client_cancels_the_command_in_the_server(
    start_server, make_archive, signal_number: int
) -> None:
    path = start_server()
    pid = wait_for_server(path)["pid"]
    root = _archive_of(make_archive, 400)
    code, _, err = _interrupt(root, signal_number, server=True)
    if signal_number == signal.SIGINT:  # as Ctrl-C ends a run without the server
        assert (code, err) == (130, b"artread: indexing 400 articles...\nartread: interrupted\n")
    else:  # as SIGTERM ends it
        assert code == -signal.SIGTERM
    status = _idle(path)  # the cancelled command holds it no longer
    assert status["pid"] == pid and status["commands"] == 1
    listed = run("--archive", str(root), "latest", "-n", "500")
    ids = [line.split(b"\t")[0] for line in listed.stdout.splitlines()]
    assert sorted(ids) == [f"a{n:04d}".encode() for n in range(400)]  # the index is whole
    found = run("--archive", str(root), "search", "布隆过滤器")
    assert found.returncode == 0 and found.stdout
    assert _commands(path) == 3  # both ran in the server


def test_ctrl_c_gives_what_it_gives_without_the_server(start_server, make_archive) -> None:
    path = start_server()
    # An archive each: how far the first build got before Ctrl-C (a build keeps what it has
    # finished) must not decide what the second one does.
    alone = _interrupt(_archive_of(make_archive, 400), signal.SIGINT, server=False)
    served = _interrupt(_archive_of(make_archive, 400), signal.SIGINT, server=True)
    assert served == alone
    assert alone[0] == 130
    assert _commands(path) == 1


def test_ctrl_c_on_a_terminal_shows_the_cursor_again(start_server, make_archive) -> None:
    start_server()
    root = _archive_of(make_archive, 400)
    controller, terminal = open_terminal(120, 40)
    env = {**os.environ, "ARTREAD_SERVER": "on", "TERM": "xterm", "ARTREAD_PAGER": ""}
    process = subprocess.Popen(
        [SCRIPT, "--archive", str(root), "search", "布隆过滤器"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
    )
    os.close(terminal)
    output = b""
    while b"\x1b[?25l" not in output:  # the progress bar hid the cursor: the build began
        chunk = os.read(controller, 65536)
        assert chunk, output
        output += chunk
    process.send_signal(signal.SIGINT)
    output += read_until_closed(controller)
    os.close(controller)
    assert process.wait(timeout=120) == 130, output
    after = output[output.index(b"\x1b[?25l") :]
    assert b"\x1b[?25h" in after
    assert b"artread: interrupted" in after
