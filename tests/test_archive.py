"""Reading an archive: front matter as blogs write it, fallbacks, encodings, ids."""

from __future__ import annotations

import os

from conftest import article

from artread.core import archive


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


def test_binary_file_named_md_is_refused_with_a_reason(make_archive):
    root = make_archive({"blob.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00"})
    try:
        read(root, "blob.md")
    except archive.ArticleError as exc:
        assert "binary" in str(exc)
    else:
        raise AssertionError("a binary file was read as an article")


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


def test_declared_id_is_used_but_can_never_be_a_path():
    ids, _ = archive.assign_ids({"x.md": archive.slugify("../../etc/passwd")})
    assert ids["x.md"] == "etc-passwd"
    assert "/" not in ids["x.md"] and ".." not in ids["x.md"]


def test_chinese_file_name_gets_a_short_typable_id():
    ids, _ = archive.assign_ids({"梯度检查点.md": None})
    assert ids["梯度检查点.md"].isascii() and 4 <= len(ids["梯度检查点.md"]) <= 12
