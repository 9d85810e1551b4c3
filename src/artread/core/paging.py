"""Pages of a list of results: how many there are, and the items of one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

Item = TypeVar("Item")


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` items fill, `per_page` a page; at least one, empty or not."""
    return max(1, -(-total // per_page))


def page_of(items: Sequence[Item], page: int, per_page: int) -> Sequence[Item]:
    """The items of one page; pages are numbered from 1."""
    start = (page - 1) * per_page
    return items[start : start + per_page]
