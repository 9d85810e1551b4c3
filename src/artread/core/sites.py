"""Which folders of an archive hold its articles.

Pointed at the root of a static site, artread reads the folders the generator publishes posts
from (Hugo's `content/`, Hexo's `source/_posts`, Jekyll's `_posts`, Docusaurus' `docs/` and
`blog/`), recognised by the site's configuration file, and never its theme, dependencies or
build output. Anywhere, folders that hold what no one writes (node_modules, vendor, a theme,
generated output) are not entered. An archive's `.artreadignore` names more folders to skip, one
a line, or a default one to read after all with `!name`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

IGNORE_FILE = ".artreadignore"
MAX_IGNORE_BYTES = 64 * 1024

# Folder names that never hold an author's articles: dependencies, themes, build output.
SKIPPED_FOLDERS = frozenset(
    {
        "node_modules",
        "bower_components",
        "vendor",
        "site-packages",
        "__pycache__",
        "themes",
        "public",
        "resources",
        "_site",
    }
)

# Folder names that say where a file is kept rather than what it is about: never a category.
GENERATOR_FOLDERS = frozenset(
    {
        "content",
        "contents",
        "source",
        "src",
        "_posts",
        "_drafts",
        "posts",
        "post",
        "blog",
        "docs",
        "doc",
        "articles",
        "article",
        "pages",
        "_pages",
        "notes",
        "archive",
        "archives",
        "markdown",
        "md",
    }
)
DRAFT_FOLDERS = frozenset({"_drafts"})


@dataclass(frozen=True)
class Layout:
    """Where an archive's articles are: a generator's folders, or the whole archive."""

    generator: str | None  # hugo, hexo, jekyll, vuepress, vitepress, docusaurus; None
    folders: tuple[str, ...]  # relative to the root, "/"-separated; () for the whole root
    skipped: frozenset[str]  # folder names never entered


def detect(root: Path) -> Layout:
    """The layout of the archive at root, from its site configuration and .artreadignore."""
    skipped = _skipped(root)
    generator, folders = _generator(root)
    present = tuple(f for f in folders if (root / f).is_dir())
    if generator and not present:  # a site without its posts folder yet: read it all
        return Layout(generator, (), skipped)
    return Layout(generator, present, skipped)


def _generator(root: Path) -> tuple[str | None, tuple[str, ...]]:
    def has(*names: str) -> bool:
        return any(os.path.lexists(root / name) for name in names)

    if has("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json") or (
        has("config.toml", "config.yaml", "config.yml", "config.json")
        and (root / "content").is_dir()
    ):
        return "hugo", ("content",)
    if has("_config.yml", "_config.yaml") and (root / "source").is_dir():
        return "hexo", ("source/_posts", "source/_drafts")
    if has("_config.yml", "_config.yaml", "_config.toml"):
        return "jekyll", ("_posts", "_drafts")
    if has("docusaurus.config.js", "docusaurus.config.ts", "docusaurus.config.mjs"):
        return "docusaurus", ("docs", "blog")
    for name in ("vuepress", "vitepress"):
        if has(f".{name}"):
            return name, ()
        if has(f"docs/.{name}"):
            return name, ("docs",)
    return None, ()


def _skipped(root: Path) -> frozenset[str]:
    """The default folder names to skip, with the archive's own additions and exceptions."""
    names = set(SKIPPED_FOLDERS)
    try:
        with open(root / IGNORE_FILE, "rb") as handle:
            text = handle.read(MAX_IGNORE_BYTES).decode("utf-8", "replace")
    except OSError:
        return frozenset(names)
    for line in text.splitlines():
        name = line.split("#", 1)[0].strip().strip("/")
        if name.startswith("!"):
            names.discard(name[1:].strip("/"))
        elif name:
            names.add(name)
    return frozenset(names)


def is_draft_path(relpath: str) -> bool:
    """A file in a generator's drafts folder (Hexo's source/_drafts, Jekyll's _drafts)."""
    return any(part in DRAFT_FOLDERS for part in relpath.split("/")[:-1])
