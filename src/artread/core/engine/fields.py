"""The fields an article is indexed under, and how much a word in each says (BM25F weights).

Plain data, without Whoosh: the ingest workers and the query side read it too.
"""

from __future__ import annotations

# A word in the title says more than one in the body.
FIELD_BOOSTS = {"title": 5.0, "headings": 2.5, "meta": 2.0, "body": 1.0}
TEXT_FIELDS = tuple(FIELD_BOOSTS)  # segmented by the analyzer, and searched
# What an article is called and what it says: enough to find its like or a word's spelling.
TITLE_AND_BODY = ("title", "body")
