"""artread's Whoosh tokenizer: an archive's Analyzer.terms() as Whoosh sees a field's tokens.

Apart from analysis.py because it needs Whoosh, and `latest` and `show` do not. Whoosh pickles
the schema into the index, so the tokenizer pickles without its analyzer (the archive's user
dictionary): bind() gives it the analyzer of the archive each schema read from disk belongs to.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from artread.core.analysis import Analyzer
from artread.core.engine.backend import analysis as whoosh_analysis


class ChineseTokenizer(whoosh_analysis.Tokenizer):
    """A Whoosh tokenizer around an archive's Analyzer.terms()."""

    analyzer: Analyzer | None = None  # set by bind(), never pickled

    def __init__(self, search_mode: bool = True) -> None:
        self.search_mode = search_mode

    def __getstate__(self) -> dict[str, Any]:
        return {"search_mode": self.search_mode}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChineseTokenizer) and other.search_mode == self.search_mode

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.search_mode))

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[whoosh_analysis.Token]:
        token = whoosh_analysis.Token(
            positions, chars, removestops=removestops, mode=mode, **kwargs
        )
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        if self.analyzer is None:
            raise RuntimeError("the tokenizer has no archive's analyzer: call bind() first")
        found = self.analyzer.terms(value, search_mode=self.search_mode)
        for pos, (word, start, end) in enumerate(found):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def analyzer() -> ChineseTokenizer:
    return ChineseTokenizer(search_mode=True)


def bind(schema: Any, analyzer: Analyzer) -> None:
    """Segment the text fields of a schema read from an archive's index with its analyzer."""
    for _name, field in schema.items():
        if isinstance(getattr(field, "analyzer", None), ChineseTokenizer):
            field.analyzer.analyzer = analyzer
