"""The tags of Hugo shortcodes and of Liquid (Hexo, Jekyll): found, paired, their arguments."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

HUGO_TAG = re.compile(
    r"\{\{(?P<delim>[<%])(?P<escaped>/\*)?[ \t]*(?P<closing>/)?[ \t]*(?P<name>[A-Za-z_][\w./-]*)"
    r"(?P<args>(?:(?!\{\{|[>%]\}\}).)*?)[ \t]*(?:\*/)?[ \t]*/?[ \t]*[>%]\}\}",
    re.S,
)
LIQUID_TAG = re.compile(
    r"\{%-?[ \t]*(?P<name>[A-Za-z_]\w*)(?P<args>(?:(?!\{%|-?%\}).)*?)[ \t]*-?%\}", re.S
)
_ARG = re.compile(r"""(?:([\w-]+)=)?("(?:[^"\\]|\\.)*"|'[^']*'|`[^`]*`|\S+)""")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


@dataclass
class Tag:
    """A shortcode or Liquid tag; when it stands alone on its line, it spans the whole line."""

    name: str
    args: str
    start: int
    end: int
    hugo: bool = False  # {{< name >}}, else a Liquid tag {% name %}
    closing: bool = False
    escaped: bool = False  # Hugo's {{</* name */>}}: the shortcode shown as written
    alone: bool = False
    indent: str = ""
    written: str = ""


@dataclass
class Args:
    """A tag's arguments: `go "linenos=table"` positional, `title="Tip"` named."""

    positional: list[str]
    named: dict[str, str]

    def get(self, *keys: str, position: int | None = None) -> str:
        """The first of the named arguments given, else the positional one; "" if none."""
        for key in keys:
            if self.named.get(key):
                return self.named[key]
        if position is not None and position < len(self.positional):
            return self.positional[position]
        return ""


def parse_args(text: str) -> Args:
    positional: list[str] = []
    named: dict[str, str] = {}
    for key, value in _ARG.findall(text):
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'`":
            value = value[1:-1]
        if key:
            named[key.lower()] = value
        else:
            positional.append(value)
    return Args(positional, named)


def find_tags(text: str) -> list[Tag]:
    """Every Hugo shortcode tag and Liquid tag in text, in order: one list, so that the inside
    of a verbatim one of either kind (`{% raw %}{{< x >}}{% endraw %}`) is content."""
    tags = [tag for hugo in (True, False) for tag in _tags_of_a_kind(text, hugo)]
    tags.sort(key=lambda tag: tag.start)
    apart: list[Tag] = []
    for tag in tags:
        if not apart or tag.start >= apart[-1].end:  # one inside another's arguments: text
            apart.append(tag)
    return apart


def _tags_of_a_kind(text: str, hugo: bool) -> list[Tag]:
    if ("{{" if hugo else "{%") not in text:
        return []
    tags = []
    for match in (HUGO_TAG if hugo else LIQUID_TAG).finditer(text):
        name = match.group("name")
        closing = bool(match.group("closing")) if hugo else name.startswith("end") and len(name) > 3
        if closing and not hugo:
            name = name[3:]  # {% endnote %} closes {% note %}
        line_start, line_end = _blank_around(text, match.start(), match.end())
        alone = line_start is not None and line_end is not None
        start, end = (line_start, line_end) if alone else match.span()  # type: ignore[assignment]
        escaped = bool(hugo and match.group("escaped"))
        tag = Tag(name.lower(), match.group("args"), start, end, hugo, closing, escaped, alone)
        tag.indent = text[start : match.start()] if alone else ""
        tag.written = match.group(0)
        tags.append(tag)
    return tags


def _blank_around(text: str, start: int, end: int) -> tuple[int | None, int | None]:
    """Where the line starts, if only spaces stand before start on it, and where it ends, if
    only spaces follow end; else None. Only the spaces are looked at: a tag among thousands on
    one long line costs no more than one alone."""
    before = start
    while before and text[before - 1] in " \t":
        before -= 1
    after = end
    while after < len(text) and text[after] in " \t":
        after += 1
    line_start = before if before == 0 or text[before - 1] == "\n" else None
    line_end = after if after == len(text) or text[after] == "\n" else None
    return line_start, line_end


def outermost(tags: list[Tag], verbatim: Callable[[Tag], bool]) -> list[tuple[Tag, Tag | None]]:
    """The outermost constructs, left to right: an opening tag with its closing tag, or a tag
    on its own (a closing tag that closes nothing too). What nests inside is read later, when
    the construct's inside is rewritten."""
    visible = _visible(tags, verbatim)
    closing_of = _pairs(visible)
    found: list[tuple[Tag, Tag | None]] = []
    index = 0
    while index < len(visible):
        close = closing_of.get(index)
        found.append((visible[index], None if close is None else visible[close]))
        index = index + 1 if close is None else close + 1
    return found


def _visible(tags: list[Tag], verbatim: Callable[[Tag], bool]) -> list[Tag]:
    """The tags that are markup: those inside verbatim content (code, raw) are content."""
    next_closing: list[int | None] = [None] * len(tags)
    last: dict[tuple[str, bool], int] = {}
    for index in range(len(tags) - 1, -1, -1):  # from the end: each tag's next closing tag
        next_closing[index] = last.get((tags[index].name, tags[index].hugo))
        if tags[index].closing:
            last[(tags[index].name, tags[index].hugo)] = index
    shown = []
    index = 0
    while index < len(tags):
        tag, close = tags[index], next_closing[index]
        shown.append(tag)
        if close is not None and verbatim(tag) and not tag.closing and not tag.escaped:
            shown.append(tags[close])
            index = close
        index += 1
    return shown


def _pairs(tags: list[Tag]) -> dict[int, int]:
    """Each opening tag's closing tag: the next one of its name and kind not taken by one
    nested in it."""
    opened: dict[tuple[str, bool], list[int]] = {}
    pairs: dict[int, int] = {}
    for index, tag in enumerate(tags):
        key = (tag.name, tag.hugo)
        if tag.escaped:
            continue
        if not tag.closing:
            opened.setdefault(key, []).append(index)
        elif opened.get(key):
            pairs[opened[key].pop()] = index
    return pairs


def escape(text: str) -> str:
    """Text that Markdown shows as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
