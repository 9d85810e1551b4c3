"""Groups of equivalent terms: 反向传播 = backpropagation = BP, 线程 = 執行緒.

artread ships a glossary of technical terms (data/glossary.txt); an archive adds its own groups
in an `artread.synonyms` file at its root, in the same format: one group per line, forms
separated by "=", `#` at the start of a line or after a space starting a comment (C# is a
form). A query word that is a form of a group is also searched as the group's other forms
(search.py weighs those a little below the form typed).

Forms are compared as query terms (Analyzer.query_units), so case, width, plurals and
traditional characters do not matter, and a form only matches whole query terms: 堆 is not
found inside 堆排序. Chinese forms are segmented when a query is expanded, with the analyzer of
the archive searched; Latin forms need no dictionary, so a built glossary holds none.
"""

from __future__ import annotations

import contextlib
import os
import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from artread.core import analysis
from artread.core.digest import sha1_hex
from artread.core.files import read_utf8, write_atomic

SYNONYMS_FILE = "artread.synonyms"
SHIPPED = Path(__file__).resolve().parent / "data" / "glossary.txt"
SEPARATOR = "="
_LONGEST = 6  # terms in the longest form looked for in a query
FORMAT = 4  # of a Glossary kept in the cache dir
_JOIN = "\x1f"  # between the forms of a group, and the terms of a Latin form, in the cache


@dataclass(frozen=True)
class Alternative:
    """Another form of a glossary group, as the query searches it."""

    form: str  # as written in the glossary
    terms: tuple[str, ...]  # its query terms: an article must hold all of them


@dataclass(frozen=True)
class Expansion:
    """Query terms that make up one form of a group, and the group's other forms."""

    span: tuple[str, ...]  # the query's own terms (consecutive) that the form covers
    form: str  # the form the query used, as written in the glossary
    alternatives: tuple[Alternative, ...]
    source: str = "glossary"  # or "synonyms" (the archive's own file)


_COMMENT = re.compile(r"(?:^|\s)#")  # at the start of a line or after a space: C# is a form


def parse(text: str) -> list[tuple[str, ...]]:
    """The groups of a glossary text: each line's forms, blank forms and comments dropped."""
    groups = []
    for line in text.lstrip("\ufeff").splitlines():
        line = _COMMENT.split(line, maxsplit=1)[0]
        forms = tuple(dict.fromkeys(f.strip() for f in line.split(SEPARATOR) if f.strip()))
        if len(forms) > 1:
            groups.append(forms)
    return groups


class Glossary:
    """Groups of equivalent forms, looked up by the query terms a form is made of."""

    def __init__(self, groups: Iterable[tuple[str, ...]], user: Iterable[tuple[str, ...]] = ()):
        self.format = FORMAT
        self.problem: str | None = None  # why the archive's synonyms could not be read
        self.groups: list[tuple[str, ...]] = []
        self.sources: list[str] = []
        self._group_of: dict[str, int] | None = {}  # normalised form -> group
        for source, items in (("glossary", groups), ("synonyms", user)):
            for forms in items:
                self._add(forms, source)
        # Latin forms are matched by their terms (cheap: no segmentation). Chinese forms, and
        # forms whose terms lose characters (b+ tree is the terms b, tree), by their text
        # first, and segmented only when the query holds that text.
        self._latin: dict[str, str] = {}  # terms joined by _JOIN -> form
        self._by_text: list[str] = []
        latin = analysis.Analyzer()  # Latin text is segmented alike whatever the dictionary
        for normalized in self._groups_by_form():
            if analysis.has_cjk(normalized) or not lossless(normalized):
                self._by_text.append(normalized)
            else:
                key = _JOIN.join(latin.query_units(normalized))
                if key:
                    self._latin.setdefault(key, normalized)

    def _add(self, forms: tuple[str, ...], source: str) -> None:
        normalized = [analysis.normalize(f) for f in forms]
        # A user group that shares a form with an earlier group joins it.
        by_form = self._groups_by_form()
        joined = next((by_form[n] for n in normalized if n in by_form), None)
        if joined is None:
            self.groups.append(tuple(forms))
            self.sources.append(source)
            joined = len(self.groups) - 1
        else:
            extra = [f for f in forms if analysis.normalize(f) not in self._forms_of(joined)]
            self.groups[joined] = self.groups[joined] + tuple(extra)
        for n in normalized:
            by_form.setdefault(n, joined)

    def _forms_of(self, group: int) -> set[str]:
        return {analysis.normalize(f) for f in self.groups[group]}

    def __len__(self) -> int:
        return len(self.groups)

    def forms(self) -> list[str]:
        """Every form, normalised."""
        return list(self._groups_by_form())

    def group_of(self, text: str) -> tuple[str, ...] | None:
        """The group a form belongs to, or None."""
        found = self._groups_by_form().get(analysis.normalize(text).strip())
        return None if found is None else self.groups[found]

    def _groups_by_form(self) -> dict[str, int]:
        if self._group_of is None:  # read from the cache: made when first needed
            forms = self._forms_text[1:-1].split("\n") if self._forms_text != "\n" else []
            self._group_of = dict(zip(forms, self._form_groups, strict=True))
        return self._group_of

    def _group_index(self, form: str) -> int:
        """The group of a form the glossary holds (found in the text of every form, which
        is quicker than making the dict of every form for one search)."""
        if self._group_of is not None:
            return self._group_of[form]
        at = self._forms_text.index(f"\n{form}\n")
        return self._form_groups[self._forms_text.count("\n", 0, at)]

    def expand(
        self, text: str, units: list[str], analyzer: analysis.Analyzer | None = None
    ) -> list[Expansion]:
        """The groups whose forms a query uses, longest forms first, without overlaps.

        text: the query as typed; units: its terms (analyzer.query_units); analyzer: the
        archive's (None: no user dictionary).
        """
        analyzer = analyzer or analysis.Analyzer()
        if not units:
            return []
        normalized = analysis.normalize(text)
        found: list[tuple[int, int, str]] = []  # start, end in units; the form
        for length in range(min(_LONGEST, len(units)), 0, -1):
            for start in range(len(units) - length + 1):
                form = self._latin.get(_JOIN.join(units[start : start + length]))
                if form is not None:
                    found.append((start, start + length, form))
        for form in self._by_text:
            if form in normalized:
                span = analyzer.query_units(form)
                start = _find_run(units, span)
                if start is not None:
                    found.append((start, start + len(span), form))
        found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
        taken: set[int] = set()
        expansions = []
        for start, end, form in found:
            if taken & set(range(start, end)):
                continue
            taken.update(range(start, end))
            expansion = self._expansion(tuple(units[start:end]), form, analyzer)
            if expansion.alternatives:
                expansions.append(expansion)
        expansions.sort(key=lambda e: units.index(e.span[0]))
        return expansions

    def _expansion(
        self, span: tuple[str, ...], form: str, analyzer: analysis.Analyzer
    ) -> Expansion:
        group = self._group_index(form)
        alternatives = []
        seen = {span}
        written = form
        for other in self.groups[group]:
            normalized = analysis.normalize(other)
            if normalized == form:
                written = other
                continue
            # (A form whose terms lose characters, b+树 as b and 树, also finds what holds
            # those terms: B树. Searched for, it is a little loose; only typing it exactly
            # selects its group.)
            terms = tuple(analyzer.query_units(normalized))
            if terms and terms not in seen:
                seen.add(terms)
                alternatives.append(Alternative(other, terms))
        return Expansion(span, written, tuple(alternatives), self.sources[group])


def lossless(form: str) -> bool:
    """True when the form's terms keep every character of its text but spaces and the
    hyphens, dots and underscores inside compounds."""
    kept = "".join(token.text for token in analysis.tokens(form))
    return kept == re.sub(r"\s+", "", form)


def _find_run(units: list[str], run: list[str]) -> int | None:
    if not run:
        return None
    for start in range(len(units) - len(run) + 1):
        if units[start : start + len(run)] == run:
            return start
    return None


_loaded: dict[tuple, Glossary] = {}  # the most recently used last
KEEP_LOADED = 4  # each edit of an artread.synonyms gives a new key: keep the recent ones only


def for_archive(root: Path | None, cache_dir: Path | None = None) -> Glossary:
    """The shipped glossary plus the archive's artread.synonyms.

    Built once per process, and kept in the cache dir between processes: building it
    normalises and analyses every form, which every search would pay for.
    """
    user_path = Path(root) / SYNONYMS_FILE if root is not None else None
    key = (str(user_path), _stamp(user_path), _stamp(SHIPPED), analysis.ANALYZER_VERSION, FORMAT)
    found = _loaded.pop(key, None)
    if found is None:
        found = _cached(key, user_path, cache_dir)
    _loaded[key] = found
    while len(_loaded) > KEEP_LOADED:
        del _loaded[next(iter(_loaded))]
    return found


def cache_size() -> int:
    """How many glossaries this process holds."""
    return len(_loaded)


def _cached(key: tuple, user_path: Path | None, cache_dir: Path | None) -> Glossary:
    from artread.config import cache_subdir

    digest = sha1_hex(repr(key).encode("utf-8", "surrogatepass"))[:16]
    try:
        folder: Path | None = cache_subdir("glossary", cache_dir)  # UnsafeStorage if others can
    except OSError:
        folder = None  # a read-only cache dir: build it every time
    path = folder / f"{digest}.msgpack" if folder else None
    found = _read(path) if path else None
    if found is not None:
        return found
    user_text, problem = "", None
    if key[1] is not None and user_path is not None:
        try:
            user_text = read_utf8(user_path, errors="replace")
        except OSError as exc:
            problem = f"cannot read {SYNONYMS_FILE}: {exc.strerror or exc}"
    built = Glossary(shipped_groups(), parse(user_text))
    built.problem = problem
    if path is not None:
        with contextlib.suppress(OSError):  # a read-only cache dir: build it every time
            _write(path, built)
    return built


# A built glossary in the cache dir, as MessagePack: reading it cannot run code. Every search
# reads it: a group is one string (its forms joined), split when the group is used.
_FIELDS = ("format", "problem", "sources")


class _Groups(Sequence[tuple[str, ...]]):
    """The groups of a glossary read from the cache: each one split when first asked for."""

    def __init__(self, joined: list[str]) -> None:
        self._joined = joined

    def __getitem__(self, group: int) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(self._joined[group].split(_JOIN))

    def __len__(self) -> int:
        return len(self._joined)


def _read(path: Path) -> Glossary | None:
    """The glossary cached at path; None if missing, damaged or of another format."""
    import msgpack

    from artread.core.files import read_own

    packed = read_own(path)
    if packed is None:
        return None
    try:
        fields = msgpack.unpackb(packed, unicode_errors="surrogatepass")
        if fields.get("format") != FORMAT:
            return None
        found = Glossary.__new__(Glossary)
        for name in _FIELDS:
            setattr(found, name, fields[name])
        found.groups = _Groups(fields["groups"])  # type: ignore[assignment]
        found._group_of = None
        found._forms_text = fields["forms"]
        found._form_groups = array("I", fields["form_groups"])
        keys, forms = _lines(fields["latin_keys"]), _lines(fields["latin_forms"])
        found._latin = dict(zip(keys, forms, strict=True))
        found._by_text = _lines(fields["by_text"])
        return found
    except Exception:  # truncated, or written by another version: build it again
        return None


def _write(path: Path, built: Glossary) -> None:
    import msgpack

    fields = {name: getattr(built, name) for name in _FIELDS}
    fields["groups"] = [_JOIN.join(group) for group in built.groups]
    by_form = built._groups_by_form()
    fields["forms"] = "\n" + "".join(f"{form}\n" for form in by_form)
    fields["form_groups"] = array("I", by_form.values()).tobytes()
    fields["latin_keys"] = "\n".join(built._latin)
    fields["latin_forms"] = "\n".join(built._latin.values())
    fields["by_text"] = "\n".join(built._by_text)
    data = msgpack.packb(fields, unicode_errors="surrogatepass")
    write_atomic(path, data)


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def shipped_groups() -> list[tuple[str, ...]]:
    try:
        return parse(SHIPPED.read_text(encoding="utf-8"))
    except OSError:
        return []


def _stamp(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns
