"""`show` as a reader sees it: rendering at fixed widths, the pager in a real terminal, and
the list commands."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from conftest import article
from rich.console import Console

from artread.core.catalog import Entry
from artread.core.index import ArchiveIndex
from artread.ui import layout, views
from artread.ui.render import latex_to_unicode, prepare

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
    assert latex_to_unicode(r"\sqrt{d_k}") == "√(dₖ)"


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


def run_in_terminal(args: list[str], env: dict[str, str], rows: int = 24) -> str:
    """Run artread on a real pseudo-terminal of 80x`rows`; return what it printed."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 80, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "artread", *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        close_fds=True,
    )
    os.close(terminal)
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(controller)
    return output.decode("utf-8", "replace")


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
    shown = run_in_terminal(["show", "short"], env)
    assert "只有一行" in shown and not paged.exists()
    shown = run_in_terminal(["show", "long", "--no-pager"], env, rows=24)
    assert "第 199 段" in shown and not paged.exists()
    shown = run_in_terminal(["show", "long"], {**env, "ARTREAD_PAGER": ""})
    assert "第 199 段" in shown and not paged.exists()
    assert "\x1b[" in shown  # a terminal gets colour


def test_no_colour_on_a_terminal_with_no_color_set(terminal_env):
    env, _paged = terminal_env
    shown = run_in_terminal(["show", "short"], {**env, "NO_COLOR": "1"})
    assert "只有一行" in shown
    colours = re.findall(r"\x1b\[([0-9;]*)m", shown)
    assert colours  # bold and dim stay: NO_COLOR is about colour
    assert not any(re.search(r"(^|;)(3[0-8]|4[0-8]|9[0-7])(;|$)", c) for c in colours)
