"""Messy archives, damaged indexes and killed builds never lose an article or crash."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import time

import pytest
from helpers import SCRIPT, article

from artread.core import catalog
from artread.core.index import WHOOSH_DIR, ArchiveIndex
from artread.core.search import search


def many_articles(n: int) -> dict[str, str]:
    body = "这是一篇关于梯度检查点与显存优化的文章。" * 40
    return {
        f"part{i % 7}/post-{i:03d}.md": article(f"文章 {i}", f"{body} 唯一词{i:03d}")
        for i in range(n)
    }


def whoosh_doc_count(index: ArchiveIndex) -> int:
    with index.whoosh().searcher() as searcher:
        return searcher.doc_count()


@pytest.mark.slow
def test_killed_index_builds_leave_an_index_the_next_command_completes(make_archive, tmp_path):
    root = make_archive(many_articles(150))
    env = {**os.environ, "ARTREAD_ARCHIVE": str(root)}
    for attempt in range(3):
        build = subprocess.Popen(
            [SCRIPT, "index", "--rebuild"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Kill it somewhere in the middle; wherever the kill lands, the assertions must hold.
        deadline = time.monotonic() + 60
        index_dir = ArchiveIndex(root).index_dir
        while not (index_dir / WHOOSH_DIR).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3 * attempt)
        build.send_signal(signal.SIGKILL)
        build.wait()
        done = subprocess.run(
            [SCRIPT, "search", "唯一词042", "--json"], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        results = json.loads(done.stdout)["results"]
        assert [r["path"] for r in results if r["matched_all"]] == ["part0/post-042.md"]
        assert results[0]["path"] == "part0/post-042.md"
        index = ArchiveIndex(root)
        assert len(index.catalog.articles()) == 150
        assert whoosh_doc_count(index) == 150


def test_a_damaged_index_is_rebuilt_by_the_next_command(make_archive, cli):
    root = make_archive({"a.md": article("甲", "苹果"), "b.md": article("乙", "香蕉")})
    index = ArchiveIndex(root)
    index.sync()
    for toc in (index.index_dir / WHOOSH_DIR).glob("*.toc"):
        toc.write_bytes(b"garbage")
    result = cli("--archive", str(root), "search", "香蕉", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["total"] == 1


def test_a_deleted_catalog_or_index_folder_is_rebuilt(make_archive, cli):
    root = make_archive({"a.md": article("甲", "苹果")})
    index = ArchiveIndex(root)
    index.sync()
    (index.index_dir / catalog.FILENAME).unlink()
    assert json.loads(cli("--archive", str(root), "search", "苹果", "--json").stdout)["total"] == 1
    import shutil

    shutil.rmtree(index.index_dir / WHOOSH_DIR)
    assert json.loads(cli("--archive", str(root), "search", "苹果", "--json").stdout)["total"] == 1
    assert whoosh_doc_count(ArchiveIndex(root)) == 1


def test_readers_use_the_last_complete_index_while_another_process_updates(make_archive, cli):
    root = make_archive({"a.md": article("甲", "苹果")})
    index = ArchiveIndex(root)
    index.sync()
    (root / "b.md").write_text(article("乙", "香蕉"), encoding="utf-8")
    with open(index.index_dir / "lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        report = ArchiveIndex(root).sync(wait=False)
        assert report.busy
        result = cli("--archive", str(root), "latest", "--json")
        assert result.exit_code == 0
        assert json.loads(result.stdout)["total"] == 1
        assert "last complete index" in result.stderr
    assert json.loads(cli("--archive", str(root), "latest", "--json").stdout)["total"] == 2


MESSY = {
    "ok.md": article("正常", "正常的文章内容，关键词甲。"),
    "bad-yaml.md": "---\ntitle: [oops\ndate: : :\n---\n# 坏的元数据\n\n正文可检索，关键词乙。\n",
    "list-fm.md": "---\n- a\n- b\n---\n列表形式的元数据，关键词丙。\n",
    "python-tag.md": "---\ntitle: !!python/object/apply:os.system ['echo x']\n---\n关键词丁。\n",
    "bad-date.md": article("坏日期", "关键词戊。", date="2025-13-45"),
    "bom.md": "\ufeff" + article("带BOM", "关键词己。"),
    "utf16.md": article("UTF16", "关键词庚。").encode("utf-16"),
    "gbk.md": article("GBK 编码", "关键词辛。").encode("gbk"),
    "crlf.md": article("Windows 换行", "关键词壬。").replace("\n", "\r\n"),
    "empty.md": "",
    "only-fm.md": "---\ntitle: 只有元数据\n---\n",
    "binary.md": b"\x00\x01\x02\x03PNG",
    "a/dup.md": article("重复一", "关键词癸。"),
    "b/dup.md": article("重复二", "关键词子。"),
    "same-id-1.md": article("声明一", "关键词丑。", id="same"),
    "same-id-2.md": article("声明二", "关键词寅。", id="same"),
    "escape.md": article("逃逸", "关键词卯。", id="../../etc/passwd"),
}


def test_a_messy_archive_indexes_every_readable_article_and_reports_the_rest(make_archive, cli):
    root = make_archive(MESSY)
    os.symlink("nowhere.md", root / "dangling.md")
    os.symlink(".", root / "loop")
    result = cli("--archive", str(root), "index")
    assert result.exit_code == 0, result.stderr
    assert "binary.md" in result.stderr and "dangling.md" in result.stderr
    index = ArchiveIndex(root)
    paths = {e.path for e in index.catalog.articles()}
    assert "binary.md" not in paths
    for keyword in "甲乙丙丁戊己庚辛壬癸子丑寅卯":
        found = search(index, f"关键词{keyword}")
        assert found.hits and found.hits[0].matched_all, keyword
    ids = [e.id for e in index.catalog.articles()]
    assert len(ids) == len(set(ids))
    assert all("/" not in i and ".." not in i for i in ids)
    assert "empty.md" in paths and "only-fm.md" in paths


def test_files_that_vanish_or_change_during_a_build_are_reported_and_caught_up(make_archive):
    root = make_archive({f"p{n}.md": article(f"标题{n}", f"正文{n} 原文") for n in range(6)})
    index = ArchiveIndex(root)
    touched = []

    def meddle(done: int, total: int, path: str) -> None:
        if done == 1:  # while the build runs: one file goes, another is rewritten
            (root / "p5.md").unlink()
            (root / "p4.md").write_text(article("标题4", "正文4 改过的新文"), encoding="utf-8")
            touched.append(path)

    report = index.sync(progress=meddle)
    assert touched
    assert [path for path, _reason in report.skipped] == ["p5.md"]
    again = ArchiveIndex(root)
    follow_up = again.sync()  # the next command takes in what happened meanwhile
    assert follow_up.removed == 1
    assert sorted(e.id for e in again.catalog.articles()) == [f"p{n}" for n in range(5)]
    assert [h.entry.id for h in search(again, '"改过的新文"').hits] == ["p4"]
