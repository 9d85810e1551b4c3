"""The index of an archive, read side: the catalog, the Whoosh index, the literal texts.

Updating it is core.update's work, and checking that it matches the archive core.freshness's;
ArchiveIndex.sync() and is_fresh() hand over to them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from artread.config import UnsafeStorage, index_dir_for
from artread.config import cache_dir as config_cache_dir
from artread.core import analysis, catalog, literal, textfile
from artread.core.analysis import ANALYZER_VERSION
from artread.core.vocabulary import Vocabulary

if TYPE_CHECKING:
    from artread.core import archive
    from artread.core.semantic.meaning import Meaning
    from artread.resident.watch import FolderWatch

SCHEMA_VERSION = "6"  # bump when what is indexed or cataloged changes (6: markup, formulas)


def _dictionary_version() -> str:
    """jieba's dictionary, named by its size: another dictionary segments differently."""
    from artread.core.lexicon import jieba_dictionary

    found = jieba_dictionary()
    return f"jieba{found.stat().st_size}" if found else "jieba-unknown"


# Every version the index depends on: a mismatch with the installed artread means rebuild.
FINGERPRINT = (
    f"catalog{catalog.VERSION}-schema{SCHEMA_VERSION}-analyzer{ANALYZER_VERSION}"
    f"-{_dictionary_version()}"
)
WHOOSH_DIR = "whoosh"

Progress = Callable[[int, int, str], None]


@dataclass
class SyncReport:
    """What bringing an index up to date did."""

    scanned: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    workers: int = 0  # processes that read and segmented the files (0: this one)
    busy: bool = False  # another process was updating; the last complete index is used
    skipped: list[tuple[str, str]] = field(default_factory=list)  # newly found problems
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)


class ArchiveIndex:
    """An archive folder and its index: the entry point of the core."""

    def __init__(
        self, root: Path, index_dir: Path | None = None, *, cache_dir: Path | None = None
    ) -> None:
        """index_dir and cache_dir default to where $ARTREAD_INDEX_DIR and $ARTREAD_CACHE_DIR
        (or the user cache dir) say in this process's environment; commands give their own."""
        self.root = Path(root).resolve()
        self.index_dir = Path(index_dir) if index_dir else index_dir_for(self.root)
        # jieba's dictionary cache, the lexicon and the glossary cache live there
        self.cache_dir = Path(cache_dir) if cache_dir else config_cache_dir()
        self._catalog: catalog.Catalog | None = None
        self._analyzer: tuple[catalog.Catalog, analysis.Analyzer] | None = None
        self._whoosh: Any = None
        self._reader: Any = None  # one Whoosh reader for every search of this index
        self._texts: literal.LiteralStore | None = None
        self._paths: dict[int, str] = {}  # Whoosh document number -> article path
        self.field_lengths: dict = {}  # read by scoring.matches() while the reader is open
        self.vocabulary = Vocabulary(self.index_dir)  # for typos and did-you-mean
        # Set by a resident process: what changed is then known without a look at each file.
        self.watch: FolderWatch | None = None
        # Set by a resident process, which keeps the index open for many commands.
        self.resident = False
        self.linked: list[str] = []  # files with links, from the last look at every file
        self._meaning: Meaning | None = None

    @property
    def catalog(self) -> catalog.Catalog:
        if self._catalog is None:
            loaded = catalog.load(self.index_dir)
            # None read (missing, damaged or of an older format): what index there is, is rebuilt.
            self._catalog = loaded or catalog.Catalog(str(self.root), "")
        return self._catalog

    @property
    def meaning(self) -> Meaning:
        """The index's passage vectors and the model (artread[semantic]), loaded when used."""
        if self._meaning is None:
            from artread.core.semantic.meaning import Meaning

            self._meaning = Meaning(self.index_dir)
        return self._meaning

    def has_vectors(self) -> bool:
        """Vectors of some articles exist (a stat: nothing imported)."""
        from artread.core.semantic import FILENAME

        return (self.index_dir / FILENAME).exists()

    @property
    def analyzer(self) -> analysis.Analyzer:
        """How this archive's text becomes terms: with the user dictionary the index was built
        with, so queries are segmented as the articles were."""
        current = self.catalog
        if self._analyzer is None or self._analyzer[0] is not current:
            found = analysis.Analyzer(current.dictionary.get("text"), cache_dir=self.cache_dir)
            self._analyzer = (current, found)
        return self._analyzer[1]

    def is_current(self) -> bool:
        """The catalog this object holds is the one on disk: no other process has updated
        the index since this one read or wrote it."""
        return self._catalog is not None and self._catalog.identity == catalog.identity_of(
            self.index_dir
        )

    def literal(self) -> literal.LiteralStore:
        """The articles' normalised text, for literal matching."""
        current = self.catalog
        if self._texts is not None and self._texts.file == self.index_dir / current.texts:
            return self._texts
        try:
            self._texts = _opened(texts_of(self.index_dir, current))
        except OSError:  # replaced by another process's update since the catalog was read
            self._catalog = None
            self._texts = _opened(texts_of(self.index_dir, self.catalog))
        return self._texts

    @contextmanager
    def searcher(self, weighting: Any = None) -> Iterator[Any]:
        """A Whoosh searcher (BM25F unless told otherwise) on a reader opened once: opening
        the segments' files of a big archive costs more than many searches."""
        from artread.core.engine import store

        if self._reader is None:
            from artread.core.engine.tokenizer import bind

            self._reader = self.whoosh().reader()
            bind(self._reader.schema, self.analyzer)
        yield store.searcher(self._reader, weighting)

    def whoosh(self) -> Any:
        """The open Whoosh index; a damaged one is rebuilt from the archive, not a traceback."""
        if self._whoosh is None:
            from artread.core.engine import store

            whoosh_dir = self.index_dir / WHOOSH_DIR
            try:
                store.check(whoosh_dir)
                self._whoosh = store.open_index(whoosh_dir, mapped=self.resident)
            except UnsafeStorage:
                raise
            except Exception:
                self.sync(rebuild=True)
                self._whoosh = store.open_index(whoosh_dir, mapped=self.resident)
        return self._whoosh

    def read_text(self, entry: catalog.Entry) -> str:
        """The current text of an indexed article's file (front matter included)."""
        full = textfile.within(self.root, entry.path)
        if full is None:
            raise FileNotFoundError(entry.path)
        return textfile.read_text(full)[0]

    def read_article(self, entry: catalog.Entry) -> archive.Article:
        from artread.core import archive

        article = archive.read_article(self.root, entry.path)
        article.id = entry.id
        return article

    def usable(self) -> bool:
        """A complete index of this archive, made by this version of artread, is on disk."""
        current = self.catalog
        return (
            current.fingerprint == FINGERPRINT
            and current.archive == str(self.root)
            and (self.index_dir / catalog.FILENAME).is_file()
            and (self.index_dir / WHOOSH_DIR).is_dir()
            and bool(current.texts)
            and (self.index_dir / current.texts).is_file()
        )

    def is_fresh(self) -> bool:
        """True when the index is usable and no file was added, changed or removed."""
        from artread.core.freshness import is_fresh

        return is_fresh(self)

    def sync(
        self,
        *,
        rebuild: bool = False,
        progress: Progress | None = None,
        waiting: Callable[[], None] | None = None,
        wait: bool = True,
        jobs: int | None = None,
        updating: Callable[[], AbstractContextManager[Any]] = nullcontext,
    ) -> SyncReport:
        """Bring the index up to date with the archive; re-read only changed files.

        With wait=False, when another process is updating the index and a complete one is
        on disk, return at once (report.busy) and let the caller read the last complete index.
        jobs: processes that read and segment a big update (default: one per core when there
        is enough to read); 1 reads in this process.
        updating: what to hold while the index is written (the caller's policy, e.g. garbage
        collection on in a process that has turned it off).
        """
        started = time.perf_counter()
        if not self.root.is_dir():
            raise FileNotFoundError(f"archive folder not found: {self.root}")
        if not rebuild and self.is_fresh():
            scanned = len(self.catalog.stats)
            return SyncReport(scanned=scanned, unchanged=scanned)
        from artread.core.update import update

        return update(
            self,
            rebuild=rebuild,
            progress=progress,
            waiting=waiting,
            wait=wait,
            jobs=jobs,
            started=started,
            updating=updating,
        )

    def forget_catalog(self) -> None:
        """Read the catalog again at its next use (another process may have replaced it)."""
        self._catalog = None

    def adopt(self, written: catalog.Catalog) -> None:
        """Take the catalog an update just wrote, and open the index afresh at its next use."""
        self._catalog = written
        self.forget_open_files()

    def path_of(self, searcher: Any, document: int) -> str:
        """The path of the article a Whoosh document number (of self.searcher()) stands for."""
        path = self._paths.get(document)
        if path is None:
            path = self._paths[document] = searcher.stored_fields(document)["path"]
        return path

    def forget_open_files(self) -> None:
        """Drop the open Whoosh index, reader and texts, so the next use opens them afresh."""
        if self._reader is not None:
            self._reader.close()
        self._whoosh = self._reader = self._texts = None
        self._paths, self.field_lengths = {}, {}


def texts_of(index_dir: Path, current: catalog.Catalog) -> literal.LiteralStore:
    """The literal texts a catalog names, with each article's span in them."""
    return literal.LiteralStore(index_dir / current.texts, current.spans())


def _opened(store: literal.LiteralStore) -> literal.LiteralStore:
    store.open()  # fails now, not in the middle of a search, if the file is gone
    return store


def index_size(index_dir: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(index_dir):
        for name in files:
            with suppress(OSError):
                total += os.path.getsize(os.path.join(folder, name))
    return total
