"""BM25F scores of every article that matches a query, read straight from the postings.

Whoosh's own search builds a tree of matchers (a union of every field of every term) and
steps through it one document at a time; over 26,000 articles that stepping costs more than
the scoring. A query here is a flat list of clauses (terms that must all be held, and a
boost), so each term's postings are read once, field by field, and added up. The score of a
term in a field is Whoosh's BM25F (same idf, field lengths and parameters), so results rank
as a Whoosh search of the same query would.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Sequence
from typing import Any

Clause = tuple[Sequence[str], float]  # terms an article must all hold (in any field), boost


def matches(
    searcher: Any,
    clauses: Sequence[Clause],
    fields: Iterable[str],
    lengths: dict | None = None,
) -> Iterator[tuple[int, float, set[str]]]:
    """(document number, score, the query's terms it holds) for each matching document.

    A document matches a clause when it holds every term of it; its score is the sum, over
    the clauses it matches, of the clause's boost times its terms' BM25F scores in every
    field. lengths: where to keep the field lengths read, for as long as the searcher's
    reader is open.
    """
    fields = list(fields)
    lengths = {} if lengths is None else lengths
    weighting = searcher.weighting
    k1 = weighting.K1
    parts = searcher.subsearchers if not searcher.is_atomic() else [(searcher, 0)]
    # term -> {document: summed BM25F over the fields}
    held: dict[str, dict[int, float]] = {}
    for term in dict.fromkeys(t for terms, _boost in clauses for t in terms):
        scores: dict[int, float] = {}
        for field in fields:
            if (field, term) not in searcher.reader():
                continue
            idf = searcher.idf(field, term)
            average = searcher.avg_field_length(field) or 1
            b = weighting._field_B.get(field, weighting.B)
            for part, offset in parts:
                reader = part.reader()
                if (field, term) not in reader:
                    continue
                key = (id(reader), field)
                if key not in lengths:
                    lengths[key] = field_lengths(reader, field)
                length = lengths[key]
                for documents, weights in posting_blocks(reader, field, term):
                    for document, tf in zip(documents, weights, strict=True):
                        # whoosh.scoring.bm25, written out: the same operations in the same
                        # order (the same floats), without a call for each posting.
                        score = idf * (
                            (tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * length[document] / average))
                        )
                        at = offset + document
                        scores[at] = scores.get(at, 0.0) + score
        held[term] = scores
    total: dict[int, float] = {}
    for terms, boost in clauses:
        found = [held[t] for t in terms]
        if not found:
            continue
        smallest = min(found, key=len)
        for document in smallest:
            if all(document in f for f in found):
                total[document] = total.get(document, 0.0) + boost * sum(f[document] for f in found)
    for document, score in total.items():
        yield document, score, {t for t, scores in held.items() if document in scores}


def posting_blocks(
    reader: Any, field: str, term: str
) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """The (document numbers, weights) of a term's postings in one segment, a block at a time.

    Whoosh's block reader (W3LeafMatcher) decodes a block of up to 128 postings at once; asking
    it for each posting's id and weight costs three calls a posting, more than scoring it. For
    a segment with deleted documents, reader.postings() wraps it in a FilterMatcher that steps
    over them one call at a time, at once for those at the front: the block reader is made
    here as postings() makes it, and the deleted documents left out a block at a time. Any
    other reader or matcher is read one posting at a time.
    """
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.reading import SegmentReader

    deleted: Container[int] = ()
    if type(reader) is SegmentReader and not reader.is_closed:
        text = reader._text_to_bytes(field, term)
        postings = reader._terms.matcher(field, text, reader.schema[field].format)
        deleted = reader.deleted_docs_set
    else:
        postings = reader.postings(field, term)
    if type(postings) is not W3LeafMatcher:
        while postings.is_active():
            if postings.id() not in deleted:
                yield (postings.id(),), (postings.weight(),)
            postings.next()
        return
    while postings.is_active():
        postings._read_ids()
        postings._read_weights()
        documents, weights = postings._ids, postings._weights
        if deleted:
            kept = [i for i, document in enumerate(documents) if document not in deleted]
            documents, weights = [documents[i] for i in kept], [weights[i] for i in kept]
        yield documents, weights
        postings._next_block()


def field_lengths(reader: Any, field: str) -> list[int]:
    """Each document's length of field in one segment, as Whoosh's BM25F reads it.

    Whoosh keeps a length as one byte per document in a column: the whole column is read at
    once (far faster than a call for each document), falling back
    to asking for each document where the column is not laid out so.
    """
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN
    from whoosh.util.numeric import byte_to_length

    count = reader.doc_count_all()
    try:
        column = reader._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
        data = column._dbfile.get(column._basepos, column._count)
        if column._fixedlen != 1 or len(data) != column._count:
            raise ValueError("not one byte per document")
    except (AttributeError, TypeError, ValueError):
        return [reader.doc_field_length(d, field, 1) or 1 for d in range(count)]
    table = [byte_to_length(i) or 1 for i in range(256)]
    return [table[byte] for byte in data] + [1] * (count - len(data))
