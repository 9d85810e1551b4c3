"""A command's context, its output and how it ends.

Command holds where a command line runs (its Env) and its global options; a command's known
failures become one line on stderr and an exit status, and so do usage errors and Ctrl-C.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from artread.commands.options import Color
from artread.env import Env
from artread.options import command_position

if TYPE_CHECKING:
    from rich.console import Console

    from artread.core.index import ArchiveIndex


# How a command opens an archive's index: (archive, index folder, cache folder) -> index.
OpenIndex = Callable[[Path, Path, Path], "ArchiveIndex"]


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
    raise typer.Exit(code)


@contextmanager
def errors(command: Command) -> Iterator[None]:
    """Known failures become one line on stderr and exit 2; never a traceback."""
    from artread.config import UnsafeStorage
    from artread.core.query import QueryError

    try:
        yield
    except typer.Exit:
        raise
    except BrokenPipeError:
        from artread.ui.pipes import discard_stdout

        discard_stdout(command.env.stdout)
        raise typer.Exit(0) from None
    except KeyboardInterrupt:
        command.err("artread: interrupted")
        raise typer.Exit(130) from None
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


def only_its_command(app: typer.Typer, args: list[str]) -> typer.Typer:
    """app with only the command that args name, when they name one of its commands.

    Typer builds every command's parameters from its signature on each run; a command line
    runs one command, so building the others is a cost paid on every command for nothing.
    Help, completion and an unknown name (which gets "did you mean") see every command."""
    from typer.main import get_command_name

    position = command_position(args)
    if position is None:
        return app
    for info in app.registered_commands:
        name = info.name or get_command_name(info.callback.__name__)  # type: ignore[union-attr]
        if name == args[position]:
            narrowed = copy.copy(app)
            narrowed.registered_commands = [info]
            narrowed.registered_groups = []
            return narrowed
    return app


def invoke(app: typer.Typer, args: list[str], command: Command) -> int:
    """Run args with app; usage errors are one line on stderr (exit 2), Ctrl-C exits 130."""
    try:  # typer vendors click from 0.22 on; older releases use click itself
        from typer._click import exceptions
    except ImportError:  # pragma: no cover
        from click import exceptions  # type: ignore[no-redef]

    from artread.commands.options import close_options

    try:
        code = only_its_command(app, args)(
            args=args, prog_name="artread", standalone_mode=False, obj=command
        )
    except exceptions.NoArgsIsHelpError as exc:
        exc.show(command.env.stderr)
        return 2
    except exceptions.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "artread"
        message = exc.format_message()
        if isinstance(exc, exceptions.NoSuchOption):
            close = close_options(exc.option_name, list(exc.possibilities or ()))
            message = f"no such option: {exc.option_name}"
            message += f"; did you mean {' or '.join(close)}?" if close else ""
        command.err(f"artread: {message} (see '{where} --help')")
        return 2
    except (typer.Abort, KeyboardInterrupt):
        command.err("artread: interrupted")
        return 130
    return code if isinstance(code, int) else 0
