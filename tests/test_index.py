"""The index follows the archive: built once, then only changed files are re-read; a change
is seen by the next command; a big update is read by worker processes into the same index."""

from __future__ import annotations

import os
import random
import signal
import stat
import time
from pathlib import Path

import pytest
from helpers import article, ids_by_path, write_files

from artread.core import archive, catalog, freshness
from artread.core.index import ArchiveIndex
from artread.core.search import search


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


def test_ids_stay_put_when_articles_are_added_and_after_a_rebuild(make_archive, cli):
    root = make_archive({"z/dup.md": article("后", "内容")})
    index = ArchiveIndex(root)
    index.sync()
    before = ids_by_path(index)
    (root / "a").mkdir()
    (root / "a" / "dup.md").write_text(article("先", "内容"), encoding="utf-8")
    report = index.sync()
    after = ids_by_path(index)
    assert after["z/dup.md"] == before["z/dup.md"] == "dup"
    assert after["a/dup.md"] != "dup"
    assert any("already used" in w for w in report.warnings)
    assert cli("--archive", str(root), "index", "--rebuild").exit_code == 0
    assert ids_by_path(ArchiveIndex(root)) == after


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


LONG = "正文，" * 300  # a text long enough to be worth a signature


def test_a_short_text_has_no_signature_and_is_read(tmp_path):
    from artread.core import literal

    writer = literal.Writer(tmp_path, None, [])
    writer.add("short.md", *literal.article_text("甲", "梯度", "梯度"))
    writer.add("long.md", *literal.article_text("乙", f"检查点 {LONG}", "检查点"))
    name, spans = writer.finish()
    store = literal.LiteralStore(tmp_path / name, spans)
    assert store.signature("short.md") is None and store.signature("long.md") is not None
    assert store.find("梯度") == {"short.md": 2} and store.find("检查点") == {"long.md": 2}


def test_every_live_text_keeps_its_signature_when_appended_to_or_copied(make_archive, tmp_path):
    """The texts' signatures follow the texts: appended by an update, copied with them into
    a new file (the copy keeps the signature made before), and merged from the workers'."""
    from artread.core import literal, signatures

    root = make_archive(
        {f"{n}.md": article(n, f"{n} 的正文 梯度{n} transf{n} {LONG}") for n in "abc"}
    )
    ArchiveIndex(root).sync()
    keys = signatures.keys_of(ArchiveIndex(root).literal().file)
    with open(keys, "ab") as cut_short:  # an update killed while writing a record
        cut_short.write(b"\x07" * (signatures.RECORD // 2))
    (root / "b.md").write_text(article("b", f"新的正文 检查点 {LONG}"), encoding="utf-8")
    index = ArchiveIndex(root)
    index.sync()  # appended
    assert keys.stat().st_size % signatures.RECORD == 0
    stores = [index.literal()]
    old = index.literal()
    big = literal.Writer(tmp_path, None, [])
    for path in ("a.md", "c.md"):
        big.add(path, *old.entry(path), made=old.signature(path))
    big.add("gone.md", b"x" * (2 << 20), 1)  # dead text enough for the next one to copy
    name, spans = big.finish()
    spans.pop("gone.md")
    copied = literal.Writer(tmp_path, literal.LiteralStore(tmp_path / name, spans), spans)
    assert not copied.appending
    name, spans = copied.finish()
    stores.append(literal.LiteralStore(tmp_path / name, spans))
    for store in stores:
        for path, (start, length, _written) in store.spans.items():
            text = store.open()[start : start + length]
            assert store.signature(path) == signatures.signature(text), path
    assert sorted(stores[0].find("检查点")) == ["b.md"]
    assert sorted(stores[1].find("transf")) == ["a.md", "c.md"]


def test_texts_without_signatures_are_still_read(make_archive):
    """An index from before signatures gets them only for the texts an update appends: the
    others are still scanned."""
    from artread.core import signatures

    root = make_archive({f"{n}.md": article(n, f"{n} 的正文 梯度{n} {LONG}") for n in "abc"})
    index = ArchiveIndex(root)
    index.sync()
    texts = index.literal().file
    signatures.keys_of(texts).unlink()  # as an earlier version left the index
    (root / "b.md").write_text(article("b", f"新的正文 检查点 {LONG}"), encoding="utf-8")
    index = ArchiveIndex(root)
    index.sync()  # appended, with a signature for b alone
    store = index.literal()
    assert store.file == texts and store.signed() is not None
    assert store.signature("a.md") is None and store.signature("b.md") is not None
    assert sorted(store.find("梯度")) == ["a.md", "c.md"]  # unsigned: scanned
    assert sorted(store.find("检查点")) == ["b.md"]


def test_a_record_left_by_a_killed_update_is_not_taken_for_the_text_written_there(tmp_path):
    """An update killed after a text's signature reached the disk but before the text did:
    the text the next update writes at that place has its own record, which counts."""
    from artread.core import literal, signatures

    first = literal.Writer(tmp_path, None, [])
    first.add("a.md", *literal.article_text("甲", f"正文甲 {LONG}", "正文甲"))
    name, spans = first.finish()
    blob, written = literal.article_text("乙", f"梯度检查点 {LONG}", "梯度检查点")
    place = (tmp_path / name).stat().st_size
    with open(signatures.keys_of(tmp_path / name), "ab") as keys:  # the killed update's
        keys.write(signatures.record(place, len(blob), bytes(signatures.SIZE)))
    store = literal.LiteralStore(tmp_path / name, spans)
    second = literal.Writer(tmp_path, store, ["a.md"])
    assert second.appending
    second.add("b.md", blob, written)
    name, spans = second.finish()
    assert spans["b.md"][:2] == [place, len(blob)]
    found = literal.LiteralStore(tmp_path / name, spans)
    assert found.find("检查点") == {"b.md": 2}
    assert found.signature("b.md") == signatures.signature(blob)


def test_a_catalog_of_an_earlier_format_means_a_rebuild_not_an_error(make_index):
    import pickle

    index = make_index({"a.md": article("甲", "正文。"), "b.md": article("乙", "正文。")})
    loaded = catalog.load(index.index_dir)
    assert set(loaded.stats) == {"a.md", "b.md"}
    assert ArchiveIndex(index.root).is_fresh()
    assert sorted(loaded.by_id()) == ["a", "b"]
    # A pickled catalog is never read: the index is rebuilt.
    whole = {"archive": loaded.archive, "fingerprint": loaded.fingerprint}
    (index.index_dir / "catalog.pickle").write_bytes(pickle.dumps(whole))
    (index.index_dir / catalog.FILENAME).write_bytes(b"\x80\x05not a catalog")
    assert catalog.load(index.index_dir) is None
    assert not ArchiveIndex(index.root).is_fresh()
    assert ArchiveIndex(index.root).sync().rebuilt
    assert sorted(catalog.load(index.index_dir).by_id()) == ["a", "b"]


def test_the_catalog_keeps_every_field_as_written(tmp_path):
    odd = os.fsdecode(b"caf\xe9.md")  # a file name that is not UTF-8
    entries = {
        "a.md": catalog.Entry(
            size=1,
            mtime_ns=2**62,
            id="a",
            path="a.md",
            title="\ud800",
            date=None,
            sort_key=1.5,
            excerpt="摘要\udcff",
            tags=[],
            declared_id=None,
            span=[0, 3, 1],
        ),
        odd: catalog.Skipped(size=3, mtime_ns=4, reason="not UTF-8"),
    }
    written = catalog.Catalog("/archive", "v", entries, "texts-1.bin", {"text": "词 3"})
    catalog.save(tmp_path, written)
    read = catalog.load(tmp_path)
    assert dict(read.entries) == entries
    assert read.stats == {"a.md": (1, 2**62), odd: (3, 4)}
    assert read.spans() == {"a.md": [0, 3, 1]}
    assert (read.archive, read.texts, read.dictionary) == (
        "/archive",
        "texts-1.bin",
        {"text": "词 3"},
    )
    assert stat.S_IMODE((tmp_path / catalog.FILENAME).stat().st_mode) == 0o600


def test_an_index_knows_when_another_process_updated_it(make_archive) -> None:
    root = make_archive({"a.md": article("第一篇", "这里讲哈希表的扩容。")})
    mine, other = ArchiveIndex(root), ArchiveIndex(root)
    mine.sync()
    assert mine.is_current()
    other.sync()  # nothing changed: nothing written
    assert mine.is_current()
    (root / "b.md").write_text(
        article("第二篇", "布隆过滤器。", date="2025-01-02"), encoding="utf-8"
    )
    other.sync()
    assert not mine.is_current()
    mine.sync()
    assert mine.is_current()


# The freshness check: folders first, then one stat per file.


@pytest.fixture
def no_racy_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust folders changed just before the scan (the tests make them a moment before), so
    that the check by folders is the one tested."""
    monkeypatch.setattr(freshness, "RACY_NS", 0)


def _indexed(make_archive, files: dict[str, str]) -> ArchiveIndex:
    root = make_archive(files)
    ArchiveIndex(root).sync()
    built = ArchiveIndex(root)
    assert built.catalog.folders  # the check by folders is in use
    assert built.is_fresh()
    return built


def _found(root: Path, text: str) -> list[str]:
    from artread.core.search import search

    current = ArchiveIndex(root)
    current.sync()
    return sorted(h.entry.path for h in search(current, text).hits)


def test_a_file_edited_in_place_is_seen_though_no_folder_changed(make_archive, no_racy_margin):
    built = _indexed(make_archive, {"a.md": article("甲", "苹果"), "x/b.md": article("乙", "梨")})
    folder_before = os.stat(built.root / "x")
    with open(built.root / "x" / "b.md", "a", encoding="utf-8") as handle:
        handle.write("香蕉\n")
    assert os.stat(built.root / "x").st_mtime_ns == folder_before.st_mtime_ns
    assert not ArchiveIndex(built.root).is_fresh()
    assert _found(built.root, "香蕉") == ["x/b.md"]
    assert ArchiveIndex(built.root).is_fresh()


def test_files_added_removed_or_moved_in_a_subfolder_are_seen(make_archive, no_racy_margin):
    files = {"a.md": article("甲", "苹果"), "x/y/b.md": article("乙", "梨")}
    built = _indexed(make_archive, files)
    (built.root / "x" / "y" / "c.md").write_text(article("丙", "香蕉"), encoding="utf-8")
    assert not ArchiveIndex(built.root).is_fresh()
    assert _found(built.root, "香蕉") == ["x/y/c.md"]
    (built.root / "x" / "y" / "c.md").rename(built.root / "x" / "c.md")
    assert not ArchiveIndex(built.root).is_fresh()
    assert _found(built.root, "香蕉") == ["x/c.md"]
    (built.root / "x" / "c.md").unlink()
    assert not ArchiveIndex(built.root).is_fresh()
    assert _found(built.root, "香蕉") == []


def test_a_folder_replaced_by_another_is_seen(make_archive, no_racy_margin):
    built = _indexed(make_archive, {"a.md": article("甲", "苹果"), "x/b.md": article("乙", "梨")})
    (built.root / "x").rename(built.root / "old")
    (built.root / "x").mkdir()
    (built.root / "x" / "b.md").write_text(article("乙", "香蕉"), encoding="utf-8")
    assert _found(built.root, "香蕉") == ["x/b.md"]
    assert _found(built.root, "梨") == ["old/b.md"]


def test_a_file_added_while_the_index_is_updated_is_seen_next_time(make_archive, monkeypatch):
    root = make_archive({"a.md": article("甲", "苹果"), "x/b.md": article("乙", "梨")})
    # Folders made before the update are trusted; one changed during it must not be.
    monkeypatch.setattr(freshness, "RACY_NS", 50_000_000)
    time.sleep(0.2)
    real_scan = archive.scan

    def scan_then_add(folder: Path) -> archive.ScanResult:
        scanned = real_scan(folder)
        # Added just after the scan listed the folder, in the same timestamp tick.
        before = os.stat(root / "x")
        (root / "x" / "c.md").write_text(article("丙", "香蕉"), encoding="utf-8")
        os.utime(root / "x", ns=(before.st_atime_ns, before.st_mtime_ns))
        monkeypatch.setattr(archive, "scan", real_scan)
        return scanned

    monkeypatch.setattr(archive, "scan", scan_then_add)
    ArchiveIndex(root).sync()
    assert not ArchiveIndex(root).is_fresh()
    assert _found(root, "香蕉") == ["x/c.md"]


def test_folders_too_new_to_trust_when_indexed_are_trusted_once_they_settle(
    make_archive, monkeypatch
):
    root = make_archive({"a.md": article("甲", "苹果"), "x/b.md": article("乙", "梨")})
    ArchiveIndex(root).sync()  # the folders were made a moment ago: not trusted yet
    assert ArchiveIndex(root).catalog.folders == {}
    monkeypatch.setattr(freshness, "RACY_NS", 0)  # now they have settled
    scans = []
    real_scan = archive.scan
    monkeypatch.setattr(archive, "scan", lambda folder: scans.append(folder) or real_scan(folder))
    built = ArchiveIndex(root)
    assert built.is_fresh() and len(scans) == 1  # looked at every folder, and vouched for them
    later = built.index_dir / freshness.LATER_FOLDERS
    assert later.stat().st_mode & 0o777 == 0o600
    assert ArchiveIndex(root).is_fresh() and len(scans) == 1  # one stat per folder and file
    with open(root / "x" / "b.md", "a", encoding="utf-8") as handle:
        handle.write("香蕉\n")
    assert not ArchiveIndex(root).is_fresh()
    (root / "x" / "c.md").write_text(article("丙", "香蕉"), encoding="utf-8")
    assert not ArchiveIndex(root).is_fresh()
    assert _found(root, "香蕉") == ["x/b.md", "x/c.md"]
    assert not later.exists()  # it vouched for the catalog the update replaced


# A big update is read by worker processes; the index is the one a single process builds.

CHINESE = (  # noqa: SIM905 (a line of words reads better than a list)
    "注意力 机制 线程池 梯度检查点 数据库 索引 缓存 分布式 事务 内存 模型 训练 "
    "卷积 神经网络 调度 锁 并发 哈希表 排序 算法 编译器 虚拟机 垃圾回收 网络 协议 量子退火机"
).split()
ENGLISH = ["Transformer", "attention", "threads", "checkpoint", "cache", "Redis", "C++"]
TEXT_FIELDS = ("title", "headings", "meta", "body", "category", "tags", "path")
USER_WORDS = "量子退火机\n"  # one word jieba does not know, in artread.dict
QUERIES = ["量子退火机", "注意力", "线程池 并发", "梯度检查点", "transformer", "Redis cache"]
BINARY = "bad/binary.md"


def generated_articles(count: int, seed: int = 13) -> dict[str, str | bytes]:
    """Articles of mixed Chinese and English with front matter, headings and code."""
    pick = random.Random(seed)
    files: dict[str, str | bytes] = {}
    for number in range(count):
        words = [pick.choice(CHINESE + ENGLISH) for _ in range(pick.randint(150, 300))]
        lines = ["，".join(words[i : i + 12]) + "。" for i in range(0, len(words), 12)]
        body = f"# {pick.choice(CHINESE)}\n\n" + "\n\n".join(lines)
        body += f"\n\n## {pick.choice(ENGLISH)}\n\n```python\nx = {number}\n```\n"
        tags = f"[{pick.choice(CHINESE)}, {pick.choice(ENGLISH)}]"
        folder = f"topic{number % 7}"
        files[f"{folder}/{number:04d}.md"] = article(
            f"{pick.choice(CHINESE)}{pick.choice(ENGLISH)} {number}",
            body,
            date=f"2023-{number % 12 + 1:02d}-{number % 28 + 1:02d}",
            tags=tags,
        )
    files[BINARY] = b"\x00\x01 not text"
    files["artread.dict"] = USER_WORDS
    return files


def whoosh_contents(index: ArchiveIndex) -> dict:
    """Every term and posting of every field, field lengths and stored fields, by reader."""
    with index.whoosh().reader() as reader:
        documents = range(reader.doc_count_all())
        found: dict = {"stored": [reader.stored_fields(d) for d in documents]}
        for name in TEXT_FIELDS:
            postings = {}
            for term in reader.lexicon(name):
                matcher = reader.postings(name, term)
                found_here = []
                while matcher.is_active():
                    found_here.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                postings[term] = found_here
            found[name] = postings
            found[f"{name} lengths"] = [reader.doc_field_length(d, name) for d in documents]
    return found


def ranked(index: ArchiveIndex, query: str) -> list[tuple[str, float]]:
    return [(hit.entry.path, round(hit.score, 9)) for hit in search(index, query).hits]


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> tuple:
    """One archive indexed in this process and by two workers, each into its own index."""
    base = tmp_path_factory.mktemp("parallel")
    root = base / "archive"
    write_files(root, generated_articles(120))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARTREAD_CACHE_DIR", str(shared_cache))
        patch.setenv("ARTREAD_SERVER", "off")
        patch.delenv("ARTREAD_JOBS", raising=False)
        alone = ArchiveIndex(root, base / "alone")
        alone_report = alone.sync(jobs=1)
        workers = ArchiveIndex(root, base / "workers")
        workers_report = workers.sync(jobs=2)
        yield root, (alone, alone_report), (workers, workers_report)


@pytest.mark.slow
def test_a_big_build_is_read_by_the_workers_asked_for(two_builds):
    _root, (_alone, alone_report), (_workers, workers_report) = two_builds
    assert alone_report.workers == 0
    assert workers_report.workers == 2
    assert workers_report.added == alone_report.added == 120


@pytest.mark.slow
def test_workers_build_the_same_terms_and_postings_as_one_process(two_builds):
    _root, (alone, _), (workers, _) = two_builds
    expected, built = whoosh_contents(alone), whoosh_contents(workers)
    assert len(expected["stored"]) == 120
    assert len(expected["body"]) > 30  # the comparison covers real text
    assert "量子退火机".encode() in expected["body"]  # segmented with the archive's user dictionary
    for key in expected:
        assert built[key] == expected[key], key


@pytest.mark.slow
def test_workers_build_the_same_catalog_and_literal_texts(two_builds):
    _root, (alone, _), (workers, _) = two_builds
    expected, built = catalog.load(alone.index_dir), catalog.load(workers.index_dir)
    assert built.entries == expected.entries
    assert (workers.index_dir / built.texts).read_bytes() == (
        alone.index_dir / expected.texts
    ).read_bytes()


@pytest.mark.slow
def test_searches_rank_the_same_with_workers(two_builds):
    _root, (alone, _), (workers, _) = two_builds
    for query in QUERIES:
        expected = ranked(alone, query)
        assert expected, query
        assert ranked(workers, query) == expected, query


@pytest.mark.slow
def test_a_file_workers_cannot_read_is_skipped_with_the_same_reason(two_builds):
    _root, (_alone, alone_report), (_workers, workers_report) = two_builds
    reason = "binary file (contains NUL bytes)"
    assert alone_report.skipped == [(BINARY, reason)]
    assert workers_report.skipped == alone_report.skipped


def children() -> set[int]:
    """This process's child processes (Linux)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found.update(int(p) for p in (task / "children").read_text().split())
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def changed_archive(make_archive) -> tuple[ArchiveIndex, dict, list]:
    """An indexed archive of short articles that all grow: enough to update with workers."""
    files = generated_articles(200).items()
    grown = {rel: c for rel, c in files if isinstance(c, str) and rel.endswith(".md")}
    root = make_archive({rel: article(f"短文 {rel}", "注意力很短。") for rel in grown})
    index = ArchiveIndex(root)
    index.sync(jobs=1)
    before = catalog.load(index.index_dir)
    hits = ranked(index, "注意力")
    assert len(hits) == 10
    for rel, content in grown.items():
        (root / rel).write_text(content, encoding="utf-8")
        os.utime(root / rel, ns=(1, 2_000_000_000_000_000_000))
    return index, before.entries, hits


def assert_unchanged(index: ArchiveIndex, entries: dict, hits: list) -> None:
    reopened = ArchiveIndex(index.root)
    assert reopened.catalog.entries == entries
    assert ranked(reopened, "注意力") == hits


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="lists processes from /proc")
def test_a_worker_that_dies_leaves_the_previous_index_and_no_processes(make_archive):
    index, entries, hits = changed_archive(make_archive)
    workers: set[int] = set()

    def kill_a_worker(done: int, total: int, path: str) -> None:
        if not workers:
            workers.update(children())
            os.kill(min(workers), signal.SIGKILL)

    with pytest.raises(RuntimeError, match="worker process"):
        index.sync(jobs=2, progress=kill_a_worker)
    assert len(workers) == 2
    assert not [pid for pid in workers if alive(pid)]
    assert_unchanged(index, entries, hits)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="lists processes from /proc")
def test_ctrl_c_during_an_update_by_workers_leaves_the_previous_index(make_archive):
    index, entries, hits = changed_archive(make_archive)
    workers: set[int] = set()

    def interrupt(done: int, total: int, path: str) -> None:
        if not workers:
            workers.update(children())
            os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C as in a shell
    try:
        with pytest.raises(KeyboardInterrupt):
            index.sync(jobs=2, progress=interrupt)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert len(workers) == 2
    assert not [pid for pid in workers if alive(pid)]
    assert_unchanged(index, entries, hits)
