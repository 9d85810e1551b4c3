"""Opening an archive's index for a command: found, brought up to date (built the first time),
with progress and what was skipped reported on stderr."""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from artread.commands.context import Command, console_of, fail
from artread.core.wording import counted

if TYPE_CHECKING:
    from rich.console import Console

    from artread.core.catalog import Entry
    from artread.core.index import ArchiveIndex, SyncReport


def open_archive(
    command: Command,
    archive: str | None,
    *,
    found: Callable[[ArchiveIndex], None] | None = None,
) -> ArchiveIndex:
    """The archive's index, brought up to date (built the first time) with progress on stderr.
    found(index) is called first, before the index is read or brought up to date."""
    root = archive_root(command, archive)
    require_folder(command, root)
    index = open_index(command, root)
    if found is not None:
        found(index)
    report = sync(command, index, rebuild=False, wait=False)
    if report.busy:
        command.err(
            "artread: another artread process is updating the index; "
            "showing the last complete index"
        )
    elif report.changed:
        from artread.commands import semantic

        if semantic.setting(command) == "auto" and semantic.installed():
            semantic.start_in_background(command, index, quiet=True)
    return index


def require_folder(command: Command, root: Path) -> None:
    """Fail, saying what to do, unless the archive is a folder."""
    if root.is_file():
        fail(
            command,
            f"{root} is a file: --archive takes the folder that holds the articles "
            f"(--archive {root.parent})",
        )
    if not root.is_dir():
        fail(command, f"archive folder not found: {root} (set --archive or ARTREAD_ARCHIVE)")


def open_index(command: Command, root: Path, *, held: bool = True) -> ArchiveIndex:
    """The archive's index where the command's environment puts it (not brought up to date):
    the one a resident server holds open (held), or a new one."""
    from artread.config import cache_dir, index_dir_for
    from artread.core.index import ArchiveIndex

    environ = command.env.environ
    index_dir, cache = index_dir_for(root, environ), cache_dir(environ)
    for folder, setting in ((index_dir, "ARTREAD_INDEX_DIR"), (cache, "ARTREAD_CACHE_DIR")):
        blocked = next((p for p in (folder, *folder.parents) if os.path.lexists(p)), None)
        if blocked is not None and not blocked.is_dir():
            fail(
                command,
                f"cannot keep the index in {folder}: {blocked} is not a folder (check {setting})",
            )
    if held and command.open_index is not None:
        return command.open_index(root, index_dir, cache)
    return ArchiveIndex(root, index_dir, cache_dir=cache)


def find_article(command: Command, index: ArchiveIndex, ref: str) -> Entry:
    """The article a user means by ref (an id, a prefix of one, a path in the command's folder);
    otherwise fail, naming the closest ones."""
    from artread.core.lookup import LookupFailed, resolve

    try:
        return resolve(
            index.catalog, index.root, ref, cwd=command.env.cwd, environ=command.env.environ
        )
    except LookupFailed as exc:
        hint = ", ".join(c.id for c in exc.candidates)
        fail(command, f"{exc}" + (f"; did you mean: {hint}" if hint else ""))


def archive_root(command: Command, archive: str | None) -> Path:
    """The archive folder; a relative one is in the command's working folder."""
    from artread.config import resolve_archive

    return resolve_archive(command.archive_or(archive), command.env.environ, command.env.cwd)


SAID_AT_ONCE = 10  # skipped files and warnings an update prints before it counts the rest


def sync(
    command: Command,
    index: ArchiveIndex,
    *,
    rebuild: bool,
    wait: bool = True,
    jobs: int | None = None,
) -> SyncReport:
    bar = None
    # The stderr console is made when there is something to say: a read needs none.
    err: Callable[[], Console] = functools.cache(lambda: console_of(command, stderr=True))

    def progress(done: int, total: int, path: str) -> None:
        nonlocal bar
        if not err().is_terminal:
            if done == 1 and total >= 100:  # say why this command is slow, once
                command.err(f"artread: indexing {counted(total, 'article')}...")
            return
        if bar is None:
            bar = progress_bar(err(), "Indexing", total)
        bar.update(bar.task_ids[0], completed=done)

    def waiting() -> None:
        err().print("Waiting for another artread process to finish indexing...")

    if jobs is None:
        from artread.config import requested_jobs

        jobs = requested_jobs(command.env.environ)
    try:
        report = index.sync(
            rebuild=rebuild,
            progress=progress,
            waiting=waiting,
            wait=wait,
            jobs=jobs,
            updating=_collecting_garbage,
        )
    finally:
        if bar is not None:
            bar.stop()
    from artread.ui.sanitize import clean_line

    said = [f"skipped {path}: {reason}" for path, reason in report.skipped]
    said += [f"warning: {warning}" for warning in report.warnings]
    for line in said[:SAID_AT_ONCE]:
        command.err(f"artread: {clean_line(line)}")
    if len(said) > SAID_AT_ONCE:  # thousands of lines would bury the command's own output
        command.err(f"artread: ... and {len(said) - SAID_AT_ONCE} more: artread doctor lists them")
    return report


def progress_bar(console: Console, label: str, total: int, *, time_left: bool = False) -> Any:
    """A progress bar on the console, started, that goes when stopped: the label, the bar, how
    many of total are done (and the time left)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn()]
    bar = Progress(
        *columns, *([TimeRemainingColumn()] if time_left else []), console=console, transient=True
    )
    bar.start()
    bar.add_task(label, total=total)
    return bar


@contextmanager
def _collecting_garbage() -> Iterator[None]:
    """Cyclic garbage collection on while the index is updated: main() turns it off for a
    command's short read-only work, and an update of a large archive allocates far more."""
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was_enabled:
            gc.disable()


def warn_about_synonyms(command: Command, index: ArchiveIndex) -> None:
    from artread.core import glossary
    from artread.ui.sanitize import clean_line

    problem = glossary.for_archive(index.root, index.cache_dir).problem
    if problem:
        command.err(f"artread: {clean_line(problem)}; using the shipped glossary only")


def print_summary(command: Command, index: ArchiveIndex, report: SyncReport) -> None:
    """What `artread index` did, and where the index is, and what is still to fix."""
    from artread.core.health import lasting_warnings
    from artread.core.index import index_size

    skipped = {path for path, _ in index.catalog.skipped()} | {p for p, _ in report.skipped}
    size = index_size(index.index_dir) / 1024 / 1024
    command.out(
        f"{counted(len(index.catalog.articles()), 'article')} indexed in {report.seconds:.1f} s: "
        f"{report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{len(skipped)} skipped."
    )
    command.out(f"Index: {index.index_dir} ({size:.1f} MB)")
    warned = {path for path, _warning in lasting_warnings(index.catalog)}
    if warned:
        files = counted(len(warned), "file")
        command.out(f"Warnings about {files} remain: artread doctor lists them.")
