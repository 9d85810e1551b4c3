"""The engine's own BM25F scoring gives the scores Whoosh's search gives, on a real index.

scoring.matches() reads Whoosh's postings and field lengths itself, for speed: these tests
keep a whoosh-reloaded upgrade from silently changing the ranking.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from artread.core.engine import match, scoring, store
from artread.core.engine.fields import FIELD_BOOSTS
from artread.core.index import WHOOSH_DIR, ArchiveIndex

Clauses = Sequence[tuple[Sequence[str], float]]


def whoosh_query(clauses: Clauses):
    """What scoring.matches() stands for, as a Whoosh query: any of the clauses; within one,
    every term, each in any field, weighed by the clause's boost."""
    return match.any_of(
        match.all_of(match.any_field(term, FIELD_BOOSTS, boost) for term in terms)
        for terms, boost in clauses
    )


def assert_same_scores(index: ArchiveIndex, clauses: Clauses) -> None:
    with index.searcher() as searcher:
        theirs = {
            hit.docnum: hit.score for hit in searcher.search(whoosh_query(clauses), limit=None)
        }
        ours = {
            document: score
            for document, score, _held in scoring.matches(
                searcher, clauses, FIELD_BOOSTS, index.field_lengths
            )
        }
    assert len(theirs) >= 2, f"{clauses}: too few matches to compare"
    assert len(set(theirs.values())) >= 2, f"{clauses}: every article scores the same"
    assert ours == pytest.approx(theirs, rel=1e-9), clauses


SAMPLE_QUERIES = [
    # In titles, headings, tags and bodies: the field boosts count.
    pytest.param([(("注意力",), 1.0)], id="one-term-in-every-field"),
    pytest.param([(("softmax",), 1.0)], id="one-term-in-bodies-only"),
    pytest.param([(("python",), 1.0)], id="one-english-term"),
    pytest.param([(("梯度", "训练"), 1.0)], id="two-terms-both-held"),
    # An article that holds both words adds their scores up.
    pytest.param([(("模型",), 1.0), (("生成",), 1.0)], id="either-of-two-terms"),
    # A clause weighed less, as a glossary form is.
    pytest.param([(("注意力",), 1.0), (("哈希",), 0.8)], id="a-boosted-clause"),
]


@pytest.mark.parametrize("clauses", SAMPLE_QUERIES)
def test_scores_are_whooshs_on_the_sample_archive(sample_index: ArchiveIndex, clauses) -> None:
    assert_same_scores(sample_index, clauses)


def article(title: str, body: str, tags: str = "") -> str:
    return f"---\ntitle: {title}\ntags: [{tags}]\n---\n\n{body}\n"


def test_scores_are_whooshs_over_several_segments_with_deletions(make_archive) -> None:
    # Words that are their own stems, so the query terms are the words.
    root = make_archive(
        {
            "a.md": article("Lock free", "lock " * 3 + "queue " * 40, "lock"),
            "b.md": article("Hash tables", "hash lock " + "bucket " * 200),
            "c.md": article("Queue", "## Lock and queue\n\n" + "queue lock " * 9),
        }
    )
    index = ArchiveIndex(root)
    index.sync(jobs=1)
    (root / "d.md").write_text(article("Lock", "lock hash " + "word " * 500), encoding="utf-8")
    (root / "a.md").write_text(article("Free", "lock queue " * 20), encoding="utf-8")
    index.sync(jobs=1)
    census = store.census(index.index_dir / WHOOSH_DIR)
    assert census.segments >= 2 and census.deleted >= 1  # the paths this test is for
    for clauses in (
        [(("lock",), 1.0)],
        [(("lock", "queue"), 1.0)],
        [(("lock",), 1.0), (("hash",), 0.8)],
    ):
        assert_same_scores(index, clauses)


def postings_of(whoosh_dir) -> dict:
    """Every posting of the index at whoosh_dir: (field, term) -> [(document, weight, value)]."""
    found = {}
    with store.open_index(whoosh_dir).reader() as reader:
        for fieldname, term in reader.all_terms():
            matcher = reader.postings(fieldname, term)
            found[fieldname, term] = list(matcher.items_as("weight"))
    return found


def test_a_worker_segment_spilled_to_disk_holds_whooshs_own_postings(make_archive) -> None:
    """A worker's pool writes its postings to disk in runs when they outgrow its memory, and
    merges them term by term: the segment must hold what Whoosh's own pool writes."""
    from artread.core import ingest
    from artread.core.analysis import Analyzer
    from artread.core.engine import segments
    from artread.core.engine.backend import index as whoosh_index
    from artread.core.engine.schema import schema
    from artread.core.engine.tokenizer import bind

    words = ["注意力", "梯度", "线程池", "模型", "训练", "softmax", "python", "哈希", "缓存"]
    body = lambda n: " ".join(words[(n * k) % len(words)] for k in range(n + 3))  # noqa: E731
    root = make_archive({f"a{n:02d}.md": f"# 第{n}篇\n\n{body(n)}" for n in range(40)})
    paths = sorted(p.name for p in root.glob("*.md"))
    written = {}
    for name, spill in (("whoosh", False), ("ours", True)):
        whoosh_dir = root.parent / f"index-{name}"
        whoosh_dir.mkdir()
        ix = whoosh_index.create_in(str(whoosh_dir), schema())
        writer = segments.segment_writer(str(whoosh_dir), 32)
        if spill:
            writer.pool.limit = 4000  # a run every few documents, merged in two rounds
            writer.pool.items = lambda pool=writer.pool: type(pool).items(pool, maxfiles=3)
        else:
            writer.pool = writing_pool(writer)
        bind(writer.schema, Analyzer())
        for path in paths:
            writer.add_document(**ingest.prepare(root, path, Analyzer()).document)
        if spill:
            assert len(writer.pool.runs) > 6
        segments.commit_with(ix.writer(), [segments.finish_segment(writer)])
        written[name] = postings_of(whoosh_dir)
    assert len(written["whoosh"]) > 20
    assert written["ours"] == written["whoosh"]


def writing_pool(writer):
    from whoosh.writing import PostingPool

    return PostingPool(writer._tempstorage, writer.newsegment, limitmb=32)
