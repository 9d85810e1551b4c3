"""One article's rewrite: code put aside, the passes, and what each construct becomes."""

from __future__ import annotations

import re
import textwrap

from artread.core.markup import hugo, liquid
from artread.core.markup.tags import Tag, escape, find_tags, outermost

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
_FENCE_CLOSE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*$")
# An inline code span never runs across a blank line: a stray backtick stays text.
_INLINE_CODE = re.compile(r"(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.S)
_TOKEN = re.compile("\x02(\\d+)\x03")
_CONTAINER_OPEN = re.compile(r"^[ \t]*:{3,}[ \t]*([A-Za-z][\w-]*)(.*)$")
_CONTAINER_CLOSE = re.compile(r"^[ \t]*:{3,}[ \t]*$")
# No box on the site either: alignment (vuepress-theme-hope), tabs, code groups, raw.
_UNBOXED = {"center", "left", "right", "justify", "tabs", "code-tabs", "code-group", "raw", "v-pre"}
_TAB = re.compile(r"^[ \t]*@tab(?::active)?[ \t]+(.+)$", re.M)
_DEEPEST = 20  # boxes in boxes this deep are no article's; deeper, the markup stays as written


class Rewriter:
    """The text put aside (code, finished blocks) behind tokens, and the passes over the rest.

    plain: for plain text: markers go, boxes are not quoted.
    """

    def __init__(self, plain: bool) -> None:
        self.plain = plain
        self.kept: list[str] = []
        self.depth = 0

    def keep(self, text: str) -> str:
        """A token in place of text that no later pass may change."""
        self.kept.append(self.restore(text))
        return f"\x02{len(self.kept) - 1}\x03"

    def restore(self, text: str) -> str:
        return _TOKEN.sub(lambda m: self.kept[int(m.group(1))], text)

    def put_code_aside(self, text: str) -> str:
        """Fenced code blocks and inline code spans behind tokens."""
        lines = text.split("\n")
        out: list[str] = []
        index = 0
        while index < len(lines):
            opening = _FENCE.match(lines[index])
            if not opening or (opening.group(1)[0] == "`" and "`" in opening.group(2)):
                out.append(lines[index])
                index += 1
                continue
            marker, end = opening.group(1), index + 1
            while end < len(lines) and not _closes(lines[end], marker):
                end += 1
            out.append(self.keep("\n".join(lines[index : end + 1])))
            index = end + 1
        text = "\n".join(out)
        return _INLINE_CODE.sub(lambda m: self.keep(m.group(0)), text)

    def rewrite(self, text: str) -> str:
        """Every pass, on text whose code is put aside; also for the inside of a construct."""
        if self.depth >= _DEEPEST:
            return text
        self.depth += 1
        if "{{" in text or "{%" in text:
            text = self._replace(text, find_tags(text))
        if "{{" in text:  # after the tags: {% raw %} has put its {{ x }} aside
            text = liquid.OUTPUT.sub(lambda m: liquid.output(self, m), text)
        if ":::" in text:
            text = self._containers(text)
        self.depth -= 1
        return text

    def _replace(self, text: str, tags: list[Tag]) -> str:
        out: list[str] = []
        position = 0
        for opening, closing in outermost(tags, _verbatim):
            out.append(text[position : opening.start])
            inner = None if closing is None else text[opening.end : closing.start]
            handle = hugo.rewrite if opening.hugo else liquid.rewrite
            out.append(handle(self, opening, inner))
            position = (closing or opening).end
        out.append(text[position:])
        return "".join(out)

    # What a construct becomes

    def block(self, tag: Tag, markdown: str) -> str:
        """Markdown that stands as blocks of its own, at the tag's indentation (a list item)."""
        lines = markdown.strip("\n").split("\n")
        indented = "\n".join(f"{tag.indent}{line}" if line else "" for line in lines)
        token = self.keep(indented)
        return f"\n{token}\n" if tag.alone else f"\n\n{token}\n\n"

    def marker(self, tag: Tag, label: str) -> str:
        """`*[shortcode: name]*` for what has no Markdown form; nothing in plain text."""
        if self.plain:
            return ""
        shown = f"*[{escape(label)}]*"
        return self.block(tag, shown) if tag.alone else shown

    def code(self, tag: Tag, code: str, language: str, title: str = "") -> str:
        """A fenced code block, titled; inside a sentence, a code span."""
        code = self.restore(code).removeprefix("\n").removesuffix("\n")
        if tag.indent:  # in a list item: block() indents every line again
            code = "\n".join(line.removeprefix(tag.indent) for line in code.split("\n"))
        longest = max((len(run) for run in re.findall("`+", code)), default=0)
        if not tag.alone and "\n" not in code:
            ticks = "`" * (longest + 1)
            return self.keep(f"{ticks}{' ' if code.startswith('`') else ''}{code}{ticks}")
        fence = "`" * max(3, longest + 1)
        language = re.sub(r"[^\w+#.-]", "", language)
        heading = f"*{escape(title)}*\n\n" if title else ""
        return self.block(tag, f"{heading}{fence}{language}\n{code}\n{fence}")

    def quote(self, tag: Tag, title: str, kind: str, inner: str, attribution: str = "") -> str:
        return self.block(tag, self._quoted(title, kind, self.rewrite(inner), attribution))

    def _quoted(self, title: str, kind: str, body: str, attribution: str = "") -> str:
        """A block quote headed by its title or kind in bold; in plain text, its lines without
        the quote, and the title only if the author gave one (`Tip` is no word of theirs)."""
        body = textwrap.dedent(self.restore(body)).strip("\n")
        heading = title if self.plain else title or kind.capitalize()
        lines = [f"**{escape(heading)}**", ""] if heading else []
        lines += body.split("\n") if body else []
        if attribution:
            lines += ["", f"— {escape(attribution)}"]
        if self.plain:
            return "\n".join(lines)
        return "\n".join(f"> {line}".rstrip() for line in lines)

    def image(self, tag: Tag, source: str, label: str) -> str:
        """A Markdown image, as `show` and the excerpts treat every other image."""
        if not source:
            return self.marker(tag, "image")
        label = re.sub(r"[\[\]\n]", " ", label).strip()
        image = f"![{label}]({source.replace(' ', '%20')})"
        return self.block(tag, image) if tag.alone else image

    def link_line(self, tag: Tag, site: str, url: str, title: str) -> str:
        """An embedded video, gist or post as a link; in plain text only its title."""
        if self.plain:
            return self.block(tag, escape(title)) if title else ""
        label = escape(f"{site}: {title}" if title else site)
        return self.block(tag, f"[{label}]({url})") if url else self.marker(tag, site)

    def inside(self, tag: Tag, inner: str) -> str:
        """A construct with no form of its own: what it holds."""
        rewritten = self.rewrite(inner)
        return self.block(tag, rewritten) if tag.alone and rewritten.strip() else rewritten

    # VuePress, VitePress and Docusaurus containers

    def _containers(self, text: str) -> str:
        """`::: tip Title` ... `:::` (VuePress, VitePress), `:::note[Title]` (Docusaurus)."""
        top: list[str] = []
        open_: list[tuple[str, str, list[str]]] = []
        too_deep = 0  # containers opened deeper than _DEEPEST: their lines stay as written
        for line in text.split("\n"):
            opening = _CONTAINER_OPEN.match(line)
            closing = not opening and _CONTAINER_CLOSE.match(line)
            if opening and len(open_) < _DEEPEST:
                open_.append((opening.group(1).lower(), _container_title(opening.group(2)), []))
            elif closing and open_ and not too_deep:
                self._close_container(open_, top)
            elif not closing or too_deep:  # a closing line that closes nothing goes
                too_deep += 1 if opening else -1 if closing else 0
                (open_[-1][2] if open_ else top).append(line)
        while open_:  # never closed: it runs to the end, as markdown-it-container has it
            self._close_container(open_, top)
        return "\n".join(top)

    def _close_container(self, open_: list[tuple[str, str, list[str]]], top: list[str]) -> None:
        kind, title, lines = open_.pop()
        body = "\n".join(lines)
        here = Tag(kind, "", 0, 0, alone=True)
        if kind in _UNBOXED:
            body = _TAB.sub(lambda m: f"**{m.group(1).strip()}**", body)  # ::: tabs, @tab Name
            shown = self.block(here, self.restore(body)) if body.strip() else ""
        else:
            shown = self.block(here, self._quoted(self.restore(title), kind, body))
        (open_[-1][2] if open_ else top).extend(shown.split("\n"))


def _verbatim(tag: Tag) -> bool:
    """A tag whose inside is content as written, tags and all: code, raw, a comment."""
    return tag.name in (hugo.VERBATIM if tag.hugo else liquid.VERBATIM)


def _closes(line: str, marker: str) -> bool:
    closing = _FENCE_CLOSE.match(line)
    if closing is None:
        return False
    return closing.group(1)[0] == marker[0] and len(closing.group(1)) >= len(marker)


def _container_title(rest: str) -> str:
    rest = rest.strip()
    bracketed = re.match(r"\[(.*)\]", rest)  # Docusaurus :::tip[Title]
    if bracketed:
        return bracketed.group(1).strip()
    braced = re.search(r"title=[\"']([^\"']*)[\"']", rest)  # :::tip{title="Title"}
    return braced.group(1).strip() if braced else rest.removeprefix("{").strip()
