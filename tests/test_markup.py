"""Site-generator markup (Hugo shortcodes, Hexo and Jekyll tags, VuePress and Docusaurus
containers) reads as the CommonMark the site would have shown, in `show` and in the index text,
excerpts and snippets alike; code is never touched."""

from __future__ import annotations

import re
import time

import pytest
from helpers import write_files
from hypothesis import given, settings
from hypothesis import strategies as st

from artread.core import plaintext
from artread.core.markup import to_commonmark
from artread.ui.render import prepare


def plain(markdown: str) -> str:
    return plaintext.to_plain(markdown, keep_code=True)


# Hugo shortcodes


def test_highlight_shortcode_becomes_a_fenced_block_with_its_language():
    text = to_commonmark(
        '{{< highlight go "linenos=table" >}}\nfunc main() {\n    x := 1\n}\n{{< /highlight >}}'
    )
    assert "```go\nfunc main() {\n    x := 1\n}\n```" in text
    assert "{{" not in text


def test_shortcodes_in_a_list_item_stay_in_it_at_its_indentation():
    text = to_commonmark(
        "1. 安装\n\n   {{< highlight bash >}}\n   # 注释\n     pip install x\n"
        "   {{< /highlight >}}\n\n   {{% notice tip %}}\n   记得备份。\n   {{% /notice %}}\n"
    )
    assert "   ```bash\n   # 注释\n     pip install x\n   ```" in text
    assert "   > **Tip**\n   >\n   > 记得备份。" in text


def test_percent_shortcodes_and_self_closing_ones_are_read_alike():
    text = to_commonmark("{{% highlight python %}}\nprint(1)\n{{% /highlight %}}\n\n{{< x />}}")
    assert "```python\nprint(1)\n```" in text and "{{" not in text


def test_shortcodes_inside_a_highlight_are_its_code():
    text = to_commonmark(
        "{{< highlight html >}}\n{{< notice >}} and {{% /notice %}}\n{{< /highlight >}}"
    )
    assert "```html\n{{< notice >}} and {{% /notice %}}\n```" in text


def test_figure_shortcode_is_an_image_like_a_markdown_image():
    text = to_commonmark('{{< figure src="/img/a b.png" title="架构图" alt="x" >}}')
    assert "![架构图](/img/a%20b.png)" in text
    assert "*[image: 架构图]* /img/a%20b.png" in prepare(
        '{{< figure src="/img/a b.png" title="架构图" >}}'
    )


@pytest.mark.parametrize(
    ("source", "heading"),
    [
        ('{{% notice tip "小提示" %}}\n正文\n{{% /notice %}}', "小提示"),
        ("{{% notice warning %}}\n正文\n{{% /notice %}}", "Warning"),
        ('{{< admonition type=tip title="标题" open=false >}}\n正文\n{{< /admonition >}}', "标题"),
        ("{{< hint info >}}\n正文\n{{< /hint >}}", "Info"),
        ("{{< tip >}}\n正文\n{{< /tip >}}", "Tip"),
        ('{{< warning "小心" >}}\n正文\n{{< /warning >}}', "小心"),
        ('{{< callout type="info" >}}\n正文\n{{< /callout >}}', "Info"),
        ('{{< details summary="展开" >}}\n正文\n{{< /details >}}', "展开"),
    ],
)
def test_notice_shortcodes_are_block_quotes_headed_by_title_or_kind(source, heading):
    assert f"> **{heading}**\n>\n> 正文" in to_commonmark(source)


def test_a_notice_holds_markdown_code_and_other_shortcodes():
    text = to_commonmark(
        "{{% notice note %}}\n**粗体**\n\n```go\nx := 1 // {{< /notice >}}\n```\n\n"
        '{{< figure src="a.png" >}}\n{{% /notice %}}'
    )
    assert "> **粗体**" in text
    assert "> ```go\n> x := 1 // {{< /notice >}}\n> ```" in text
    assert "> ![](a.png)" in text


@pytest.mark.parametrize(
    ("source", "link"),
    [
        ("{{< youtube w7Ft2ymGmfc >}}", "[YouTube](https://www.youtube.com/watch?v=w7Ft2ymGmfc)"),
        (
            '{{< youtube id="abc" title="演讲" >}}',
            "[YouTube: 演讲](https://www.youtube.com/watch?v=abc)",
        ),
        ("{{< vimeo 146022717 >}}", "[Vimeo](https://vimeo.com/146022717)"),
        (
            "{{< bilibili BV1xx411c7mD >}}",
            "[Bilibili](https://www.bilibili.com/video/BV1xx411c7mD)",
        ),
        ("{{< gist spf13 7896402 >}}", "[Gist](https://gist.github.com/spf13/7896402)"),
        (
            '{{< tweet user="SanDiegoZoo" id="1453110110599868418" >}}',
            "[Tweet](https://x.com/SanDiegoZoo/status/1453110110599868418)",
        ),
    ],
)
def test_embedded_videos_gists_and_tweets_are_link_lines(source, link):
    assert f"\n{link}\n" in to_commonmark(f"前文\n\n{source}\n\n后文")


def test_ref_and_relref_give_their_target():
    text = to_commonmark('见 [上一篇]({{< ref "posts/a.md" >}}) 与 {{< relref path="b.md" >}}。')
    assert text == "见 [上一篇](posts/a.md) 与 b.md。"


def test_an_unknown_shortcode_is_a_marker_and_a_paired_one_keeps_its_inside():
    text = to_commonmark(
        '行内 {{< icon "github" >}} 图标。\n\n{{< tabs >}}\n标签里的文字\n{{< /tabs >}}'
    )
    assert "行内 *[shortcode: icon]* 图标。" in text
    assert "标签里的文字" in text and "{{" not in text and "tabs" not in text


def test_an_escaped_shortcode_shows_as_written_in_code():
    text = to_commonmark('写作 {{</* figure src="a.png" */>}} 即可。')
    assert text == '写作 `` {{< figure src="a.png" >}} `` 即可。'


def test_a_closing_shortcode_that_closes_nothing_goes():
    assert "{{" not in to_commonmark("文字\n\n{{< /notice >}}\n")


# Hexo tag plugins and Jekyll tags


def test_hexo_codeblock_becomes_fenced_code_with_its_title_and_language():
    text = to_commonmark(
        "{% codeblock Array.map lang:javascript http://underscorejs.org 文档 %}\n"
        "array.map(callback[, thisArg])\n{% endcodeblock %}"
    )
    assert "*Array.map*\n\n```javascript\narray.map(callback[, thisArg])\n```" in text


def test_hexo_code_and_jekyll_highlight_become_fenced_code():
    assert "```python\nprint(1)\n```" in to_commonmark(
        "{% code lang:python %}\nprint(1)\n{% endcode %}"
    )
    text = to_commonmark(
        "{% highlight ruby linenos %}\ndef foo\n  {{ x }}\nend\n{% endhighlight %}"
    )
    assert "```ruby\ndef foo\n  {{ x }}\nend\n```" in text


@pytest.mark.parametrize(
    ("source", "image"),
    [
        ("{% asset_img foo.png 流程示意图 %}", "![流程示意图](foo.png)"),
        ('{% asset_img foo.png "标题 文字" "替代文字" %}', "![标题 文字](foo.png)"),
        ("{% asset_img diagram.jpg %}", "![](diagram.jpg)"),
        ("{% img left /images/a.png 300 200 示意图 %}", "![示意图](/images/a.png)"),
    ],
)
def test_asset_img_and_img_are_images(source, image):
    assert image in to_commonmark(source)


def test_asset_img_shows_an_image_line_like_a_markdown_image():
    assert "*[image: 流程示意图]* foo.png" in prepare("{% asset_img foo.png 流程示意图 %}")


def test_hexo_note_is_a_block_quote_headed_by_its_class():
    assert "> **Info**\n>\n> 布隆过滤器" in to_commonmark(
        "{% note info %}\n布隆过滤器\n{% endnote %}"
    )
    assert "> **Note**\n>\n> 正文" in to_commonmark("{% note %}\n正文\n{% endnote %}")


def test_hexo_blockquote_is_attributed():
    text = to_commonmark("{% blockquote 鲁迅, 故乡 %}\n地上本没有路。\n{% endblockquote %}")
    assert "> 地上本没有路。\n>\n> — 鲁迅, 故乡" in text


def test_raw_keeps_its_inside_as_written():
    text = to_commonmark("{% raw %}\n用 {{ site.title }} 与 {% if x %} 写模板。\n{% endraw %}")
    assert "用 {{ site.title }} 与 {% if x %} 写模板。" in text
    assert "raw" not in text


def test_raw_in_a_hexo_post_about_hugo_keeps_the_shortcode():
    text = to_commonmark("写法：{% raw %}{{< figure src=a.png >}}{% endraw %}。")
    assert text == "写法：{{< figure src=a.png >}}。"


@pytest.mark.parametrize(
    ("source", "marker"),
    [
        ("{% include_code 示例 lang:javascript test.js %}", r"*[include\_code: test.js]*"),
        ("{% include footer.html %}", "*[include: footer.html]*"),
        ("{% unknown_tag a b %}", r"*[tag: unknown\_tag]*"),
    ],
)
def test_includes_and_unknown_tags_are_markers(source, marker):
    assert to_commonmark(f"前文\n\n{source}\n\n后文") == f"前文\n\n\n{marker}\n\n\n后文"


def test_liquid_logic_goes_and_what_it_wraps_stays():
    text = to_commonmark("{% if page.comments %}\n评论区\n{% else %}\n无评论\n{% endif %}")
    assert "评论区" in text and "无评论" in text and "{%" not in text
    assert to_commonmark("前{% comment %}不显示{% endcomment %}后") == "前后"


def test_liquid_output_is_a_marker_in_prose_and_nothing_in_an_address():
    text = to_commonmark("站点 {{ site.title }}，图 ![图]({{ site.baseurl }}/img/a.png)")
    assert text == "站点 *[template: site.title]*，图 ![图](/img/a.png)"
    assert to_commonmark("Vue 的 {{ message }} 插值") == "Vue 的 {{ message }} 插值"


def test_hexo_links_and_paths_keep_their_target():
    text = to_commonmark(
        "见 {% post_link hello-world 你好 %}，[旧文]({% post_url 2010-07-21-name %})"
    )
    assert text == "见 [你好](hello-world)，[旧文](2010-07-21-name)"


# Containers


def test_vuepress_containers_are_block_quotes_and_nest():
    text = to_commonmark("::: tip 提示\n容器内\n\n::: warning\n嵌套\n:::\n:::\n\n之后")
    assert "> **提示**\n>\n> 容器内" in text
    assert "> > **Warning**\n> >\n> > 嵌套" in text
    assert text.rstrip().endswith("之后") and ":::" not in text


def test_docusaurus_containers_take_their_title_in_brackets():
    assert "> **小心**\n>\n> 内容" in to_commonmark(":::warning[小心]\n内容\n:::")
    assert "> **Note**\n>\n> 内容" in to_commonmark(":::note\n内容\n:::")


def test_alignment_containers_are_no_box():
    text = to_commonmark("::: center\n![](a.png)\n:::")
    assert "![](a.png)" in text and ">" not in text and "Center" not in text


# Code is content


def test_markup_inside_fenced_and_inline_code_is_untouched():
    body = (
        "用 `{{< figure >}}` 与 `{% raw %}`：\n\n"
        "```markdown\n{{< highlight go >}}\n::: tip\n{% asset_img a.png %}\n"
        "{{< /highlight >}}\n```\n\n"
        "~~~\n{{ site.title }}\n~~~\n"
    )
    assert to_commonmark(body) == body
    assert to_commonmark(body, plain=True) == body


def test_an_article_without_markup_is_returned_as_it_is():
    body = "# 标题\n\n正文 $x^2$ 与 `code`。\n"
    assert to_commonmark(body) is body


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "{{<",
                ">}}",
                "{{%",
                "%}}",
                "{%",
                "%}",
                "{{",
                "}}",
                "/",
                " ",
                "\n",
                "```",
                "`",
                ":::",
                "highlight",
                "notice",
                "raw",
                "endraw",
                "note",
                "endnote",
                "tip",
                "x",
                "文字",
                '"',
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_any_text_is_rewritten_without_error_or_a_token_left_behind(text):
    for is_plain in (False, True):
        rewritten = to_commonmark(text, plain=is_plain)
        assert "\x02" not in rewritten and "\x03" not in rewritten
        if "{" not in text and ":::" not in text:
            assert rewritten == text


@pytest.mark.parametrize(
    "hostile",
    [
        "{{< notice >}}\n" * 300 + "x\n" + "{{< /notice >}}\n" * 300,  # deeper than Python's stack
        "::: tip\n" * 3000 + "x\n" + ":::\n" * 3000,
        "{{< notice >}}\n" * 2000,
        "{{< a >}} " * 5000,  # thousands of tags on one line
        "{{< highlight >}} " * 5000,
        "a\n" + " \n" * 5000 + "b",  # took main's to_plain minutes
    ],
    ids=["nested-shortcodes", "nested-containers", "unclosed", "one-line", "verbatim", "blank"],
)
def test_hostile_markup_is_read_in_bounded_time(hostile):
    started = time.perf_counter()
    to_commonmark(hostile)
    plaintext.to_plain(hostile, keep_code=True)
    plaintext.excerpt(hostile)
    plaintext.headings(hostile)
    prepare(hostile)
    assert time.perf_counter() - started < 10  # each takes well under a second


# Plain text: the index, excerpts, headings


def test_plain_text_has_no_markers_no_quote_and_no_english_kind():
    text = plain(
        "{% note info %}\n缓存穿透\n{% endnote %}\n\n{{< unknown >}}\n\n"
        '{{% notice tip "小提示" %}}\n正文\n{{% /notice %}}\n\n{{< youtube abc >}}'
    )
    assert text.split("\n") == ["缓存穿透", "小提示", "正文"]


def test_words_in_a_notice_reach_the_index_text_and_code_in_a_highlight_is_code():
    body = (
        "开头。\n\n{{< highlight go >}}\nfunc main() {}\n{{< /highlight >}}\n\n"
        "{{% notice warning %}}\n检查回滚开关。\n{{% /notice %}}"
    )
    assert plain(body).split("\n") == ["开头。", "func main() {}", "检查回滚开关。"]
    assert plaintext.excerpt(body) == "开头。 [代码] 检查回滚开关。"


def test_a_comment_in_a_highlight_shortcode_is_no_heading():
    body = "# 真标题\n\n{{< highlight bash >}}\n# 安装依赖\npip install x\n{{< /highlight >}}\n"
    assert plaintext.headings(body) == ["真标题"]


def test_headings_do_not_run_into_the_next_line():
    body = "上文。\n\n## 经典类与新式类\n\n### Python 2 的经典类\n\n正文。"
    assert plain(body).split("\n") == ["上文。", "经典类与新式类", "Python 2 的经典类", "正文。"]
    assert plaintext.headings("## C#\n\n## 标题 ##\n") == ["C#", "标题"]


def test_code_in_the_index_text_is_as_written():
    body = "调用 `D.__mro__` 与 `**kwargs`：\n\n```python\n"
    body += "print(D.__mro__)  # <class '__main__.D'> | a\n```"
    text = plain(body)
    assert "D.__mro__" in text and "**kwargs" in text
    assert "print(D.__mro__) # <class '__main__.D'> | a" in text
    assert "D.__mro__" in plaintext.excerpt(body)


# Through the real CLI

HUGO_POST = """+++
title = "Hugo 短代码示例"
date = 2024-05-01
categories = ["Go"]
+++

这是一篇 Hugo 文章。

{{< highlight go "linenos=table" >}}
func main() {
    fmt.Println("你好")
    if x := compute(); x > 0 {
        return
    }
}
{{< /highlight >}}

{{< figure src="/img/arch.png" title="系统架构图" >}}

{{% notice warning "注意事项" %}}
部署之前务必检查蓝绿发布的回滚开关。
{{% /notice %}}

{{< youtube w7Ft2ymGmfc >}}

{{< mycustom foo="bar" >}}
"""

HEXO_POST = """---
title: Hexo 标签插件示例
date: 2024-06-01 10:00:00
categories: [Node]
---

这是一篇 Hexo 文章。

{% asset_img diagram.png 流程示意图 %}

{% codeblock app.js lang:javascript %}
const app = express();
app.listen(3000);
{% endcodeblock %}

{% note info %}
缓存穿透需要布隆过滤器。
{% endnote %}
"""

ABOUT_HUGO = """---
title: 如何写 Hugo 短代码
date: 2024-07-01
---

在文章里这样写：

```markdown
{{< highlight go >}}
code
{{< /highlight >}}
```
"""


@pytest.fixture
def blog(tmp_path):
    return str(
        write_files(
            tmp_path / "blog",
            {
                "content/posts/hugo-post.md": HUGO_POST,
                "source/_posts/hexo-post.md": HEXO_POST,
                "content/posts/about-hugo.md": ABOUT_HUGO,
            },
        )
    )


def test_show_has_no_raw_shortcodes_or_tags(cli, blog):
    for post in ("hugo-post", "hexo-post"):
        shown = cli("--archive", blog, "show", post).stdout
        assert "{{" not in shown and "{%" not in shown and "%}" not in shown, shown


def test_show_keeps_a_highlight_shortcode_as_code_lines(cli, blog):
    lines = cli("--archive", blog, "show", "hugo-post").stdout.splitlines()
    code = [line.strip() for line in lines]
    start = code.index("func main() {")
    assert code[start : start + 6] == [
        "func main() {",
        'fmt.Println("你好")',
        "if x := compute(); x > 0 {",
        "return",
        "}",
        "}",
    ]
    indents = [len(line) - len(line.lstrip()) for line in lines[start : start + 3]]
    assert indents[1] == indents[0] + 4 and indents[2] == indents[1]  # indentation kept


def test_show_gives_images_notices_videos_and_markers(cli, blog):
    shown = cli("--archive", blog, "show", "hugo-post").stdout
    assert "[image: 系统架构图] /img/arch.png" in shown
    assert re.search(r"注意事项\s*\n.*部署之前务必检查蓝绿发布的回滚开关。", shown)
    assert "YouTube (https://www.youtube.com/watch?v=w7Ft2ymGmfc)" in shown
    assert "[shortcode: mycustom]" in shown
    hexo = cli("--archive", blog, "show", "hexo-post").stdout
    assert "[image: 流程示意图] diagram.png" in hexo
    assert "const app = express();\n" in hexo.replace(" app.listen", "\napp.listen")
    assert "Info" in hexo and "缓存穿透需要布隆过滤器。" in hexo


def test_show_keeps_shortcodes_that_an_article_quotes_as_code(cli, blog):
    shown = cli("--archive", blog, "show", "about-hugo").stdout
    assert "{{< highlight go >}}" in shown and "{{< /highlight >}}" in shown


def test_search_finds_words_inside_a_notice_and_a_hexo_note(cli, blog):
    found = cli("--archive", blog, "search", "蓝绿发布").stdout
    assert found.split("\t")[0] == "hugo-post"
    assert "{{" not in found
    found = cli("--archive", blog, "search", "布隆过滤器").stdout
    assert found.split("\t")[0] == "hexo-post"


def test_latest_excerpts_read_as_the_site_shows_them(cli, blog):
    listed = {
        line.split("\t")[0]: line.split("\t")[-1]
        for line in cli("--archive", blog, "latest").stdout.splitlines()
    }
    assert listed["hugo-post"].startswith("这是一篇 Hugo 文章。 [代码] 注意事项 部署之前")
    assert listed["hexo-post"] == "这是一篇 Hexo 文章。 app.js [代码] 缓存穿透需要布隆过滤器。"
