"""A command's context, its output and how it ends.

Command holds where a command line runs (its Env) and its global options; a command's known
failures become one line on stderr and an exit status (Exit), and so does Ctrl-C. Nothing here
imports Typer: the shortcut (commands/shortcut.py) runs commands without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from artread.commands.choices import Color
from artread.env import Env

if TYPE_CHECKING:
    import typer
    from rich.console import Console

    from artread.core.index import ArchiveIndex


# How a command opens an archive's index: (archive, index folder, cache folder) -> index.
OpenIndex = Callable[[Path, Path, Path], "ArchiveIndex"]


class Exit(Exception):
    """End the command with this exit status (its message, if any, already written)."""

    def __init__(self, code: int = 0) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Command:
    """One command line's context: where it runs (env), its global options, and how it opens
    an archive's index (a resident server keeps them open). Handed to click as its ctx.obj."""

    env: Env
    open_index: OpenIndex | None = None
    archive: str | None = None
    color: Color = Color.auto

    def archive_or(self, option: str | None) -> str | None:
        """The command's --archive, else the global one, else $ARTREAD_ARCHIVE."""
        from artread.config import ARCHIVE_ENV

        return option or self.archive or self.env.environ.get(ARCHIVE_ENV) or None

    def out(self, line: str) -> None:
        self.env.stdout.write(line + "\n")

    def err(self, line: str) -> None:
        self.env.stderr.write(line + "\n")


def command_of(ctx: typer.Context) -> Command:
    """The Command that run() handed to click, or one for this process."""
    found = ctx.find_object(Command)
    return found if found is not None else Command(Env.from_process())


def fail(command: Command, message: str, code: int = 2) -> NoReturn:
    """One line on stderr, then exit with code."""
    from artread.ui.sanitize import clean_line

    command.err(f"artread: {clean_line(message)}")
    raise Exit(code)


@contextmanager
def errors(command: Command) -> Iterator[Command]:
    """Known failures become one line on stderr and exit 2; never a traceback. Yields the
    command."""
    from artread.config import UnsafeStorage
    from artread.core.query import QueryError

    try:
        yield command
    except Exit:
        raise
    except BrokenPipeError:
        from artread.ui.pipes import discard_stdout

        discard_stdout(command.env.stdout)
        raise Exit(0) from None
    except KeyboardInterrupt:
        command.err("artread: interrupted")
        raise Exit(130) from None
    except (FileNotFoundError, NotADirectoryError, QueryError, UnsafeStorage) as exc:
        fail(command, str(exc))
    except Exception as exc:
        if command.env.environ.get("ARTREAD_DEBUG"):
            raise
        message = f"internal error: {type(exc).__name__}: {exc}"
        fail(command, message + " (set ARTREAD_DEBUG=1 for details)")


def console_of(command: Command, stderr: bool = False) -> Console:
    """A Rich console on the command's stdout (or stderr), coloured as --color says."""
    force = {Color.always: True, Color.never: False}.get(command.color)
    return command.env.console(stderr=stderr, force=force)


def writes_plain(command: Command) -> bool:
    """stdout is not a terminal and nothing asks for a terminal's output (--color always,
    FORCE_COLOR, TTY_COMPATIBLE, which Rich honours): the plain lines Rich's console would
    give there, written without it, so a script's command need not import Rich."""
    env = command.env
    if env.stdout_isatty or command.color is Color.always:
        return False
    return not any(name in env.environ for name in ("FORCE_COLOR", "TTY_COMPATIBLE"))


def paged(env: Env, console: Console, draw: Callable[[], None], no_pager: bool) -> None:
    """Draw on the terminal, through the pager when taller than the screen."""
    from artread.ui import pager

    chosen = None if no_pager or not console.is_terminal else env.pager()
    if chosen is None:
        draw()
        return
    with console.capture() as captured:
        draw()
    text = captured.get()
    page = env.page or (lambda text, chosen: pager.page(text, chosen, env.environ))
    if text.count("\n") < console.height or not page(text, chosen):
        env.stdout.write(text)


def status_of(command: Command, body: Callable[[], object]) -> int:
    """Run body with errors(command): its exit status."""
    try:
        with errors(command):
            body()
    except Exit as exc:
        return exc.code
    return 0
