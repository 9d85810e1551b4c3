"""The one place Whoosh is used: its import, the schema's tokenizer and the scoring."""
