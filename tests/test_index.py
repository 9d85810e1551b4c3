"""The index follows the archive: built once, then only changed files are re-read."""

from __future__ import annotations

import os

from conftest import article

from artread.core.index import ArchiveIndex
from artread.core.search import search


def ids(index: ArchiveIndex) -> dict[str, str]:
    return {e.path: e.id for e in index.catalog.articles()}


def test_first_sync_builds_the_index_and_the_second_changes_nothing(make_archive):
    root = make_archive({"a.md": article("甲", "第一篇"), "b.md": article("乙", "第二篇")})
    first = ArchiveIndex(root).sync()
    assert first.rebuilt and first.added == 2
    second = ArchiveIndex(root).sync()
    assert not second.changed and second.unchanged == 2


def test_changed_added_and_removed_files_are_picked_up(make_archive):
    root = make_archive({"a.md": article("甲", "苹果"), "b.md": article("乙", "香蕉")})
    ArchiveIndex(root).sync()
    (root / "a.md").write_text(article("甲", "葡萄"), encoding="utf-8")
    os.utime(root / "a.md", ns=(1, 2_000_000_000_000_000_000))
    (root / "b.md").unlink()
    (root / "c.md").write_text(article("丙", "西瓜"), encoding="utf-8")
    index = ArchiveIndex(root)
    report = index.sync()
    assert (report.added, report.updated, report.removed) == (1, 1, 1)
    assert search(index, "葡萄").total == 1
    assert search(index, "苹果").total == 0
    assert search(index, "香蕉").total == 0
    assert search(index, "西瓜").total == 1


def test_ids_stay_put_when_articles_are_added(make_archive):
    root = make_archive({"z/dup.md": article("后", "内容")})
    index = ArchiveIndex(root)
    index.sync()
    before = ids(index)
    (root / "a").mkdir()
    (root / "a" / "dup.md").write_text(article("先", "内容"), encoding="utf-8")
    report = index.sync()
    after = ids(index)
    assert after["z/dup.md"] == before["z/dup.md"] == "dup"
    assert after["a/dup.md"] != "dup"
    assert any("already used" in w for w in report.warnings)


def test_rebuild_starts_over_with_the_same_articles(make_archive):
    root = make_archive({"a.md": article("甲", "苹果")})
    index = ArchiveIndex(root)
    index.sync()
    report = index.sync(rebuild=True)
    assert report.rebuilt and report.added == 1
    assert search(index, "苹果").total == 1


def test_an_unreadable_file_is_skipped_and_the_rest_indexed(make_archive):
    root = make_archive({"good.md": article("好", "正常文章"), "bad.md": b"\x00\x01binary"})
    index = ArchiveIndex(root)
    report = index.sync()
    assert [p for p, _ in report.skipped] == ["bad.md"]
    assert [e.path for e in index.catalog.articles()] == ["good.md"]
    # A skipped file is not re-read until it changes.
    assert not ArchiveIndex(root).sync().skipped


def test_literal_text_stays_exact_across_updates_that_leave_old_text_behind(make_archive):
    root = make_archive(
        {f"{name}.md": article(name, f"{name} 的正文 独有{name}") for name in "abc"}
    )
    ArchiveIndex(root).sync()
    for version in ("二", "三"):
        (root / "b.md").write_text(article("b", f"第{version}版 独有b{version}"), encoding="utf-8")
        ArchiveIndex(root).sync()
    index = ArchiveIndex(root)
    assert [h.entry.id for h in search(index, '"独有b三"').hits] == ["b"]
    assert search(index, '"独有b二"').total == 0  # the old text is dead, not found
    assert [h.entry.id for h in search(index, '"独有c"').hits] == ["c"]
    assert sorted(h.entry.id for h in search(index, '"的正文"').hits) == ["a", "c"]


def test_a_catalog_of_an_earlier_format_means_a_rebuild_not_an_error(make_index):
    import pickle

    from artread.core import catalog

    index = make_index({"a.md": article("甲", "正文。"), "b.md": article("乙", "正文。")})
    loaded = catalog.load(index.index_dir)
    assert set(loaded.stats) == {"a.md", "b.md"}
    assert ArchiveIndex(index.root).is_fresh()
    assert sorted(loaded.by_id()) == ["a", "b"]
    # A pickled catalog is never read: the index is rebuilt, and the pickle removed.
    whole = {"archive": loaded.archive, "fingerprint": loaded.fingerprint}
    (index.index_dir / "catalog.pickle").write_bytes(pickle.dumps(whole))
    (index.index_dir / catalog.FILENAME).write_bytes(b"\x80\x05not a catalog")
    assert catalog.load(index.index_dir) is None
    assert not ArchiveIndex(index.root).is_fresh()
    assert ArchiveIndex(index.root).sync().rebuilt
    assert not (index.index_dir / "catalog.pickle").exists()
    assert sorted(catalog.load(index.index_dir).by_id()) == ["a", "b"]
