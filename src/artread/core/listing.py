"""Newest-first pages of the archive, read from the catalog alone."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from artread.core.catalog import Catalog, Entry
from artread.core.paging import page_count, page_of


@dataclass(frozen=True, slots=True)
class LatestPage:
    """A page of the newest articles, and where it is among the others."""

    page: int
    pages: int
    total: int  # articles that pass the filters
    per_page: int
    articles: list[Entry]


def latest_page(
    catalog: Catalog,
    *,
    page: int = 1,
    per_page: int = 10,
    category: str | None = None,
    tag: str | None = None,
    drafts: bool = False,
    paths: Collection[str] | None = None,
) -> LatestPage:
    """One page of articles, newest first; page numbers start at 1. Category and tag match
    whole names, in any case. Drafts only when asked for; only those at paths, if given."""
    articles = catalog.articles(drafts=drafts)
    if paths is not None:
        articles = [a for a in articles if a.path in paths]
    if category:
        wanted = category.casefold()
        articles = [a for a in articles if (a.category or "").casefold() == wanted]
    if tag:
        wanted = tag.casefold()
        articles = [a for a in articles if wanted in (t.casefold() for t in a.tags)]
    return LatestPage(
        page=page,
        pages=page_count(len(articles), per_page),
        total=len(articles),
        per_page=per_page,
        articles=page_of(articles, page, per_page),
    )


def categories(catalog: Catalog) -> dict[str, int]:
    """Every category with its number of articles, the largest first."""
    return _counted(entry.category or "" for entry in catalog.articles(drafts=False))


def tags(catalog: Catalog) -> dict[str, int]:
    """Every tag with its number of articles, the most used first."""
    return _counted(tag for entry in catalog.articles(drafts=False) for tag in entry.tags)


def _counted(names: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
