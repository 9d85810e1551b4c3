"""Site-generator markup as plain CommonMark, before anything else reads an article.

Blog sources carry their generator's own markup: Hugo shortcodes (`{{< highlight go >}}`),
Hexo and Jekyll (Liquid) tags (`{% asset_img a.png %}`, `{% highlight go %}`) and
VuePress/VitePress/Docusaurus containers (`::: tip`). Each becomes the CommonMark a reader of the
site would have seen: fenced code, an image, a block quote headed by its kind, a link line. What
has no Markdown form becomes a marker for `show` (`*[shortcode: name]*`) and goes from plain
text. `show` (ui.render) and the index text, excerpts and snippets (core.plaintext) all read
articles through here, so they agree.

Code is never touched: fenced and inline code are put aside first, since an article about Hugo
quotes shortcodes as content. Regular expressions rather than a Markdown parser: markdown-it-py
alone took about three times as long as the whole of plaintext.to_plain on the development
corpus, and every article goes through here when it is indexed.

tags.py finds the tags and pairs them; hugo.py and liquid.py say what each becomes; rewriter.py
puts code aside, runs the passes and builds the Markdown (code blocks, quotes, images, markers).
"""

from __future__ import annotations

__all__ = ["to_commonmark"]

_SIGNS = ("{{", "{%", ":::")  # an article with none of these has nothing to rewrite


def to_commonmark(body: str, *, plain: bool = False) -> str:
    """The body with site-generator markup rewritten as CommonMark; code as it was.

    plain: for plain text (the index, excerpts): what has no Markdown form goes instead of
    showing as a marker, and boxes are not quoted, so the code in them stays a fenced block.
    """
    if not any(sign in body for sign in _SIGNS):
        return body
    from artread.core.markup.rewriter import Rewriter  # only for the articles that need it

    rewriter = Rewriter(plain)
    text = rewriter.put_code_aside(body.replace("\x02", "").replace("\x03", ""))
    return rewriter.restore(rewriter.rewrite(text))
