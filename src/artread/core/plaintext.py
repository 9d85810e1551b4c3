"""Markdown to plain text: excerpts the way the seed page shows them, and headings."""

from __future__ import annotations

import re
from collections.abc import Callable

from artread.core import markup, math_spans

CODE_PLACEHOLDER = "[代码]"

_FENCE = re.compile(
    r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})[^\n]*\n"
    r".*?(?:^(?P=indent)?(?P=fence)[`~]*[ \t]*$|\Z)",
    re.S | re.M,
)
# Code spans first, so that a $ inside one is no formula.
_CODE_OR_FORMULA = re.compile(
    rf"(`+)[^`]+\1|(?:{math_spans.DISPLAY_MATH.pattern})|(?:{math_spans.INLINE_MATH.pattern})", re.S
)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
# Only real HTML tag names: `<class 'list'>` in a code sample is text, not a tag.
_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|br|blockquote|center|code|dd|del|details|div|dl|dt|em|figcaption|figure"
    r"|font|h[1-6]|hr|i|iframe|img|ins|kbd|li|mark|ol|p|pre|s|section|small|source|span|strong"
    r"|sub|summary|sup|table|tbody|td|th|thead|tr|u|ul|video|audio)(?:\s[^<>]*)?/?>",
    re.I,
)
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_LINK_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]+\S.*$", re.M)
# Line patterns match spaces, not \s: a heading that took the newlines around it ran into the
# next line, and a run of blank lines made each of them try every line to its end (2,000 blank
# lines took minutes).
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.M)
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$", re.M)
_DIRECTIVE_LINE = re.compile(r"^[ \t]*(?::[a-z_]+:`?[^`\n]*`?|:(?:begin|end)_tab:.*)[ \t]*$", re.M)
_ROLE = re.compile(r":(?:ref|doc|math):`([^`]*)`")
_REFERENCE_ROLE = re.compile(r":(?:numref|eqref|cite|label|citep|citet):`[^`]*`")
_LIST_MARK = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.M)
_QUOTE_MARK = re.compile(r"^[ \t]*>[ \t]?", re.M)
_TABLE_RULE = re.compile(
    r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$", re.M
)
_EMPHASIS = re.compile(r"(\*\*|__|\*|~~)(?=\S)(.+?)(?<=\S)\1")
_INLINE_CODE = re.compile(r"`+([^`]+)`+")
_HRULE = re.compile(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$", re.M)
_SET_ASIDE = re.compile("\x00(\\d+)\x00")


def to_plain(
    markdown: str, *, keep_code: bool = False, formulas: Callable[[str], str] | None = None
) -> str:
    """Plain text of a Markdown body, one line per block.

    Code blocks become [代码] unless keep_code is set. Formulas read as `show` has them
    (formula.readable: Unicode, or the LaTeX where that is unsure), or as `formulas` makes
    them from their LaTeX; with keep_code and no `formulas` they stay as written, which is
    what search matches (\\frac, \\mathbf). Site-generator markup is read as core.markup
    rewrites it; code and formulas are kept out of reach of the passes that strip markup
    (which would take |x| or a*b*c for markup).
    """
    text = markdown.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = markup.to_commonmark(text, plain=True)
    code: list[str] = []

    def aside(kept: str) -> str:
        code.append(kept)
        return f"\x00{len(code) - 1}\x00"

    if formulas is None and not keep_code:
        from artread.core.formula import readable as formulas
    if formulas is not None:
        text = _formulas_aside(text, formulas, code)
    if keep_code:
        text = _FENCE.sub(lambda m: "\n" + aside(_fence_body(m.group(0))) + "\n", text)
    else:
        text = _FENCE.sub("\n" + CODE_PLACEHOLDER + "\n", text)
    text = _HTML_COMMENT.sub("", text)
    text = _DIRECTIVE_LINE.sub("", text)
    text = _REFERENCE_ROLE.sub("", text)
    text = _ROLE.sub(r"\1", text)
    text = _INLINE_CODE.sub(lambda m: aside(m.group(1)), text)  # after the roles: `x` is theirs
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _LINK_DEF.sub("", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = _HEADING.sub(r"\1", text)
    text = _SETEXT.sub("", text)
    text = _HRULE.sub("", text)
    text = _TABLE_RULE.sub("", text)
    text = _QUOTE_MARK.sub("", text)
    text = _LIST_MARK.sub("", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = text.replace("|", " ")
    if "&" in text:  # an entity (&amp;); html, imported here, is slow to import
        import html

        text = html.unescape(text)
    text = _SET_ASIDE.sub(lambda m: code[int(m.group(1))], text)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _formulas_aside(text: str, show: Callable[[str], str], shown: list[str]) -> str:
    """Each formula outside code replaced by a marker for its text, kept in `shown`."""

    def aside(match: re.Match[str]) -> str:
        if match.group(1):  # a code span
            return match.group(0)
        display = match.group(2) is not None or match.group(3) is not None
        shown.append(show(next(group for group in match.groups()[1:] if group is not None)))
        marker = f"\x00{len(shown) - 1}\x00"
        return f"\n{marker}\n" if display else marker

    pieces, last = [], 0
    for fence in _FENCE.finditer(text):
        pieces += [_CODE_OR_FORMULA.sub(aside, text[last : fence.start()]), fence.group(0)]
        last = fence.end()
    pieces.append(_CODE_OR_FORMULA.sub(aside, text[last:]))
    return "".join(pieces)


def _fence_body(block: str) -> str:
    lines = block.split("\n")
    body = lines[1:]
    if body and re.match(r"^\s{0,3}(`{3,}|~{3,})\s*$", body[-1]):
        body = body[:-1]
    return "\n".join(body)


def excerpt(markdown: str, limit: int = 300) -> str:
    """The opening of an article as one line of plain text, about `limit` characters."""
    flat = " ".join(to_plain(markdown).split("\n"))
    return flat[:limit]


def headings(markdown: str) -> list[str]:
    """The text of every ATX heading outside code blocks."""
    text = _FENCE.sub("", _commonmark(markdown))
    return [to_plain(m.group(1)) for m in _HEADING.finditer(text) if m.group(1).strip()]


def heading_levels(markdown: str) -> list[tuple[int, str]]:
    """(level, text) of every ATX heading outside code blocks, for a table of contents."""
    text = _FENCE.sub("", _commonmark(markdown))
    found = []
    for match in _HEADING.finditer(text):
        marks = match.group(0).lstrip()
        level = len(marks) - len(marks.lstrip("#"))
        if match.group(1).strip():
            found.append((level, to_plain(match.group(1))))
    return found


def _commonmark(markdown: str) -> str:
    # A comment line in a highlight shortcode is code, not a heading.
    return markup.to_commonmark(markdown.replace("\r\n", "\n"), plain=True)


def first_heading(markdown: str) -> str | None:
    found = headings(markdown)
    return found[0] if found else None
