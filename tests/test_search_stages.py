"""The stages of a search (plan, collect, narrow, score, re-rank), the typed catalog entries
they read, and the helpers every ranking shares, each on a real index."""

from __future__ import annotations

import msgpack
import pytest
from helpers import article, ids

from artread.core import catalog, listing, ranking
from artread.core.catalog import Entry, Skipped
from artread.core.engine import queries
from artread.core.engine.fields import FIELD_BOOSTS
from artread.core.filters import allowed_paths
from artread.core.index import FINGERPRINT, ArchiveIndex
from artread.core.lookup import LookupFailed, resolve
from artread.core.paging import page_count, page_of
from artread.core.query import parse
from artread.core.search import CORRECTION_WEIGHT, Tier, plan, search

# Plan: what a query looks for.


def test_question_words_are_left_out_beside_other_words_and_kept_alone(make_index):
    index = make_index({"a.md": article("注意力", "注意力机制为什么有效。")})
    with index.searcher() as searcher:
        beside = plan(index, searcher, parse("为什么 注意力"))
        alone = plan(index, searcher, parse("为什么"))
    assert [w.text for w in beside.words] == ["注意力"]
    assert [w.text for w in alone.words] == ["为什么"]


def test_glossary_forms_and_corrections_are_searched_as_variants_that_weigh_less(make_index):
    index = make_index(
        {
            "a.md": article("反向传播", "反向传播计算梯度。"),
            "b.md": article("Kafka 入门", "kafka 是消息队列。"),
            "c.md": article("Kafka 进阶", "kafka 的分区。"),
        }
    )
    with index.searcher() as searcher:
        planned = plan(index, searcher, parse("backpropagation kafak"))
    glossary_forms = [v for v in planned.variants if not v.correction]
    corrections = [v for v in planned.variants if v.correction]
    chinese = next(v for v in glossary_forms if v.terms == ("反向", "传播"))
    # Two terms standing for one query term weigh half of it each, and a little less.
    assert chinese.boost == ranking.GLOSSARY_WEIGHT / 2
    assert all(0 < v.boost < 1 for v in glossary_forms)
    assert [(v.stands_for, v.terms, v.boost) for v in corrections] == [
        (("kafak",), ("kafka",), CORRECTION_WEIGHT)
    ]


def test_a_rare_term_weighs_more_and_a_term_every_article_holds_still_weighs(make_index):
    index = make_index(
        {f"{n}.md": article(f"第{n}篇", "队列" + ("死锁" if n == 0 else "")) for n in range(4)}
    )
    with index.searcher() as searcher:
        planned = plan(index, searcher, parse("队列 死锁"))
        rare, everywhere = ranking.term_idf(searcher, "死锁"), ranking.term_idf(searcher, "队列")
    assert planned.weights == {"队列": everywhere, "死锁": rare}
    assert rare > everywhere > 0
    assert ranking.idf(1, 4) == rare


def test_filters_allow_every_article_when_there_are_none(make_index):
    index = make_index(
        {
            "a.md": article("甲", "正文", category="Java"),
            "b.md": article("乙", "正文", category="Python"),
        }
    )
    assert allowed_paths(index, parse("正文")) is None
    assert allowed_paths(index, parse("正文 category:java")) == {"a.md"}
    assert allowed_paths(index, parse("正文 -category:java")) == {"b.md"}


def test_the_engine_finds_articles_holding_every_term_in_any_field(make_index):
    index = make_index(
        {
            "title.md": article("显存优化", "梯度检查点。"),
            "body.md": article("别的", "显存与梯度检查点。"),
            "one.md": article("只有一个", "显存。"),
        }
    )
    with index.searcher() as searcher:
        both = queries.paths_holding(searcher, ["显存", "检查点"], FIELD_BOOSTS)
        in_titles = queries.paths_holding(searcher, ["显存"], ["title"])
    assert both == {"title.md", "body.md"}
    assert in_titles == {"title.md"}


# Score: tiers first, then scores.


def test_articles_holding_every_term_come_before_a_better_scored_one_missing_a_term(make_index):
    files = {f"{n}.md": article(f"其他{n}", "计算很多。") for n in range(6)}  # 计算 is common
    files["all.md"] = article("笔记", "梯度检查点节省显存，代价是计算。")
    files["some.md"] = article("检查点与显存：检查点省显存", "检查点节省显存。" * 20)
    found = search(make_index(files), "检查点 显存 计算")
    assert ids(found) == ["all", "some"]
    assert [hit.tier for hit in found.hits] == [Tier.COMPLETE, Tier.PARTIAL]
    assert found.hits[1].score > found.hits[0].score


def test_a_correction_ranks_after_articles_that_hold_the_typed_word(make_index):
    index = make_index(
        {
            "typed.md": article("消息", "别的内容。" * 80 + "这里写的是 kafak。"),
            "one.md": article("Kafka 入门", "kafka 是消息队列，kafka 很快。" * 3),
            "two.md": article("Kafka 进阶", "kafka 的分区与副本。" * 3),
            "three.md": article("Kafka 运维", "kafka 的监控。" * 3),
        }
    )
    found = search(index, "kafak")
    assert ids(found)[0] == "typed"
    assert sorted(ids(found)[1:]) == ["one", "three", "two"]
    assert [hit.tier for hit in found.hits] == [Tier.COMPLETE] + [Tier.CORRECTED] * 3
    assert found.hits[1].score > found.hits[0].score
    assert [(c.asked, c.word) for c in found.corrections] == [("kafak", "kafka")]


# Typed catalog entries.


def test_an_unreadable_file_is_a_skipped_entry_with_its_reason_and_no_article(make_index):
    index = make_index({"good.md": article("好", "正文"), "bad.md": b"\x00\x01binary"})
    entries = index.catalog.entries
    assert isinstance(entries["good.md"], Entry)
    assert isinstance(entries["bad.md"], Skipped)
    assert entries["bad.md"].reason == "binary file (contains NUL bytes)"
    assert [e.path for e in index.catalog.articles()] == ["good.md"]
    assert index.catalog.article("bad.md") is None
    with pytest.raises(LookupFailed):
        resolve(index.catalog, index.root, "bad.md")


def catalog_parts(data: bytes) -> tuple[bytes, bytes]:
    """A format 6 catalog file's MessagePack part and the texts after it."""
    assert data.startswith(b"artread catalog 6\n")
    start = data.index(b"\n") + 1 + 8  # the MessagePack part's length, then that part
    length = int.from_bytes(data[start - 8 : start], "little")
    return data[start : start + length], data[start + length :]


def catalog_file(header: bytes, tail: bytes) -> bytes:
    return b"artread catalog 6\n" + len(header).to_bytes(8, "little") + header + tail


def test_the_catalog_on_disk_keeps_one_column_per_field_and_marks_what_an_entry_lacks(tmp_path):
    entries = {
        "a.md": Entry(
            1, 2, "a", "a.md", "甲", "2024-01-02", 3.0, "Java", ["x", "y"], "摘要", 9, None
        ),
        "b.md": Skipped(4, 5, "too large"),
        "c.md": Entry(6, 7, "c", "c.md", "丙", None, 1.0, None, [], "", 0, None, [0, 9, 3]),
    }
    catalog.save(tmp_path, catalog.Catalog("/archive", "v", entries, "texts-1.bin"))
    header, tail = catalog_parts((tmp_path / catalog.FILENAME).read_bytes())
    body = msgpack.unpackb(header, ext_hook=lambda code, _: f"absent{code}")
    columns = body["columns"]
    assert body["paths"] == ["a.md", "b.md", "c.md"]
    # Names as every earlier version wrote them (the list of paths holds the path column).
    assert set(columns) == {
        *("size", "mtime_ns", "id", "title", "date", "sort_key", "category", "tags"),
        *("excerpt", "chars", "declared_id", "text", "draft", "warnings", "skipped"),
    }
    assert columns["declared_id"] == [None, "absent1", None]
    assert columns["skipped"] == ["absent1", "too large", "absent1"]
    # The long and many-valued columns are packed: a few byte strings, not a value a row; the
    # excerpts' texts come after the MessagePack part, where they are mapped, not read.
    assert tail == "摘要".encode() and columns["excerpt"]["tail"] == [0, len(tail)]
    assert columns["tags"]["joined"] == b"x\x1fy"
    assert dict(catalog.load(tmp_path).entries) == entries


def test_a_catalog_of_format_5_is_read_as_it_is(tmp_path):
    """Format 5 held the excerpts' texts in the MessagePack part: such a catalog is read, and
    its index is not rebuilt (the fingerprint names what the entries hold, not the layout)."""
    entries = {
        "a.md": Entry(
            1, 2, "a", "a.md", "甲", "2024-01-02", 3.0, "Java", ["x", "y"], "摘要", 9, None
        ),
        "b.md": Skipped(4, 5, "too large"),
    }
    catalog.save(tmp_path, catalog.Catalog("/archive", "v", entries, "texts-1.bin"))
    header, tail = catalog_parts((tmp_path / catalog.FILENAME).read_bytes())
    body = msgpack.unpackb(header)
    body["columns"]["excerpt"] = {**body["columns"]["excerpt"], "joined": tail}
    del body["columns"]["excerpt"]["tail"]
    (tmp_path / catalog.FILENAME).write_bytes(b"artread catalog 5\n" + msgpack.packb(body))
    assert dict(catalog.load(tmp_path).entries) == entries
    assert "catalog5-" in FINGERPRINT


def test_a_catalog_written_with_a_value_a_row_is_read_as_well(tmp_path):
    """As artread wrote every column before packing: read, not rebuilt."""
    absent = msgpack.ExtType(1, b"")
    columns = {
        "size": [1, 4],
        "mtime_ns": [2, 5],
        "id": ["a", absent],
        "path": ["a.md", absent],
        "title": ["甲", absent],
        "date": ["2024-01-02", absent],
        "sort_key": [3.0, absent],
        "category": ["Java", absent],
        "tags": [["x"], absent],
        "excerpt": ["摘要".encode(), absent],
        "chars": [9, absent],
        "declared_id": [None, absent],
        "text": [[0, 9, 3], absent],
        "draft": [False, absent],
        "warnings": [["odd date"], absent],
        "skipped": [absent, "too large"],
    }
    body = {"archive": "/a", "fingerprint": "v", "texts": "t", "dictionary": {}, "folders": {}}
    body |= {"paths": ["a.md", "b.md"], "columns": columns}
    magic = b"artread catalog 5\n"  # the layout of a value a row
    (tmp_path / catalog.FILENAME).write_bytes(magic + msgpack.packb(body))
    read = catalog.load(tmp_path)
    a = Entry(1, 2, "a", "a.md", "甲", "2024-01-02", 3.0, "Java", ["x"], "摘要", 9, None)
    a.span, a.warnings = [0, 9, 3], ["odd date"]
    assert dict(read.entries) == {"a.md": a, "b.md": Skipped(4, 5, "too large")}
    assert read.spans() == {"a.md": [0, 9, 3]}


def test_an_article_lacking_a_field_on_disk_is_read_with_its_default(tmp_path):
    absent = msgpack.ExtType(1, b"")
    body = {
        "archive": "/archive",
        "fingerprint": "v",
        "texts": "",
        "dictionary": {},
        "folders": {},
        "paths": ["a.md"],
        "columns": {"size": [absent], "mtime_ns": [2], "id": ["a"], "title": ["甲"]},
    }
    (tmp_path / catalog.FILENAME).write_bytes(catalog_file(msgpack.packb(body), b""))
    entry = catalog.load(tmp_path).entries["a.md"]
    assert entry == Entry(-1, 2, "a", "a.md", "甲", None, 0.0)  # size -1: read again


def test_a_catalog_with_a_field_this_version_does_not_know_is_rebuilt(tmp_path, make_index):
    index = make_index({"a.md": article("甲", "正文")})
    path = index.index_dir / catalog.FILENAME
    header, tail = catalog_parts(path.read_bytes())
    body = msgpack.unpackb(header, ext_hook=msgpack.ExtType)
    body["columns"]["reading_level"] = [3]
    path.write_bytes(catalog_file(msgpack.packb(body), tail))
    assert catalog.load(index.index_dir) is None
    again = ArchiveIndex(index.root)
    assert again.sync().rebuilt
    assert ids(search(again, "正文")) == ["a"]


# Pages.


def test_page_counts_round_up_and_an_empty_list_has_one_page():
    assert [page_count(n, 10) for n in (0, 1, 10, 11, 20, 21)] == [1, 1, 1, 2, 2, 3]
    assert list(page_of(list(range(25)), 3, 10)) == [20, 21, 22, 23, 24]
    assert list(page_of(list(range(25)), 4, 10)) == []


def test_the_last_page_of_latest_and_of_a_search_holds_the_rest(make_index):
    index = make_index({f"{n}.md": article(f"第{n}篇", "共同的正文。") for n in range(5)})
    latest = listing.latest_page(index.catalog, page=3, per_page=2)
    found = search(index, "正文", page=3, per_page=2)
    assert (latest.pages, len(latest.articles)) == (3, 1)
    assert (found.pages, len(found.hits)) == (3, 1)
