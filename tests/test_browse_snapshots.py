"""The reader's screens as the terminal shows them (pytest-textual-snapshot), on the sample
archive at 80x24 and 120x40: the front page and an article. After a change meant to alter
them, look at the report and record them again:

    .venv/bin/python -m pytest tests/test_browse_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest
from test_browse import library_of, reader, until

from artread.ui.browse.reader import ArticleScreen

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_front_page(size, sample_index, snap_compare):
    app = reader(library_of())
    try:
        assert snap_compare(app, terminal_size=size)
    finally:
        app.library.close()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_article(size, sample_index, snap_compare):
    app = reader(library_of())

    async def open_the_newest(pilot) -> None:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen) and app.screen.loaded)

    try:
        assert snap_compare(app, terminal_size=size, run_before=open_the_newest)
    finally:
        app.library.close()
