"""Snippets: the passages of an article that hold a query's words, with highlights."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from artread.core import analysis, glossary, plaintext, spelling
from artread.core.analysis import Analyzer
from artread.core.front_matter import body_of
from artread.core.query import ParsedQuery

__all__ = ["SNIPPET_CHARS", "Snippet", "highlight_needles", "make_snippet"]

SNIPPET_CHARS = 120
FRAGMENT_CHARS = 2000  # a long article is turned into plain text only this far around the match
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")


@dataclass
class Snippet:
    """The passages of an article shown beside a result, with what to highlight."""

    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans in text
    truncated_start: bool = False
    truncated_end: bool = False


def highlight_needles(
    parsed: ParsedQuery,
    expansions: Sequence[glossary.Expansion] = (),
    corrections: Sequence[spelling.Correction] = (),
    analyzer: Analyzer | None = None,
) -> list[str]:
    """Normalised strings to highlight: each word whole, its terms (segmented by the archive's
    analyzer), each phrase, and the glossary forms and corrections the ranking used."""
    analyzer = analyzer or Analyzer()
    needles: list[str] = []
    for word in parsed.words:
        needles.append(analysis.normalize(word))
        needles.extend(analyzer.query_units(word))
    needles.extend(analysis.normalize(p) for p in parsed.phrases)
    for expansion in expansions:
        for alternative in expansion.alternatives:
            needles.append(analysis.normalize(alternative.form))
            needles.extend(alternative.terms)
    needles.extend(t for c in corrections for t in c.term.split())
    return [n for n in dict.fromkeys(needles) if n.strip()]


def make_snippet(source: str, needles: list[str], limit: int = SNIPPET_CHARS) -> Snippet:
    """The one or two passages with the most query words, highlights on the original text.

    A second passage is added when the best one misses a query word that occurs elsewhere.
    Passages start and end at sentence punctuation where that is near.
    """
    body, cut_before, cut_after = _fragment(body_of(source), needles)
    plain = plaintext.to_plain(body, keep_code=True, formulas=_formulas_for(needles))
    snippet = _snippet_of(" ".join(plain.split("\n")), needles, limit)
    snippet.truncated_start |= cut_before
    snippet.truncated_end |= cut_after
    return snippet


def _snippet_of(plain: str, needles: list[str], limit: int) -> Snippet:
    spans = _find_needles(plain, needles)
    if not spans:
        return Snippet(plain[:limit], [], False, len(plain) > limit)
    first = _best_window(plain, spans, limit)
    missing = {label for s, e, label in spans} - _labels_in(spans, first)
    rest = [span for span in spans if span[2] in missing and not _inside(span, first)]
    if not rest:
        return _passage_snippet(plain, spans, [first])
    share = limit * 11 // 20
    first = _best_window(plain, spans, share)
    second = _best_window(plain, rest, limit - share)
    windows = sorted([first, second])
    if windows[0][1] >= windows[1][0]:  # they touch: one passage
        windows = [(windows[0][0], max(windows[0][1], windows[1][1]))]
    return _passage_snippet(plain, spans, windows)


def _formulas_for(needles: list[str]) -> Callable[[str], str]:
    """Formulas as `show` reads them (xᵢ², a/b), except one whose LaTeX holds a query word
    that the reading does not (a search for \\frac or mathbf): that one stays as written, so
    the match is there to highlight."""

    def shown(tex: str) -> str:
        from artread.core.formula import readable  # only for an article that has formulas

        reading = readable(tex)
        written, read = _folded(tex), _folded(reading)
        if any(needle in written and needle not in read for needle in needles):
            return " ".join(tex.split())
        return reading

    return shown


def _fragment(body: str, needles: list[str]) -> tuple[str, bool, bool]:
    """The part of a long body around its densest matches, whole paragraphs, so that only
    that part is turned into plain text. Returns it and whether text was cut before or after.
    """
    if len(body) <= 2 * FRAGMENT_CHARS:
        return body, False, False
    # Only a place is wanted here, and the full normalisation of a long body costs more than
    # the rest of the snippet: case folding finds the needles in most articles; the full one
    # is the fallback (a traditional or full-width body).
    folded = body.casefold()
    spans: list[_Span] = []
    # Words the query holds whole (线程池) place the fragment; their parts (线程, 池) are
    # looked for only where the whole words are not, as each part matches far more often.
    searches = (
        [(_outermost(needles), folded), (needles, folded)] if len(folded) == len(body) else []
    )
    searches += [(_outermost(needles), None), (needles, None)]
    for wanted, text in searches:
        spans = _find_needles(body, wanted, text)
        if spans:
            break
    if not spans:
        return body[: 2 * FRAGMENT_CHARS], False, True
    center = _best_window(body, spans, SNIPPET_CHARS)[0]
    start = max(0, center - FRAGMENT_CHARS)
    end = min(len(body), center + FRAGMENT_CHARS)
    if start:
        paragraph = body.rfind("\n\n", 0, start)
        start = paragraph + 2 if paragraph != -1 else 0
        if body.count("```", 0, start) % 2:  # inside a code fence: start at the fence
            start = body.rfind("```", 0, start)
    paragraph = body.find("\n\n", end)
    end = paragraph if paragraph != -1 else len(body)
    return body[start:end], start > 0, end < len(body)


_Span = tuple[int, int, str]  # start, end in the plain text; what it matched


def _outermost(needles: list[str]) -> list[str]:
    """The needles that are not part of another needle."""
    return [n for n in needles if not any(n != other and n in other for other in needles)]


def _find_needles(plain: str, needles: list[str], folded: str | None = None) -> list[_Span]:
    """Where the needles are in `plain`; `folded`, when given, is plain folded to a text of
    the same length, searched instead of the normalised text."""
    if folded is None:
        normalized, origin = normalize_with_map(plain)
    else:
        normalized, origin = folded, range(len(plain))
    spans: list[_Span] = []
    stems = {analysis.stem(n) for n in needles if n.isascii() and n.isalpha()}
    for needle in needles:
        if needle.isascii() and needle.isalpha():
            continue
        for start, end in _occurrences(normalized, needle):
            spans.append((origin[start], origin[end - 1] + 1, needle))
    if stems:  # English words by stem: transformers finds Transformer
        # A word's stem begins like the word (Porter may turn a last y into i): look only at
        # words that begin like a stem, then stem those.
        starts = sorted({re.escape(s[:-1] if len(s) > 3 else s) for s in stems}, key=len)
        candidates = re.compile(rf"(?<![a-z])(?:{'|'.join(reversed(starts))})[a-z]*")
        for found in candidates.finditer(normalized):
            stem = analysis.stem(found.group())
            if stem in stems:
                start, end = found.span()
                spans.append((origin[start], origin[end - 1] + 1, stem))
    if not spans:  # nothing whole: show a word being typed where it starts one (tra in Training)
        spans = _word_starts(normalized, origin, needles)
    return sorted(spans)


def _word_starts(normalized: str, origin: Sequence[int], needles: list[str]) -> list[_Span]:
    """Where the Latin needles of two letters or more begin a word: an article the literal
    search found by a prefix (the reader searches as you type) holds no whole word of it.
    Single letters would mark half the words."""
    prefixes = sorted((n for n in needles if _is_word(n) and len(n) > 1), key=len, reverse=True)
    if not prefixes:
        return []
    starts = "|".join(re.escape(p) for p in prefixes)
    spans: list[_Span] = []
    for found in re.finditer(rf"(?<![a-z0-9_])(?:{starts})", normalized):
        start, end = found.span()
        spans.append((origin[start], origin[end - 1] + 1, found.group()))
    return spans


def _is_word(needle: str) -> bool:
    return needle.isascii() and needle.isalnum()


def _occurrences(text: str, needle: str) -> Iterator[tuple[int, int]]:
    """Where needle is in text, not overlapping, as re.finditer finds a literal (str.find is
    many times faster over a long article). A Latin term matches whole words only: R is not
    the r in "random"."""
    whole_words = needle[0].isascii() and needle[0].isalnum()
    start = text.find(needle)
    while start != -1:
        end = start + len(needle)
        if whole_words and (_is_latin(text, start - 1) or _is_latin(text, end)):
            start = text.find(needle, start + 1)
            continue
        yield start, end
        start = text.find(needle, end)


def _is_latin(text: str, at: int) -> bool:
    """text[at] is a lowercase Latin letter or digit (texts here are case folded)."""
    return 0 <= at < len(text) and text[at] in _LATIN


_LATIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _labels_in(spans: list[_Span], window: tuple[int, int]) -> set[str]:
    return {label for span in spans if _inside(span, window) for label in [span[2]]}


def _inside(span: _Span, window: tuple[int, int]) -> bool:
    return span[0] >= window[0] and span[1] <= window[1]


def _passage_snippet(plain: str, spans: list[_Span], windows: list[tuple[int, int]]) -> Snippet:
    text = ""
    highlights: list[tuple[int, int]] = []
    merged = _merge([(s, e) for s, e, _label in spans])
    for number, (begin, end) in enumerate(windows):
        if number:
            text += " … "
        offset = len(text) - begin
        text += plain[begin:end]
        highlights += [
            (max(s, begin) + offset, min(e, end) + offset)
            for s, e in merged
            if s < end and e > begin
        ]
    return Snippet(text, highlights, windows[0][0] > 0, windows[-1][1] < len(plain))


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index it came from.

    Width and case folding change lengths only at a few characters (… becomes ..., ß ss, and
    a letter with combining marks becomes one): those are folded one at a time, with their
    marks, and the stretches between them, which keep their length, at once. The conversion
    to simplified Chinese runs once over the result (OpenCC is slow to start on each piece).
    """
    whole = analysis.normalize(text)
    if len(whole) == len(text):
        return whole, list(range(len(text)))
    parts: list[str] = []
    origin: list[int] = []
    last = 0
    for start, stop in _units(text):
        _fold(text, last, start, parts, origin)
        one = _folded(text[start:stop])
        parts.append(one)
        origin.extend([start] * len(one))
        last = stop
    _fold(text, last, len(text), parts, origin)
    folded = analysis.to_simplified("".join(parts))
    if folded == whole and len(folded) == len(origin):
        return folded, origin
    # Folding in context differed (rare): the text is right, highlight positions approximate.
    return whole, [min(len(text) - 1, i * len(text) // len(whole)) for i in range(len(whole))]


def _units(text: str) -> list[tuple[int, int]]:
    """(start, stop) of each character whose folding changes its length, with the letter
    before its combining marks and the marks after it."""
    special = {c for c in set(text) if _changes_length(c)}
    if not special:
        return []
    found: list[tuple[int, int]] = []
    pattern = re.compile("[" + "".join(re.escape(c) for c in sorted(special)) + "]")
    for match in pattern.finditer(text):
        start = match.start()
        if unicodedata.combining(text[start]) and start > 0:
            start -= 1  # a letter goes with its combining marks: e + ́ is é
        stop = start + 1
        while stop < len(text) and unicodedata.combining(text[stop]):
            stop += 1
        if found and start < found[-1][1]:
            found[-1] = (found[-1][0], max(stop, found[-1][1]))
        else:
            found.append((start, stop))
    return found


@lru_cache(maxsize=4096)
def _changes_length(char: str) -> bool:
    if char.isascii() or "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf":
        return False
    # Combining marks and Hangul jamo join the characters next to them.
    jamo = any(first <= char <= last for first, last in _JAMO)
    return bool(unicodedata.combining(char)) or jamo or len(_folded(char)) != 1


_JAMO = (("\u1100", "\u11ff"), ("\ua960", "\ua97f"), ("\ud7b0", "\ud7ff"))


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _fold(text: str, start: int, stop: int, parts: list[str], origin: list[int]) -> None:
    """Fold text[start:stop], which keeps its length, character for character."""
    if start >= stop:
        return
    one = _folded(text[start:stop])
    if len(one) == stop - start:
        parts.append(one)
        origin.extend(range(start, stop))
        return
    for index in range(start, stop):  # not as expected after all: one at a time
        piece = _folded(text[index])
        parts.append(piece)
        origin.extend([index] * len(piece))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of overlapping spans, so overlapping words highlight as their longest whole."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _best_window(plain: str, spans: list[_Span], limit: int) -> tuple[int, int]:
    """A window of about `limit` characters over the densest run of matches, cut at sentences."""
    best, best_score = (spans[0][0], spans[0][0] + limit), -1.0
    previous = -1
    for number, (anchor_start, _end, _label) in enumerate(spans):
        if anchor_start == previous:  # nested needles (线程池, 线程) share a window
            continue
        previous = anchor_start
        window_end = anchor_start + limit
        labels: set[str] = set()
        length = 0
        for start, end, label in spans[number:]:  # sorted by start: stop past the window
            if start >= window_end:
                break
            if end <= window_end:
                labels.add(label)
                length += end - start
        score = len(labels) * 10 + length * 0.1
        if score > best_score:
            best, best_score = (anchor_start, window_end), score
    first = best[0]
    # Start at the beginning of the sentence holding the first match, when it is near.
    sentence_start = 0
    for match in _SENTENCE_END.finditer(plain, max(0, first - limit // 2), first):
        sentence_start = match.end()
    if first - sentence_start <= limit // 2:
        begin = sentence_start
    else:
        begin = max(0, first - limit // 4)
        # Do not start inside a Latin word: move to the next space if one is near.
        space = plain.find(" ", begin, first)
        if begin and plain[begin - 1].isascii() and plain[begin - 1].isalnum() and space != -1:
            begin = space + 1
    while begin < first and plain[begin] == " ":
        begin += 1
    end = min(len(plain), begin + limit)
    # End at the last sentence end after the last match in the window, when there is one.
    last_match = max((e for s, e, _l in spans if begin <= s and e <= end), default=begin)
    stops = [m.end() for m in _SENTENCE_END.finditer(plain, last_match, end)]
    if stops and end < len(plain):
        end = stops[-1]
    return begin, end
