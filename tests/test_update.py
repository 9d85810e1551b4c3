"""Building and updating an index: worker processes each write a Whoosh segment of their own,
and the index searches exactly as one built in a single process."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from helpers import article

from artread.core import catalog, health, signatures
from artread.core.index import WHOOSH_DIR, ArchiveIndex
from artread.core.search import search

WORDS = (  # noqa: SIM905 (a line of words reads better than a list)
    "注意力 机制 线程池 梯度检查点 数据库 索引 缓存 分布式 事务 内存 模型 训练 卷积 "
    "神经网络 调度 并发 哈希表 排序 算法 编译器 Transformer attention Redis cache"
).split()
QUERIES = ["注意力", "线程池 并发", "梯度检查点", "transformer", "redis cache", '"哈希表"']


def articles(count: int, paragraphs: int, seed: int) -> dict[str, str]:
    """count articles of mixed Chinese and English, each of about paragraphs x 100 bytes."""
    pick = random.Random(seed)
    found = {}
    for number in range(count):
        lines = ["，".join(pick.choices(WORDS, k=12)) + "。" for _ in range(paragraphs)]
        title = f"{pick.choice(WORDS)} {number}"
        body = f"# {pick.choice(WORDS)}\n\n" + "\n\n".join(lines)
        found[f"part{number % 3}/{number:03d}.md"] = article(title, body, date="2024-01-02")
    return found


def write(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content, encoding="utf-8")


def ranked(index: ArchiveIndex, query: str) -> list[tuple[str, float]]:
    return [(hit.entry.path, hit.score) for hit in search(index, query).hits]


def segment_count(index: ArchiveIndex) -> int:
    with index.whoosh().reader() as reader:
        return len(list(reader.leaf_readers()))


def assert_alike(alone: ArchiveIndex, workers: ArchiveIndex) -> None:
    """The same catalog and literal texts, byte for byte, and the same search results."""
    expected, built = catalog.load(alone.index_dir), catalog.load(workers.index_dir)
    assert built.entries == expected.entries
    assert (workers.index_dir / built.texts).read_bytes() == (
        alone.index_dir / expected.texts
    ).read_bytes()
    assert signatures.keys_of(workers.index_dir / built.texts).read_bytes() == (
        signatures.keys_of(alone.index_dir / expected.texts).read_bytes()
    )  # the same signatures, at the same places
    assert_same_search(alone, workers)


def assert_same_search(alone: ArchiveIndex, workers: ArchiveIndex) -> None:
    """The same search results, scores included, and no problem for the doctor."""
    for query in QUERIES:
        assert ranked(alone, query), query
        assert ranked(workers, query) == ranked(alone, query), query
    doctor = health.examine(ArchiveIndex(workers.root, workers.index_dir))
    warnings = [f for f in doctor.findings if f.level == "warning"]
    assert doctor.problems == [] and all(f.topic in ("archive", "skipped") for f in warnings)


def no_leftovers(index: ArchiveIndex) -> None:
    """Nothing in the index folder but what the catalog and Whoosh's table of contents use."""
    texts = sorted(p.name for p in index.index_dir.glob("texts-*"))
    used = catalog.load(index.index_dir).texts
    assert texts == sorted([used, signatures.keys_of(Path(used)).name])
    with index.whoosh().reader() as reader:
        live = {leaf.segment().segment_id() for leaf, _base in reader.leaf_readers()}
    for name in (p.name for p in (index.index_dir / WHOOSH_DIR).iterdir()):
        segment = re.match(r"(MAIN_[a-z0-9]+)\.", name)
        if name == "MAIN_WRITELOCK" or re.fullmatch(r"_MAIN_\d+\.toc", name):
            continue
        assert segment and segment[1] in live, name


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path):
    """One archive, indexed here and by two workers; then changed, and updated both ways."""
    base = tmp_path_factory.mktemp("update")
    root = base / "archive"
    write(root, articles(48, 60, seed=7))
    (root / "bad.md").write_bytes(b"\x00 not text")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARTREAD_CACHE_DIR", str(shared_cache))
        patch.delenv("ARTREAD_JOBS", raising=False)
        alone, workers = ArchiveIndex(root, base / "alone"), ArchiveIndex(root, base / "workers")
        reports = [alone.sync(jobs=1), workers.sync(jobs=2)]
        yield root, alone, workers, reports


def test_two_workers_write_a_segment_each_and_search_as_one_process(built):
    _root, alone, workers, (alone_report, workers_report) = built
    assert (alone_report.workers, workers_report.workers) == (0, 2)
    assert workers_report.added == alone_report.added == 48
    assert (
        workers_report.skipped == alone_report.skipped == [("bad.md", alone_report.skipped[0][1])]
    )
    assert (segment_count(alone), segment_count(workers)) == (1, 2)
    assert_alike(alone, workers)
    no_leftovers(workers)


def test_an_update_by_workers_searches_as_one_made_here(built):
    root, alone, workers, _reports = built
    changed = articles(48, 80, seed=8)  # every file grows: enough to read to use workers
    del changed["part0/000.md"]
    (root / "part0" / "000.md").unlink()
    changed["part1/new.md"] = article("新的 注意力", "注意力与线程池。")
    write(root, changed)
    alone_report = ArchiveIndex(root, alone.index_dir).sync(jobs=1)
    workers_report = ArchiveIndex(root, workers.index_dir).sync(jobs=2)
    assert (alone_report.workers, workers_report.workers) == (0, 2)
    assert (workers_report.updated, workers_report.added, workers_report.removed) == (47, 1, 1)
    assert (alone_report.updated, alone_report.added, alone_report.removed) == (47, 1, 1)
    assert_alike(ArchiveIndex(root, alone.index_dir), ArchiveIndex(root, workers.index_dir))
    no_leftovers(ArchiveIndex(root, workers.index_dir))


def test_a_build_stopped_midway_is_used_by_no_one_and_the_next_build_is_whole(
    make_archive, shared_cache: Path
):
    root = make_archive(articles(40, 60, seed=9))
    index = ArchiveIndex(root)

    def stop(done: int, total: int, path: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        index.sync(jobs=2, progress=stop)
    assert not (index.index_dir / catalog.FILENAME).exists()
    assert not list(index.index_dir.glob("texts-*"))
    again = ArchiveIndex(root)
    assert not again.is_fresh()
    report = again.sync(jobs=2)
    assert report.added == 40 and report.workers == 2
    alone = ArchiveIndex(root, index.index_dir.parent / "alone")
    alone.sync(jobs=1)
    assert_alike(alone, ArchiveIndex(root))
    no_leftovers(ArchiveIndex(root))


def test_an_update_stopped_midway_leaves_the_last_index_and_no_stray_files(
    make_archive, shared_cache: Path
):
    root = make_archive(articles(40, 60, seed=10))
    index, alone = ArchiveIndex(root), ArchiveIndex(root, root.parent / "alone")
    index.sync(jobs=1)
    alone.sync(jobs=1)
    before = ranked(index, "注意力")
    write(root, articles(40, 80, seed=11))

    def stop(done: int, total: int, path: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ArchiveIndex(root).sync(jobs=2, progress=stop)
    assert ranked(ArchiveIndex(root), "注意力") == before  # searched without an update
    assert ArchiveIndex(root).sync(jobs=2).updated == 40
    no_leftovers(ArchiveIndex(root))
    # Whoosh counts deleted documents until it merges segments: an update is compared with
    # the same update made in one process, not with a new build.
    assert ArchiveIndex(root, alone.index_dir).sync(jobs=1).updated == 40
    assert_same_search(ArchiveIndex(root, alone.index_dir), ArchiveIndex(root))
