"""The Whoosh schema: each field of an article, how it is segmented and weighed."""

from __future__ import annotations

from typing import Any

from artread.core.engine.backend import fields
from artread.core.engine.fields import FIELD_BOOSTS
from artread.core.engine.tokenizer import analyzer


def schema() -> Any:
    text = analyzer()
    segmented = {
        name: fields.TEXT(analyzer=text, phrase=False, field_boost=boost)
        for name, boost in FIELD_BOOSTS.items()
    }
    return fields.Schema(
        path=fields.ID(stored=True, unique=True),
        **segmented,
        category=fields.ID,
        tags=fields.KEYWORD(commas=True, lowercase=True),
    )
