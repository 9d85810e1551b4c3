"""Static site trees as bloggers keep them: Hugo, Hexo and Jekyll roots, page bundles, drafts,
folders no one writes in, and warnings that stay until they are fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import article, write_files

HUGO = {
    "hugo.toml": 'baseURL = "https://example.org/"\ntheme = "paper"\n',
    "content/_index.md": "---\ntitle: 首页\n---\n",
    "content/posts/_index.md": "---\ntitle: 文章\n---\n",
    "content/posts/ebpf-intro/index.md": article("eBPF 入门", "用 eBPF 观测内核里的调度延迟。"),
    "content/posts/ebpf-intro/diagram.md": article("附图说明", "调度器的示意图。"),
    "content/posts/2025/06/raft.md": article(
        "Raft 共识算法", "Raft 把共识拆成领导选举和日志复制。"
    ),
    "content/tech/rust-ownership.md": article("Rust 所有权", "借用检查器在编译期保证内存安全。"),
    "content/posts/wip.md": article("未完成的草稿", "这是一篇量子退火的草稿。", draft="true"),
    "themes/paper/README.md": article("Paper theme", "主题说明：量子退火主题。"),
    "node_modules/left-pad/README.md": "# left-pad\n\n量子退火依赖。\n",
    "public/posts/raft/index.md": article("Raft 共识算法", "生成的副本：量子退火。"),
}
HEXO = {
    "_config.yml": "title: 我的博客\ntheme: landscape\n",
    "package.json": '{"dependencies": {"hexo": "^7.0.0"}}\n',
    "source/_posts/2024-03-01-kafka.md": article("Kafka 消息队列", "分区与副本保证吞吐和可靠。"),
    "source/_drafts/redis-notes.md": article("Redis 笔记", "跳表实现有序集合。"),
    "source/about/index.md": article("关于我", "一个写代码的人。"),
    "scaffolds/post.md": "---\ntitle: {{ title }}\n---\n",
}
JEKYLL = {
    "_config.yml": "title: 笔记\n",
    "_posts/2023-05-20-golang-gc.md": article("Go 垃圾回收", "三色标记与写屏障。"),
    "_posts/2023-06-01-unpublished.md": article("没发布的", "写屏障草稿。", published="false"),
    "_site/golang-gc.md": article("Go 垃圾回收", "构建输出。"),
}


@pytest.fixture
def site(tmp_path):
    def make(files: dict[str, str]) -> str:
        root = tmp_path / "site"
        write_files(root, files)
        return str(root)

    return make


def listed(cli, root: str, *extra: str) -> list[dict]:
    result = cli("latest", "--json", "-n", "100", "--archive", root, *extra)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)["articles"] if result.stdout else []


def test_a_hugo_site_reads_its_content_under_the_ids_its_author_expects(cli, site):
    root = site(HUGO)
    found = {a["id"]: a for a in listed(cli, root)}
    assert set(found) == {"ebpf-intro", "diagram", "raft", "rust-ownership"}
    shown = cli("show", "ebpf-intro", "--archive", root, "--no-pager")
    assert shown.exit_code == 0 and "调度延迟" in shown.stdout
    # Categories are folders that say what an article is about, never a date or a generator's.
    assert found["rust-ownership"]["category"] == "tech"
    assert found["raft"]["category"] is None and found["ebpf-intro"]["category"] is None
    for word, expected in (
        ("调度延迟", "ebpf-intro"),
        ("日志复制", "raft"),
        ("借用检查器", "rust"),
    ):
        hits = json.loads(cli("search", word, "--json", "--archive", root).stdout)["results"]
        assert hits and hits[0]["id"].startswith(expected), word


def test_themes_dependencies_build_output_and_drafts_are_not_read(cli, site):
    root = site(HUGO)
    result = cli("search", "量子退火", "--json", "--archive", root)
    assert result.exit_code == 1 and json.loads(result.stdout)["results"] == []
    with_drafts = cli("search", "量子退火", "--json", "--drafts", "--archive", root)
    assert [r["id"] for r in json.loads(with_drafts.stdout)["results"]] == ["wip"]
    assert "wip" in {a["id"] for a in listed(cli, root, "--drafts")}
    categories = cli("categories", "--json", "--archive", root).stdout
    assert "content" not in categories and "06" not in categories


def test_a_hexo_source_folder_and_a_jekyll_site(cli, site, tmp_path):
    hexo = site(HEXO)
    assert {a["id"] for a in listed(cli, hexo)} == {"kafka"}
    assert {a["id"] for a in listed(cli, hexo, "--drafts")} == {"kafka", "redis-notes"}
    jekyll = str(write_files(tmp_path / "jekyll", JEKYLL))
    assert {a["id"] for a in listed(cli, jekyll)} == {"golang-gc"}
    assert listed(cli, jekyll)[0]["category"] is None


def test_an_artreadignore_skips_more_folders_or_reads_a_default_one(cli, site):
    root = site(
        {
            "notes/a.md": article("甲", "正文"),
            "old/b.md": article("乙", "正文"),
            "vendor/c.md": article("丙", "正文"),
            ".artreadignore": "# not mine\nold/\n!vendor\n",
        }
    )
    assert {a["id"] for a in listed(cli, root)} == {"a", "c"}


def test_warnings_last_until_fixed(cli, site):
    root = site(
        {
            "a/same.md": article("一", "正文", date="not-a-date"),
            "b/same.md": article("二", "正文"),
        }
    )
    first = cli("index", "--archive", root)
    assert "Warnings about 2 files remain" in first.stdout
    again = cli("index", "--archive", root)  # nothing changed: the warnings are still there
    assert "Warnings about 2 files remain" in again.stdout
    doctor = cli("doctor", "--archive", root)
    assert "not a date" in doctor.stdout and "is already used by a/same.md" in doctor.stdout
    write_files(Path(root), {"a/same.md": article("一", "正文", date="2025-01-02", id="first")})
    fixed = cli("index", "--archive", root)
    assert "Warnings about" not in fixed.stdout, fixed.stdout


def test_an_encoding_guess_is_a_lasting_warning(cli, site):
    latin = b"---\ntitle: cafe\n---\nCaf\xe9 au lait, tr\xe8s bon. Un caf\xe9 \xe0 la terrasse.\n"
    root = site({"ok.md": article("好", "正文"), "fr.md": ""})
    (Path(root) / "fr.md").write_bytes(latin)
    assert "Warnings about 1 file remain" in cli("index", "--archive", root).stdout
    doctor = cli("doctor", "--archive", root).stdout
    assert "fr.md" in doctor and "a guess" in doctor
