"""Shell completion: article ids, categories and tags of the archive the command line names."""

from __future__ import annotations

from typing import Any


def _catalog(ctx: Any) -> Any:
    """The catalog of the archive given with --archive/-a on this command line (after the
    command or before it), else the default one; None when there is no index yet."""
    from artread.commands.context import command_of
    from artread.commands.opening import archive_root
    from artread.config import index_dir_for
    from artread.core import catalog

    given, level = None, ctx
    while level is not None and given is None:
        given = (level.params or {}).get("archive")
        level = level.parent
    try:
        command = command_of(ctx)
        root = archive_root(command, given)
        return catalog.load(index_dir_for(root, command.env.environ))
    except Exception:  # no completions rather than a traceback in the user's shell
        return None


def ids(ctx: Any, incomplete: str) -> list[str]:
    loaded = _catalog(ctx)
    return [i for i in sorted(loaded.by_id()) if i.startswith(incomplete)] if loaded else []


def categories(ctx: Any, incomplete: str) -> list[str]:
    return _names(ctx, incomplete, "category")


def tags(ctx: Any, incomplete: str) -> list[str]:
    return _names(ctx, incomplete, "tag")


def _names(ctx: Any, incomplete: str, kind: str) -> list[str]:
    from artread.core import listing

    loaded = _catalog(ctx)
    if loaded is None:
        return []
    counts = listing.categories(loaded) if kind == "category" else listing.tags(loaded)
    wanted = incomplete.casefold()
    return [name for name in counts if name and name.casefold().startswith(wanted)]
