"""The one place text becomes terms, for the index and for queries alike.

Normalisation (NFKC width folding and case folding), then jieba for runs of Chinese
characters and a word pattern for everything else. Indexing uses jieba's search mode, which
adds the shorter dictionary words inside a longer word (检查 in 检查点), so a query for a part
finds the whole. HMM is off on both sides: new-word guessing depends on the surrounding text,
and the same string must give the same terms wherever it appears.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer

ANALYZER_VERSION = "1"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN = re.compile(
    rf"(?P<cjk>[{_CJK}]+)"
    rf"|(?P<word>[^\W_{_CJK}]+(?:[._-][^\W_{_CJK}]+)*(?:\+\+|#)?)"
)
_PART = re.compile(rf"[^\W_{_CJK}]+")

# Chinese function words that carry no meaning on their own. Only single characters and
# particles: nothing here can be part of a technical term, and English is never dropped.
STOPWORDS = frozenset(
    "的地得了着过和与及或而并且是在也就都又被把对从向于为以之其这那些个吗呢吧啊呀么嘛哦等即则若如但因所"
)

_jieba: Any = None


def normalize(text: str) -> str:
    """Fold widths (ＧＰＵ → gpu, （ → () and case, so both sides compare alike."""
    return unicodedata.normalize("NFKC", text).casefold()


def segmenter() -> Any:
    """jieba's tokenizer, initialised once with artread's own cache dir and no log lines."""
    global _jieba
    if _jieba is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", UserWarning)  # pkg_resources is deprecated
            warnings.simplefilter("ignore", DeprecationWarning)
            import jieba
        jieba.setLogLevel(logging.ERROR)
        from artread.config import cache_dir

        directory = cache_dir() / "jieba"
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        tokenizer = jieba.Tokenizer()
        # jieba's default cache lives in the shared temp dir, where another user can own it.
        tokenizer.tmp_dir = str(directory)
        tokenizer.cache_file = "jieba.cache"
        tokenizer.initialize()
        _jieba = tokenizer
    return _jieba


def terms(text: str, *, search_mode: bool = True) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) over the normalised text; offsets index the normalised string."""
    normalized = normalize(text)
    for match in _TOKEN.finditer(normalized):
        start = match.start()
        if match.lastgroup == "cjk":
            run = match.group()
            mode = "search" if search_mode else "default"
            for word, s, e in segmenter().tokenize(run, mode=mode, HMM=False):
                if word not in STOPWORDS:
                    yield word, start + s, start + e
            continue
        word = match.group()
        parts = list(_PART.finditer(word))
        for part in parts:
            yield part.group(), start + part.start(), start + part.end()
        if len(parts) > 1 or word.endswith(("+", "#")):
            yield word, start, match.end()


def query_terms_default(text: str) -> list[str]:
    """The distinct terms of a query word, segmented in jieba's default (accurate) mode.

    The index holds every search-mode term, which includes every default-mode word of the same
    text, so requiring these finds the word wherever the index segmented it the same way.
    """
    return list(dict.fromkeys(term for term, _, _ in terms(text, search_mode=False)))


class ChineseTokenizer(Tokenizer):
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
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
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
