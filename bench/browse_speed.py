"""How fast the full-screen reader answers (issue 17), run headless by Textual over an archive
whose index is built (warm): the first screen, a key typed in the search box, an article.

    .venv/bin/python bench/browse_speed.py --archive /tmp/a10 [--starts 5] [--articles 30]

- first screen: from the start of a fresh Python process (as the system records it) to the
  front page drawn: the interpreter, the imports, opening the index as `artread browse` does
  (the freshness check included), the read state and Textual; over --starts processes.
- search: a key pressed in the search box to its results drawn, debounce included, one key
  at a time (each waits for its results); the first key comes after the reader's warm-up
  (it loads the segmenter while the front page is looked at), as a user's first key would.
- typed: a query typed at a steady pace (TYPING_GAP between keys, a brisk typist's), from its
  last key to its results drawn: what a user who does not wait for each key feels, searches
  of the earlier keys still running included.
- article: from opening an article to its first screen drawn, and to the whole of it drawn
  with its related articles; over --articles articles spread from the shortest to the
  longest, the longest included.

The read state goes to a temporary folder. Prints a Markdown table; the targets are 1 s,
150 ms and 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

QUERIES = ["梯度检查点", "注意力机制", "哈希表 冲突", "redis 持久化", "transformer", "tranformer"]
TYPING_GAP = 0.15  # seconds between keys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    os.environ["ARTREAD_SERVER"] = "off"
    if options.child:  # the parent set ARTREAD_DATA_DIR
        return asyncio.run(_first_screen_child(options.archive))
    _compile_artread()
    with tempfile.TemporaryDirectory(prefix="artread-browse-bench-") as read_state:
        os.environ.setdefault("ARTREAD_DATA_DIR", read_state)
        starts = [_first_screen(options.archive) for _ in range(options.starts)]
        keys, typed, articles = asyncio.run(_in_one_reader(options.archive, options.articles))
    _report(options, starts, keys, typed, articles)
    return 0


def _compile_artread() -> None:
    """Write artread's bytecode, as an installed or once-run copy has it (bench.py does the
    same): an editable install run with PYTHONDONTWRITEBYTECODE would compile every module
    in every process."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("artread")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(folder, quiet=1)


def _first_screen(archive: Path) -> dict:
    """One fresh process's start: its timings, from the moment the system started it."""
    child = subprocess.run(
        [sys.executable, __file__, "--archive", str(archive), "--child"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(child.stdout.splitlines()[-1])


async def _first_screen_child(archive: Path) -> int:
    """In the fresh process: open the archive as `artread browse` does, start the reader,
    and say when its front page is first drawn."""
    process_started = time.perf_counter() - _process_age()
    from artread.commands.browse import open_library
    from artread.commands.context import Command
    from artread.env import Env

    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), environ=dict(os.environ))
    library = open_library(Command(env), str(archive))
    opened = time.perf_counter()
    from artread.ui.browse.app import make_app

    app = make_app(library, refresh_seconds=None)
    frames = _frames(app)
    async with app.run_test(size=(80, 24)) as pilot:
        front = await _drawn(frames, lambda s: s["screen"] == "FrontScreen" and s["listed"])
        await pilot.press("q")
    library.close()
    timings = {
        "ready": front - process_started,
        "opened": opened - process_started,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(timings))
    return 0


def _frames(app) -> list:
    """The frames the reader sends to the terminal, as they are sent: (time, what the frame
    shows). The headless driver writes them nowhere, but they are made as for a terminal."""
    frames: list = []
    display = app._display

    def recorded(screen, renderable) -> None:
        display(screen, renderable)
        frames.append((time.perf_counter(), _showing(screen)))

    app._display = recorded
    return frames


def _showing(screen) -> dict:
    """What a screen shows, in the terms the measures wait for."""
    from artread.ui.browse.article import ArticleView

    found = getattr(screen, "found", None)
    views = list(screen.query(ArticleView)) if hasattr(screen, "entry") else []
    return {
        "screen": type(screen).__name__,
        "listed": len(getattr(screen, "entries", ())),
        "results for": getattr(found, "query", None),
        "article": getattr(screen, "entry", None),
        "lines": sum(len(view.lines) for view in views),
        "loaded": getattr(screen, "loaded", False),
    }


async def _drawn(frames: list, shows: Callable[[dict], object], after: float = 0.0) -> float:
    """When the first frame after `after` was sent that shows(what it showed). Each frame is
    looked at once: the reader runs in this loop, and the measure must not slow it."""
    deadline = time.monotonic() + 300
    looked = bisect.bisect_right([sent for sent, _shown in frames], after)
    while True:
        while looked < len(frames):
            sent, shown = frames[looked]
            looked += 1
            if sent > after and shows(shown):
                return sent
        if time.monotonic() > deadline:
            raise TimeoutError("the reader did not draw it in 5 minutes")
        await asyncio.sleep(0.001)


def _process_age() -> float:
    """How long ago this process started (Linux /proc; 0 elsewhere)."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))


async def _in_one_reader(archive: Path, count: int) -> tuple[list, list, list]:
    from artread.commands.browse import open_library
    from artread.commands.context import Command
    from artread.env import Env
    from artread.ui.browse.app import make_app

    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), environ=dict(os.environ))
    library = open_library(Command(env), str(archive))
    app = make_app(library, refresh_seconds=None)
    frames = _frames(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await _drawn(frames, lambda s: s["screen"] == "FrontScreen" and s["listed"])
        await _settled(pilot)  # the visit and the warm-up are done
        keys = await _keys(pilot, frames)
        typed = await _typed(pilot, frames)
        articles = await _articles(pilot, frames, _spread(library.articles(), count))
        await pilot.press("q")
    library.close()
    return keys, typed, articles


async def _settled(pilot) -> None:
    while pilot.app.workers:
        await pilot.pause(0.01)
    await pilot.pause()


def _key(app, char: str) -> None:
    """A key as the terminal sends it (Pilot.press would wait for the reader to be idle)."""
    from textual import events

    app.post_message(events.Key("space" if char == " " else char, char))


async def _keys(pilot, frames: list) -> list[tuple[str, float, int]]:
    """(text in the box, seconds from the key to its results drawn, results) per key."""

    app = pilot.app
    timed = []
    for query in QUERIES:
        await pilot.press("slash")
        await _settled(pilot)
        for length in range(1, len(query) + 1):
            text = query[:length]
            started = time.perf_counter()
            _key(app, text[-1])
            if text.strip():
                drawn = await _drawn(frames, lambda s, t=text: s["results for"] == t, started)
                timed.append((text, drawn - started, app.screen.found.total))
            await _settled(pilot)  # one key at a time: its search is over
        await pilot.press("escape")
    return timed


async def _typed(pilot, frames: list) -> list[tuple[str, float]]:
    """(query, seconds from its last key to its results drawn), typed TYPING_GAP apart."""

    app = pilot.app
    timed = []
    for query in QUERIES:
        # Searched afresh: _keys typed the same prefixes, and the reader keeps recent results.
        with app.library.lock:
            app.library._searches.clear()
        await pilot.press("slash")
        await _settled(pilot)
        for char in query[:-1]:
            _key(app, char)
            await asyncio.sleep(TYPING_GAP)
        started = time.perf_counter()
        _key(app, query[-1])
        drawn = await _drawn(frames, lambda s, q=query: s["results for"] == q, started)
        timed.append((query, drawn - started))
        await _settled(pilot)
        await pilot.press("escape")
    return timed


async def _articles(pilot, frames: list, entries: list) -> list[tuple[str, int, float, float]]:
    """(id, characters, seconds to the first screen drawn, seconds to all of it) each."""

    app = pilot.app
    timed = []
    for entry in entries:
        started = time.perf_counter()
        app.open_article(entry)

        def begun(shown: dict, entry=entry) -> bool:
            return shown["article"] is entry and shown["lines"] > 0

        first = await _drawn(frames, begun, started)
        whole = await _drawn(frames, lambda s: begun(s) and s["loaded"], started)
        timed.append((entry.id, entry.chars, first - started, whole - started))
        await pilot.press("escape")
        await _settled(pilot)  # its read mark is saved
    return timed


def _spread(entries: list, count: int) -> list:
    """count entries from the shortest to the longest, evenly by length, the longest last."""
    by_length = sorted(entries, key=lambda e: e.chars)
    step = max(1, (len(by_length) - 1) // max(1, count - 1))
    return by_length[::step][: count - 1] + by_length[-1:]


def _ripgrep(archive: Path, text: str) -> float | None:
    """How long ripgrep takes to list the files holding text (a peer's literal scan)."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        try:
            subprocess.run(["rg", "-l", "-i", "-F", text, str(archive)], capture_output=True)
        except OSError:
            return None
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _row(name: str, values: list[float], target: str) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    cells = [_ms(statistics.median(values)), _ms(p90), _ms(max(values))]
    return f"| {name} | {len(values)} | {' | '.join(cells)} | {target} |"


def _report(
    options: argparse.Namespace, starts: list, keys: list, typed: list, articles: list
) -> None:
    print(f"archive {options.archive}: 80x24 for the first screen, 120x40 for the rest\n")
    print("| measure | n | median | p90 | max | target |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(_row("first screen (process start to front page)", [s["ready"] for s in starts], "1 s"))
    print(_row("  of which: index and read state open", [s["opened"] for s in starts], ""))
    print(_row("key in the search box to results drawn", [k[1] for k in keys], "150 ms"))
    gap = f"{TYPING_GAP * 1000:.0f} ms"
    print(_row(f"typed, a key every {gap}: last key to results", [t[1] for t in typed], ""))
    print(_row("open an article: first screen drawn", [a[2] for a in articles], "200 ms"))
    print(_row("open an article: all drawn, related too", [a[3] for a in articles], ""))
    rss = max(s["rss_mb"] for s in starts)
    used = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS: {rss:.0f} MB at the first screen; {used:.0f} MB after searches, articles")
    slow = sorted(keys, key=lambda k: -k[1])[:5]
    print("slowest keys: " + ", ".join(f"{t!r} {_ms(s)} ({n} results)" for t, s, n in slow))
    peer = [(t, s, _ripgrep(options.archive, t)) for t, s, _n in slow]
    if all(seconds is not None for _t, _s, seconds in peer):
        print(
            "the same texts with `rg -l -i -F TEXT ARCHIVE` (a whole process, the median of 3): "
            + ", ".join(f"{t!r} {_ms(r)} (the key: {s / r:.1f}x)" for t, s, r in peer)
        )
    print("typed: " + ", ".join(f"{q!r} {_ms(s)}" for q, s in typed))
    longest = max(articles, key=lambda a: a[1])
    print(f"longest article {longest[0]} ({longest[1]:,} chars): first screen {_ms(longest[2])}")


if __name__ == "__main__":
    raise SystemExit(main())
