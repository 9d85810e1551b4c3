"""An article's Markdown made ready for the terminal, before Rich renders it.

Static site generators leave their own markup in sources (d2l-book's `:label:` and
`{.python .input}` fences; Hugo shortcodes, Hexo tags and VuePress containers, for which see
core.markup; Hexo's `<!-- more -->` and
`{% raw %}`, HTML tags); those become plain Markdown or go. LaTeX math becomes readable Unicode
(core/formula: xᵢ², (a+b)/c, √, ∑) in its own style: inline math in italics, display math in a
block of its own; where the conversion is unsure the LaTeX stays, as code.
Images become a line naming them, footnotes a list at the end. Code is never touched.
"""

from __future__ import annotations

import re

from artread.core import formula, markup

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
_D2L_FENCE_INFO = re.compile(r"^\{\.(\w+)[^}]*\}\s*$")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.S)

# Spaces, not \s, around the line: \s ran through blank lines, and a long run of them took
# seconds.
_DROP_LINE = re.compile(
    r"^[ \t]*(?::(?:label|eqlabel|begin_tab|end_tab|width|height):`?[^`\n]*`?"
    r"|<!--\s*more\s*-->)[ \t]*$",
    re.M,
)
_ROLE = re.compile(r":(numref|eqref|cite|ref|label|eqlabel):`([^`]*)`")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_IMAGE = re.compile(r"<img\b[^>]*?\bsrc=[\"']([^\"']+)[\"'][^>]*>", re.I)
_HTML_ALT = re.compile(r"\balt=[\"']([^\"']*)[\"']", re.I)
_HTML_LINK = re.compile(r"<a\b[^>]*?\bhref=[\"']([^\"']+)[\"'][^>]*>(.*?)</a>", re.I | re.S)
_HTML_BREAK = re.compile(r"<br\s*/?>", re.I)
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_FOOTNOTE_DEF = re.compile(r"^\[\^([^\]]+)\]:\s*(.*)$")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]]+)\]")

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def prepare(body: str, title: str = "") -> str:
    """Markdown that Rich renders well: site-generator markup gone, math in Unicode.

    A first heading that repeats the title (shown in the header already) goes.
    """
    footnotes: list[tuple[str, str]] = []
    body = markup.to_commonmark(body)
    first = re.match(r"\s*#\s+(.+?)\s*#*\s*\n", body)
    if first and title and " ".join(first.group(1).split()) == " ".join(title.split()):
        body = body[first.end() :]
    out: list[str] = []
    for chunk, is_code in _split_code(body):
        out.append(chunk if is_code else _prose(chunk, footnotes))
    text = "".join(out)
    if footnotes:
        text += "\n\n---\n\n**Notes**\n\n" + "\n".join(
            f"{number}. {_prose(note, [])}" for number, (_name, note) in enumerate(footnotes, 1)
        )
    return text


def _split_code(body: str) -> list[tuple[str, bool]]:
    """The body in pieces: fenced code blocks (fence info normalised) and everything else."""
    pieces: list[tuple[str, bool]] = []
    prose: list[str] = []
    lines = body.splitlines(keepends=True)
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            prose.append(lines[index])
            index += 1
            continue
        indent, marker, info = opening.groups()
        d2l = _D2L_FENCE_INFO.match(info.strip())
        language = d2l.group(1) if d2l else info.strip()
        if language == "toc":  # d2l's chapter lists: file names, nothing to read
            language = None
        block = [f"{indent}{marker}{language or ''}\n"]
        index += 1
        while index < len(lines):
            line = lines[index]
            index += 1
            closing = _FENCE.match(line)
            if (
                closing
                and closing.group(2)[0] == marker[0]
                and len(closing.group(2)) >= len(marker)
            ):
                block.append(f"{indent}{marker}\n")
                break
            block.append(line)
        if prose:
            pieces.append(("".join(prose), False))
            prose = []
        if language is not None:
            pieces.append(("".join(block), True))
    if prose:
        pieces.append(("".join(prose), False))
    return pieces


def _prose(text: str, footnotes: list[tuple[str, str]]) -> str:
    """Everything outside fenced code; inline code spans are kept as they are."""
    spans: list[str] = []

    def keep(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"\x00{len(spans) - 1}\x00"

    text = _ROLE.sub(_role, _COMMENT.sub("", _DROP_LINE.sub("", text)))  # roles use backticks
    text = _INLINE_CODE.sub(keep, text)
    text = _footnotes(text, footnotes)
    text = formula.DISPLAY_MATH.sub(lambda m: _display_math(m.group(1) or m.group(2)), text)
    text = formula.INLINE_MATH.sub(lambda m: _inline_math(m.group(1) or m.group(2)), text)
    text = _HTML_IMAGE.sub(_html_image, text)
    text = _HTML_LINK.sub(lambda m: f"[{m.group(2).strip()}]({m.group(1)})", text)
    text = _HTML_BREAK.sub("  \n", text)
    text = _HTML_TAG.sub("", text)
    text = _IMAGE.sub(lambda m: _image_line(m.group(1), m.group(2)), text)
    text = _LINK.sub(_link, text)
    return re.sub("\x00(\\d+)\x00", lambda m: spans[int(m.group(1))], text)


def _role(match: re.Match[str]) -> str:
    kind, target = match.groups()
    if kind in ("label", "eqlabel"):
        return ""
    if kind == "eqref":
        return f"({target})"
    if kind == "cite":
        return f"[{target}]"
    return target.split("/")[-1]


def _footnotes(text: str, footnotes: list[tuple[str, str]]) -> str:
    lines = []
    for line in text.split("\n"):
        definition = _FOOTNOTE_DEF.match(line)
        if definition:
            footnotes.append((definition.group(1), definition.group(2)))
        else:
            lines.append(line)
    text = "\n".join(lines)
    names = [name for name, _note in footnotes]
    return _FOOTNOTE_REF.sub(
        lambda m: f"[{names.index(m.group(1)) + 1}]" if m.group(1) in names else m.group(0), text
    )


def _image_line(alt: str, target: str) -> str:
    return f"\n\n*[image: {alt.strip() or 'untitled'}]* {target}\n\n"


def _html_image(match: re.Match[str]) -> str:
    alt = _HTML_ALT.search(match.group(0))
    return _image_line(alt.group(1) if alt else "", match.group(1))


def _link(match: re.Match[str]) -> str:
    label, url = match.group(1), match.group(2)
    if url.startswith("#") or label.strip() == url:
        return f"[{label}]({url})"
    return f"[{label} ({url})]({url})"  # the address shown, and a hyperlink where supported


def _display_math(tex: str) -> str:
    converted = formula.to_unicode(tex)
    if converted is None:
        return f"\n\n```latex\n{tex.strip()}\n```\n\n"
    return f"\n\n```text\n{converted}\n```\n\n"  # "text": pygments finds it at once


def _inline_math(tex: str) -> str:
    converted = formula.to_unicode(tex, one_line=True)
    if converted is None:
        return f"`{tex}`"
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", converted)
    return f"*{escaped}*"


_HEADING_LINE = re.compile(r"^#{1,6}[ \t]+\S")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*\S.*$", re.M)
# A line that may continue the block above it, even after a blank line: list items, quotes,
# tables, indented text, and link definitions.
_CONTINUES = re.compile(r"^(?:[ \t]|[-*+>|\[]|\d+[.)]|$)")
# After a thematic break Rich puts no blank line: a piece must not end with one.
_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")


def sections(markdown: str, first: int = 1500, rest: int = 4000) -> list[str]:
    """Prepared Markdown (see prepare) in pieces that render alone as they render together:
    cut before a heading, or before a paragraph at the margin after a blank line once a
    piece is long enough (the first shorter, so that it is on the screen sooner); never
    inside fenced code. Link definitions are repeated in every piece, for its links."""
    definitions = "\n".join(_LINK_DEFINITION.findall(markdown))
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    fence: str | None = None
    previous_blank = True
    after_break = False
    for line in markdown.splitlines(keepends=True):
        opening = _FENCE.match(line)
        if fence is None and size and not after_break:
            limit = rest if pieces else first
            heading = _HEADING_LINE.match(line)
            paragraph = previous_blank and size >= limit and not _CONTINUES.match(line)
            if heading or paragraph:
                pieces.append("".join(current))
                current, size = [], 0
        if opening:
            marker = opening.group(2)
            closes = fence and marker[0] == fence[0] and len(marker) >= len(fence)
            if fence is None:
                fence = marker
            elif closes and not opening.group(3).strip():
                fence = None
        current.append(line)
        previous_blank = not line.strip()
        after_break = bool(_BREAK.match(line)) or (previous_blank and after_break)
        size += 0 if previous_blank and not size else len(line)  # blank lines first: none
    if current:
        pieces.append("".join(current))
    if definitions:
        pieces = [f"{piece}\n\n{definitions}\n" for piece in pieces]
    return pieces or [""]
