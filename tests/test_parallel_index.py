"""A big update is read by worker processes; the index is the one a single process builds."""

from __future__ import annotations

import os
import random
import signal
from pathlib import Path

import pytest
from conftest import article

from artread.core import catalog
from artread.core.index import ArchiveIndex
from artread.core.search import search

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
    for rel, content in generated_articles(120).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARTREAD_CACHE_DIR", str(shared_cache))
        patch.setenv("ARTREAD_SERVER", "off")
        patch.delenv("ARTREAD_JOBS", raising=False)
        alone = ArchiveIndex(root, base / "alone")
        alone_report = alone.sync(jobs=1)
        workers = ArchiveIndex(root, base / "workers")
        workers_report = workers.sync(jobs=2)
        yield root, (alone, alone_report), (workers, workers_report)


def test_a_big_build_is_read_by_the_workers_asked_for(two_builds):
    _root, (_alone, alone_report), (_workers, workers_report) = two_builds
    assert alone_report.workers == 0
    assert workers_report.workers == 2
    assert workers_report.added == alone_report.added == 120


def test_workers_build_the_same_terms_and_postings_as_one_process(two_builds):
    _root, (alone, _), (workers, _) = two_builds
    expected, built = whoosh_contents(alone), whoosh_contents(workers)
    assert len(expected["stored"]) == 120
    assert len(expected["body"]) > 30  # the comparison covers real text
    assert "量子退火机".encode() in expected["body"]  # segmented with the archive's user dictionary
    for key in expected:
        assert built[key] == expected[key], key


def test_workers_build_the_same_catalog_and_literal_texts(two_builds):
    _root, (alone, _), (workers, _) = two_builds
    expected, built = catalog.load(alone.index_dir), catalog.load(workers.index_dir)
    assert built.entries == expected.entries
    assert (workers.index_dir / built.texts).read_bytes() == (
        alone.index_dir / expected.texts
    ).read_bytes()


def test_searches_rank_the_same_with_workers(two_builds):
    _root, (alone, _), (workers, _) = two_builds
    for query in QUERIES:
        expected = ranked(alone, query)
        assert expected, query
        assert ranked(workers, query) == expected, query


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
