"""The peer: SQLite FTS5 over jieba's tokens, the way a user would set it up in a small script.

Documents are cut with jieba's search mode, queries with its default mode; bm25() ranks, with
the title weighted 5x; query terms are ANDed, as FTS5 does by default, or ORed.

    python bench/fts5_peer.py build DB ARCHIVE       # index every *.md below ARCHIVE
    python bench/fts5_peer.py query DB WORDS [--or]  # print the ten best slugs

bench.py runs it as a fresh process for each query, so its start-up (Python, jieba's
dictionary) is counted as artread's is; eval_search.py uses it in-process.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import warnings
from pathlib import Path

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)
LIMIT = 10


def jieba_module(cache_dir: Path | None = None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
    jieba.setLogLevel(60)
    if cache_dir is not None:
        jieba.dt.tmp_dir = str(cache_dir)  # not the shared /tmp cache
    jieba.initialize()
    return jieba


def split_article(text: str) -> tuple[str, str]:
    """(title, body) the way a small script would: front matter title, else the first # line."""
    title = ""
    front = _FRONT.match(text)
    if front:
        found = re.search(r"^title:\s*(.+)$", front.group(1), re.M)
        title = found.group(1).strip().strip("'\"") if found else ""
        text = text[front.end() :]
    if not title:
        heading = re.search(r"^#\s+(.+)$", text, re.M)
        title = heading.group(1).strip() if heading else ""
    return title, text


class Fts5Peer:
    def __init__(self, db: Path, jieba) -> None:
        self.db = sqlite3.connect(db)
        self.jieba = jieba

    def tokens(self, text: str, *, search: bool) -> str:
        cut = self.jieba.cut_for_search if search else self.jieba.cut
        return " ".join(t for t in cut(text.lower()) if t.strip())

    def build(self, archive: Path) -> None:
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(slug UNINDEXED, title, body)")
        for file in sorted(archive.rglob("*.md")):
            title, body = split_article(file.read_text(encoding="utf-8", errors="replace"))
            slug = file.relative_to(archive).with_suffix("").as_posix()
            row = (slug, self.tokens(title, search=True), self.tokens(body, search=True))
            self.db.execute("INSERT INTO docs VALUES (?, ?, ?)", row)
        self.db.commit()

    def ranked(self, query: str, operator: str = "AND") -> list[str]:
        terms = [t for t in self.tokens(query, search=False).split() if re.search(r"\w", t)]
        if not terms:
            return []
        match = f" {operator} ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = self.db.execute(
            "SELECT slug FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0.0, 5.0, 1.0) LIMIT ?",
            (match, LIMIT),
        )
        return [slug for (slug,) in rows]


def main(argv: list[str]) -> int:
    action, db, argument = argv[:3]
    peer = Fts5Peer(Path(db), jieba_module(Path(db).resolve().parent))
    if action == "build":
        peer.build(Path(argument))
        return 0
    found = peer.ranked(argument, "OR" if "--or" in argv else "AND")
    print("\n".join(found))
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
