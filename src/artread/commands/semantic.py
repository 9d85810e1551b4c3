"""`artread index --semantic` (the vectors made now, with a progress bar) and the low-priority
process that `artread index` starts to make them in the background."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from artread.commands.choices import SearchMode
from artread.commands.context import Command, console_of, fail
from artread.core.wording import counted

if TYPE_CHECKING:
    from artread.core.index import ArchiveIndex
    from artread.core.semantic.build import BuildReport, Progress

SEMANTIC_ENV = "ARTREAD_SEMANTIC"  # off: keywords alone; manual: no background builds


def setting(command: Command) -> str:
    """auto (the default), manual or off."""
    found = command.env.environ.get(SEMANTIC_ENV, "auto").strip().lower()
    return found if found in ("auto", "manual", "off") else "auto"


def search_mode(command: Command, mode: SearchMode) -> str:
    """--mode, unless $ARTREAD_SEMANTIC=off turns meaning off where no mode is asked for."""
    return "lexical" if mode == SearchMode.auto and setting(command) == "off" else mode.value


def after_index(command: Command, index: ArchiveIndex, *, now: bool) -> None:
    """After `artread index`: make the vectors now (--semantic), or start making them in the
    background when artread[semantic] is installed."""
    if now and not installed():
        fail(command, "search by meaning is not installed: pip install 'artread[semantic]'")
    if now:
        build_now(command, index)
    elif setting(command) == "auto" and installed():
        start_in_background(command, index)


def installed() -> bool:
    from artread.core.semantic import model

    return model.version() is not None


def build_now(command: Command, index: ArchiveIndex) -> BuildReport:
    """Make every missing vector, with a progress bar and the time left on a terminal."""
    from artread.core.semantic.build import build

    err = console_of(command, stderr=True)
    bar = None

    def progress(done: Progress) -> None:
        nonlocal bar
        if not err.is_terminal:
            return
        if bar is None:
            from artread.commands.opening import progress_bar

            bar = progress_bar(err, "Embedding", done.total, time_left=True)
        bar.update(bar.task_ids[0], completed=done.done)

    try:
        report = build(index, progress=progress)
    finally:
        if bar is not None:
            bar.stop()
    if report.busy:
        command.out("Vectors: another artread process is making them; search uses what it has.")
    elif not (report.embedded or report.copied or report.kept or report.failed):
        command.out("Vectors: every article has them.")
    else:
        also = ""
        if report.copied:
            also += f", {report.copied} copies given their twin's"
        if report.kept:
            also += f", {report.kept} kept (their passages had not changed)"
        unread = f", {report.failed} could not be read" if report.failed else ""
        command.out(
            f"Vectors: {counted(report.embedded, 'article')} embedded{also} in "
            f"{report.seconds:.1f} s{unread}."
        )
    return report


def start_in_background(command: Command, index: ArchiveIndex, *, quiet: bool = False) -> None:
    """Start the low-priority process that makes the missing vectors, if any are missing; say
    so unless quiet (a search's output is its results alone)."""
    from artread.core.semantic.build import pending
    from artread.core.semantic.store import VectorStore

    store = VectorStore.open(index.index_dir)
    try:
        missing = len(pending(index, store))
    finally:
        if store is not None:
            store.close()
    if not missing:
        return
    import subprocess

    subprocess.Popen(
        [sys.executable, "-m", "artread.resident.embedding", str(index.root), str(index.index_dir)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives this command and its terminal's Ctrl-C
        close_fds=True,
        env={**os.environ, **command.env.environ, "ARTREAD_CACHE_DIR": str(index.cache_dir)},
    )
    if quiet:
        return
    command.out(
        f"Vectors: making them for {counted(missing, 'article')} in the background "
        "(`artread index --semantic` waits for them)."
    )
