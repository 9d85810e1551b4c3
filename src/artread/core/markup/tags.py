"""The tags of Hugo shortcodes and of Liquid (Hexo, Jekyll): found, paired, their arguments."""

from __future__ import annotations

import re
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


def find_tags(text: str, hugo: bool) -> list[Tag]:
    """Every Hugo shortcode tag (hugo) or Liquid tag in text, in order."""
    tags = []
    for match in (HUGO_TAG if hugo else LIQUID_TAG).finditer(text):
        name = match.group("name")
        closing = bool(match.group("closing")) if hugo else name.startswith("end") and len(name) > 3
        if closing and not hugo:
            name = name[3:]  # {% endnote %} closes {% note %}
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line_end = len(text) if line_end == -1 else line_end
        before = text[line_start : match.start()]
        alone = not before.strip() and not text[match.end() : line_end].strip()
        start, end = (line_start, line_end) if alone else match.span()
        escaped = bool(hugo and match.group("escaped"))
        tag = Tag(name.lower(), match.group("args"), start, end, closing, escaped, alone)
        tag.indent, tag.written = (before if alone else ""), match.group(0)
        tags.append(tag)
    return tags


def outermost(tags: list[Tag], verbatim: frozenset[str]) -> list[tuple[Tag, Tag | None]]:
    """The outermost constructs, left to right: an opening tag with its closing tag, or a tag
    on its own (a closing tag that closes nothing too). What nests inside is read later, when
    the construct's inside is rewritten."""
    visible = _visible(tags, verbatim)
    found: list[tuple[Tag, Tag | None]] = []
    index = 0
    while index < len(visible):
        tag = visible[index]
        close = None if tag.closing or tag.escaped else _closer(visible, index)
        found.append((tag, None if close is None else visible[close]))
        index = index + 1 if close is None else close + 1
    return found


def _visible(tags: list[Tag], verbatim: frozenset[str]) -> list[Tag]:
    """The tags that are markup: those inside verbatim content (code, raw) are content."""
    shown = []
    index = 0
    while index < len(tags):
        tag = tags[index]
        shown.append(tag)
        if tag.name in verbatim and not tag.closing and not tag.escaped:
            close = next((j for j in range(index + 1, len(tags)) if _closes(tags[j], tag)), None)
            if close is not None:
                shown.append(tags[close])
                index = close
        index += 1
    return shown


def _closes(later: Tag, tag: Tag) -> bool:
    return later.closing and later.name == tag.name


def _closer(tags: list[Tag], index: int) -> int | None:
    """The closing tag of tags[index]: the next one of its name not taken by a nested one."""
    depth = 0
    for later in range(index + 1, len(tags)):
        tag = tags[later]
        if tag.name != tags[index].name or tag.escaped:
            continue
        if not tag.closing:
            depth += 1
        elif depth:
            depth -= 1
        else:
            return later
    return None


def escape(text: str) -> str:
    """Text that Markdown shows as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
