"""`artread browse`: the full-screen reader, driven headless by Textual's Pilot as a user
drives it (keys, clicks), over real indexes; what it shows is read off the screen."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from helpers import SCRIPT, article, artread, open_terminal, read_until_closed, write_files

from artread.commands.browse import open_library
from artread.commands.context import Command
from artread.core.search import search
from artread.env import Env
from artread.ui.browse.app import BrowseApp, make_app
from artread.ui.browse.article import ArticleView
from artread.ui.browse.dialogs import HelpScreen
from artread.ui.browse.entries import EntryList
from artread.ui.browse.front import FrontScreen
from artread.ui.browse.keys import KEYS
from artread.ui.browse.library import Library
from artread.ui.browse.reader import ArticleScreen
from artread.ui.browse.search import SearchScreen

Scenario = Callable[..., Awaitable[None]]


def library_of(archive: Path | None = None) -> Library:
    """The reader's library as `artread browse` opens it, for the archive (the sample one)."""
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), environ=dict(os.environ))
    return open_library(Command(env), str(archive) if archive else None)


class Opened(list):
    """The links given to the system's opener."""

    def __call__(self, url: str) -> bool:
        self.append(url)
        return True


def reader(library: Library, opened: Opened | None = None) -> BrowseApp:
    opener = opened if opened is not None else Opened()
    return make_app(library, opener=opener, refresh_seconds=None)


def drive(app: BrowseApp, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> None:
    """Run the reader headless on a terminal of size, through scenario(pilot)."""

    async def run() -> None:
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: isinstance(app.screen, FrontScreen))
            await scenario(pilot)

    try:
        asyncio.run(run())
    finally:
        app.library.close()


async def until(pilot, condition: Callable[[], object], seconds: float = 120) -> None:
    """Let the reader work until condition() holds (searches and articles are drawn by
    worker threads)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the reader did not get there"
        await pilot.pause(0.02)


def shown(app: BrowseApp) -> list[str]:
    """The terminal's lines as the reader draws them now."""
    return [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]


async def type_text(pilot, text: str) -> None:
    for char in text:
        await pilot.press(char)


async def search_for(pilot, text: str) -> SearchScreen:
    app = pilot.app
    await pilot.press("slash")
    await type_text(pilot, text)
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    await until(pilot, lambda: screen.found is not None and screen.found.query == text)
    await pilot.pause()
    return screen


async def open_loaded(pilot) -> ArticleScreen:
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, ArticleScreen))
    screen = pilot.app.screen
    await until(pilot, lambda: screen.loaded)
    await pilot.pause()
    return screen


def test_the_front_page_lists_the_newest_article_first(sample_index):
    newest = sample_index.catalog.articles(drafts=False)
    app = reader(library_of())

    async def scenario(pilot) -> None:
        lines = shown(app)
        assert lines[0].startswith(f"LATEST UPDATES   {len(newest)} articles")
        rows = [next(n for n, line in enumerate(lines) if e.title in line) for e in newest[:3]]
        assert rows == sorted(rows) and rows[0] == 2  # under the header, in date order
        await pilot.press("G")  # the whole archive is one list: its last article is there
        assert any(newest[-1].title in line for line in shown(app))

    drive(app, scenario)


def test_slash_and_a_chinese_word_show_the_best_article_first(sample_index):
    app = reader(library_of())
    best = search(sample_index, "梯度检查点").hits

    async def scenario(pilot) -> None:
        found = await search_for(pilot, "梯度檢查點")  # traditional, as search folds it
        assert [hit.entry.id for hit in found.hits[:2]] == [hit.entry.id for hit in best[:2]]
        lines = shown(app)
        first = next(n for n, line in enumerate(lines) if line.startswith(" 1 "))
        assert best[0].entry.title in lines[first]
        assert any("Also searching for" in line and "激活检查点" in line for line in lines)

    drive(app, scenario)


def test_the_search_box_says_what_search_says_and_tab_takes_the_suggestion(sample_index):
    app = reader(library_of())

    async def scenario(pilot) -> None:
        typo = await search_for(pilot, "tranformer")
        assert typo.hits and any("Including results for transformer" in n for n in shown(app))
        await pilot.press("escape")
        found = await search_for(pilot, "卷集神经网络")
        assert found.found.suggestion == "卷积神经网络"
        assert any("Did you mean: 卷积神经网络" in line for line in shown(app))
        await pilot.press("tab")
        await until(pilot, lambda: found.found and found.found.query == "卷积神经网络")
        assert found.query_one("#query").value == "卷积神经网络"
        await pilot.press("ctrl+c")  # quits from the search box too

    drive(app, scenario)
    assert app.return_code == 0


def test_enter_opens_the_result_and_the_outline_jumps_to_a_heading(sample_index):
    app = reader(library_of())

    async def scenario(pilot) -> None:
        await search_for(pilot, "梯度检查点")
        screen = await open_loaded(pilot)
        assert "梯度检查点（Gradient Checkpointing）" in shown(app)[0]
        view = screen.query_one(ArticleView)
        headings = [heading.title for heading in view.headings]
        assert "√n 策略" in headings
        await pilot.press("o")
        assert any("√n 策略" in line[:32] for line in shown(app))  # the outline, on the left
        for _ in range(headings.index("√n 策略")):
            await pilot.press("j")
        await pilot.press("enter")
        await pilot.pause()
        assert shown(app)[0].strip() == "√n 策略"  # the heading is the top line now

    drive(app, scenario)


def test_slash_in_an_article_finds_a_word_and_n_goes_to_the_next(sample_index):
    app = reader(library_of())

    async def scenario(pilot) -> None:
        await search_for(pilot, "梯度检查点")
        screen = await open_loaded(pilot)
        await pilot.press("slash")
        await type_text(pilot, "顯存")  # traditional, matched as search matches it
        await pilot.press("enter")
        view = screen.query_one(ArticleView)
        assert len(view.matches) >= 2
        status = shown(app)[-2].strip()
        assert status.startswith(f"1 of {len(view.matches)} for 顯存")
        await pilot.press("n")
        assert shown(app)[-2].strip().startswith(f"2 of {len(view.matches)}")
        line = view.matches[view.current].line - view.scroll_offset.y
        assert "显存" in shown(app)[line]

    drive(app, scenario)


def test_escape_goes_back_and_q_quits_with_status_0(sample_index):
    app = reader(library_of())

    async def scenario(pilot) -> None:
        await search_for(pilot, "注意力")
        await open_loaded(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one("#query").value == "注意力"  # as it was left
        await pilot.press("escape")
        assert isinstance(app.screen, FrontScreen)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen))
        await pilot.press("h")
        assert isinstance(app.screen, FrontScreen)
        await pilot.press("q")

    drive(app, scenario)
    assert app.return_code == 0


def test_related_articles_open_with_enter_and_y_copies_the_id(sample_index):
    app = reader(library_of())

    async def scenario(pilot) -> None:
        await search_for(pilot, "梯度检查点")
        screen = await open_loaded(pilot)
        view = screen.query_one(ArticleView)
        related = [target.value for target in view.targets if target.kind == "related"]
        assert related
        await pilot.press("G", "tab", "enter")
        await until(pilot, lambda: app.screen is not screen)
        assert app.screen.entry.id == related[0]
        await pilot.press("y")
        await until(pilot, lambda: app.clipboard)
        assert app.clipboard == related[0]

    drive(app, scenario)


def test_links_open_with_the_system_opener_or_in_the_reader(make_archive):
    root = make_archive(
        {
            "a.md": article(
                "甲", "见 [乙篇](b.md) 与 [官网](https://example.com/x)。", date="2025-01-02"
            ),
            "b.md": article("乙", "乙的正文。", date="2025-01-01"),
        }
    )
    opened = Opened()
    app = reader(library_of(root), opened)

    async def scenario(pilot) -> None:
        screen = await open_loaded(pilot)  # 甲, the newest
        view = screen.query_one(ArticleView)
        await pilot.press("tab", "tab", "enter")
        await until(pilot, lambda: opened)
        assert opened == ["https://example.com/x"]
        link = next(t for t in view.targets if t.value == "b.md").spans[0]
        await pilot.click(ArticleView, offset=(link.start + 1, link.line))
        await until(pilot, lambda: app.screen is not screen)
        assert app.screen.entry.title == "乙"

    drive(app, scenario)


def test_question_mark_shows_every_key_and_the_picker_narrows_to_a_category(sample_index):
    app = reader(library_of())
    in_nlp = [e for e in sample_index.catalog.articles(drafts=False) if e.category == "NLP"]

    async def scenario(pilot) -> None:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert any("Esc  Backspace  h" in line for line in shown(app))
        await pilot.press("G")  # the end of the list: the article's keys
        assert any("outline" in line for line in shown(app))
        await pilot.press("escape", "f")
        await type_text(pilot, "nlp")
        await pilot.press("enter")
        front = app.screen
        assert isinstance(front, FrontScreen)
        assert shown(app)[0].startswith(f"LATEST UPDATES   {len(in_nlp)} articles in NLP")
        assert [entry.path for entry in front.entries] == [entry.path for entry in in_nlp]

    drive(app, scenario)


def test_usable_at_60_columns(sample_index):
    app = reader(library_of())

    async def scenario(pilot) -> None:
        newest = sample_index.catalog.articles(drafts=False)[0]
        assert any(newest.title[:10] in line for line in shown(app))
        screen = await open_loaded(pilot)
        view = screen.query_one(ArticleView)
        assert max(strip.cell_length for strip in view.lines) <= 60 - 2  # margin, scrollbar
        assert newest.title in shown(app)[0]

    drive(app, scenario, size=(60, 20))


def test_an_article_is_drawn_again_when_the_terminal_is_resized(sample_index):
    app = reader(library_of())

    async def scenario(pilot) -> None:
        screen = await open_loaded(pilot)
        view = screen.query_one(ArticleView)
        assert max(strip.cell_length for strip in view.lines) > 60
        await pilot.resize_terminal(60, 20)
        await until(pilot, lambda: screen.loaded and screen.drawn_at < 60)
        assert max(strip.cell_length for strip in view.lines) <= 58
        assert screen.entry.title in shown(app)[0]

    drive(app, scenario, size=(120, 40))


def test_the_readme_names_every_key_of_the_help_screen():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### `artread browse`") : readme.index("### `artread latest`")]
    words = {"typing", "wheel", "click"}  # what is done, not a key
    named = [key for _where, keys in KEYS for line, _what in keys for key in line.split()]
    assert [key for key in named if key not in words and f"`{key}`" not in section] == []


def sent(app: BrowseApp) -> list[list]:
    """The terminal's lines as they are sent: through the reader's line filters (NO_COLOR's)."""
    from textual.color import Color

    lines = []
    for strip in app.screen._compositor.render_strips():
        segments = list(strip)
        for line_filter in app.get_line_filters():
            segments = line_filter.apply(segments, Color(0, 0, 0))
        lines.append(segments)
    return lines


def colours(lines: list[list]) -> set[str]:
    found = set()
    for segments in lines:
        for segment in segments:
            for colour in (segment.style.color, segment.style.bgcolor) if segment.style else ():
                if colour is not None and not colour.is_default:
                    found.add(colour.name)
    return found


def test_without_colour_no_colour_is_sent_and_the_cursor_and_matches_still_show(sample_index):
    """NO_COLOR or --color never: not even grey. What a background showed is a bar before
    the chosen entry, and reverse or underline on the match found."""
    app = make_app(library_of(), no_color=True, refresh_seconds=None)
    assert app.no_color and "NO_COLOR" not in os.environ  # not left set for the process

    async def scenario(pilot) -> None:
        front = shown(app)
        assert colours(sent(app)) == set()
        chosen = [line for line in front if line.startswith("▌")]
        assert chosen and app.library.articles()[0].title in chosen[0]
        results = await search_for(pilot, "的")  # in every article of the sample
        await pilot.press(*["down"] * 9)
        assert results.query_one(EntryList).cursor == 9
        assert any(line.startswith("10 ") for line in shown(app))  # not cut by the bar
        assert colours(sent(app)) == set()
        await pilot.press("escape")
        await search_for(pilot, "梯度检查点")
        screen = await open_loaded(pilot)
        await pilot.press("o", "enter", "slash", "显", "存", "enter")
        assert screen.query_one(ArticleView).matches
        lines = sent(app)
        assert colours(lines) == set()
        assert any(s.text == "显存" and s.style.reverse for line in lines for s in line)
        await pilot.press("G", "tab")
        assert any("Related articles" in line for line in shown(app))  # G: the end

    drive(app, scenario)


def test_in_colour_the_chosen_entry_has_a_ground_and_no_bar(sample_index):
    app = reader(library_of())

    async def scenario(pilot) -> None:
        assert not any(line.startswith("▌") for line in shown(app))
        assert colours(sent(app))

    drive(app, scenario)


# The read state


def test_read_state_survives_a_restart_and_a_new_file_shows_as_new(make_archive, cli):
    root = make_archive(
        {
            "old.md": article("旧文", "旧的正文。", date="2025-01-01"),
            "read.md": article("读过", "读过的正文。", date="2025-01-02"),
        }
    )
    first = reader(library_of(root))

    async def read_one(pilot) -> None:
        await open_loaded(pilot)  # 读过, the newest
        await until(pilot, lambda: first.library.state.read)
        await pilot.press("q")

    drive(first, read_one)
    write_files(root, {"new.md": article("新文", "新的正文。", date="2024-06-01")})
    again = reader(library_of(root))

    async def look(pilot) -> None:
        lines = shown(again)
        assert lines[0].endswith("3 articles · 1 new")
        meta = {line.strip() for line in lines}
        assert "new · 2024-06-01 · new · 1 min read" in meta
        assert "read · 2025-01-02 · read · 1 min read" in meta
        assert "2025-01-01 · old · 1 min read" in meta
        await pilot.press("n")  # new ones only
        assert [entry.id for entry in again.screen.entries] == ["new"]

    drive(again, look)
    latest = re.sub(
        r"\x1b\[[0-9;]*m", "", cli("-a", str(root), "--color", "always", "latest").stdout
    )
    assert "3 articles · 1 new" in latest and "new · 2024-06-01" in latest
    only_new = cli("--archive", str(root), "latest", "--new")
    assert [line.split("\t")[0] for line in only_new.stdout.splitlines()] == ["new"]


def test_a_file_changed_while_the_reader_is_open_shows_as_new_after_r(make_archive):
    root = make_archive({"a.md": article("甲", "正文。", date="2025-01-01")})
    app = reader(library_of(root))

    async def scenario(pilot) -> None:
        await until(pilot, lambda: app.library.state.recorded)
        write_files(root, {"b.md": article("乙", "新来的。", date="2025-02-01")})
        await pilot.press("r")
        await until(pilot, lambda: len(app.screen.entries) == 2)
        assert shown(app)[0].endswith("2 articles · 1 new")

    drive(app, scenario)


def test_latest_new_before_any_visit_says_how_to_record_one(sample_index, cli):
    result = cli("latest", "--new")
    assert result.exit_code == 1
    assert "no visit recorded yet" in result.stderr and "artread browse" in result.stderr


@pytest.mark.parametrize("args", [["browse"], []])
def test_not_on_a_terminal(args, sample_index):
    """browse says what to use instead; bare artread prints its usage, as it always did."""
    result = artread(*args, server=False)
    said = result.stderr.decode()
    assert result.returncode == 2
    if args:
        assert "artread latest" in said and "artread search" in said and "artread show" in said
    else:
        assert "Usage: artread" in result.stdout.decode() + said


def test_bare_artread_on_a_terminal_opens_the_reader_here_not_in_the_server(
    sample_index, server, env_without_artread
):
    env = {
        **env_without_artread,
        **{k: v for k, v in os.environ.items() if k.startswith(("ARTREAD_", "XDG_"))},
        "ARTREAD_SERVER": "on",
        "TERM": "xterm-256color",
    }
    controller, terminal = open_terminal(80, 24)
    process = subprocess.Popen(
        [SCRIPT], stdin=terminal, stdout=terminal, stderr=terminal, env=env, close_fds=True
    )
    os.close(terminal)
    drawn = b""
    deadline = time.monotonic() + 120
    while b"LATEST UPDATES" not in drawn and time.monotonic() < deadline:
        drawn += os.read(controller, 65536)
    os.write(controller, b"q")
    read_until_closed(controller)
    assert process.wait(timeout=60) == 0
    os.close(controller)
    assert b"LATEST UPDATES" in drawn
