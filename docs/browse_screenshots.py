"""The README's pictures of `artread browse`, made by Textual's own screenshot of the reader
run headless over the sample archive (an index and a read state in a temporary folder):

    .venv/bin/python docs/browse_screenshots.py      # writes docs/browse-*.svg
"""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parent
SIZE = (100, 30)


async def main() -> None:
    from artread.commands.browse import open_library
    from artread.commands.context import Command
    from artread.env import Env
    from artread.ui.browse.app import make_app
    from artread.ui.browse.reader import ArticleScreen
    from artread.ui.browse.search import SearchScreen

    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), environ=dict(os.environ))
    library = open_library(Command(env), None)
    app = make_app(library, refresh_seconds=None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.entries)
        await pilot.pause()
        app.save_screenshot("browse-front.svg", path=str(DOCS))
        await pilot.press("slash", *"梯度檢查點")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen) and app.screen.hits)
        await pilot.pause()
        app.save_screenshot("browse-search.svg", path=str(DOCS))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen) and app.screen.loaded)
        await pilot.press("o", "j", "j", "j")
        await pilot.pause()
        await pilot.pause()
        app.save_screenshot("browse-article.svg", path=str(DOCS))
        await pilot.press("q")
    library.close()


async def until(pilot, condition) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the reader did not get there")
        await pilot.pause(0.05)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        os.environ.update(
            ARTREAD_INDEX_DIR=f"{scratch}/indexes",
            ARTREAD_DATA_DIR=f"{scratch}/data",
            ARTREAD_SERVER="off",
        )
        os.environ.pop("ARTREAD_ARCHIVE", None)
        asyncio.run(main())
