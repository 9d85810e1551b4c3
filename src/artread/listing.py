"""Newest-first pages of the archive, read from the catalog alone."""

from __future__ import annotations

from artread.catalog import Catalog


def latest_page(
    catalog: Catalog, *, page: int = 1, per_page: int = 10, category: str | None = None
) -> dict:
    """One page of articles, newest first; page numbers start at 1."""
    articles = catalog.articles()
    if category:
        wanted = category.casefold()
        articles = [a for a in articles if (a.get("category") or "").casefold() == wanted]
    total = len(articles)
    pages = max(1, -(-total // per_page))
    start = (page - 1) * per_page
    return {
        "page": page,
        "pages": pages,
        "total": total,
        "per_page": per_page,
        "articles": articles[start : start + per_page],
    }


def categories(catalog: Catalog) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in catalog.articles():
        name = entry.get("category") or ""
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
