"""The analyzer: one segmentation for index and query, technical terms kept."""

from __future__ import annotations

import subprocess
import sys

from artread.analysis import normalize, query_units, terms


def words(text: str) -> list[str]:
    return [t for t, _, _ in terms(text)]


def test_search_mode_indexes_words_inside_longer_words():
    indexed = words("梯度检查点")
    assert "检查点" in indexed and "检查" in indexed and "梯度" in indexed


def test_query_terms_are_a_subset_of_what_the_index_holds_for_the_same_text():
    text = "为了缓解梯度消失，设计了各种各样的 RNN cell"
    assert set(query_units(text)) <= set(words(text))


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


def test_jieba_writes_no_log_lines_and_uses_artreads_cache(tmp_path):
    code = "from artread.analysis import terms; print(len(list(terms('测试中文分词'))))"
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
