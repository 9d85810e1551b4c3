"""The one place text becomes terms, for the index and for queries alike.

Normalisation (NFKC width folding, case folding, traditional to simplified Chinese), then
jieba for runs of Chinese characters and a word pattern for everything else; English words are
stemmed (transformers and transformer are one term). Indexing uses jieba's search mode, which
adds the shorter dictionary words inside a longer word (检查 in 检查点), so a query for a part
finds the whole. HMM is off on both sides: new-word guessing depends on the surrounding text,
and the same string must give the same terms wherever it appears.

An archive may add words to jieba's dictionary with an `artread.dict` file (jieba's user
dictionary format: `word [frequency] [tag]` per line): an Analyzer holds one archive's.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import unicodedata
import warnings
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from artread.core import wordcut

ANALYZER_VERSION = "2"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A token is a run of Chinese characters, or a word of other letters and digits (torch.utils,
# C++, GPU in GPU加速): _TOKEN finds them. Each class of Chinese characters in a pattern costs
# milliseconds to compile, and _TOKEN has three: it is compiled for indexing, where it is
# fastest. A query's few words are read by tokens() with one class alone, in _CJK_RUN: _WORD
# also takes in the Chinese characters next to letters (they are word characters), and
# tokens() splits such a match. A test holds the two to the same tokens.
_TOKEN = (
    rf"(?P<cjk>[{_CJK}]+)"
    rf"|(?P<word>[^\W_{_CJK}]+(?:[._-][^\W_{_CJK}]+)*(?:\+\+|#)?)"
)
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(r"[^\W_]+(?:[._-][^\W_]+)*(?:\+\+|#)?")
# The parts of a word (which holds no Chinese): torch.utils is torch and utils.
_PART = re.compile(r"[^\W_]+")

# Chinese function words that carry no meaning on their own. Only single characters and
# particles: nothing here can be part of a technical term, and English is never dropped.
STOPWORDS = frozenset(
    "的地得了着过和与及或而并且是在也就都又被把对从向于为以之其这那些个吗呢吧啊呀么嘛哦等即则若如但因所"
)

# Words that make a query a question but say nothing about its subject. Dropped from queries
# only (the index keeps them), and only when something else is left to search for.
_FILLER_WORDS = """
    如何 怎么 怎样 怎么样 怎么办 为什么 为何 为啥 啥 什么 什么样 哪些 哪个 哪种 哪里
    是否 能否 请问 一下 有没有
"""
# English question and function words. In a Chinese archive they are rare enough to weigh a
# lot, and to look like typos. Not the keywords a programmer searches for: this, new, if.
# `don`, `isn`, `s`, `t`: what is left of don't, isn't, what's.
_ENGLISH_FILLER_WORDS = """
    how what why when which who whom whose where whats
    is are was were be been being am do does did doing done have has had having
    can could should would will shall may might must
    don doesn didn isn aren wasn weren hasn haven hadn won wouldn shouldn couldn s t
    the a an that these those some any
    i me my you your we our us it its they them their he she his her
    of to for with about into than on at by from in as between
    and or but not vs versus please
"""
ENGLISH_FILLER = frozenset(_ENGLISH_FILLER_WORDS.split())
QUERY_FILLER = frozenset(_FILLER_WORDS.split()) | ENGLISH_FILLER | STOPWORDS
# Words that make a query a question (search by meaning weighs meaning more for one).
QUESTION_WORDS = frozenset(_FILLER_WORDS.split()) | frozenset(
    ["吗", "呢", "how", "what", "why", "when", "which", "who", "where", "whats"]
)

_base: Any = None  # jieba's tokenizer with its stock dictionary, shared by every Analyzer
# jieba's tokenizer and the lexicon for each user dictionary, by its digest: shared by the
# analyzers of archives with the same dictionary (each holds a copy of jieba's dictionary).
_segmenters: dict[str, Any] = {}
_t2s: Any = None
_lexicons: dict[str, Any] = {}  # the most recently used last
KEEP_LEXICONS = 4  # as many as a resident process keeps archives (server.Indexes.KEEP)


class Token(NamedTuple):
    """A run of Chinese characters (cjk), or one word of other letters and digits."""

    text: str
    start: int
    end: int
    cjk: bool


@lru_cache(maxsize=1)
def token_pattern() -> re.Pattern[str]:
    """_TOKEN, compiled: the tokens of a text (as tokens() finds them) at indexing speed."""
    return re.compile(_TOKEN)


def tokens(text: str) -> Iterator[Token]:
    """The runs of Chinese and the words of text, in order (what the analyzer segments and
    stems): `GPU加速ok` is GPU, 加速 and ok; `torch.utils` and `C++` are one word each."""
    for match in _WORD.finditer(text):
        word, start = match.group(), match.start()
        if word.isascii():
            yield Token(word, start, match.end(), False)
            continue
        at = 0
        for run in _CJK_RUN.finditer(word):
            yield from _words(word, at, run.start(), start)
            yield Token(run.group(), start + run.start(), start + run.end(), True)
            at = run.end()
        yield from _words(word, at, len(word), start)


def _words(text: str, begin: int, end: int, offset: int) -> Iterator[Token]:
    """The words of text[begin:end], which holds no Chinese, at their places plus offset."""
    for match in _WORD.finditer(text, begin, end):
        yield Token(match.group(), offset + match.start(), offset + match.end(), False)


def has_cjk(text: str) -> bool:
    """Whether text holds a Chinese character."""
    return not text.isascii() and _CJK_RUN.search(text) is not None


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese (梯度檢查點 → 梯度检查点), with OpenCC."""
    global _t2s
    if not has_cjk(text):
        return text
    if _t2s is None:
        import opencc

        _t2s = opencc.OpenCC("t2s.json")
    return _t2s.convert(text)


def normalize(text: str) -> str:
    """Fold widths (ＧＰＵ → gpu, （ → (), case and traditional characters, for both sides."""
    return to_simplified(unicodedata.normalize("NFKC", text).casefold())


@lru_cache(maxsize=8192)  # a snippet stems every word that begins like a query word
def stem(word: str) -> str:
    """An English word's stem (Porter), so plurals and singulars meet; other words unchanged."""
    if len(word) < 4 or not (word.isascii() and word.isalpha()):
        return word
    from artread.core.engine.stemmer import stem as porter

    return porter(word)


def dictionary_digest(text: str) -> str:
    if not text.strip():
        return ""
    from artread.core.digest import sha256_hex

    return sha256_hex(text.encode("utf-8"))[:16]


def cache_sizes() -> dict[str, int]:
    """How many user dictionaries this process holds a tokenizer or a lexicon for."""
    return {"segmenters": len(_segmenters), "lexicons": len(_lexicons)}


def ensure_lexicon(cache_dir: Path | None = None) -> Path | None:
    """The lexicon file for the installed jieba, written from jieba's dictionary if missing."""
    from artread.config import cache_subdir, check_file
    from artread.core import lexicon

    path = lexicon.lexicon_path(cache_subdir("jieba", cache_dir))
    if path is None:
        return None
    try:
        check_file(path, os.lstat(path))
    except FileNotFoundError:
        base = _base_segmenter(cache_dir)
        lexicon.build(path, base.FREQ, base.total)
    return path


def _base_segmenter(cache_dir: Path | None) -> Any:
    """jieba's tokenizer, initialised once with artread's own cache dir and no log lines."""
    global _base
    if _base is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", UserWarning)  # pkg_resources is deprecated
            warnings.simplefilter("ignore", DeprecationWarning)
            import jieba
        import logging  # jieba has imported it already

        jieba.setLogLevel(logging.ERROR)
        from artread.config import cache_subdir, check_file

        directory = cache_subdir("jieba", cache_dir)
        with contextlib.suppress(FileNotFoundError):  # jieba unmarshals its cache file
            cached = directory / "jieba.cache"
            check_file(cached, os.lstat(cached))
        tokenizer = jieba.Tokenizer()
        # jieba's default cache lives in the shared temp dir, where another user can own it.
        tokenizer.tmp_dir = str(directory)
        tokenizer.cache_file = "jieba.cache"
        tokenizer.initialize()
        _base = tokenizer
    return _base


def _segmenter(digest: str, text: str, cache_dir: Path | None) -> Any:
    """jieba's tokenizer with this user dictionary, made once per dictionary."""
    tokenizer = _segmenters.get(digest)
    if tokenizer is None:
        base = _base_segmenter(cache_dir)
        if not digest:
            return base
        import jieba

        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, tokenizer.total = dict(base.FREQ), base.total
        tokenizer.initialized = True
        tokenizer.tmp_dir, tokenizer.cache_file = base.tmp_dir, base.cache_file
        tokenizer.load_userdict(io.BytesIO(text.encode("utf-8")))
        _segmenters.clear()  # one user dictionary's copy of jieba's dictionary at a time
        _segmenters[digest] = tokenizer
    return tokenizer


def _lexicon(digest: str, text: str, cache_dir: Path | None) -> Any:
    """The lexicon with this user dictionary applied; None without jieba's dict file."""
    from artread.core import lexicon

    found = _lexicons.pop(digest, None)
    if found is None:
        path = ensure_lexicon(cache_dir)
        if path is None:
            return None
        found = lexicon.Lexicon(path, text)
    _lexicons[digest] = found
    while len(_lexicons) > KEEP_LEXICONS:  # an edited dictionary's old lexicon is not used again
        _lexicons.pop(next(iter(_lexicons))).close()
    return found


class Analyzer:
    """Text to terms for one archive: jieba's dictionary plus the archive's user dictionary.

    Owned by the archive's index (ArchiveIndex.analyzer), so the index and every query of that
    archive are segmented alike, whichever archive was read before. Immutable: another
    dictionary, or indexing from the lexicon, is another Analyzer.
    """

    def __init__(
        self,
        user_dictionary: str | None = None,
        *,
        index_from_lexicon: bool = False,
        cache_dir: Path | None = None,
    ):
        self.user_dictionary = user_dictionary or ""
        # Where jieba's dictionary cache and the lexicon are kept (None: config.cache_dir()).
        # Not part of what the analyzer is: the same dictionary gives the same terms anywhere.
        self.cache_dir = cache_dir
        self.digest = dictionary_digest(self.user_dictionary)
        # Segment text for the index from the lexicon instead of jieba (the same terms): worth
        # it for a few changed files, as jieba takes a second to load and the lexicon none.
        self.index_from_lexicon = index_from_lexicon

    def __repr__(self) -> str:
        return f"Analyzer(user dictionary {self.digest or 'none'})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Analyzer) and (other.digest, other.index_from_lexicon) == (
            self.digest,
            self.index_from_lexicon,
        )

    def __hash__(self) -> int:
        return hash((self.digest, self.index_from_lexicon))

    def with_lexicon(self, enabled: bool = True) -> Analyzer:
        """This analyzer, segmenting text for the index from the lexicon (or not)."""
        return Analyzer(self.user_dictionary, index_from_lexicon=enabled, cache_dir=self.cache_dir)

    def segmenter(self) -> Any:
        """jieba's tokenizer with this analyzer's user dictionary."""
        return _segmenter(self.digest, self.user_dictionary, self.cache_dir)

    def lexicon(self) -> Any:
        """The SQLite lexicon with this analyzer's user dictionary; None without jieba's file."""
        return _lexicon(self.digest, self.user_dictionary, self.cache_dir)

    def terms(self, text: str, *, search_mode: bool = True) -> Iterator[tuple[str, int, int]]:
        """(term, start, end) over the normalised text; offsets index the normalised string."""
        normalized = normalize(text)
        for match in token_pattern().finditer(normalized):
            start = match.start()
            if match.lastgroup == "cjk":
                for word, s, e in self._cjk_terms(match.group(), search_mode):
                    if word not in STOPWORDS:
                        yield word, start + s, start + e
                continue
            word = match.group()
            parts = list(_PART.finditer(word))
            for part in parts:
                yield stem(part.group()), start + part.start(), start + part.end()
            if len(parts) > 1 or word.endswith(("+", "#")):
                yield word, start, match.end()

    def _cjk_terms(self, run: str, search_mode: bool) -> Iterator[tuple[str, int, int]]:
        lexicon = self.lexicon() if self.index_from_lexicon and search_mode else None
        if lexicon is not None:
            return lexicon.tokenize_for_search(run)
        return wordcut.tokenize(self.segmenter(), run, search_mode)

    def query_words(self, run: str) -> Iterator[str]:
        """A run of Chinese segmented as jieba's default mode (HMM off) would, for a query.

        From the SQLite lexicon, which answers at once; jieba itself loads for a second.
        """
        found = self.lexicon()
        if found is None:  # jieba without its dictionary file: use jieba itself
            yield from self.segmenter().cut(run, HMM=False)
        else:
            yield from found.cut(run)

    def query_units(self, text: str) -> list[str]:
        """The terms a query must find, in order: jieba's default (accurate) mode, no filler.

        The index holds every search-mode term, which includes every default-mode word of the
        same text. A Latin compound (torch.utils.checkpoint, C++) is one unit: the index holds
        it whole. Question words and filler (如何, 为什么, how) are dropped unless nothing else
        is left.
        """
        return units_of(self.query_terms(text))

    def query_word(self, text: str) -> tuple[tuple[str, ...], bool]:
        """A query word's terms to search (query_units), and whether it is made only of
        question words and filler: told by the words as typed (does is; its stem doe is not)."""
        terms = self.query_terms(text)
        return tuple(units_of(terms)), all(filler for _unit, filler in terms)

    def query_terms(self, text: str) -> list[tuple[str, bool]]:
        """Every term of a query, in order, each with whether it is filler (如何, how)."""
        units: list[tuple[str, bool]] = []  # (unit, is filler)
        normalized = normalize(text)
        for token in tokens(normalized):
            if token.cjk:
                units.extend(
                    (word, word in QUERY_FILLER)
                    for word in self.query_words(token.text)
                    if word not in STOPWORDS
                )
                continue
            word = token.text
            compound = len(_PART.findall(word)) > 1 or word.endswith(("+", "#"))
            units.append((word if compound else stem(word), word in QUERY_FILLER))
        return units


def units_of(terms: list[tuple[str, bool]]) -> list[str]:
    """The terms to search of a query's (term, is filler) pairs, each once: those that are not
    filler, or all of them if nothing else is left."""
    meaningful = [unit for unit, filler in terms if not filler]
    return list(dict.fromkeys(meaningful or [unit for unit, _filler in terms]))
