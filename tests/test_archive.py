"""Reading an archive: front matter as blogs write it, fallbacks, encodings, ids; and the
bundled sample archive is well formed."""

from __future__ import annotations

import json
import os
import re

import pytest
from helpers import article

from artread.config import bundled_archive
from artread.core import archive, textfile


def read(root, rel):
    return archive.read_article(root, rel)


def test_hexo_front_matter_with_category_list_and_timezone(make_archive):
    root = make_archive(
        {
            "post.md": "---\ntitle: 标题\ndate: 2025-03-08 21:15:00 +08:00\n"
            "categories: [Python, 进阶]\ntags: [a, b]\n---\n正文内容。\n"
        }
    )
    got = read(root, "post.md")
    assert got.title == "标题"
    assert got.published == "2025-03-08"
    assert got.category == "Python"
    assert got.tags == ["a", "b"]
    assert got.body.strip() == "正文内容。"


def test_tags_given_as_a_comma_separated_string(make_archive):
    root = make_archive({"p.md": article("T", "x", tags="深度学习, PyTorch，显存")})
    assert read(root, "p.md").tags == ["深度学习", "PyTorch", "显存"]


def test_missing_metadata_falls_back_to_heading_folder_and_file_name_date(make_archive):
    root = make_archive({"笔记/2024-06-01-notes.md": "# 第一个标题\n\n内容\n"})
    got = read(root, "笔记/2024-06-01-notes.md")
    assert got.title == "第一个标题"
    assert got.published == "2024-06-01"
    assert got.category == "笔记"


def test_no_heading_and_no_date_use_file_name_and_mtime(make_archive):
    root = make_archive({"plain-note.md": "只有一段文字。\n"})
    os.utime(root / "plain-note.md", (1_700_000_000, 1_700_000_000))
    got = read(root, "plain-note.md")
    assert got.title == "plain-note"
    assert got.published == "2023-11-14"
    assert got.category is None


def test_gbk_and_gb18030_files_read_correctly(make_archive):
    text = article("中文编码", "梯度检查点的正文，使用 GBK 编码。")
    root = make_archive({"gbk.md": text.encode("gbk"), "gb18030.md": text.encode("gb18030")})
    for name in ("gbk.md", "gb18030.md"):
        got = read(root, name)
        assert got.title == "中文编码"
        assert "梯度检查点" in got.body


def test_utf8_bom_and_utf16_bom_files_read_correctly(make_archive):
    text = article("带 BOM", "正文。")
    root = make_archive(
        {"bom8.md": b"\xef\xbb\xbf" + text.encode("utf-8"), "bom16.md": text.encode("utf-16")}
    )
    assert read(root, "bom8.md").title == "带 BOM"
    assert read(root, "bom16.md").title == "带 BOM"


def test_malformed_front_matter_keeps_the_body_and_warns(make_archive):
    root = make_archive({"bad.md": "---\ntitle: [unclosed\n---\n# 回退标题\n\n正文仍可检索。\n"})
    got = read(root, "bad.md")
    assert got.title == "回退标题"
    assert "正文仍可检索" in got.body
    assert any("not valid YAML" in w for w in got.warnings)


def test_yaml_python_tags_are_never_constructed(make_archive):
    root = make_archive(
        {"evil.md": "---\ntitle: !!python/object/apply:os.system ['true']\n---\n正文\n"}
    )
    got = read(root, "evil.md")
    assert got.title == "evil"
    assert got.warnings


def test_a_file_over_the_size_limit_is_indexed_from_its_start_with_a_warning(make_archive):
    # 3-byte UTF-8 characters, so the cut lands inside a character.
    body = "梯度检查点" + "中文内容" * (textfile.MAX_BYTES // 12 + 1000)
    root = make_archive({"big.md": article("大文件", body)})
    got = archive.read_article(root, "big.md")
    assert got.title == "大文件" and "梯度检查点" in got.body
    assert any("only the start" in w for w in got.warnings)


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


def test_binary_file_named_md_is_refused_with_a_reason(make_archive):
    root = make_archive({"blob.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00"})
    try:
        read(root, "blob.md")
    except archive.ArticleError as exc:
        assert "binary" in str(exc)
    else:
        raise AssertionError("a binary file was read as an article")


def test_a_stray_nul_byte_in_a_text_is_dropped_with_a_warning_not_a_skip(make_archive, cli):
    body = "第一段文字。" * 200 + "\x00" + "后面还有内容：量子退火机。"
    root = make_archive({"pasted.md": article("粘贴的文章", body)})
    got = read(root, "pasted.md")
    assert "\x00" not in got.body and "量子退火机" in got.body
    assert any("NUL" in w for w in got.warnings)
    result = cli("search", "量子退火机", "--archive", str(root))
    assert result.exit_code == 0 and "pasted" in result.stdout


def test_scan_finds_md_and_markdown_and_skips_hidden_folders(make_archive):
    root = make_archive(
        {
            "a.md": "x",
            "sub/b.markdown": "x",
            ".git/c.md": "x",
            ".hidden.md": "x",
            "notes.txt": "x",
        }
    )
    assert sorted(archive.scan(root).files) == ["a.md", "sub/b.markdown"]


def test_ids_are_file_slugs_and_collisions_get_distinct_stable_ids():
    declared = {"a/dup.md": None, "b/dup.md": None, "2025-01-02-hello-world.md": None}
    ids, warnings = archive.assign_ids(declared)
    assert ids["a/dup.md"] == "dup"
    assert ids["b/dup.md"].startswith("dup-") and ids["b/dup.md"] != "dup"
    assert ids["2025-01-02-hello-world.md"] == "hello-world"
    assert len(warnings) == 1
    again, _ = archive.assign_ids(declared)
    assert again == ids


def test_existing_ids_do_not_move_when_an_earlier_path_is_added():
    first, _ = archive.assign_ids({"z/dup.md": None})
    assert first["z/dup.md"] == "dup"
    second, _ = archive.assign_ids({"a/dup.md": None, "z/dup.md": None}, previous=first)
    assert second["z/dup.md"] == "dup"
    assert second["a/dup.md"] != "dup"


def test_a_declared_id_is_used_made_safe_and_no_id_or_path_reaches_outside_the_archive(
    make_archive, cli
):
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
    for ref in ("../../etc/passwd", "/etc/passwd", "../" * 10 + "etc/passwd"):
        result = cli("--archive", str(root), "show", ref)
        assert "root:" not in result.stdout, ref
        if result.exit_code == 0:
            shown = json.loads(cli("--archive", str(root), "show", ref, "--json").stdout)
            assert shown["path"] == "a.md", ref


def test_chinese_file_name_gets_a_short_typable_id():
    ids, _ = archive.assign_ids({"梯度检查点.md": None})
    assert ids["梯度检查点.md"].isascii() and 4 <= len(ids["梯度检查点.md"]) <= 12


# The bundled sample archive is what the issue asks for: real articles, well formed.

SAMPLE = bundled_archive()
PATHS = sorted(archive.scan(SAMPLE).files)


def load(rel):
    return archive.read_article(SAMPLE, rel)


def test_at_least_sixteen_articles_in_four_categories():
    articles = [load(p) for p in PATHS]
    assert len(articles) >= 16
    assert len({a.category for a in articles}) >= 4


@pytest.mark.parametrize("rel", PATHS)
def test_each_article_is_a_real_article(rel):
    got = load(rel)
    assert not got.warnings
    assert got.title and got.category and got.tags
    assert got.published and got.published[:4] in ("2025", "2026")
    assert len(re.sub(r"\s", "", got.body)) >= 1500
    assert re.search(r"^#{2,3} \S", got.body, re.M)
    assert re.search(r"^```[a-z]+", got.body, re.M)


def test_the_seed_topics_are_all_there():
    titles = " ".join(load(p).title for p in PATHS)
    for topic in ("MRO", "梯度检查点", "引用", "Transformer", "MNIST", "Mamba", "N-gram", "词向量"):
        assert topic in titles


def test_the_ngram_article_is_dated_as_on_the_seed_page():
    ngram = next(load(p) for p in PATHS if "N-gram" in load(p).title)
    assert (ngram.published, ngram.category) == ("2026-01-11", "NLP")
