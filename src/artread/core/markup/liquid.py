"""Hexo tag plugins and Jekyll (Liquid) tags: `{% codeblock %}`, `{% asset_img %}`,
`{% note %}`, `{% highlight %}`, `{% raw %}`..., and Liquid's `{{ site.title }}` output."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from artread.core.markup.hugo import Handle, dropped, embed
from artread.core.markup.tags import Args, Tag, escape, parse_args

if TYPE_CHECKING:
    from artread.core.markup.rewriter import Rewriter

# Only Liquid's own objects, or an expression with a filter: `{{ message }}` in an article
# about Vue is text.
OUTPUT = re.compile(
    r"\{\{-?[ \t]+((?:site|page|post|layout|paginator|jekyll|include|config|theme|content"
    r"|forloop)\b[^{}\n]*?|[^{}\n|<%]+\|[^{}\n]*?)[ \t]*-?\}\}"
)
_LOGIC = {
    "if", "elsif", "else", "unless", "case", "when", "for", "tablerow", "assign", "increment",
    "decrement", "cycle", "break", "continue", "liquid", "echo",
}  # fmt: skip
_NOTE_CLASSES = {"default", "primary", "success", "info", "warning", "danger"}
_NOTE_STYLES = {
    "no-icon", "simple", "modern", "flat", "disabled",
    "blue", "pink", "red", "purple", "orange", "green",
}  # fmt: skip


def rewrite(rw: Rewriter, tag: Tag, inner: str | None) -> str:
    """What a Liquid tag (with its inside, if it has a closing tag) becomes."""
    if tag.closing:
        return ""
    handler = _HANDLERS.get(tag.name)
    if handler is not None:
        return handler(rw, tag, parse_args(tag.args), inner)
    if tag.name in _LOGIC:  # template logic: what it wraps shows, the tags go
        return "" if inner is None else rw.inside(tag, inner)
    if inner is not None:
        return rw.inside(tag, inner)
    return rw.marker(tag, f"tag: {tag.name}")


def output(rw: Rewriter, match: re.Match[str]) -> str:
    """`{{ site.title }}`: a marker; nothing inside an address (`{{ site.url }}/a.png`)."""
    before = match.string[match.start() - 1 : match.start()]
    after = match.string[match.end() : match.end() + 1]
    if (before and before in "(\"'=/") or after == "/":
        return ""
    return "" if rw.plain else f"*[template: {escape(match.group(1).strip())}]*"


def _code(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    """{% codeblock [title] [lang:x] [url] %} and {% code %} (Hexo), {% highlight x %} (Jekyll)."""
    if inner is None:
        return rw.marker(tag, f"tag: {tag.name}")
    if tag.name == "highlight":
        return rw.code(tag, inner, args.get(position=0))
    words = args.positional
    language = next((word[5:] for word in words if word.startswith("lang:")), "")
    title = []
    for word in words:
        if "://" in word or word.startswith("/"):
            break  # the source's address and its link text follow the title
        if ":" not in word:
            title.append(word)
    return rw.code(tag, inner, language, " ".join(title))


def _raw(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    return "" if inner is None else rw.keep(inner)  # as written, Liquid and all


def _note(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    """{% note [class] [no-icon] [summary] %} (NexT), {% note [colour] [icon] [style] %}."""
    if inner is None:
        return rw.marker(tag, f"tag: {tag.name}")
    kind = next((word for word in args.positional if word.lower() in _NOTE_CLASSES), "")
    summary = [
        word
        for word in args.positional
        if word != kind and word.lower() not in _NOTE_STYLES and "fa-" not in word
    ]
    return rw.quote(tag, " ".join(summary), kind or "note", inner)


def _blockquote(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    """{% blockquote [author[, source]] [link] [source_link_title] %}: attributed below."""
    if inner is None:
        return rw.marker(tag, f"tag: {tag.name}")
    words = tag.args.split()
    link = next((word for word in words if "://" in word), "")
    attribution = " ".join(words[: words.index(link)] if link else words)
    if link:
        attribution = f"{attribution} {link}".strip()
    return rw.quote(tag, "", "", inner, "" if tag.name == "pullquote" else attribution)


def _image(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    """{% asset_img [class] slug [width] [height] [title [alt]] %}; {% img %} alike."""
    words = args.positional
    at = next((i for i, word in enumerate(words) if "." in word or "/" in word), 0)
    rest = [word for word in words[at + 1 :] if not word.isdigit()]
    quoted = '"' in tag.args or "'" in tag.args  # "title text" "alt text"
    if quoted and len(rest) == 1 and '"' in rest[0]:  # '"title" "alt"' (Octopress)
        rest = parse_args(rest[0]).positional
    label = (rest[0] if quoted else " ".join(rest)) if rest else ""
    return rw.image(tag, words[at] if words else "", label)


def _link(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    """{% post_link slug [title] %}, {% asset_link %}, {% link text url %} (Hexo)."""
    words = [word for word in args.positional if word not in ("true", "false")]
    if not words:
        return ""
    if tag.name == "link":
        at = next((i for i, word in enumerate(words) if "://" in word or word[0] in "/#"), 0)
        target, label = words[at], " ".join(words[:at])
    else:
        target, label = words[0], " ".join(words[1:])
    shown = f"[{escape(label)}]({target.replace(' ', '%20')})" if label else target
    return rw.block(tag, shown) if tag.alone else shown


def _path(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    target = args.get(position=0)  # mostly a link's address: [text]({% post_url 2010-07-21-a %})
    return rw.block(tag, target) if tag.alone else target


def _include(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    name = next((word for word in reversed(args.positional) if ":" not in word), "")
    if tag.name != "include_code":
        name = args.get(position=0)
    return rw.marker(tag, f"{tag.name}: {name}" if name else tag.name)


def _gist(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    gist = args.get(position=0)
    url = f"https://gist.github.com/{gist}" if gist else ""
    return rw.link_line(tag, "Gist", url, args.get(position=1))


def _iframe(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    return rw.link_line(tag, "Embedded page", args.get(position=0), "")


VERBATIM = frozenset({"raw", "verbatim", "comment", "codeblock", "code", "highlight"})
_HANDLERS: dict[str, Handle] = {
    **dict.fromkeys(("codeblock", "code", "highlight"), _code),
    **dict.fromkeys(("raw", "verbatim"), _raw),
    **dict.fromkeys(("comment", "capture"), dropped),
    "note": _note,
    **dict.fromkeys(("blockquote", "quote", "pullquote"), _blockquote),
    **dict.fromkeys(("asset_img", "img", "image"), _image),
    **dict.fromkeys(("post_link", "asset_link", "link"), _link),
    **dict.fromkeys(("asset_path", "post_path", "post_url", "url_for", "full_url_for"), _path),
    **dict.fromkeys(
        ("include", "include_relative", "include_cached", "include_code", "render"),
        _include,
    ),
    **dict.fromkeys(("youtube", "vimeo", "jsfiddle", "bilibili"), embed),
    "gist": _gist,
    "iframe": _iframe,
}
