"""The one place Whoosh is used: the schema and its fields, the index on disk, queries,
scoring, the tokenizer and the stemmer.

Importing this package costs nothing. Whoosh is first imported through `backend`, which
imports it lean (stand_ins); scoring, which runs only on an open index, imports Whoosh's
parts where it uses them. `fields` and `stemmer` stay light, for the code that runs without
the rest of Whoosh (`latest`, the ingest workers).
"""
