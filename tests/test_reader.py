"""What a reader sees: `show` rendered at fixed widths, the pager on a real terminal, the list
commands, `latest` and search results laid out by display width, excerpts."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from helpers import article, run_in_terminal

from artread.core import formula, plaintext
from artread.core.catalog import Entry
from artread.core.index import ArchiveIndex
from artread.core.listing import latest_page
from artread.core.search import search
from artread.ui import layout, views
from artread.ui.console import Console  # breaks lines between Chinese characters
from artread.ui.render import prepare

RICH_ARTICLE = """# 注意力

## 代码

```{.python .input}
def attention(q, k):
    return softmax(q @ k.T)
```

行内公式 $x_i^2 + \\frac{a}{b}$，以及块公式：

$$\\sum_{i=1}^{n} \\alpha_i = 1$$

坏公式 $\\frac{a}{$ 保持原样。

| 模型 | 参数量 | 说明 |
| --- | --- | --- |
| 循环神经网络 | 1M | 串行 |
| Transformer | 100M | 可以并行训练 |

:label:`sec_attention`
见 :numref:`sec_attention`。

::: tip 提示
这是一个提示容器。
:::

<!-- more -->
{% raw %}
<div align="center">居中的文字<br>第二行</div>

![注意力示意图](img/attention.svg)

详见[论文](https://arxiv.org/abs/1706.03762)和脚注[^1]。

[^1]: Vaswani et al., 2017.
"""


def render(body: str, width: int, title: str = "注意力") -> tuple[str, str]:
    """(plain text, text with ANSI styles) of the article view at a width, on a terminal."""
    console = Console(width=width, record=True, force_terminal=True, color_system="truecolor")
    entry = Entry(0, 0, "a", "a.md", title, "2025-01-01", 0.0, "NLP", tags=["t"], chars=900)
    views.article(console, entry, body)
    return console.export_text(clear=False), console.export_text(styles=True)


@pytest.mark.parametrize("width", [40, 80, 120])
def test_a_rich_article_renders_cleanly_at_every_width(width):
    plain, _styled = render(RICH_ARTICLE, width)
    lines = plain.splitlines()
    assert all(layout.width(line) <= width for line in lines)
    assert not any(line.lstrip()[:1] in "，。！？；：、）" and line.strip() for line in lines)
    assert "```" not in plain and "{.python" not in plain  # no raw fence markers
    for noise in (":label:", ":numref:", ":::", "<!--", "{%", "<div", "<br>", "[^1]"):
        assert noise not in plain, noise


def test_code_is_highlighted_by_its_fence_language():
    _plain, styled = render(RICH_ARTICLE, 80)
    code_line = next(line for line in styled.splitlines() if "def" in line and "attention" in line)
    assert code_line.count("\x1b[") >= 3  # keyword, name and text in different styles


def test_math_becomes_unicode_and_bad_math_stays_latex():
    plain, _styled = render(RICH_ARTICLE, 80)
    assert "xᵢ² + a/b" in plain
    assert "∑ᵢ₌₁ⁿ αᵢ = 1" in plain
    assert "\\frac{a}{" in plain  # could not be converted: shown as written
    assert formula.to_unicode(r"\sqrt{d_k + 1}") == "√(dₖ + 1)"


def test_table_cells_line_up_by_display_width():
    plain, _styled = render(RICH_ARTICLE, 80)
    rows = [line for line in plain.splitlines() if "循环神经网络" in line or "Transformer" in line]
    rows = [row for row in rows if "1M" in row or "100M" in row]
    assert len(rows) == 2
    # The second column starts at the same display column in both rows.
    starts = [layout.width(row[: row.index("1")]) for row in rows]
    assert starts[0] == starts[1]


def test_site_generator_markup_images_links_and_footnotes_read_as_text():
    plain, _styled = render(RICH_ARTICLE, 100)
    assert "提示" in plain and "这是一个提示容器。" in plain
    assert "居中的文字" in plain and "第二行" in plain
    assert "[image: 注意力示意图] img/attention.svg" in plain
    assert "论文 (https://arxiv.org/abs/1706.03762)" in plain
    assert "脚注[1]" in plain and "Vaswani et al., 2017." in plain
    assert "见 sec_attention。" in plain


def test_a_first_heading_that_repeats_the_title_is_not_shown_twice():
    plain, _styled = render("# 注意力\n\n正文。\n", 80)
    assert plain.count("注意力") == 1
    assert prepare("# 另一个标题\n\n正文", "注意力").startswith("# 另一个标题")


@pytest.fixture
def reader_archive(make_archive):
    long_body = "\n\n".join(f"第 {n} 段：注意力机制的说明文字。" for n in range(200))
    return make_archive(
        {
            "rich.md": article("注意力", RICH_ARTICLE, tags="[pytorch, NLP]", category="NLP"),
            "long.md": article("很长的文章", long_body, tags="[pytorch]", category="深度学习"),
            "short.md": article("很短", "只有一行。", tags="[杂记]", category="NLP"),
        }
    )


def test_piped_show_is_plain_text_and_raw_is_the_file(cli, reader_archive):
    shown = cli("--archive", str(reader_archive), "show", "rich").stdout
    assert "\x1b" not in shown and "xᵢ²" in shown
    assert not re.search("[─━│┃┏┓┗┛╭╮╰╯]", shown)  # no box drawing when piped
    raw = cli("--archive", str(reader_archive), "show", "rich", "--raw").stdout
    assert raw == (reader_archive / "rich.md").read_text(encoding="utf-8")


def test_toc_lists_the_headings(cli, reader_archive):
    toc = cli("--archive", str(reader_archive), "show", "rich", "--toc").stdout
    assert toc.splitlines() == ["注意力", "注意力", "  代码"]


def test_categories_and_tags_list_counts_and_latest_filters_by_tag(cli, reader_archive):
    categories = cli("--archive", str(reader_archive), "categories").stdout
    assert categories.splitlines() == ["NLP\t2", "深度学习\t1"]
    tags = cli("--archive", str(reader_archive), "tags").stdout
    assert tags.splitlines()[0] == "pytorch\t2"
    tagged = cli("--archive", str(reader_archive), "latest", "--tag", "PyTorch").stdout
    assert sorted(line.split("\t")[0] for line in tagged.splitlines()) == ["long", "rich"]


@pytest.fixture
def terminal_env(reader_archive, tmp_path):
    recorder = tmp_path / "pager.sh"
    recorder.write_text(f"#!/bin/sh\ncat > {tmp_path / 'paged.txt'}\n", encoding="utf-8")
    recorder.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PAGER")}
    env.update(ARTREAD_ARCHIVE=str(reader_archive), ARTREAD_PAGER=str(recorder), TERM="xterm")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "src")
    ArchiveIndex(reader_archive).sync()
    return env, tmp_path / "paged.txt"


def test_a_long_article_opens_in_the_pager_with_its_colours(terminal_env):
    env, paged = terminal_env
    run_in_terminal(["show", "long"], env)
    text = paged.read_text(encoding="utf-8")
    assert "第 199 段" in text
    assert "\x1b[" in text  # colours kept for less -R


def test_no_pager_when_it_fits_when_asked_or_when_turned_off(terminal_env):
    env, paged = terminal_env
    shown, _ = run_in_terminal(["show", "short"], env)
    assert "只有一行" in shown and not paged.exists()
    shown, _ = run_in_terminal(["show", "long", "--no-pager"], env, rows=24)
    assert "第 199 段" in shown and not paged.exists()
    shown, _ = run_in_terminal(["show", "long"], {**env, "ARTREAD_PAGER": ""})
    assert "第 199 段" in shown and not paged.exists()
    assert "\x1b[" in shown  # a terminal gets colour


def test_no_colour_on_a_terminal_with_no_color_set(terminal_env):
    env, _paged = terminal_env
    shown, _ = run_in_terminal(["show", "short"], {**env, "NO_COLOR": "1"})
    assert "只有一行" in shown
    colours = re.findall(r"\x1b\[([0-9;]*)m", shown)
    assert colours  # bold and dim stay: NO_COLOR is about colour
    assert not any(re.search(r"(^|;)(3[0-8]|4[0-8]|9[0-7])(;|$)", c) for c in colours)


# Excerpts and plain text: what a list of articles and a snippet show of an article.


def test_excerpts_replace_code_read_math_and_drop_markup():
    text = plaintext.excerpt(
        "开头 $x^2$ 文字\n\n```python\nprint(1)\n```\n\n$$\na=b\n$$\n\n"
        ":label:`sec_x`\n见 :numref:`sec_y`。<!-- more -->[链接](http://x) **粗**"
    )
    assert text == "开头 x² 文字 [代码] a=b 见 。链接 粗"


def test_code_that_looks_like_a_tag_is_kept_and_autolinks_show_their_url():
    plain = plaintext.to_plain(
        "见 <https://zh.d2l.ai> 与 <b>粗</b>\n\n```python\nprint(type(x))  # <class 'list'>\n```",
        keep_code=True,
    )
    assert "https://zh.d2l.ai" in plain and "<b>" not in plain and "粗" in plain
    assert "<class 'list'>" in plain


# Views at a width: Chinese wrapped by width, no raw escapes or markup.

CLOSING = "，。！？；：、）"


def terminal(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=True, color_system=None)


def lines_of(console: Console) -> list[str]:
    return console.file.getvalue().splitlines()


@pytest.mark.parametrize("width", [40, 80, 120])
def test_article_lines_fit_the_width_and_never_start_with_closing_punctuation(sample_index, width):
    entry = sample_index.catalog.by_id()["python-objects-references"]
    console = terminal(width)
    views.article(console, entry, sample_index.read_article(entry).body)
    lines = lines_of(console)
    assert len(lines) > 50
    for line in lines:
        assert layout.width(line) <= width, line
        assert not line.strip() or line.strip()[0] not in CLOSING, line


def test_chinese_paragraphs_fill_the_line_instead_of_breaking_at_spaces(sample_index):
    entry = sample_index.catalog.by_id()["python-objects-references"]
    console = terminal(80)
    views.article(console, entry, sample_index.read_article(entry).body)
    prose = [line for line in lines_of(console) if "对象" in line and not line.startswith(" ")]
    # Rich on its own breaks only at spaces and leaves a lone "Python" on a line.
    assert all(len(line) > 12 for line in prose[:-1])


@pytest.mark.parametrize("width", [40, 80, 120])
def test_latest_page_fits_the_width_with_two_line_excerpts(sample_index, width):
    console = terminal(width)
    page = latest_page(sample_index.catalog, per_page=5)
    views.latest(console, page, next_command="artread latest --page 2")
    lines = lines_of(console)
    assert all(layout.width(line) <= width for line in lines)
    excerpt_ends = [i for i, line in enumerate(lines) if line.rstrip().endswith("...")]
    assert len(excerpt_ends) >= 5
    assert "‹ [1]" in "".join(lines[-2:])


def test_search_results_highlight_and_fit(sample_index):
    console = Console(file=io.StringIO(), width=80, force_terminal=True, color_system="standard")
    views.results(console, search(sample_index, "梯度检查点"), next_command=None)
    out = console.file.getvalue()
    assert "\x1b[1;33m" in out  # highlighted match


def test_hostile_article_text_never_reaches_the_terminal(make_archive, cli):
    hostile = "\x1b]52;c;ZXZpbA==\x07\x1b[2J[bold red]markup[/bold red]\u202e反转\x9b31m正文"
    root = make_archive({"evil.md": article(f"标题{hostile}", f"正文 {hostile} 内容")})
    for args in (["latest"], ["search", "正文"], ["show", "evil"], ["show", "evil", "--json"]):
        result = cli("--archive", str(root), *args)
        assert result.exit_code == 0
        for bad in ("\x1b", "\x9b", "\u202e", "\x07"):
            assert bad not in result.stdout, (args, bad)
        assert "[bold red]markup" in result.stdout
    console = terminal(80)
    index = ArchiveIndex(root)
    index.sync()
    entry = index.catalog.by_id()["evil"]
    views.article(console, entry, index.read_article(entry).body)
    views.latest(console, latest_page(index.catalog), next_command=None)
    out = console.file.getvalue()
    assert "\x1b]" not in out and "\x9b" not in out and "[bold red]markup" in out


# Layout by display width: a Chinese character takes two columns.

TEXT = (
    "梯度检查点（Gradient Checkpointing）在两种方式之间取了一个平衡，"
    "选择了计算图上的一部分激活值保存下来，其余部分丢弃。"
)


def test_a_chinese_character_takes_two_columns():
    assert layout.width("中文ab") == 6


def test_wrapped_lines_never_exceed_the_width():
    for columns in (10, 21, 40, 79):
        for line in layout.wrap(TEXT, columns):
            assert layout.width(line) <= columns


def test_no_line_starts_with_closing_punctuation():
    for columns in range(16, 100):  # a line must hold the longest Latin word and a bracket
        for line in layout.wrap(TEXT, columns)[1:]:
            assert line[0] not in "，。）、；：！？", (columns, line)


def test_wrapping_keeps_every_character():
    assert "".join(layout.wrap(TEXT, 17)).replace(" ", "") == TEXT.replace(" ", "")


def test_truncate_never_cuts_a_character_in_half_and_ends_with_ellipsis():
    cut = layout.truncate("一二三四五六", 8)
    assert cut == "一二..."
    assert layout.width(cut) <= 8


def test_clip_lines_keeps_two_lines_and_marks_the_cut():
    lines = layout.clip_lines(TEXT, 20, 2)
    assert len(lines) == 2
    assert lines[-1].endswith("...")
    assert all(layout.width(line) <= 20 for line in lines)


def test_no_line_ends_with_an_opening_bracket():
    text = "模型看到的都不是词，而是切出来的子词（Subword）与更多的内容（例如标点）。" * 3
    for columns in range(16, 100):  # a line must hold the longest Latin word and a bracket
        for line in layout.wrap(text, columns)[:-1]:
            assert line[-1] not in "（《「", (columns, line)


QUOTED = (
    "掩码保证位置 i 只能看到 i 之前的词，防止\"偷看答案\"。也有人说'好的'，然后继续讲下去。"
    '一种叫做"梯度检查点"的技术，他说"hello 世界"就走了。'
) * 2


def quotes_in_place(lines: list[str]) -> list[str]:
    """The lines that start with a quote that closes or end with one that opens: quotes take
    turns in QUOTED, the first of a kind opening."""
    wrong, opened = [], dict.fromkeys("\"'", False)
    for line in lines:
        text = line.strip()
        for number, char in enumerate(text):
            if char not in opened:
                continue
            opened[char] = not opened[char]
            if (number == 0 and not opened[char]) or (number == len(text) - 1 and opened[char]):
                wrong.append(line)
    return wrong


def test_a_straight_quote_stays_with_the_text_it_quotes(sample_index):
    """Chinese written with straight quotes: a quote that closes never starts a line and one
    that opens never ends one, whether `wrap` lays the text out or Rich does (articles)."""
    words = [word for _start, _end, word in layout.breakable_words(QUOTED)]
    assert {'"偷', '案"。', "'好", "的'，", '"梯', '点"', "的"} <= set(words)
    assert "".join(words) == QUOTED
    for columns in range(16, 100):
        lines = layout.wrap(QUOTED, columns)
        assert quotes_in_place(lines) == [], columns
        assert all(line[0] not in layout.NO_LINE_START for line in lines[1:]), columns
        console = terminal(columns)
        views.article(console, sample_index.catalog.articles()[0], QUOTED)
        body = lines_of(console)
        body = body[body.index(next(b for b in body if "掩码" in b)) :]
        body = [line for line in body if line.strip()][:-1]  # the text, without the footer
        assert quotes_in_place(body) == [], columns
        assert all(line.strip()[0] not in CLOSING for line in body), columns


def test_closing_punctuation_after_a_space_stays_on_the_line_before():
    text = "ZooKeeper 由 Yahoo 开发，后来捐赠给了 Apache ，现已成为 Apache 顶级项目。"
    for columns in range(16, 80):
        for line in layout.wrap(text, columns):
            assert not line.lstrip().startswith("，"), (columns, line)
            assert not line.startswith(" ")


def test_a_table_on_a_narrow_terminal_wraps_its_cells_and_never_cuts_a_number(cli, make_archive):
    table = (
        "| 格式 | 最大值 | 说明 |\n| --- | --- | --- |\n"
        "| FP16 | 约 65504.125 | 半精度浮点数的最大值 |\n"
    )
    root = make_archive({"t.md": article("表格", "前言。\n\n" + table)})
    result = cli("show", "t", "--archive", str(root), "--no-pager", env={"COLUMNS": "30"})
    assert result.exit_code == 0 and "…" not in result.stdout
    assert "65504.12" in result.stdout.replace("\n", "").replace(" ", "")
