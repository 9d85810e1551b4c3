"""Search finds what the reader means: the traps of Chinese search, filters, literal text."""

from __future__ import annotations

import json

import pytest
from helpers import article, ids

from artread.core import analysis
from artread.core.index import ArchiveIndex
from artread.core.search import QueryError, Tier, search
from artread.core.snippets import make_snippet


def complete_ids(found) -> list[str]:
    return [hit.entry.id for hit in found.hits if hit.matched_all]


# Normalisation: one analyzer for both sides.


def test_traditional_query_finds_simplified_text_and_back(make_index):
    index = make_index(
        {
            "simplified.md": article("显存", "梯度检查点用计算换显存。"),
            "traditional.md": article("執行緒", "執行緒池可以重複使用執行緒。"),
        }
    )
    assert ids(search(index, "梯度檢查點")) == ["simplified"]
    assert ids(search(index, "执行绪池")) == ["traditional"]


def test_full_width_query_matches_half_width_text(make_index):
    index = make_index({"a.md": article("甲", "用 GPU (图形处理器) 训练 BERT。")})
    assert ids(search(index, "ＧＰＵ")) == ["a"]
    assert ids(search(index, "ｂｅｒｔ")) == ["a"]


def test_plural_and_singular_english_words_find_each_other(make_index):
    index = make_index(
        {
            "one.md": article("甲", "The Transformer model."),
            "many.md": article("乙", "Two GPUs and many caches."),
        }
    )
    assert ids(search(index, "Transformers")) == ["one"]
    assert ids(search(index, "gpu")) == ["many"]
    assert ids(search(index, "cache")) == ["many"]


def test_short_technical_terms_are_never_stopwords(make_index):
    index = make_index(
        {
            "c.md": article("甲", "用 C 写驱动。"),
            "r.md": article("乙", "用 R 做统计。"),
            "it.md": article("丙", "IT 部门的运维。"),
            "go.md": article("丁", "Go 语言的协程。"),
        }
    )
    for word, expected in (("C", "c"), ("R", "r"), ("IT", "it"), ("go", "go")):
        assert complete_ids(search(index, word)) == [expected]


def test_part_of_a_longer_word_is_found(make_index):
    index = make_index({"a.md": article("甲", "梯度检查点很省显存。")})
    assert ids(search(index, "检查")) == ["a"]


def test_question_words_carry_no_weight(make_index):
    index = make_index(
        {
            "filler.md": article("杂谈", "为什么？如何？什么？怎么？" * 20),
            "answer.md": article("并行", "Transformer 可以并行训练，因为没有循环。"),
        }
    )
    found = search(index, "为什么 Transformer 可以并行训练")
    assert ids(found) == ["answer"]
    assert analysis.Analyzer().query_units("如何降低训练时的显存占用") == [
        "降低",
        "训练",
        "时",
        "显存",
        "占用",
    ]


def test_an_article_missing_one_of_three_words_is_kept_below_complete_ones(make_index):
    index = make_index(
        {
            "all.md": article("甲", "卷积 用于 边缘 检测。"),
            "two.md": article("乙", "卷积 与 边缘。"),
            "one.md": article("丙", "只有 卷积。"),
        }
    )
    found = search(index, "卷积 边缘 检测")
    assert ids(found) == ["all", "two"]  # at least half the words: "one" holds a third
    assert [hit.matched_all for hit in found.hits] == [True, False]


def test_natural_language_question_finds_the_answer_without_every_word(make_index):
    index = make_index(
        {
            "answer.md": article("显存优化", "降低显存占用的办法：梯度检查点、混合精度训练。"),
            "other.md": article("杂记", "训练时要注意的事情很多。"),
        }
    )
    found = search(index, "如何降低训练时的显存占用")
    assert ids(found)[0] == "answer"


# A user dictionary.


def test_user_dictionary_keeps_a_domain_term_whole(make_archive):
    root = make_archive(
        {
            "whole.md": article("甲", "我们采用蓝绿发布上线。"),
            "apart.md": article("乙", "蓝绿两色的按钮，明天发布。"),
        }
    )
    index = ArchiveIndex(root)
    index.sync()
    assert sorted(complete_ids(search(index, "蓝绿发布"))) == ["apart", "whole"]
    (root / "artread.dict").write_text("蓝绿发布 10 n\n", encoding="utf-8")
    index = ArchiveIndex(root)
    report = index.sync()
    assert report.updated == 1  # only the article holding the new word is re-read
    assert complete_ids(search(index, "蓝绿发布")) == ["whole"]
    (root / "artread.dict").unlink()
    report = ArchiveIndex(root).sync()
    assert report.updated == 1


def test_a_changed_user_dictionary_makes_the_index_stale(make_archive):
    root = make_archive({"a.md": article("甲", "蓝绿发布")})
    index = ArchiveIndex(root)
    index.sync()
    assert ArchiveIndex(root).is_fresh()
    (root / "artread.dict").write_text("蓝绿发布\n", encoding="utf-8")
    assert not ArchiveIndex(root).is_fresh()


# Literal matches are never lost.


def test_unquoted_text_that_segmentation_misses_is_still_found_literally(make_index):
    index = make_index(
        {"a.md": article("甲", "梯度检查点很省显存。"), "b.md": article("乙", "无关")}
    )
    found = search(index, "度检")  # crosses the boundary between 梯度 and 检查点
    assert ids(found) == ["a"]
    assert found.hits[0].tier is Tier.LITERAL  # ranked after any word match


def test_quoted_text_is_exactly_what_grep_finds(make_index):
    index = make_index(
        {
            "a.md": article("甲", "数组下标 a[i+1] 越界。"),
            "b.md": article("乙", "A[I+1] 也算，大小写折叠后相同。"),
            "c.md": article("丙", "a[i] + 1 不算。"),
        }
    )
    assert sorted(ids(search(index, '"a[i+1]"'))) == ["a", "b"]


def test_text_the_reader_sees_across_markdown_emphasis_is_found_unquoted(make_index):
    index = make_index({"a.md": article("甲", "编码器与解码器**共享**同一个权重矩阵。")})
    assert search(index, "共享同一个权").total == 1
    # Quoted text matches the file as written, exactly as grep would.
    assert search(index, '"共享同一个权"').total == 0
    assert search(index, '"**共享**同一个"').total == 1


def test_word_written_exactly_as_typed_ranks_above_its_parts_scattered(make_index):
    index = make_index(
        {
            "scattered.md": article("甲", "梯度很重要。" + "其他内容。" * 5 + "检查点也重要。"),
            "exact.md": article("乙", "梯度检查点。" + "其他内容。" * 5 + "结束。"),
        }
    )
    assert ids(search(index, "梯度检查点")) == ["exact", "scattered"]


# Field filters and options.


@pytest.fixture
def filtered(make_index):
    return make_index(
        {
            "a.md": article(
                "注意力机制", "注意力 模型", date="2024-03-01", categories="NLP", tags="[pytorch]"
            ),
            "b.md": article(
                "卷积网络", "注意力 卷积", date="2025-02-10", categories="CV", tags="[mxnet]"
            ),
            "c.md": article(
                "池化", "注意力 池化", date="2025-07-20", categories="CV", tags="[pytorch]"
            ),
        }
    )


def test_title_category_and_tag_filters(filtered):
    assert ids(search(filtered, "注意力 title:注意力")) == ["a"]
    assert sorted(ids(search(filtered, "注意力 category:cv"))) == ["b", "c"]
    assert sorted(ids(search(filtered, "注意力 tag:pytorch"))) == ["a", "c"]
    assert ids(search(filtered, "注意力 -tag:pytorch")) == ["b"]
    assert sorted(ids(search(filtered, "category:CV"))) == ["b", "c"]  # filters alone


def test_date_filters_by_year_month_and_range(filtered):
    assert sorted(ids(search(filtered, "注意力 date:2025"))) == ["b", "c"]
    assert ids(search(filtered, "注意力 date:2024-03")) == ["a"]
    assert ids(search(filtered, "注意力 date:2025-01..2025-06")) == ["b"]
    assert sorted(ids(search(filtered, "注意力 date:..2025-02"))) == ["a", "b"]
    assert ids(search(filtered, "注意力", since="2025-03")) == ["c"]
    assert ids(search(filtered, "注意力", until="2024")) == ["a"]


def test_sort_by_date_puts_newest_first(filtered):
    assert ids(search(filtered, "注意力", sort="date")) == ["c", "b", "a"]


@pytest.mark.parametrize("query", ["date:2025-13", "date:yesterday", "date:2025-02-30"])
def test_an_unreadable_date_is_a_clear_error(filtered, query):
    with pytest.raises(QueryError, match="date"):
        search(filtered, f"注意力 {query}")


def test_cli_filter_options_and_exclusions_that_look_like_short_options(cli, make_archive):
    root = make_archive(
        {
            "a.md": article("甲", "显存 pytorch numpy", date="2024-01-01", categories="DL"),
            "b.md": article("乙", "显存", date="2025-01-01", categories="DL"),
            "c.md": article("丙", "显存", date="2025-05-01", categories="Web"),
        }
    )

    def found(*args: str) -> list[str]:
        result = cli("--archive", str(root), "search", *args, "--json")
        assert result.exit_code == 0, result.output
        return [r["id"] for r in json.loads(result.stdout)["results"]]

    # -pytorch is not -p ytorch and -numpy is not -n umpy: both exclude a word.
    assert sorted(found("显存", "-pytorch")) == ["b", "c"]
    assert sorted(found("显存", "-numpy", "-n", "5")) == ["b", "c"]
    assert found("显存", "--category", "DL", "--since", "2025") == ["b"]
    assert found("显存", "--until", "2024-12-31") == ["a"]
    assert found("显存", "--sort", "date") == ["c", "b", "a"]
    bad = cli("--archive", str(root), "search", "显存", "--since", "soon")
    assert bad.exit_code == 2 and "date" in bad.stderr


# Snippets.


def test_snippet_has_a_second_passage_for_a_word_far_from_the_first():
    source = article(
        "T", "梯度检查点节省显存。" + "无关的句子。" * 40 + "混合精度也能节省显存。" + "结尾。" * 5
    )
    snippet = make_snippet(source, ["梯度检查点", "混合精度"])
    assert " … " in snippet.text
    shown = {snippet.text[s:e] for s, e in snippet.highlights}
    assert {"梯度检查点", "混合精度"} <= shown


def test_snippet_starts_at_a_sentence_and_highlights_plurals_by_their_stem():
    source = article("T", "第一句无关。" * 30 + "Transformer 模型可以并行训练。后面还有。" * 2)
    snippet = make_snippet(source, ["transformers"])
    assert snippet.text.startswith("Transformer")
    start, end = snippet.highlights[0]
    assert snippet.text[start:end] == "Transformer"


def test_snippet_highlights_the_original_text_of_full_width_and_traditional_matches():
    snippet = make_snippet(article("T", "使用ＧＰＵ與梯度檢查點。"), ["gpu", "梯度检查点"])
    shown = [snippet.text[s:e] for s, e in snippet.highlights]
    assert shown == ["ＧＰＵ", "梯度檢查點"]


def test_snippet_of_a_long_article_shows_a_far_match_in_any_form():
    # Past a few thousand characters only the part around the match is read: the place must
    # be found for a traditional, full-width or mixed-case match too.
    filler = "第一段无关的文字。\n\n" * 600
    for body, shown in (
        (filler + "在這裡使用梯度檢查點。", "梯度檢查點"),
        (filler + "用ＧＰＵ训练。", "ＧＰＵ"),
        (filler + "这是 TRANSFORMER 模型。", "TRANSFORMER"),
    ):
        snippet = make_snippet(article("T", body), ["梯度检查点", "gpu", "transformer"])
        assert [snippet.text[s:e] for s, e in snippet.highlights] == [shown]
        assert snippet.truncated_start


def test_quoted_search_finds_exactly_the_files_grep_finds_in_the_sample_archive(sample_index):
    root = sample_index.root
    for needle in ("的注意", "Transformer", "显存", "C++", "$$"):
        expected = set()
        for file in root.rglob("*.md"):
            if analysis.normalize(needle) in analysis.normalize(file.read_text(encoding="utf-8")):
                expected.add(file.relative_to(root).as_posix())
        got = {hit.entry.path for hit in search(sample_index, f'"{needle}"', per_page=99).hits}
        assert got == expected, needle


def test_excluding_a_short_english_word_does_not_exclude_longer_words_holding_it(make_index):
    index = make_index(
        {"it.md": article("甲", "IT 部门 显存"), "title.md": article("乙", "the title 显存")}
    )
    assert ids(search(index, "显存 -it")) == ["title"]
