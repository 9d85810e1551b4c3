"""`artread browse`: the full-screen reader, in this process (never the resident server's: it
owns the terminal). The archive is opened as the server opens one (its index kept open, its
segments mapped, so the pages are shared with a server reading the same index; its folders
watched), and the reader looks for changes through it while it runs."""

from __future__ import annotations

import contextlib
import gc
import io
from typing import TYPE_CHECKING

from artread.commands.choices import Color, SearchMode
from artread.commands.context import Command, fail
from artread.commands.opening import open_archive
from artread.env import Env

if TYPE_CHECKING:
    from artread.core.index import ArchiveIndex
    from artread.ui.browse.library import Library

NOT_A_TERMINAL = (
    "browse needs a terminal; otherwise use `artread latest` for the newest articles, "
    "`artread search WORDS` to find some and `artread show ID` to read one"
)


def on_a_terminal(env: Env) -> bool:
    """The reader reads keys from stdin and draws on stdout and stderr: all terminals."""
    return bool(env.stdin_isatty and env.stdout_isatty and env.stderr_isatty)


def reader_when_bare(args: list[str], env: Env) -> list[str]:
    """`artread` with no command (global options aside) on a terminal is `artread browse`;
    elsewhere it is what it was: the usage, on stderr."""
    asked = {"--help", "-h", "--version", "-V", "--install-completion", "--show-completion"}
    return [*args, "browse"] if on_a_terminal(env) and not asked & set(args) else args


def browse(command: Command, archive: str | None) -> int:
    """Run the reader on the command's terminal; its exit status."""
    if not on_a_terminal(command.env):
        fail(command, NOT_A_TERMINAL, 2)
    library = open_library(command, archive)
    gc.enable()  # a command's short life has the collector off (cli.main); a reader lives long
    from artread.ui.browse.app import run_browser

    no_color = command.color is Color.never or "NO_COLOR" in command.env.environ
    return run_browser(library, no_color=no_color)


def open_library(command: Command, archive: str | None) -> Library:
    """The archive's index, brought up to date as any command does it (progress on the
    terminal, before the reader starts), with the reader's read state."""
    from artread.commands.semantic import search_mode
    from artread.core import readstate
    from artread.resident.server import Indexes
    from artread.ui.browse.library import Library

    indexes = Indexes()
    held = Command(command.env, indexes, command.archive, command.color)
    opened = [open_archive(held, archive)]

    def reopen() -> tuple[ArchiveIndex, list[str]]:
        # While the reader draws on the terminal, what an update says is shown by it.
        said = io.StringIO()
        quiet = Env(
            stdout=io.StringIO(),
            stderr=said,
            stderr_isatty=False,
            environ=command.env.environ,
            cwd=command.env.cwd,
        )
        # The archive gone (what fail() said is in said): the last index stays.
        with contextlib.suppress(Exception):
            opened[0] = open_archive(Command(quiet, held.open_index, command.archive), archive)
        lines = said.getvalue().splitlines()
        return opened[0], [line.removeprefix("artread: ") for line in lines]

    root = opened[0].root
    state = readstate.load(root, command.env.environ)
    mode = search_mode(command, SearchMode.auto)  # $ARTREAD_SEMANTIC=off: words alone
    return Library(opened[0], state, reopen, closing=indexes.close_all, mode=mode)
