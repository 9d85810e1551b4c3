"""The analyzer: one segmentation for index and query, technical terms kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from artread.core.analysis import Analyzer, normalize

PLAIN = Analyzer()  # no user dictionary


def words(text: str) -> list[str]:
    return [t for t, _, _ in PLAIN.terms(text)]


def test_search_mode_indexes_words_inside_longer_words():
    indexed = words("梯度检查点")
    assert "检查点" in indexed and "检查" in indexed and "梯度" in indexed


def test_query_terms_are_a_subset_of_what_the_index_holds_for_the_same_text():
    text = "为了缓解梯度消失，设计了各种各样的 RNN cell"
    assert set(PLAIN.query_units(text)) <= set(words(text))


def test_single_letters_and_short_technical_terms_are_kept():
    indexed = words("用 C 和 R 语言写 Go 程序，注意 IO 与 C++、C#")
    for term in ("c", "r", "go", "io", "c++", "c#"):
        assert term in indexed


def test_english_is_lowercased_and_plurals_meet_singulars():
    assert words("Transformers") == words("transformer") == ["transform"]
    assert words("GPUs") == words("GPU")


def test_full_width_letters_fold_to_half_width():
    assert normalize("ＧＰＵ（显存）") == "gpu(显存)"
    assert words("ＧＰＵ") == ["gpu"]


def test_identifiers_are_searchable_whole_and_in_parts():
    indexed = words("batch_size torch.utils.checkpoint")
    assert {"batch_size", "batch", "size", "torch.utils.checkpoint", "checkpoint"} <= set(indexed)


def test_function_words_are_dropped_but_content_words_kept():
    indexed = words("模型的参数")
    assert "的" not in indexed
    assert indexed == ["模型", "参数"]


@pytest.mark.slow
def test_jieba_writes_no_log_lines_and_uses_artreads_cache(tmp_path):
    code = (
        "from artread.core.analysis import Analyzer; "
        "print(len(list(Analyzer().terms('测试中文分词'))))"
    )
    env = {"ARTREAD_CACHE_DIR": str(tmp_path), "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-W", "error::SyntaxWarning", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert done.stderr == ""
    assert (tmp_path / "jieba" / "jieba.cache").is_file()


# Queries are segmented from artread's SQLite copy of jieba's dictionary, not by loading jieba:
# the terms must be the ones jieba gives.

VARIED = [
    "为了缓解梯度消失，设计了各种各样的 RNN cell",
    "如何降低训练时的显存占用",
    "南京市长江大桥上的研究生命起源",
    "結合成分子時，數據庫裏的執行緒",
    "小明硕士毕业于中国科学院计算所，后在日本京都大学深造",
    "𠀀𠀁两个扩展区汉字与〇以及㐀字",
    "工信处女干事每月经过下属科室都要亲口交代24口交换机等技术性器件的安装工作",
]


def chinese_runs(text: str) -> list[str]:
    from artread.core.analysis import tokens

    return [token.text for token in tokens(normalize(text)) if token.cjk]


def jieba_and_lexicon(dictionary: str = ""):
    from artread.core import analysis, lexicon

    reference = analysis.Analyzer(dictionary).segmenter()
    ours = lexicon.Lexicon(analysis.ensure_lexicon(), dictionary)
    return reference, ours


@pytest.mark.slow
def test_lexicon_segments_exactly_like_jieba_on_the_sample_archive(sample_archive):
    reference, ours = jieba_and_lexicon()
    runs = [run for text in VARIED for run in chinese_runs(text)]
    for file in sorted(sample_archive.rglob("*.md")):
        runs.extend(chinese_runs(file.read_text(encoding="utf-8")))
    assert len(runs) > 1000
    for run in runs:
        assert list(ours.cut(run)) == list(reference.cut(run, HMM=False)), run


def test_lexicon_segments_exactly_like_jieba_on_real_articles_when_the_corpus_is_here():
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not here (it is not part of the repository)")
    reference, ours = jieba_and_lexicon()
    for file in sorted(corpus.glob("*.md"))[::25]:
        for run in chinese_runs(file.read_text(encoding="utf-8")):
            assert list(ours.cut(run)) == list(reference.cut(run, HMM=False)), (file, run)


def test_lexicon_applies_a_user_dictionary_exactly_like_jiebas_load_userdict():
    dictionary = "蓝绿发布\n云原生网关 30 n\n\ufeff长江大桥 5\n研究生命 0\n空格 词\n"
    reference, ours = jieba_and_lexicon(dictionary)
    assert ours.total == reference.total
    for text in [*VARIED, "我们采用蓝绿发布上线云原生网关", "南京市长江大桥", "研究生命起源"]:
        for run in chinese_runs(text):
            assert list(ours.cut(run)) == list(reference.cut(run, HMM=False)), run


# Indexing segments with artread.core.wordcut, a shorter walk over jieba's own dictionary: its
# terms, in both modes and with a user dictionary, must be the ones jieba's tokenize gives.


def test_wordcut_gives_jiebas_terms_in_both_modes_on_the_sample_archive(sample_archive):
    from artread.core import analysis, wordcut

    reference = analysis.Analyzer().segmenter()
    runs = [run for text in VARIED for run in chinese_runs(text)]
    for file in sorted(sample_archive.rglob("*.md")):
        runs.extend(chinese_runs(file.read_text(encoding="utf-8")))
    assert len(runs) > 1000
    for run in runs:
        for mode in ("search", "default"):
            expected = list(reference.tokenize(run, mode=mode, HMM=False))
            assert list(wordcut.tokenize(reference, run, mode == "search")) == expected, run


def test_wordcut_follows_a_user_dictionary_as_jieba_does():
    from artread.core import analysis, wordcut

    dictionary = "蓝绿发布\n云原生网关 30 n\n长江大桥 5\n研究生命 0\n"
    reference = analysis.Analyzer(dictionary).segmenter()
    texts = [*VARIED, "我们采用蓝绿发布上线云原生网关", "南京市长江大桥", "研究生命起源"]
    for run in [run for text in texts for run in chinese_runs(text)]:
        expected = list(reference.tokenize(run, mode="search", HMM=False))
        assert list(wordcut.tokenize(reference, run, True)) == expected, run
    assert ("蓝绿发布", 4, 8) in wordcut.tokenize(reference, "我们采用蓝绿发布", True)
