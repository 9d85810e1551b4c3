"""Search bridges vocabulary: glossary groups, the archive's synonyms, Taiwan terms, typos,
did-you-mean, related articles and `artread analyze`."""

from __future__ import annotations

import json

from helpers import article, ids

from artread.core import glossary
from artread.core.archive import split_front_matter
from artread.core.index import ArchiveIndex
from artread.core.related import related
from artread.core.search import search

BILINGUAL = {
    "zh.md": article("训练", "反向传播按链式法则计算梯度。"),
    "en.md": article("训练", "Backpropagation 按链式法则计算梯度。"),
    "other.md": article("别的", "这篇讲数据加载，和梯度无关。"),
}


def test_shipped_glossary_has_thousands_of_groups_with_no_form_in_two():
    groups = glossary.shipped_groups()
    assert len(groups) >= 2000  # the fields of an engineer's archive, not only ML and Java
    forms = [glossary.analysis.normalize(f) for group in groups for f in group]
    assert len(forms) == len(set(forms))


def test_glossary_group_works_both_ways_exact_form_first(make_index):
    index = make_index(BILINGUAL)
    assert ids(search(index, "backpropagation")) == ["en", "zh"]
    assert ids(search(index, "反向传播")) == ["zh", "en"]
    found = search(index, "反向传播")
    assert [e.form for e in found.expansions] == ["反向传播"]
    assert "backpropagation" in [a.form for a in found.expansions[0].alternatives]


def test_glossary_forms_are_highlighted_in_snippets(make_index):
    index = make_index(BILINGUAL)
    hit = next(h for h in search(index, "反向传播").hits if h.entry.id == "en")
    marked = [hit.snippet.text[s:e] for s, e in hit.snippet.highlights]
    assert "Backpropagation" in marked


def test_multi_word_english_form_finds_the_chinese_term(make_index):
    index = make_index(
        {
            "hash.md": article("散列", "哈希表用数组加链表实现。"),
            "tree.md": article("树", "红黑树是平衡二叉树。"),
        }
    )
    assert ids(search(index, "hash maps")) == ["hash"]
    assert ids(search(index, "HASH MAP")) == ["hash"]


def test_a_form_only_matches_whole_query_terms():
    found = glossary.Glossary([("堆", "heap")])
    assert found.expand("堆 排序", ["堆", "排序"])[0].form == "堆"
    # Inside 堆排序 (one query term) 堆 is not a word of the query.
    assert found.expand("堆排序", ["堆排序"]) == []


def test_forms_whose_terms_lose_characters_match_only_as_written():
    found = glossary.Glossary([("b+树", "b+ tree"), ("c#", "csharp")])
    assert found.expand("b tree", ["b", "tree"]) == []  # not B+ tree
    assert [e.form for e in found.expand("b+ tree", ["b", "tree"])] == ["b+ tree"]
    assert found.expand("b+ tree", ["b", "tree"])[0].alternatives[0].form == "b+树"
    assert found.expand("csharp", ["csharp"])[0].alternatives[0].terms == ("c#",)


def test_synonyms_file_format_bom_crlf_comments_and_sharp():
    text = "\ufeff北极星 = Polaris\r\n# a comment = x\r\nC# = csharp # the language\r\n= \r\n"
    assert glossary.parse(text) == [("北极星", "Polaris"), ("C#", "csharp")]


def test_archive_synonyms_file_adds_groups_without_reindexing(make_index):
    index = make_index(
        {
            "a.md": article("内部项目", "北极星系统负责调度。"),
            "b.md": article("别的", "和调度无关的文章。"),
        }
    )
    assert search(index, "polaris").total == 0
    (index.root / glossary.SYNONYMS_FILE).write_text(
        "# our own names\n北极星 = Polaris = PLS   # the scheduler\n", encoding="utf-8"
    )
    assert ids(search(index, "polaris")) == ["a"]
    assert ids(search(index, "PLS")) == ["a"]
    (index.root / glossary.SYNONYMS_FILE).write_text("", encoding="utf-8")
    assert search(index, "polaris").total == 0


def test_user_group_sharing_a_form_joins_the_shipped_group():
    merged = glossary.Glossary([("反向传播", "backpropagation")], [("backpropagation", "反传")])
    assert len(merged) == 1
    assert set(merged.group_of("反传")) == {"反向传播", "backpropagation", "反传"}


def test_taiwan_terms_find_mainland_articles(make_index):
    index = make_index(
        {
            "thread.md": article("并发", "线程池复用线程。"),
            "db.md": article("存储", "数据库的索引。"),
            "obj.md": article("设计", "面向对象的三大特性。"),
        }
    )
    assert ids(search(index, "執行緒")) == ["thread"]
    assert ids(search(index, "資料庫")) == ["db"]
    assert ids(search(index, "物件導向")) == ["obj"]


def test_full_width_glossary_form(make_index):
    index = make_index(
        {"a.md": article("网络", "反向传播的推导。"), "b.md": article("乙", "别的。")}
    )
    assert ids(search(index, "ＢＡＣＫＰＲＯＰＡＧＡＴＩＯＮ")) == ["a"]


# Typos.

TYPOS = {
    "a.md": article("框架", "PyTorch 是深度学习框架。用 pytorch 训练。"),
    "b.md": article("张量", "pytorch 的张量运算。"),
    "c.md": article("部署", "PyTorch 模型的部署。"),
    "d.md": article("数据", "数据清洗。"),
}


def test_typo_is_corrected_and_says_so(make_index):
    index = make_index(TYPOS)
    found = search(index, "pytroch")
    assert sorted(ids(found)) == ["a", "b", "c"]
    assert [(c.asked, c.word) for c in found.corrections] == [("pytroch", "pytorch")]


def test_typo_correction_never_outranks_an_exact_match(make_index):
    index = make_index({**TYPOS, "typo.md": article("笔记", "笔记里写错成 pytroch 了。")})
    found = search(index, "pytroch")
    assert ids(found)[0] == "typo"
    assert set(ids(found)) == {"typo", "a", "b", "c"}


def test_typo_corrections_read_each_segments_words_once_and_keep_them_beside_the_index(
    make_index,
):
    index = make_index(TYPOS)
    assert search(index, "pytroch").corrections  # reads the index's words and keeps them
    kept = list(index.index_dir.glob("words-*.msgpack"))
    assert kept
    kept[0].write_bytes(b"\x00 not msgpack")  # damaged: read again, not trusted
    # Two new articles come in a new segment: a fresh process corrects to their word.
    (index.root / "e.md").write_text(article("新", "用 tensorflow 训练。"), encoding="utf-8")
    (index.root / "f.md").write_text(article("又", "tensorflow 部署。"), encoding="utf-8")
    fresh = ArchiveIndex(index.root, index.index_dir, cache_dir=index.cache_dir)
    fresh.sync()
    found = search(fresh, "tensorflwo")
    assert [(c.asked, c.word) for c in found.corrections] == [("tensorflwo", "tensorflow")]
    assert search(fresh, "pytroch").corrections[0].word == "pytorch"
    # One file for each segment the index has now; those of segments merged away are gone.
    with fresh.searcher() as searcher:
        segments = [r.segment().segment_id() for r, _ in searcher.reader().leaf_readers()]
    kept_now = sorted(p.name for p in index.index_dir.glob("words-*.msgpack"))
    assert kept_now == sorted(f"words-{s}.msgpack" for s in segments)


def test_typed_word_only_inside_a_longer_word_ranks_after_the_correction(make_index):
    index = make_index({**TYPOS, "lib.md": article("库", "我们的 PytrochLib 工具库。")})
    found = search(index, "pytroch")
    assert ids(found)[-1] == "lib"  # still found, literally, after the pytorch articles
    assert set(ids(found)) == {"a", "b", "c", "lib"}


def test_short_and_common_words_are_not_corrected(make_index):
    index = make_index(
        {"a.md": article("甲", "cpu 与 cache。"), "b.md": article("乙", "cpu 和 caches。")}
    )
    assert search(index, "gpu").corrections == []  # three letters: not a typo of cpu
    assert search(index, "cache").corrections == []


def test_did_you_mean_when_nothing_is_found(make_index, cli):
    index = make_index(TYPOS)
    found = search(index, "pytroch 燕子窝")
    assert found.total == 0
    assert found.suggestion == "pytorch"
    result = cli("search", "pytroch", "燕子窝", "--archive", str(index.root))
    assert result.exit_code == 1
    assert "Did you mean: artread search pytorch --archive" in result.stderr


def test_did_you_mean_for_a_chinese_word_from_the_glossary(make_index):
    index = make_index(
        {
            "cnn.md": article("卷积神经网络", "卷积神经网络由卷积层和汇聚层组成。"),
            "x.md": article("乙", "别的。"),
        }
    )
    found = search(index, "卷集神经网络")
    assert found.suggestion == "卷积神经网络"


def test_corrections_and_suggestions_in_json(make_index, cli):
    index = make_index(TYPOS)
    result = cli("search", "pytroch", "--json", "--archive", str(index.root))
    payload = json.loads(result.stdout)
    assert payload["corrections"] == [
        {"typed": "pytroch", "corrected": "pytorch", "term": "pytorch"}
    ]


def test_correction_is_shown_on_stderr_when_piped(make_index, cli):
    index = make_index(TYPOS)
    result = cli("search", "pytroch", "--archive", str(index.root))
    assert "Including results for pytorch, the archive's closest word to pytroch" in result.stderr
    assert result.stdout.count("\n") == 3  # the three articles, nothing else on stdout


# Related articles.

RELATED = {
    "rnn.md": article(
        "循环神经网络", "## 隐状态\n循环神经网络用隐状态记住序列。\n## 梯度\n梯度消失。"
    ),
    "lstm.md": article(
        "长短期记忆网络", "## 门\n长短期记忆网络是循环神经网络的一种，缓解梯度消失。"
    ),
    "gru.md": article(
        "门控循环单元", "## 门\n门控循环单元也是循环神经网络，比长短期记忆网络简单。"
    ),
    "redis.md": article("Redis 缓存", "## 持久化\nRedis 的持久化与缓存淘汰。"),
    "mysql.md": article("MySQL 索引", "## 索引\nMySQL 的 B+ 树索引。"),
}


def test_related_articles_are_the_most_alike_and_not_itself(make_index):
    index = make_index(RELATED)
    entry = index.catalog.by_id()["lstm"]
    _meta, body, _problem = split_front_matter(index.read_text(entry))
    alike = [e.id for e in related(index, entry, body)]
    assert "lstm" not in alike
    assert alike[:2] == ["rnn", "gru"] or alike[:2] == ["gru", "rnn"]
    assert "mysql" not in alike


def test_show_ends_with_related_articles(make_index, cli):
    index = make_index(RELATED)
    result = cli("show", "rnn", "--archive", str(index.root))
    tail = result.stdout.split("Related articles", 1)[1]
    assert "lstm" in tail and "长短期记忆网络" in tail
    payload = json.loads(cli("show", "rnn", "--json", "--archive", str(index.root)).stdout)
    assert {"id": "lstm", "title": "长短期记忆网络"} in payload["related"]


# artread analyze.


def test_analyze_shows_terms_filler_glossary_and_typos(make_index, cli):
    index = make_index(TYPOS)
    result = cli("analyze", "如何", "PyTroch", "反向传播", "--archive", str(index.root))
    lines = dict(line.split("\t", 1) for line in result.stdout.splitlines())
    assert lines["normalised"] == "如何 pytroch 反向传播"
    assert lines["index terms"] == "如何 · pytroch · 反向 · 传播"
    assert lines["query terms"] == "pytroch · 反向 · 传播"
    assert lines["not searched"].startswith("如何")
    assert lines["glossary"].startswith("反向传播 → ") and "backpropagation" in lines["glossary"]
    assert lines["typo"] == "pytroch → pytorch"


def test_analyze_traditional_and_full_width_as_json(make_index, cli):
    index = make_index(TYPOS)
    result = cli("analyze", "執行緒", "ＧＰＵ", "--json", "--archive", str(index.root))
    payload = json.loads(result.stdout)
    assert payload["normalized"] == "执行绪 gpu"
    assert "gpu" in payload["query_terms"]
    assert any("线程" in [a["form"] for a in g["alternatives"]] for g in payload["glossary"])


def test_analyze_shows_the_archive_synonyms(make_index, cli):
    index = make_index({"a.md": article("甲", "北极星。")})
    (index.root / glossary.SYNONYMS_FILE).write_text("北极星 = polaris\n", encoding="utf-8")
    result = cli("analyze", "polaris", "--archive", str(index.root))
    lines = dict(line.split("\t", 1) for line in result.stdout.splitlines())
    assert lines["synonyms"] == "polaris → 北极星"


def test_unreadable_synonyms_file_is_reported_and_search_goes_on(make_index, cli):
    index = make_index(BILINGUAL)
    (index.root / glossary.SYNONYMS_FILE).mkdir()
    result = cli("search", "backpropagation", "--archive", str(index.root))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("en\t")
    assert "cannot read artread.synonyms" in result.stderr
    doctor = cli("doctor", "--archive", str(index.root))
    assert "cannot read artread.synonyms" in doctor.stdout and doctor.exit_code == 1


def test_doctor_counts_the_synonyms(make_index, cli):
    index = make_index(BILINGUAL)
    (index.root / glossary.SYNONYMS_FILE).write_text("北极星 = polaris\n", encoding="utf-8")
    doctor = cli("doctor", "--archive", str(index.root))
    assert "artread.synonyms: 1 new group;" in doctor.stdout


def test_show_toc_json_is_json(make_index, cli):
    index = make_index(RELATED)
    result = cli("show", "rnn", "--toc", "--json", "--archive", str(index.root))
    assert json.loads(result.stdout)["id"] == "rnn"
