"""Search: the right article first, words inside words, literal quotes, snippets."""

from __future__ import annotations

import pytest
from helpers import article, ids

from artread.core.search import QueryError, search
from artread.core.snippets import make_snippet


def test_gradient_checkpointing_article_comes_first(sample_index):
    assert ids(search(sample_index, "梯度检查点"))[:1] == ["gradient-checkpointing"]


def test_search_finds_word_inside_longer_word(sample_index):
    assert "gradient-checkpointing" in ids(search(sample_index, "检查"))[:3]


def test_english_query_matches_regardless_of_case(sample_index):
    assert ids(search(sample_index, "mamba"))[:1] == ["ssm-hippo-s4-mamba"]
    assert ids(search(sample_index, "MAMBA"))[:1] == ["ssm-hippo-s4-mamba"]


def test_title_is_weighted_above_the_body(make_index):
    index = make_index(
        {
            "title.md": article("协程", "这是一篇短文。"),
            "body.md": article("杂谈", "协程 协程 协程。"),
        }
    )
    assert [h.entry.id for h in search(index, "协程").hits] == ["title", "body"]


def test_common_words_and_punctuation_are_found_literally_and_empty_is_a_clear_error(
    sample_index,
):
    assert search(sample_index, "的").total == 17  # a stopword: still literally in every article
    assert search(sample_index, "。").total > 0
    assert search(sample_index, "😀").total == 0
    for query in ("", "   ", '""'):
        try:
            search(sample_index, query)
        except QueryError as exc:
            assert "nothing to search for" in str(exc)
        else:
            raise AssertionError(f"{query!r} returned results")


def test_two_words_must_both_match_unless_no_article_holds_both(make_index):
    index = make_index(
        {
            "both.md": article("笔记", "显存 与 训练"),
            "one.md": article("显存显存显存", "显存 显存 显存 显存"),
        }
    )
    found = search(index, "显存 训练")
    assert ids(found) == ["both"]
    assert found.hits[0].matched_all
    relaxed = search(index, "显存 量子")  # no article holds both: the closest follow
    assert ids(relaxed) == ["one", "both"]
    assert not any(hit.matched_all for hit in relaxed.hits)


def test_quoted_query_matches_literal_text_only(make_index):
    index = make_index(
        {
            "exact.md": article("甲", "这里写着梯度检查点。"),
            "apart.md": article("乙", "梯度很重要，检查点也重要。"),
        }
    )
    assert ids(search(index, '"梯度检查点"')) == ["exact"]
    assert sorted(ids(search(index, "梯度检查点"))) == ["apart", "exact"]


def test_quoted_query_matches_across_word_boundaries_and_full_width(make_index):
    index = make_index({"a.md": article("甲", "使用ＧＰＵ进行训练")})
    assert ids(search(index, '"gpu进"')) == ["a"]


def test_minus_word_excludes_articles(make_index):
    index = make_index({"a.md": article("甲", "显存 优化"), "b.md": article("乙", "显存 混合精度")})
    assert ids(search(index, "显存 -混合精度")) == ["a"]


def test_snippet_highlights_the_longest_overlapping_match():
    snippet = make_snippet("马克思主义者说了一句话。", ["马克", "马克思"])
    ((start, end),) = snippet.highlights
    assert snippet.text[start:end] == "马克思"


def test_latin_terms_highlight_whole_words_only():
    snippet = make_snippet(article("T", "random parameter 与 R 语言"), ["r"])
    assert [snippet.text[a:b] for a, b in snippet.highlights] == ["R"]


def test_a_latin_word_held_only_as_a_prefix_is_highlighted_where_it_starts_a_word():
    """`tra` typed in the reader's search box finds Training: the snippet shows it there,
    not the opening, and not inside extra."""
    source = article("T", "开头无关。" * 40 + "extra 与模型的 Training 很慢。" + "结尾。" * 40)
    snippet = make_snippet(source, ["tra"])
    assert [snippet.text[a:b] for a, b in snippet.highlights] == ["Tra"]


def test_a_prefix_is_highlighted_only_when_nothing_whole_is():
    """ml beside 机器学习 does not pull in mlflow, and a single letter marks no word."""
    source = article("T", "我们讨论机器学习。" + "无关的句子。" * 40 + "我们用 mlflow 记录实验。")
    snippet = make_snippet(source, ["ml", "机器学习"])
    assert [snippet.text[a:b] for a, b in snippet.highlights] == ["机器学习"]
    assert "mlflow" not in snippet.text
    assert make_snippet(article("T", "random parameter 与 run 语言"), ["r"]).highlights == []


def test_snippet_shows_the_passage_with_the_match_not_the_opening():
    source = article(
        "T", "开头的段落与查询无关。" * 30 + "这里讨论梯度检查点的原理。" + "结尾。" * 30
    )
    snippet = make_snippet(source, ["梯度检查点"])
    assert "梯度检查点" in snippet.text
    assert snippet.truncated_start
    start, end = snippet.highlights[0]
    assert snippet.text[start:end] == "梯度检查点"


def test_snippet_hides_markdown_syntax():
    source = article("T", "## 标题\n\n**粗体** 与 [链接](https://example.com) 里的梯度。")
    text = make_snippet(source, ["梯度"]).text
    assert "**" not in text and "](" not in text and "##" not in text


def test_results_are_paginated(sample_index):
    first = search(sample_index, "模型", per_page=3)
    second = search(sample_index, "模型", page=2, per_page=3)
    assert first.total == second.total > 3
    assert not set(ids(first)) & set(ids(second))


def test_a_search_no_longer_wanted_stops_and_a_wanted_one_is_unchanged(sample_index):
    """The reader gives up a search when the next key is typed: `wanted` is asked as it goes."""
    from artread.core.literal import Stopped

    asked = []

    def wanted_once() -> bool:
        asked.append(True)
        return len(asked) == 1

    whole = search(sample_index, "的")  # a literal scan of every article
    assert ids(search(sample_index, "的", wanted=lambda: True)) == ids(whole)
    with pytest.raises(Stopped):
        search(sample_index, "的", wanted=wanted_once)
    assert len(asked) == 2  # given up at the next question, not at the end
    signed = sample_index.literal()
    assert signed.signed() is not None
    with pytest.raises(Stopped):  # a scan of the articles the signatures let through
        signed.stopping(lambda: False).find("的")


def test_a_stoppable_scan_finds_what_a_whole_scan_finds_across_its_windows(tmp_path, monkeypatch):
    """A scan that may be given up searches a window at a time: an occurrence across two
    windows is still found once, and a scan no longer wanted raises Stopped."""
    from artread.core import literal

    texts = ["梯度检查点", "xx梯度yy梯度", "梯度" * 7, "无关的文字", "a梯", "度b"]
    data, spans = b"", {}
    for number, text in enumerate(texts):
        encoded = text.encode()
        spans[f"{number}.md"] = [len(data), len(encoded), len(encoded)]
        data += encoded + b"\x00"
    file = tmp_path / "texts.bin"
    file.write_bytes(data)
    store = literal.LiteralStore(file, spans)
    expected = store.find("梯度")
    assert expected == {"0.md": 1, "1.md": 2, "2.md": 7}
    for window in (1, 2, 5, 7, 64):
        monkeypatch.setattr(literal, "_WINDOW", window)
        assert store.stopping(lambda: True).find("梯度") == expected
    monkeypatch.setattr(literal, "_WINDOW", 4)
    with pytest.raises(literal.Stopped):
        store.stopping(lambda: False).find("梯度")
    assert store.find("梯度") == expected  # the store itself is not made stoppable
