"""What `artread doctor` reports: the health of an archive and of its index, read-only.

Nothing here changes the index: a doctor that repaired while it looked would hide what it saw.
Each finding says what to do about it.
"""

from __future__ import annotations

import fcntl
from dataclasses import dataclass, field
from pathlib import Path

from artread.core import archive, catalog, literal, signatures
from artread.core.files import read_utf8
from artread.core.freshness import USER_DICTIONARY, diff
from artread.core.index import FINGERPRINT, WHOOSH_DIR, ArchiveIndex, index_size
from artread.core.wording import counted


@dataclass
class Finding:
    """One thing `artread doctor` says about an archive or its index."""

    level: str  # "ok", "warning" or "problem"
    topic: str
    text: str


@dataclass
class Health:
    """Everything `artread doctor` found for one archive."""

    archive: str
    index_dir: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "problem"]

    def add(self, level: str, topic: str, text: str) -> None:
        self.findings.append(Finding(level, topic, text))


def lasting_warnings(current: catalog.Catalog) -> list[tuple[str, str]]:
    """(path, warning) for what reading each article found wrong, and for each article that
    could not have the id it asks for (its own, or its file's name): kept until fixed."""
    found: list[tuple[str, str]] = []
    articles = current.articles()
    holder = {entry.id: entry.path for entry in articles}
    for entry in sorted(articles, key=lambda e: e.path):
        found.extend((entry.path, warning) for warning in entry.warnings)
        wanted = entry.declared_id or archive.file_slug(entry.path)
        if entry.id != wanted and wanted in holder:
            found.append((entry.path, archive.id_taken(wanted, holder[wanted], entry.id)))
    return found


def examine(index: ArchiveIndex) -> Health:
    health = Health(str(index.root), str(index.index_dir))
    if not index.root.is_dir():
        health.add("problem", "archive", "the archive folder does not exist")
        return health
    scanned = archive.scan(index.root)
    if scanned.files:
        health.add("ok", "archive", counted(len(scanned.files), "Markdown file"))
    else:  # a wrong --archive, most likely: nothing to read is not a healthy archive
        health.add("problem", "archive", f"no Markdown files (.md, .markdown) in {index.root}")
    for path, reason in scanned.skipped:
        health.add("warning", "archive", f"not read: {path}: {reason}")
    _user_dictionary(index.root, health)
    _synonyms(index.root, index.cache_dir, health)
    if not (index.index_dir / catalog.FILENAME).is_file():
        health.add("warning", "index", "no index yet: any command builds it (artread index)")
        return health
    current = catalog.load(index.index_dir)
    if current is None:
        health.add("problem", "catalog", "unreadable: the next command rebuilds the index")
        return health
    if current.fingerprint != FINGERPRINT:
        health.add(
            "problem",
            "versions",
            f"index made as {current.fingerprint}, this artread needs {FINGERPRINT}: "
            "the next command rebuilds it",
        )
    else:
        health.add("ok", "versions", FINGERPRINT)
    indexed = current.articles()
    skipped = current.skipped()
    health.add(
        "ok",
        "catalog",
        f"{counted(len(indexed), 'article')} indexed, {counted(len(skipped), 'file')} skipped",
    )
    for path, reason in skipped:
        level = "ok" if reason == archive.SECTION_PAGE else "warning"
        health.add(level, "skipped", f"{path}: {reason}")
    for path, warning in lasting_warnings(current):
        health.add("warning", "article", f"{path}: {warning}")
    _freshness(current, scanned, health)
    _whoosh(index.index_dir / WHOOSH_DIR, len(indexed), health)
    _texts(index.index_dir, current, health)
    _lock(index.index_dir, health)
    if index.has_vectors():
        _vectors(index, current, health)
    size = index_size(index.index_dir) / 1024 / 1024
    health.add("ok", "size", f"{size:.1f} MB in {index.index_dir}")
    return health


def _user_dictionary(root: Path, health: Health) -> None:
    path = root / USER_DICTIONARY
    if not path.exists():
        health.add("ok", "dictionary", f"no {USER_DICTIONARY} (jieba's dictionary only)")
        return
    try:
        text = read_utf8(path)
    except (OSError, UnicodeDecodeError) as exc:
        health.add("problem", "dictionary", f"{USER_DICTIONARY} not read ({exc}): make it UTF-8")
        return
    words = [line for line in text.splitlines() if line.strip()]
    health.add("ok", "dictionary", f"{USER_DICTIONARY}: {counted(len(words), 'word')}")


def _synonyms(root: Path, cache_dir: Path, health: Health) -> None:
    from artread.core import glossary

    found = glossary.for_archive(root, cache_dir)
    groups = sum(1 for s in found.sources if s == "glossary")
    shipped = f"the shipped glossary: {counted(groups, 'group')}"
    if found.problem:
        health.add("problem", "synonyms", f"{found.problem}; {shipped} only")
    elif not (root / glossary.SYNONYMS_FILE).exists():
        health.add("ok", "synonyms", f"no {glossary.SYNONYMS_FILE} ({shipped})")
    else:
        own = sum(1 for s in found.sources if s == "synonyms")
        health.add(
            "ok", "synonyms", f"{glossary.SYNONYMS_FILE}: {counted(own, 'new group')}; {shipped}"
        )


def _freshness(current: catalog.Catalog, scanned: archive.ScanResult, health: Health) -> None:
    added, changed, removed = diff(current, scanned.files)
    if added or removed or changed:
        health.add(
            "warning",
            "freshness",
            f"{len(added)} added, {len(changed)} changed, {len(removed)} removed since the last "
            "update: the next command takes them in",
        )
    else:
        health.add("ok", "freshness", "up to date")


def _whoosh(folder: Path, expected: int, health: Health) -> None:
    from artread.core.engine import store

    try:
        found = store.census(folder)
    except Exception as exc:  # any damage: Whoosh raises many kinds
        health.add("problem", "whoosh", f"does not open ({exc}): the next command rebuilds it")
        return
    documents = found.documents
    level = "ok" if documents == expected else "problem"
    text = (
        f"{counted(documents, 'document')} in {counted(found.segments, 'segment')}, "
        f"{found.deleted} deleted awaiting a merge"
    )
    if level == "problem":
        text += f"; the catalog lists {expected}: run artread index --rebuild"
    health.add(level, "whoosh", text)


def _texts(index_dir: Path, current: catalog.Catalog, health: Health) -> None:
    file = index_dir / current.texts if current.texts else None
    if file is None or not file.is_file():
        health.add("problem", "literal texts", "missing: the next command rebuilds the index")
        return
    spans = list(current.spans().values())
    live = sum(span[1] + 1 for span in spans)
    size = file.stat().st_size
    dead = 100 * (size - live) // size if size else 0
    health.add("ok", "literal texts", f"{size / 1024 / 1024:.1f} MB, {dead}% left by updates")
    _signatures(file, spans, health)
    kept = {file, signatures.keys_of(file)}
    stray = [
        p.name
        for pattern in (f"{literal.PREFIX}*.bin", f"{literal.PREFIX}*{signatures.SUFFIXES}")
        for p in index_dir.glob(pattern)
        if p not in kept
    ]
    if stray:
        health.add(
            "warning", "literal texts", f"{len(stray)} unused files: the next update removes them"
        )


def _signatures(texts: Path, spans: list[list[int]], health: Health) -> None:
    """How many texts have signatures (a scan for text reads only the articles they allow)."""
    places = [(start, length) for start, length, _written in spans if signatures.worth_it(length)]
    found = signatures.load(texts)
    unsigned = len(found.unsigned(places)) if found is not None else len(places)
    if not places:
        health.add("ok", "signatures", "none needed: every text is short")
    elif not unsigned:
        health.add("ok", "signatures", f"all {len(places)} texts that need one")
    else:
        health.add(
            "warning",
            "signatures",
            f"{unsigned} of {len(places)} texts have none (an index from an earlier version):"
            " scans read them all; artread index --rebuild makes them",
        )


def _vectors(index: ArchiveIndex, current: catalog.Catalog, health: Health) -> None:
    """Search by meaning: how many articles have vectors of their current file."""
    from artread.core.semantic import model

    if model.made_with() is None:
        health.add("warning", "vectors", "present, but artread[semantic] is not installed")
        return
    if not index.meaning.present():
        health.add("warning", "vectors", "made with another model: `artread index` remakes them")
        return
    coverage = index.meaning.coverage(current)
    level = "ok" if coverage.embedded == coverage.total else "warning"
    health.add(
        level,
        "vectors",
        f"{coverage.embedded} of {counted(coverage.total, 'article')} "
        f"({model.NAME}); `artread index --semantic` makes the rest"
        if level == "warning"
        else f"{counted(coverage.total, 'article')} ({model.NAME})",
    )


def _lock(index_dir: Path, health: Health) -> None:
    path = index_dir / "lock"
    if not path.exists():
        health.add("ok", "lock", "free")
        return
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            health.add("warning", "lock", "held: another artread process is updating the index")
            return
        fcntl.flock(handle, fcntl.LOCK_UN)
    health.add("ok", "lock", "free")
