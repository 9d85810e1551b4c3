"""What a reader sees on a terminal: Chinese wrapped by width, no raw escapes or markup."""

from __future__ import annotations

import io

import pytest
from conftest import article

from artread.core.index import ArchiveIndex
from artread.core.listing import latest_page
from artread.core.search import search
from artread.ui import views
from artread.ui.console import Console  # breaks lines between Chinese characters

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
    from artread.ui.layout import width as cells

    for line in lines:
        assert cells(line) <= width, line
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
    from artread.ui.layout import width as cells

    assert all(cells(line) <= width for line in lines)
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
