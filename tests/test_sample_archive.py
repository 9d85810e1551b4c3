"""The bundled sample archive is what the issue asks for: real articles, well formed."""

from __future__ import annotations

import re

import pytest

from artread.config import bundled_archive
from artread.core import archive

ROOT = bundled_archive()
PATHS = sorted(archive.scan(ROOT).files)


def load(rel):
    return archive.read_article(ROOT, rel)


def test_at_least_sixteen_articles_in_four_categories():
    articles = [load(p) for p in PATHS]
    assert len(articles) >= 16
    assert len({a.category for a in articles}) >= 4


@pytest.mark.parametrize("rel", PATHS)
def test_each_article_is_a_real_article(rel):
    got = load(rel)
    assert not got.warnings
    assert got.title and got.category and got.tags
    assert got.published and got.published[:4] in ("2025", "2026")
    assert len(re.sub(r"\s", "", got.body)) >= 1500
    assert re.search(r"^#{2,3} \S", got.body, re.M)
    assert re.search(r"^```[a-z]+", got.body, re.M)


def test_the_seed_topics_are_all_there():
    titles = " ".join(load(p).title for p in PATHS)
    for topic in ("MRO", "梯度检查点", "引用", "Transformer", "MNIST", "Mamba", "N-gram", "词向量"):
        assert topic in titles


def test_the_ngram_article_is_dated_as_on_the_seed_page():
    ngram = next(load(p) for p in PATHS if "N-gram" in load(p).title)
    assert (ngram.published, ngram.category) == ("2026-01-11", "NLP")
