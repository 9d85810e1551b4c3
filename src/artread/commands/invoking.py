"""Running a command line through Typer: usage errors become one line on stderr (exit 2),
Ctrl-C exit 130."""

from __future__ import annotations

import copy

import typer

from artread.commands.context import Command
from artread.options import command_position


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
