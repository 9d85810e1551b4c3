"""Property-based tests: arbitrary queries, ids and file contents never crash artread, and
nothing from an article can take over the terminal, whatever the view or mode."""

from __future__ import annotations

import json
import re

import pytest
from helpers import article
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from artread.core import archive
from artread.core.index import ArchiveIndex
from artread.core.search import QueryError, search

# Whatever a user or an article may hold: any code point, with the troublemakers made likely.
TROUBLE = ["\x1b", "\x9b", "\x9d", "\x07", "\x00", "\u202e", "\u2066", '"', "-", ":", "[", "]"]
TROUBLE += ["/", "..", "\\", "~", "*", "(", ")", "！", "。", "梯度", "ＧＰＵ", "&#27;", "\r", "\n"]
# Characters whose normalisation changes the length or the character: … ﬌ ß ① ＧＰＵ 檢.
FOLDED = ["…", "\ufb0c", "ß", "①", "Ｇ", "檢", "查", "點", "e\u0301", "ǅ", "㎏", "ｶ", "ﾞ"]
ANY_TEXT = st.lists(st.one_of(st.characters(), st.sampled_from(TROUBLE)), max_size=20).map("".join)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# What must never reach a terminal from an article: ESC, the 8-bit C1 controls, BEL, and bidi
# overrides and isolates.
FORBIDDEN = re.compile("[\x1b\x07\x80-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    for name, text in {
        "a.md": article("梯度检查点", "用计算换显存：梯度检查点。C++ 与 C# 代码。"),
        "b.md": article("Transformer", "注意力机制 Attention is all you need."),
    }.items():
        (root / name).write_text(text, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("index")
    index = ArchiveIndex(root, index_dir)
    index.sync()
    return index


ODD_QUERIES = ['"unbalanced', '"', "-", "-- ++", "title:", 'tag:"', "date:", '-"', ":::", "a:b:c"]
ODD_QUERIES += ["(((", "||", "*", "\x00", "\u202e", "date:2025-13", "date:..", "category:"]


@pytest.mark.slow
@SETTINGS
@given(query=ANY_TEXT)
def test_any_query_gives_results_or_a_query_error(small_index, query):
    try:
        found = search(small_index, query)
    except QueryError as exc:
        assert str(exc)
    else:
        assert found.total >= len(found.hits)


for _odd in ODD_QUERIES:  # the inputs that once broke query parsers, always tried
    test_any_query_gives_results_or_a_query_error = example(query=_odd)(
        test_any_query_gives_results_or_a_query_error
    )


@pytest.mark.slow
@SETTINGS
@given(query=ANY_TEXT)
def test_any_query_on_the_command_line_exits_0_1_or_2_with_clean_output(cli, small_index, query):
    result = cli("--archive", str(small_index.root), "search", "--json", "--", query)
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 0:
        json.loads(result.stdout)
    assert not FORBIDDEN.search(result.stderr)


@pytest.mark.slow
@SETTINGS
@given(ref=ANY_TEXT)
def test_any_id_shows_an_article_or_a_clean_error(cli, small_index, ref):
    result = cli("--archive", str(small_index.root), "show", "--", ref)
    assert result.exit_code in (0, 2), result.output
    assert not FORBIDDEN.search(result.stdout + result.stderr)
    if result.exit_code == 0:
        assert "梯度检查点" in result.stdout or "Transformer" in result.stdout


# Text as UTF-8, lone surrogates as the bytes a careless writer leaves (ED A0 80).
AS_BYTES = ANY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(content=st.one_of(st.binary(max_size=400), AS_BYTES))
def test_the_archive_reader_reads_any_file_or_says_why(tmp_path_factory, content):
    root = tmp_path_factory.mktemp("one")
    (root / "x.md").write_bytes(content)
    try:
        found = archive.read_article(root, "x.md")
    except archive.ArticleError as exc:
        assert str(exc)
    else:
        assert isinstance(found.title, str) and found.title


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=ANY_TEXT, body=ANY_TEXT, tag=ANY_TEXT)
def test_hostile_articles_never_reach_the_terminal_in_any_view_or_mode(
    tmp_path_factory, cli, title, body, tag
):
    root = tmp_path_factory.mktemp("hostile")
    # NUL makes a binary file; a lone surrogate cannot be written as UTF-8 (how the reader
    # takes any bytes at all is the test above).
    title, body, tag = (
        t.replace("\x00", "").encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        for t in (title, body, tag)
    )
    hostile = (
        "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ \x1b]52;c;ZXZpbA==\x07 &#27;[2J [bold red]x"
    )
    text = f"---\ntitle: {json.dumps(title + hostile)}\ntags: [{json.dumps(tag + hostile)}]\n"
    text += f"category: {json.dumps(hostile)}\n---\n"
    link = f"[{title}](http://example.com/{tag})"  # a link: Rich writes its own OSC 8
    (root / "evil.md").write_text(
        text + body + "\n\n" + hostile + " 正文 " + link + "\n", encoding="utf-8"
    )
    env = {"COLUMNS": "60"}
    runs = [
        ["latest"],
        ["latest", "--json"],
        ["search", "正文"],
        ["search", "正文", "--json"],
        ["show", "evil"],
        ["show", "evil", "--json"],
        ["--color", "always", "latest"],
        ["--color", "always", "search", "正文"],
        ["--color", "always", "show", "evil"],
        ["categories"],
        ["--color", "always", "tags"],
        ["show", "evil", "--toc"],
        ["--color", "always", "show", "evil", "--raw"],
    ]
    for args in runs:
        result = cli("--archive", str(root), *args, env=env)
        assert result.exit_code in (0, 1), (args, result.output)
        shown = result.stdout
        if "--color" in args:  # artread's own colours and links: CSI ... m and OSC 8 only
            shown = re.sub(r"\x1b\[[0-9;]*m", "", shown)
            shown = re.sub(r"\x1b\]8;[^\x00-\x1f\x7f-\x9f]*\x1b\\", "", shown)
        assert not FORBIDDEN.search(shown), (args, shown)
        assert not FORBIDDEN.search(result.stderr), (args, result.stderr)


@SETTINGS
# Article text never holds lone surrogates: the archive reader replaces them.
@given(
    text=st.lists(
        st.one_of(st.characters(exclude_categories=["Cs"]), st.sampled_from(FOLDED)), max_size=40
    ).map("".join)
)
@example(text="…ＧＰＵ﬌梯度檢查點ß")
def test_snippet_positions_map_normalised_text_back_to_the_original(text):
    from artread.core.analysis import normalize
    from artread.core.snippets import normalize_with_map

    normalized, origin = normalize_with_map(text)
    assert normalized == normalize(text)
    assert len(origin) == len(normalized)
    assert origin == sorted(origin) and all(0 <= i < len(text) for i in origin)


@given(
    text=st.text(alphabet="ab 1线程池.-Rr", max_size=40),
    needle=st.text(alphabet="ab 1线程池.-r", min_size=1, max_size=4),
)
@SETTINGS
def test_snippet_words_are_found_where_a_whole_word_search_finds_them(text, needle):
    """The snippet's search for a word (str.find, for speed over long articles) finds what a
    regular expression for the whole word finds: R is not the r of "random", 池 is anywhere."""
    from artread.core.snippets import _occurrences

    pattern = re.escape(needle)
    if needle[0].isascii() and needle[0].isalnum():
        pattern = rf"(?<![a-z0-9]){pattern}(?![a-z0-9])"
    assert list(_occurrences(text, needle)) == [m.span() for m in re.finditer(pattern, text)]


def test_index_folder_names_and_article_digests_are_hashlib_s():
    """An index folder is named after the archive's path by its SHA-1, computed without
    OpenSSL: the same digest hashlib gives, so an upgrade finds the indexes it made before."""
    import hashlib
    from pathlib import Path

    from artread.config import index_dir_for
    from artread.core.digest import sha1_hex, sha256_hex

    for data in (b"", b"/home/me/blog", "梯度检查点".encode(), bytes(range(256)) * 3):
        assert sha1_hex(data) == hashlib.sha1(data).hexdigest()
        assert sha256_hex(data) == hashlib.sha256(data).hexdigest()
    archive_path = Path("/home/me/blog")
    expected = hashlib.sha1(str(archive_path).encode()).hexdigest()[:12]
    assert index_dir_for(archive_path, {"ARTREAD_INDEX_DIR": "/x"}).name == f"blog-{expected}"


CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"


@given(
    text=st.text(
        alphabet=st.sampled_from(list("aZ9_.-+# 中文梯度檢é\u3400\U00020000\uff21")), max_size=30
    )
)
@SETTINGS
def test_chinese_is_told_from_latin_as_by_a_class_of_chinese_characters(text):
    """has_cjk and the parts of a word (torch.utils: torch, utils) are what a regular expression
    with the class of Chinese characters finds, though built without one."""
    from artread.core import analysis

    assert analysis.has_cjk(text) == bool(re.search(f"[{CJK_CLASS}]", text))
    parts = [
        part.group()
        for token in analysis.tokens(text)
        if not token.cjk
        for part in analysis._PART.finditer(token.text)
    ]
    assert parts == re.findall(rf"[^\W_{CJK_CLASS}]+", text)


@given(
    text=st.text(
        alphabet=st.sampled_from(list("aZ9_.-+# #,中文梯度檢é\u3400\U00020000\uff21\u00b2")),
        max_size=40,
    )
)
@example(text="GPU加速C++加C#.x-加y_z++")
@SETTINGS
def test_a_querys_tokens_are_those_the_index_reads(text):
    """tokens() (a query's words, with one class of Chinese characters) finds what the
    indexing pattern (three such classes) finds."""
    from artread.core import analysis

    expected = [
        (m.group(), m.start(), m.end(), m.lastgroup == "cjk")
        for m in analysis.token_pattern().finditer(text)
    ]
    assert [tuple(token) for token in analysis.tokens(text)] == expected


@given(
    st.lists(st.text(alphabet="ab_1 .", max_size=12), min_size=1, max_size=4),
    st.text(alphabet="ab1", min_size=1, max_size=3),
)
@settings(max_examples=200, deadline=None)
def test_a_word_start_is_counted_as_the_look_behind_would_count_it(tmp_path_factory, texts, word):
    """LiteralStore finds a Latin word where a word starts (gru in nn.GRUCell, not it in
    title), by a search and a look at the byte before: as often as the expression would."""
    from artread.core.literal import LiteralStore

    data, spans, start = b"", {}, 0
    for number, text in enumerate(texts):
        encoded = text.encode()
        spans[f"{number}.md"] = [start, len(encoded), len(encoded)]
        data += encoded + b"\x00"
        start = len(data)
    file = tmp_path_factory.mktemp("texts") / "texts.bin"
    file.write_bytes(data)
    expression = re.compile(rb"(?<![a-z0-9_])" + re.escape(word.encode()))
    expected = {}
    for path, (begin, length, _written) in spans.items():
        count = len(expression.findall(data, begin, begin + length))
        if count:
            expected[path] = count
    assert LiteralStore(file, spans).find(word, word_start=True) == expected


@given(
    st.lists(st.text(alphabet="ab梯\x00 ", max_size=16), min_size=1, max_size=4),
    st.text(alphabet="ab梯", min_size=1, max_size=3),
    st.data(),
)
@settings(max_examples=200, deadline=None)
def test_every_occurrence_is_counted_as_bytes_count_counts_it(tmp_path_factory, texts, word, data):
    """LiteralStore.find counts what bytes.count counts in each article's text, or in the
    file-as-written part alone, and in no text around it (the scan searches the whole file)."""
    from artread.core.literal import LiteralStore

    blob, spans = b"", {}
    for number, text in enumerate(texts):
        encoded = text.encode()
        written = data.draw(st.integers(0, len(encoded)))
        spans[f"{number}.md"] = [len(blob), len(encoded), written]
        blob += encoded + b"\x00"
    file = tmp_path_factory.mktemp("texts") / "texts.bin"
    file.write_bytes(b"a\x00" + blob)  # dead text before the first article, as updates leave
    spans = {path: [start + 2, length, written] for path, (start, length, written) in spans.items()}
    needle = word.encode()
    for as_written in (False, True):
        expected = {}
        for path, (start, length, written) in spans.items():
            end = start + (written if as_written else length)
            count = file.read_bytes()[start:end].count(needle)
            if count:
                expected[path] = count
        assert LiteralStore(file, spans).find(word, as_written=as_written) == expected


PIECES = [*"梯度检查点ab1z_ .-。，é𠀀Ω", "tra", "ns", "梯度", "Transf", "ÉCOLE", "１２"]


@given(
    st.lists(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), min_size=1, max_size=5),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join),
    st.booleans(),
    st.booleans(),
)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_signatures_leave_out_only_articles_that_do_not_hold_the_text(
    tmp_path_factory, texts, needle, as_written, word_start
):
    """A scan that reads only the articles whose signatures may hold a text finds exactly
    what a scan of every article finds."""
    from artread.core import literal, signatures

    folder = tmp_path_factory.mktemp("signed")
    writer = literal.Writer(folder, None, [])
    for number, text in enumerate(texts):
        text += "丨" * 500  # long enough to be worth a signature (丨: in no piece)
        blob, written = literal.article_text(f"标题{number}", text, text.upper())
        writer.add(f"{number}.md", blob, written)
    name, spans = writer.finish()
    signed = literal.LiteralStore(folder / name, spans)
    assert signed.signed() is not None and not signed.signed().unsigned(
        [(start, length) for start, length, _written in spans.values()]
    )
    found = signed.find(needle, as_written=as_written, word_start=word_start)
    signatures.keys_of(folder / name).unlink()
    unsigned = literal.LiteralStore(folder / name, spans)
    assert unsigned.signed() is None
    assert found == unsigned.find(needle, as_written=as_written, word_start=word_start)
