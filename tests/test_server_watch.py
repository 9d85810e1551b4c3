"""The folder watch of a resident process sees every change the next command must see:
folders removed and re-created in place, folders moved in, articles edited through a link
from outside the archive, lost events; and a long-lived server does not grow with edits."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import article, artread, printed_ids, wait_for_server, wait_until

from artread.core import archive
from artread.core.index import ArchiveIndex
from artread.resident import watch

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or not watch.available(), reason="the watch needs Linux inotify"
)


@pytest.fixture
def watched(make_archive) -> Iterator:
    """make(files or an archive folder) -> an indexed ArchiveIndex whose next check relies
    on its folder watch."""
    made: list[ArchiveIndex] = []

    def make(files: dict[str, str] | Path) -> ArchiveIndex:
        root = files if isinstance(files, Path) else make_archive(files)
        index = ArchiveIndex(root)
        index.watch = watch.watch(root)
        if index.watch is None:
            pytest.skip("the temp folder is on a file system that is not watched")
        made.append(index)
        _settle(index)
        return index

    yield make
    for index in made:
        index.watch.close()
        index.forget_open_files()


def _settle(index: ArchiveIndex) -> None:
    """Bring the index up to date, and look until the watch alone answers the next check."""
    for _ in range(5):
        index.sync()
        if index.watch.quiet():
            return
    raise AssertionError("the watch never settled")


def _recreate(folder: Path) -> bool:
    """Remove a folder and make it again; True when it got its old inode back.

    ext4 gives a new folder the first free inode of its group, which is the old one once the
    kernel has let go of it (a watch holds it a moment longer) and no lower one is free: the
    folders made on other inodes meanwhile are kept aside until then. Without the same inode a
    re-created folder is new to any watch, and the test checks the ordinary path only."""
    old = folder.stat().st_ino
    shutil.rmtree(folder)
    aside = folder.parent.with_name(folder.parent.name + "-aside")
    aside.mkdir()
    deadline = time.monotonic() + 10
    folder.mkdir()
    while folder.stat().st_ino != old and time.monotonic() < deadline:
        folder.rename(aside / str(len(os.listdir(aside))))
        time.sleep(0.005)
        folder.mkdir()
    shutil.rmtree(aside)
    return folder.stat().st_ino == old


def _flood(folder: Path) -> None:
    """More events in folder than an inotify queue holds (two files touched in turn: the
    kernel merges an event only into an identical one just before it)."""
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 200_000:
        pytest.skip(f"the inotify queue holds {limit} events: too many to overflow cheaply")
    first, second = folder / "flood-1.txt", folder / "flood-2.txt"
    first.touch()
    second.touch()
    for _ in range(limit // 2 + 16):
        os.utime(first)
        os.utime(second)


@pytest.mark.slow
def test_a_folder_removed_and_recreated_in_place_is_watched_again(watched) -> None:
    index = watched({"a.md": article("第一篇", "哈希表。"), "sub/b.md": article("二", "跳表。")})
    root = index.root
    (root / "a.md").write_text(article("第一篇", "哈希表的扩容。"), encoding="utf-8")
    assert not index.is_fresh()  # the watch waits for the update: its events pile up
    _recreate(root / "sub")
    assert index.sync().removed == 1
    _settle(index)
    (root / "sub" / "c.md").write_text(
        article("第三篇", "红黑树。", date="2025-01-03"), encoding="utf-8"
    )
    assert not index.is_fresh()
    assert index.sync().added == 1


@pytest.mark.slow
def test_a_folder_removed_right_before_arm_is_forgotten(tmp_path: Path) -> None:
    folder_watch = watch.watch(tmp_path)
    assert folder_watch is not None
    sub = tmp_path / "sub"
    sub.mkdir()
    folder_watch.arm(str(tmp_path))
    folder_watch.cover([str(tmp_path), str(sub)])
    folder_watch.arm(str(tmp_path))
    assert folder_watch.quiet()
    folder_watch.disarm()  # as after a check that found the index out of date
    reused = _recreate(sub)
    folder_watch.arm(str(tmp_path))  # reads the removal: sub's old watch is gone
    folder_watch.cover(archive.scan(tmp_path).folders)
    assert not folder_watch.quiet(), f"re-created sub (same inode: {reused}) was not watched"
    folder_watch.arm(str(tmp_path))
    folder_watch.cover([str(tmp_path), str(sub)])
    assert folder_watch.quiet()
    (sub / "x.md").write_text("x", encoding="utf-8")
    assert not folder_watch.quiet()
    folder_watch.close()


@pytest.mark.slow
def test_a_folder_moved_in_is_watched_with_its_subfolders(watched, tmp_path: Path) -> None:
    index = watched({"a.md": article("第一篇", "哈希表。")})
    outside = tmp_path / "outside"
    (outside / "deep" / "deeper").mkdir(parents=True)
    (outside / "deep" / "deeper" / "b.md").write_text(article("二", "跳表。"), encoding="utf-8")
    (outside / "deep").rename(index.root / "deep")
    assert not index.is_fresh()
    assert index.sync().added == 1
    _settle(index)
    assert str(index.root / "deep" / "deeper") in index.watch.watched()
    new = index.root / "deep" / "deeper" / "c.md"
    new.write_text(article("第三篇", "红黑树。", date="2025-01-03"), encoding="utf-8")
    assert not index.is_fresh()
    assert index.sync().added == 1


@pytest.mark.slow
def test_a_folder_moved_out_is_no_longer_watched(watched, tmp_path: Path) -> None:
    index = watched({"a.md": article("第一篇", "哈希表。"), "sub/b.md": article("二", "跳表。")})
    (index.root / "sub").rename(tmp_path / "gone")
    assert index.sync().removed == 1
    _settle(index)
    assert index.watch.watched() == [str(index.root)]
    (tmp_path / "gone" / "c.md").write_text(article("三", "红黑树。"), encoding="utf-8")
    assert index.watch.quiet()  # outside the archive now: no look at every file for it


@pytest.mark.slow
def test_an_article_edited_through_a_hard_link_outside_is_seen(
    watched, make_archive, tmp_path: Path
) -> None:
    root = make_archive({"a.md": article("第一篇", "哈希表。")})
    outside = tmp_path / "elsewhere.md"
    os.link(root / "a.md", outside)
    index = watched(root)
    outside.write_text(article("第一篇", "这里改讲布隆过滤器。"), encoding="utf-8")
    assert index.watch.quiet()  # the archive's folders saw nothing
    assert not index.is_fresh()
    assert index.sync().updated == 1


@pytest.mark.slow
def test_lost_events_mean_a_look_at_every_file(watched) -> None:
    from inotify_simple import INotify, flags

    index = watched({"a.md": article("第一篇", "哈希表。")})
    witness = INotify()  # a queue of the same size, to show the flood overflows one
    witness.add_watch(str(index.root), flags.ATTRIB | flags.MODIFY)
    _flood(index.root)
    (index.root / "a.md").write_text(article("第一篇", "跳表的层数。"), encoding="utf-8")
    assert any(event.mask & flags.Q_OVERFLOW for event in witness.read(timeout=0))
    witness.close()
    assert not index.is_fresh()
    assert index.sync().updated == 1
    _settle(index)  # the watch works again after the overflow
    (index.root / "a.md").write_text(article("第一篇", "红黑树。"), encoding="utf-8")
    assert not index.is_fresh()


# Through a real server: each change is seen by the next command.


def _settled(where: list[str]) -> None:
    for _ in range(3):  # the first commands look at every file; later ones rely on the watch
        assert artread(*where, "latest").returncode == 0


def test_server_sees_edits_in_a_folder_recreated_in_place(server: str, make_archive) -> None:
    root = make_archive({"a.md": article("一", "哈希表。"), "sub/b.md": article("二", "跳表。")})
    where = ["--archive", str(root)]
    _settled(where)
    (root / "a.md").write_text(article("第一篇", "哈希表的扩容。"), encoding="utf-8")
    assert artread(*where, "latest").returncode == 0  # sees the edit; the watch waits
    _recreate(root / "sub")
    assert artread(*where, "search", "跳表").returncode == 1
    _settled(where)
    (root / "sub" / "c.md").write_text(
        article("第三篇", "红黑树。", date="2025-01-03"), encoding="utf-8"
    )
    assert printed_ids(artread(*where, "search", "红黑树")) == ["c"]


def test_server_sees_a_folder_moved_in_with_subfolders(
    server: str, make_archive, tmp_path: Path
) -> None:
    root = make_archive({"a.md": article("第一篇", "哈希表。")})
    where = ["--archive", str(root)]
    _settled(where)
    outside = tmp_path / "outside" / "deep" / "deeper"
    outside.mkdir(parents=True)
    (outside / "b.md").write_text(article("二", "跳表。"), encoding="utf-8")
    (tmp_path / "outside" / "deep").rename(root / "deep")
    assert printed_ids(artread(*where, "search", "跳表")) == ["b"]
    _settled(where)
    (root / "deep" / "deeper" / "c.md").write_text(article("三", "红黑树。"), encoding="utf-8")
    assert printed_ids(artread(*where, "search", "红黑树")) == ["c"]


def test_server_sees_an_edit_through_a_hard_link_outside(
    server: str, make_archive, tmp_path: Path
) -> None:
    root = make_archive({"a.md": article("第一篇", "哈希表。")})
    outside = tmp_path / "elsewhere.md"
    os.link(root / "a.md", outside)
    where = ["--archive", str(root)]
    _settled(where)
    outside.write_text(article("第一篇", "这里改讲布隆过滤器。"), encoding="utf-8")
    assert printed_ids(artread(*where, "search", "布隆过滤器")) == ["a"]


def test_server_sees_an_edit_lost_in_an_overflow(server: str, make_archive) -> None:
    root = make_archive({"a.md": article("第一篇", "哈希表。")})
    where = ["--archive", str(root)]
    _settled(where)
    _flood(root)
    (root / "a.md").write_text(article("第一篇", "跳表的层数。"), encoding="utf-8")
    assert printed_ids(artread(*where, "search", "跳表")) == ["a"]
    _settled(where)
    (root / "a.md").write_text(article("第一篇", "红黑树。"), encoding="utf-8")
    assert printed_ids(artread(*where, "search", "红黑树")) == ["a"]


# A long-lived server holds as much after many edits as after a few.


def _open_files(server: str) -> list[str]:
    """What the server has open once it is done with the last command."""
    pid = wait_for_server(server)["pid"]  # answered only after the command before ended
    found = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            found.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:  # closed meanwhile
            continue
    return found


def test_server_holds_no_more_after_a_dozen_dictionary_and_synonym_edits(
    server: str, make_archive
) -> None:
    from artread.config import index_dir_for

    root = make_archive({"a.md": article("第一篇", "深度求索发布了新模型。")})
    where = ["--archive", str(root)]
    index_dir = str(index_dir_for(root.resolve()))
    held, sockets = {}, {}
    for edit in range(12):
        (root / "artread.dict").write_text(f"深度求索 {10 + edit} nz\n", encoding="utf-8")
        (root / "artread.synonyms").write_text(f"模型 = model{edit}\n", encoding="utf-8")
        assert printed_ids(artread(*where, "search", "深度求索")) == ["a"]
        files = _open_files(server)
        old = [f for f in files if f.startswith(index_dir) and f.endswith(" (deleted)")]
        assert not old, old  # the readers of earlier versions of the index are closed
        # Whoosh's segment files come and go as it merges them: count everything else, by
        # kind (a new texts file, a lexicon). The socket of the command just answered may
        # still be closing: sockets are checked apart, once the server has had time to.
        others = [
            f
            for f in files
            if not f.startswith(index_dir + "/whoosh/") and not f.startswith("socket:")
        ]
        held[edit] = sorted(re.sub(r"\d+", "#", f) for f in others)
        sockets[edit] = sum(f.startswith("socket:") for f in files)
    assert held[11] == held[5]
    wait_until(lambda: sum(f.startswith("socket:") for f in _open_files(server)) <= sockets[5])
    caches = wait_for_server(server)["caches"]
    assert caches["lexicons"] <= 4 and caches["glossaries"] <= 4, caches


def test_server_closes_the_indexes_it_drops(server: str, make_archive) -> None:
    from artread.config import index_dir_for

    roots = [make_archive({"a.md": article(f"第{n}篇", "哈希表。")}) for n in range(6)]
    for root in roots:
        assert artread("--archive", str(root), "search", "哈希表").returncode == 0
    assert len(wait_for_server(server)["indexes"]) == 4
    files = _open_files(server)
    assert files.count("anon_inode:inotify") == 4  # one watch per archive held
    for dropped in roots[:2]:
        index_dir = str(index_dir_for(dropped.resolve()))
        assert not [f for f in files if f.startswith(index_dir)], index_dir
    shutil.rmtree(roots[5])  # an archive that is gone is dropped at the next command
    assert artread("--archive", str(roots[4]), "search", "哈希表").returncode == 0
    assert len(wait_for_server(server)["indexes"]) == 3
    assert _open_files(server).count("anon_inode:inotify") == 3


@pytest.mark.slow
def test_edited_user_dictionaries_leave_a_bounded_number_of_lexicons_open() -> None:
    from artread.core import analysis

    lexicons = []
    for edit in range(12):
        analyzer = analysis.Analyzer(f"深度求索 {10 + edit} nz\n")
        assert "深度求索" in list(analyzer.query_words("深度求索发布了新模型"))
        lexicons.append(analyzer.lexicon())
    assert analysis.cache_sizes()["lexicons"] <= analysis.KEEP_LEXICONS
    with pytest.raises(sqlite3.ProgrammingError):  # closed, not left to the garbage collector
        lexicons[0].freq("蝴蝶效应")  # a word it has not looked up yet


@pytest.mark.slow
def test_edited_synonyms_leave_a_bounded_number_of_glossaries(make_archive) -> None:
    from artread.core import glossary

    root = make_archive({"a.md": article("第一篇", "模型。")})
    for edit in range(12):
        (root / "artread.synonyms").write_text(f"模型 = model{edit}\n", encoding="utf-8")
        assert f"model{edit}" in glossary.for_archive(root).group_of("模型")
    assert glossary.cache_size() <= glossary.KEEP_LOADED
