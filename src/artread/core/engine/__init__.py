"""The one place Whoosh is used: the schema and its fields, the index on disk, queries,
scoring, the tokenizer and the stemmer.

Importing this package costs nothing. Its modules that use Whoosh take it from `backend`,
which imports it once and lean; `fields` and `stemmer` stay light, for the code that runs
without the rest of Whoosh (`latest`, `show`, the ingest workers).
"""
