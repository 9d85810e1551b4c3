"""Every key of the reader, by where it works: the help screen (?) lists these, and a test
checks that the README's table names each of them."""

from __future__ import annotations

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Everywhere",
        [
            ("q", "quit (in a text box: Ctrl+C)"),
            ("?", "these keys"),
            ("Esc  Backspace  h", "back to the screen before"),
        ],
    ),
    (
        "Front page, search results",
        [
            ("j k  ↓ ↑", "next, previous article"),
            ("Space  b  PgDn PgUp", "a screen down, up"),
            ("g G  Home End", "first, last article"),
            ("Enter  l  click", "open the article"),
            ("/", "search (front page)"),
            ("f", "filter by category or tag (front page)"),
            ("n", "new articles only, or all again (front page)"),
            ("A", "mark every article seen: no more new marks (front page)"),
            ("r", "look for new and changed files now (front page)"),
            ("y Y", "copy the article's id, its file's path"),
        ],
    ),
    (
        "Search box",
        [
            ("typing", "results as you type, ranked as artread search ranks them"),
            ("↓ ↑  Ctrl+N Ctrl+P", "next, previous result"),
            ("Enter", "open the result under the cursor"),
            ("Tab", "take the did-you-mean suggestion; else go to the results"),
        ],
    ),
    (
        "Article",
        [
            ("j k  ↓ ↑  wheel", "a line down, up"),
            ("Space f  b  PgDn PgUp", "a screen down, up"),
            ("d u", "half a screen down, up"),
            ("g G  Home End", "top, bottom"),
            ("o  t", "outline: the headings; Enter jumps to one"),
            ("/", "find in the article (width and traditional characters folded)"),
            ("n N", "next, previous match"),
            ("Tab  Shift+Tab", "next, previous link or related article"),
            ("Enter  click", "open it (links: your system's opener)"),
            ("y Y", "copy the id, the file's path"),
        ],
    ),
]
