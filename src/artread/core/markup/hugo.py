"""Hugo shortcodes: the built-in ones (highlight, figure, youtube...) and the common themes'
boxes (notice, admonition, hint, callout...)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from artread.core.markup.tags import Args, Tag, parse_args

if TYPE_CHECKING:
    from artread.core.markup.rewriter import Rewriter

Handle = Callable[["Rewriter", Tag, Args, "str | None"], str]

# Shortcodes whose inside is content as written, shortcodes and all.
VERBATIM = frozenset({"highlight", "code", "codeblock", "mermaid", "comment"})
EMBEDS = {
    "youtube": ("YouTube", "https://www.youtube.com/watch?v={}"),
    "vimeo": ("Vimeo", "https://vimeo.com/{}"),
    "bilibili": ("Bilibili", "https://www.bilibili.com/video/{}"),
    "instagram": ("Instagram", "https://www.instagram.com/p/{}/"),
    "jsfiddle": ("JSFiddle", "https://jsfiddle.net/{}/"),
}
# Boxes whose kind is an argument ({{< hint info >}}), and boxes named for their kind.
_BOXES_OF_A_KIND = {"notice", "admonition", "hint", "alert", "callout"}
_BOXES = {
    "tip", "warning", "note", "info", "caution", "danger", "important", "attention", "error",
    "success", "question", "example", "details", "expand", "aside", "quote",
}  # fmt: skip


def rewrite(rw: Rewriter, tag: Tag, inner: str | None) -> str:
    """What a shortcode (with its inside, if it has a closing tag) becomes."""
    if tag.escaped:  # {{</* figure */>}} shows {{< figure >}} on the site
        shown = re.sub(r"^(\{\{[<%])/\*|\*/([>%]\}\})$", r"\1\2", tag.written)
        return rw.keep(f"`` {shown} ``")
    if tag.closing:
        return ""
    handler = _HANDLERS.get(tag.name.rsplit("/", 1)[-1])  # bs/alert: a theme's alert
    if handler is not None:
        return handler(rw, tag, parse_args(tag.args), inner)
    if inner is not None:
        return rw.inside(tag, inner)
    return rw.marker(tag, f"shortcode: {tag.name}")


def _code(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    if inner is None:
        return rw.marker(tag, f"shortcode: {tag.name}")
    language = "mermaid" if tag.name == "mermaid" else args.get("lang", "language", position=0)
    return rw.code(tag, inner, language, args.get("title", "file", "filename"))


def _box(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    """A notice, admonition, hint, callout...: a block quote headed by its title or kind."""
    if inner is None:
        return rw.marker(tag, f"shortcode: {tag.name}")
    name = tag.name.rsplit("/", 1)[-1]
    if name in _BOXES_OF_A_KIND:
        named_kind = args.get("type", "kind", "context", "class", "color")
        kind = named_kind or args.get(position=0) or name
        title = args.get("title", "summary", "header", position=0 if named_kind else 1)
    else:
        kind = name
        title = args.get("title", "summary", "header", position=0)
    return rw.quote(tag, title, kind, inner)


def _figure(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    source = args.get("src", "url", position=0)
    return rw.image(tag, source, args.get("title", "alt", "caption"))


def embed(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    """A video (youtube, vimeo, bilibili...) as a link line; Hexo's tags of these names too."""
    site, address = EMBEDS[tag.name.rsplit("/", 1)[-1]]
    video = args.get("id", "vid", "bvid", position=0)
    if site == "Bilibili" and video.isdigit():
        video = f"av{video}"
    return rw.link_line(tag, site, address.format(video) if video else "", args.get("title"))


def _gist(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    user, gist = args.get("user", position=0), args.get("id", position=1)
    url = f"https://gist.github.com/{user}/{gist}" if user and gist else ""
    return rw.link_line(tag, "Gist", url, args.get("file", position=2))


def _tweet(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    if len(args.positional) == 1 and not args.named:  # {{< tweet 1453110110599868418 >}}
        user, post = "i", args.positional[0]
    else:
        user, post = args.get("user", position=0) or "i", args.get("id", position=1)
    return rw.link_line(tag, "Tweet", f"https://x.com/{user}/status/{post}" if post else "", "")


def _ref(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    target = args.get("path", position=0)  # mostly a link's address: [text]({{< ref "a.md" >}})
    return rw.block(tag, target) if tag.alone else target


def _param(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    return rw.marker(tag, f"param: {args.get('name', position=0)}")


def dropped(rw: Rewriter, tag: Tag, args: Args, inner: str | None) -> str:
    return ""


_HANDLERS: dict[str, Handle] = {
    **dict.fromkeys(("highlight", "code", "codeblock", "mermaid"), _code),
    **dict.fromkeys(("figure", "image", "img"), _figure),
    **dict.fromkeys(_BOXES_OF_A_KIND | _BOXES, _box),
    **dict.fromkeys(EMBEDS, embed),
    **dict.fromkeys(("tweet", "twitter", "x"), _tweet),
    **dict.fromkeys(("ref", "relref"), _ref),
    "gist": _gist,
    "param": _param,
    "comment": dropped,
}
