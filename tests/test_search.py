"""Search: the right article first, words inside words, literal quotes, snippets."""

from __future__ import annotations

from conftest import article

from artread.core.search import search
from artread.core.snippets import make_snippet


def top_ids(found, n=3):
    return [h.entry.id for h in found.hits[:n]]


def test_gradient_checkpointing_article_comes_first(sample_index):
    assert top_ids(search(sample_index, "梯度检查点"), 1) == ["gradient-checkpointing"]


def test_search_finds_word_inside_longer_word(sample_index):
    assert "gradient-checkpointing" in top_ids(search(sample_index, "检查"), 3)


def test_english_query_matches_regardless_of_case(sample_index):
    assert top_ids(search(sample_index, "mamba"), 1) == ["ssm-hippo-s4-mamba"]
    assert top_ids(search(sample_index, "MAMBA"), 1) == ["ssm-hippo-s4-mamba"]


def test_two_words_must_both_match_unless_no_article_holds_both(make_index):
    index = make_index(
        {
            "both.md": article("笔记", "显存 与 训练"),
            "one.md": article("显存显存显存", "显存 显存 显存 显存"),
        }
    )
    found = search(index, "显存 训练")
    assert top_ids(found, 2) == ["both"]
    assert found.hits[0].matched_all
    relaxed = search(index, "显存 量子")  # no article holds both: the closest follow
    assert top_ids(relaxed) == ["one", "both"]
    assert not any(hit.matched_all for hit in relaxed.hits)


def test_quoted_query_matches_literal_text_only(make_index):
    index = make_index(
        {
            "exact.md": article("甲", "这里写着梯度检查点。"),
            "apart.md": article("乙", "梯度很重要，检查点也重要。"),
        }
    )
    assert top_ids(search(index, '"梯度检查点"')) == ["exact"]
    assert sorted(top_ids(search(index, "梯度检查点"))) == ["apart", "exact"]


def test_quoted_query_matches_across_word_boundaries_and_full_width(make_index):
    index = make_index({"a.md": article("甲", "使用ＧＰＵ进行训练")})
    assert top_ids(search(index, '"gpu进"')) == ["a"]


def test_minus_word_excludes_articles(make_index):
    index = make_index({"a.md": article("甲", "显存 优化"), "b.md": article("乙", "显存 混合精度")})
    assert top_ids(search(index, "显存 -混合精度")) == ["a"]


def test_snippet_highlights_the_longest_overlapping_match():
    snippet = make_snippet("马克思主义者说了一句话。", ["马克", "马克思"])
    ((start, end),) = snippet.highlights
    assert snippet.text[start:end] == "马克思"


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
    assert not set(top_ids(first)) & set(top_ids(second))
