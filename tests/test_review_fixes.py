"""Behaviour a demanding user checks first: big files, odd queries, stable ids, front matter."""

from __future__ import annotations

import json

from conftest import article

from artread.core import archive, plaintext
from artread.core.index import ArchiveIndex
from artread.core.search import QueryError, search
from artread.core.snippets import make_snippet


def test_a_file_over_the_size_limit_is_indexed_from_its_start_with_a_warning(make_archive):
    # 3-byte UTF-8 characters, so the cut lands inside a character.
    body = "梯度检查点" + "中文内容" * (archive.MAX_BYTES // 12 + 1000)
    root = make_archive({"big.md": article("大文件", body)})
    got = archive.read_article(root, "big.md")
    assert got.title == "大文件" and "梯度检查点" in got.body
    assert any("only the start" in w for w in got.warnings)


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


def test_minus_word_works_on_the_command_line_as_written(cli):
    with_all = json.loads(cli("search", "显存", "--json").stdout)
    without = json.loads(cli("search", "显存", "-混合精度", "--json").stdout)
    assert "mixed-precision-training" in [r["id"] for r in with_all["results"]]
    assert "mixed-precision-training" not in [r["id"] for r in without["results"]]
    assert 0 < without["total"] < with_all["total"]


def test_ids_survive_a_rebuild(make_archive, cli):
    root = make_archive({"z/dup.md": article("后", "内容")})
    cli("--archive", str(root), "index")
    (root / "a").mkdir()
    (root / "a" / "dup.md").write_text(article("先", "内容"), encoding="utf-8")
    cli("--archive", str(root), "index")
    before = {e.path: e.id for e in ArchiveIndex(root).catalog.articles()}
    cli("--archive", str(root), "index", "--rebuild")
    after = {e.path: e.id for e in ArchiveIndex(root).catalog.articles()}
    assert before == after and after["z/dup.md"] == "dup"


def test_declared_id_in_front_matter_is_used_and_made_safe(make_archive, cli):
    root = make_archive(
        {
            "a.md": article("甲", "苹果", id="../../etc/passwd"),
            "b.md": article("乙", "香蕉", slug="banana"),
        }
    )
    payload = json.loads(cli("--archive", str(root), "latest", "--json").stdout)
    assert sorted(a["id"] for a in payload["articles"]) == ["banana", "etc-passwd"]
    shown = json.loads(cli("--archive", str(root), "show", "etc-passwd", "--json").stdout)
    assert shown["path"] == "a.md"


def test_hugo_toml_and_json_front_matter(make_archive):
    root = make_archive(
        {
            "toml.md": '+++\ntitle = "Hugo 文章"\ndate = 2025-04-01\ntags = ["hugo"]\n+++\n正文\n',
            "json.md": '{\n"title": "JSON 文章",\n"categories": ["工具"]\n}\n正文\n',
        }
    )
    toml = archive.read_article(root, "toml.md")
    assert (toml.title, toml.published, toml.tags, toml.body.strip()) == (
        "Hugo 文章",
        "2025-04-01",
        ["hugo"],
        "正文",
    )
    assert archive.read_article(root, "json.md").category == "工具"


def test_an_impossible_date_only_loses_the_date(make_archive):
    root = make_archive(
        {"feb30.md": "---\ntitle: 二月三十日\ndate: 2025-02-30\ntags: [x]\n---\n正文\n"}
    )
    got = archive.read_article(root, "feb30.md")
    assert got.title == "二月三十日" and got.tags == ["x"]
    assert any("not a date" in w for w in got.warnings)


def test_latin_terms_highlight_whole_words_only():
    snippet = make_snippet(article("T", "random parameter 与 R 语言"), ["r"])
    assert [snippet.text[a:b] for a, b in snippet.highlights] == ["R"]


def test_text_the_reader_sees_across_markdown_emphasis_is_found_unquoted(make_index):
    index = make_index({"a.md": article("甲", "编码器与解码器**共享**同一个权重矩阵。")})
    assert search(index, "共享同一个权").total == 1
    # Quoted text matches the file as written, exactly as grep would.
    assert search(index, '"共享同一个权"').total == 0
    assert search(index, '"**共享**同一个"').total == 1


def test_next_page_command_keeps_per_page_and_archive(cli, make_archive):
    from artread.cli import _next_command, state

    state.archive = None
    command = _next_command(["search", "线程"], 1, 3, 5, "/data/blog")
    assert command == "artread search 线程 --per-page 5 --archive /data/blog --page 2"


def test_index_summary_counts_every_skipped_file(make_archive, cli):
    import os

    root = make_archive({"a.md": article("甲", "内容"), "b.md": b"\x00"})
    os.symlink("missing.md", root / "dangling.md")
    result = cli("--archive", str(root), "index")
    assert "2 skipped" in result.stdout


def test_title_is_weighted_above_the_body(make_index):
    index = make_index(
        {
            "title.md": article("协程", "这是一篇短文。"),
            "body.md": article("杂谈", "协程 协程 协程。"),
        }
    )
    assert [h.entry.id for h in search(index, "协程").hits] == ["title", "body"]


def test_excerpts_replace_code_and_math_and_drop_markup():
    text = plaintext.excerpt(
        "开头 $x^2$ 文字\n\n```python\nprint(1)\n```\n\n$$\na=b\n$$\n\n"
        ":label:`sec_x`\n见 :numref:`sec_y`。<!-- more -->[链接](http://x) **粗**"
    )
    assert text == "开头 [Math] 文字 [代码] [Math] 见 。链接 粗"


def test_code_that_looks_like_a_tag_is_kept_and_autolinks_show_their_url():
    plain = plaintext.to_plain(
        "见 <https://zh.d2l.ai> 与 <b>粗</b>\n\n```python\nprint(type(x))  # <class 'list'>\n```",
        keep_code=True,
    )
    assert "https://zh.d2l.ai" in plain and "<b>" not in plain and "粗" in plain
    assert "<class 'list'>" in plain
