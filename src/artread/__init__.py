"""artread: read and search an archive of Chinese Markdown articles from the terminal.

As a library: open an archive with ArchiveIndex, bring its index up to date with sync(), and
search(index, "query") for a page of SearchResults (see __all__). The names are imported on
first use, so that `import artread` stays cheap for the command line.
"""

__version__ = "0.1.0"

# The public names and the modules that define them.
_EXPORTS = {
    "ArchiveIndex": "artread.core.index",
    "SyncReport": "artread.core.index",
    "search": "artread.core.search",
    "SearchResults": "artread.core.search",
    "Hit": "artread.core.search",
    "QueryError": "artread.core.search",
    "Article": "artread.core.archive",
    "ArticleError": "artread.core.archive",
    "bundled_archive": "artread.config",
}

__all__ = [
    "ArchiveIndex",
    "Article",
    "ArticleError",
    "Hit",
    "QueryError",
    "SearchResults",
    "SyncReport",
    "__version__",
    "bundled_archive",
    "search",
]

TYPE_CHECKING = False  # the typing module is not imported: every command starts here
if TYPE_CHECKING:
    from artread.config import bundled_archive
    from artread.core.archive import Article, ArticleError
    from artread.core.index import ArchiveIndex, SyncReport
    from artread.core.search import Hit, QueryError, SearchResults, search


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'artread' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
