"""Each archive is segmented by its own Analyzer (its artread.dict), whatever was read before."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers import article, artread

from artread.core.analysis import Analyzer
from artread.core.index import ArchiveIndex
from artread.core.search import search

WHOLE = "我们采用蓝绿发布上线。"  # the user dictionary's word, whole
APART = "蓝绿两色的按钮，明天发布。"  # its two halves, apart


def _archives(make_archive) -> tuple[Path, Path]:
    """Two archives with the same articles; only the first has 蓝绿发布 in its artread.dict."""
    files = {"whole.md": article("甲", WHOLE), "apart.md": article("乙", APART)}
    with_word = make_archive({**files, "artread.dict": "蓝绿发布 10 n\n"})
    without = make_archive({**files, "artread.dict": "按钮 5 n\n"})
    return with_word, without


def _complete(index: ArchiveIndex, query: str) -> list[str]:
    return sorted(hit.entry.id for hit in search(index, query).hits if hit.matched_all)


def test_two_archives_searched_alternately_each_use_their_own_dictionary(make_archive):
    with_word, without = (ArchiveIndex(root) for root in _archives(make_archive))
    with_word.sync()
    without.sync()
    for _ in range(2):
        assert _complete(with_word, "蓝绿发布") == ["whole"]
        assert _complete(without, "蓝绿发布") == ["apart", "whole"]
        assert ArchiveIndex(without.root).catalog.dictionary  # read last: changes nothing
        assert with_word.analyzer.query_units("蓝绿发布") == ["蓝绿发布"]
        assert without.analyzer.query_units("蓝绿发布") == ["蓝绿", "发布"]


def test_a_new_index_object_reads_the_dictionary_its_index_was_built_with(make_archive):
    with_word, without = _archives(make_archive)
    ArchiveIndex(with_word).sync()
    ArchiveIndex(without).sync()
    fresh = ArchiveIndex(with_word)  # nothing read yet, another archive read last
    ArchiveIndex(without).sync()
    assert fresh.analyzer.user_dictionary == "蓝绿发布 10 n\n"
    assert _complete(fresh, "蓝绿发布") == ["whole"]


def test_the_whoosh_tokenizer_segments_with_its_archives_analyzer(make_archive):
    with_word, without = (ArchiveIndex(root) for root in _archives(make_archive))
    for index in (with_word, without):
        index.sync()
    tokens = {}
    for index in (with_word, without, with_word):
        with index.searcher() as searcher:
            tokenizer = searcher.schema["body"].analyzer
            tokens[index.root] = [t.text for t in tokenizer("蓝绿发布")]
    assert tokens[with_word.root][-1] == "蓝绿发布"
    assert "蓝绿发布" not in tokens[without.root]


def test_the_pickled_schema_holds_no_user_dictionary(make_archive):
    with_word, _without = _archives(make_archive)
    index = ArchiveIndex(with_word)
    index.sync()
    toc = b"".join(p.read_bytes() for p in (index.index_dir / "whoosh").glob("*.toc"))
    assert toc and "蓝绿发布".encode() not in toc


def test_worker_processes_segment_with_the_archives_dictionary(make_archive):
    files = {f"n{i:02}.md": article(f"第{i}篇", APART) for i in range(20)}
    root = make_archive({**files, "whole.md": article("甲", WHOLE), "artread.dict": "蓝绿发布\n"})
    index = ArchiveIndex(root)
    report = index.sync(jobs=2)
    assert report.workers == 2
    assert _complete(index, "蓝绿发布") == ["whole"]


def test_an_analyzer_without_a_dictionary_segments_as_jieba_does():
    assert Analyzer().query_units("蓝绿发布") == ["蓝绿", "发布"]
    assert Analyzer("蓝绿发布\n").query_units("蓝绿发布") == ["蓝绿发布"]
    assert Analyzer("蓝绿发布\n") == Analyzer("蓝绿发布\n") != Analyzer()


@pytest.mark.slow
def test_the_server_searches_each_archive_with_its_own_dictionary(
    server: str,
    make_archive,
) -> None:
    with_word, without = _archives(make_archive)
    expected: dict[Path, subprocess.CompletedProcess] = {}
    for root in (with_word, without):
        expected[root] = artread("--archive", str(root), "search", "蓝绿发布", server=False)
    assert expected[with_word].stdout != expected[without].stdout
    for root in (with_word, without, with_word, without):
        served = artread("--archive", str(root), "search", "蓝绿发布", server=True)
        assert (served.returncode, served.stdout) == (0, expected[root].stdout), root
