"""artread's Whoosh tokenizer: analysis.terms() as Whoosh sees a field's tokens.

Apart from analysis.py because it needs Whoosh, and `latest` and `show` do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from artread.core.analysis import terms
from artread.core.engine.backend import analysis as whoosh_analysis


class ChineseTokenizer(whoosh_analysis.Tokenizer):
    """A Whoosh tokenizer around artread's terms()."""

    def __init__(self, search_mode: bool = True) -> None:
        self.search_mode = search_mode

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
        for pos, (word, start, end) in enumerate(terms(value, search_mode=self.search_mode)):
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
