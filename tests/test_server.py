"""The resident server: a command run through it prints what it prints in its own process,
sees every change to the archive at once, and gives way to a command run in-process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import SCRIPT, article, artread, printed_ids, run_in_terminal, wait_for_server

from artread.resident import client, protocol, watch

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or not watch.available(), reason="the server needs Linux inotify"
)


def _commands(path: str) -> int:
    return wait_for_server(path)["commands"]


def test_a_command_prints_the_same_through_the_server(server: str, sample_archive: Path) -> None:
    archive = ["--archive", str(sample_archive)]
    commands = [
        ["latest", "-n", "3"],
        ["search", "梯度检查点"],
        ["search", "注意力", "--json"],
        ["show", "attention"],
        ["categories"],
        ["search", "zzzqqq"],  # nothing found: exit 1, a line on stderr
        ["show", "no-such-article"],  # an error: exit 2
        ["search", "--nonsense"],  # a usage error
    ]
    artread(*archive, "latest", server=False)  # build the index first
    before = _commands(server)
    for command in commands:
        alone = artread(*archive, *command, server=False)
        served = artread(*archive, *command)
        assert (served.returncode, served.stdout, served.stderr) == (
            alone.returncode,
            alone.stdout,
            alone.stderr,
        ), command
    assert _commands(server) == before + len(commands)


def test_a_terminal_gets_the_same_colours_and_width_through_the_server(
    server: str, sample_archive: Path
) -> None:
    args = ["--archive", str(sample_archive), "search", "注意力"]
    env = {**os.environ, "ARTREAD_PAGER": ""}
    artread("--archive", str(sample_archive), "latest", server=False)  # no progress bar below
    alone, _ = run_in_terminal(args, {**env, "ARTREAD_SERVER": "off"})
    before = _commands(server)
    served, _ = run_in_terminal(args, env)
    assert _commands(server) == before + 1
    assert "\x1b[" in served
    assert served == alone


def test_the_pager_runs_in_the_client_terminal(server: str, sample_archive: Path) -> None:
    env = {**os.environ, "ARTREAD_PAGER": "sed s/^/PAGED:/"}
    args = ["--archive", str(sample_archive), "show", "attention"]
    shown, _ = run_in_terminal(args, env, rows=10)
    assert shown.count("PAGED:") > 10
    assert "\x1b[1m" in shown  # colours kept for the pager


def test_changes_are_seen_by_the_next_command(server: str, make_archive) -> None:
    root = make_archive({"a.md": article("第一篇", "这里讲哈希表的扩容。")})
    where = ["--archive", str(root)]
    for _ in range(3):  # the first commands look at every file; later ones rely on the watch
        assert artread(*where, "search", "哈希表").returncode == 0
    (root / "b.md").write_text(
        article("第二篇", "布隆过滤器的误判率。", date="2025-01-02"), encoding="utf-8"
    )
    assert printed_ids(artread(*where, "search", "布隆过滤器")) == ["b"]
    (root / "a.md").write_text(article("第一篇", "这里改讲跳表。"), encoding="utf-8")
    assert artread(*where, "search", "哈希表").returncode == 1
    assert artread(*where, "search", "跳表").returncode == 0
    (root / "sub").mkdir()
    (root / "sub" / "c.md").write_text(
        article("第三篇", "红黑树的旋转。", date="2025-01-03"), encoding="utf-8"
    )
    assert printed_ids(artread(*where, "search", "红黑树")) == ["c"]
    (root / "sub" / "d.md").write_text(
        article("第四篇", "红黑树的插入。", date="2025-01-04"), encoding="utf-8"
    )
    assert printed_ids(artread(*where, "search", "红黑树", "插入"))[0] == "d"
    (root / "b.md").unlink()
    assert artread(*where, "search", "布隆过滤器").returncode == 1


def test_an_index_rebuilt_by_another_process_is_read_afresh(server: str, make_archive) -> None:
    root = make_archive({"a.md": article("第一篇", "这里讲哈希表的扩容。")})
    where = ["--archive", str(root)]
    for _ in range(2):
        assert artread(*where, "search", "哈希表").returncode == 0
    rebuilt = artread(*where, "index", "--rebuild", server=False)
    assert rebuilt.returncode == 0
    found = artread(*where, "search", "哈希表")
    assert (found.returncode, found.stderr) == (0, b"")


def test_without_a_server_the_command_runs_here_and_starts_one(
    runtime: Path, sample_archive: Path
) -> None:
    path = client.socket_path()
    assert client.control(path, protocol.STATUS) is None
    found = artread("--archive", str(sample_archive), "search", "梯度检查点")
    assert found.returncode == 0 and b"gradient-checkpointing" in found.stdout
    assert wait_for_server(path)["pid"]
    again = artread("--archive", str(sample_archive), "search", "梯度检查点")
    assert again.stdout == found.stdout


def test_server_status_and_stop(server: str, sample_archive: Path) -> None:
    artread("--archive", str(sample_archive), "latest")
    status = artread("server", "status")
    assert status.returncode == 0
    assert b"artread server: pid" in status.stdout
    assert str(sample_archive).encode() in status.stdout
    stopped = artread("server", "stop")
    assert stopped.stdout == b"Stopped the artread server.\n"
    none = artread("server", "status")
    assert none.returncode == 1 and b"No artread server" in none.stdout


def test_the_socket_folder_is_private(server: str) -> None:
    folder = Path(server).parent
    assert folder.stat().st_mode & 0o777 == 0o700
    assert Path(server).stat().st_mode & 0o777 == 0o600


def test_folder_watch_reports_changes(tmp_path: Path) -> None:
    folder_watch = watch.watch(tmp_path)
    assert folder_watch is not None
    (tmp_path / "sub").mkdir()
    folder_watch.arm(str(tmp_path))
    assert folder_watch.quiet()
    folder_watch.cover([str(tmp_path), str(tmp_path / "sub")])
    assert not folder_watch.quiet()  # sub was not watched while it was looked at
    folder_watch.arm(str(tmp_path))
    assert folder_watch.quiet()
    (tmp_path / "sub" / "x.md").write_text("x", encoding="utf-8")
    assert not folder_watch.quiet()
    folder_watch.arm(str(tmp_path))
    assert folder_watch.quiet()
    folder_watch.close()


def test_each_archive_keeps_its_own_user_dictionary(server: str, make_archive) -> None:
    with_word = make_archive(
        {
            "a.md": article("第一篇", "深度求索发布了新模型。"),
            "artread.dict": "深度求索 10 nz\n",
        }
    )
    without = make_archive({"b.md": article("第二篇", "深度求索发布了新模型。")})
    expected = {}
    for root in (with_word, without):
        alone = artread("--archive", str(root), "analyze", "深度求索", "--json", server=False)
        expected[root] = alone.stdout
    assert expected[with_word] != expected[without]  # the dictionary changes the terms
    for root in (with_word, without, with_word, without):
        served = artread("--archive", str(root), "analyze", "深度求索", "--json")
        assert served.stdout == expected[root], root


def test_a_busy_server_is_not_waited_for(server: str, sample_archive: Path) -> None:
    archive = ["--archive", str(sample_archive)]
    alone = artread(*archive, "search", "注意力", server=False)
    before = _commands(server)
    idle = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    idle.connect(server)  # says nothing: the server waits for it (up to 30 s)
    try:
        found = artread(*archive, "search", "注意力")  # runs in its own process instead
    finally:
        idle.close()
    assert (found.returncode, found.stdout, found.stderr) == (
        alone.returncode,
        alone.stdout,
        alone.stderr,
    )
    assert _commands(server) == before  # the server never ran it
    idle = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    idle.connect(server)
    try:
        stopped = artread("server", "stop")  # no answer in time: stopped by its pid
    finally:
        idle.close()
    assert stopped.stdout == b"Stopped the artread server.\n"
    deadline = time.monotonic() + 60
    while client.server_pid(server) is not None and time.monotonic() < deadline:
        time.sleep(0.05)  # SIGTERM takes a moment
    assert client.server_pid(server) is None


def test_a_server_started_by_a_command_holds_no_folder(runtime: Path, sample_archive: Path):
    elsewhere = runtime / "cwd"
    elsewhere.mkdir()
    (elsewhere / "yaml.py").write_text("raise ImportError('not this one')\n", encoding="utf-8")
    subprocess.run(  # the script: `python -m` would import yaml.py here
        [SCRIPT, "--archive", str(sample_archive), "latest"],
        cwd=elsewhere,
        env={**os.environ, "ARTREAD_SERVER": "on"},
        capture_output=True,
        check=True,
    )
    status = wait_for_server(client.socket_path())
    assert os.readlink(f"/proc/{status['pid']}/cwd") == "/"
    # The folder it was started from is not on its import path: yaml is the real one.
    (sample := runtime / "copy").mkdir()
    shutil.copy(sample_archive / "nlp" / "attention-mechanism.md", sample / "a.md")
    found = artread("--archive", str(sample), "latest", "--json")
    assert found.returncode == 0, found.stderr


def test_the_runtime_folder_must_not_be_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(real)
    assert client.private(str(real))
    assert not client.private(str(tmp_path / "link"))


def test_what_is_not_utf8_reaches_the_server_as_it_is(server: str, tmp_path: Path) -> None:
    root = Path(os.fsdecode(bytes(tmp_path) + b"/arch\xe9"))
    root.mkdir()
    (root / "a.md").write_text(article("第一篇", "这里讲哈希表。"), encoding="utf-8")
    env = {**os.environ, "ARTREAD_ARCHIVE": str(root)}
    for args in (["latest"], ["--archive", str(root), "search", "哈希表"]):
        alone = subprocess.run(
            [sys.executable, "-m", "artread", *args],
            env={**env, "ARTREAD_SERVER": "off"},
            capture_output=True,
        )
        served = artread(*args, ARTREAD_ARCHIVE=str(root))
        assert alone.returncode == 0
        assert (served.returncode, served.stdout) == (alone.returncode, alone.stdout)


def test_closed_stderr_is_not_a_crash(server: str, sample_archive: Path) -> None:
    command = f"{sys.executable} -m artread --archive {sample_archive} latest -n 1 2>&-"
    served = subprocess.run(["bash", "-c", command], capture_output=True)
    assert served.returncode == 0
    assert served.stdout.strip()


def test_a_linked_user_dictionary_and_a_repointed_folder_link_are_seen(
    server: str, make_archive, tmp_path: Path
) -> None:
    outside = tmp_path / "words.txt"
    outside.write_text("", encoding="utf-8")
    (tmp_path / "ext1").mkdir()
    (tmp_path / "ext2").mkdir()
    root = make_archive({"a.md": article("第一篇", "深度求索发布了新模型。")})
    (root / "artread.dict").symlink_to(outside)
    (root / "ext").symlink_to(tmp_path / "ext1")
    where = ["--archive", str(root)]
    for _ in range(3):
        artread(*where, "latest")
    outside.write_text("深度求索 10 nz\n", encoding="utf-8")
    alone = artread(*where, "analyze", "深度求索", "--json", server=False)
    assert artread(*where, "analyze", "深度求索", "--json").stdout == alone.stdout
    (root / "ext").unlink()
    (root / "ext").symlink_to(tmp_path / "ext2")
    artread(*where, "latest")  # sees the new link, looks at every file
    (tmp_path / "ext2" / "z.md").write_text(
        article("第三篇", "跳表。", date="2025-01-03"), encoding="utf-8"
    )
    assert printed_ids(artread(*where, "search", "跳表")) == ["z"]
