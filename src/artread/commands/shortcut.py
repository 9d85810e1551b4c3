"""The commonest command lines, run without Typer.

A command that runs in its own process (no resident server: the first command after an idle
spell or an upgrade, every command in CI or a container) would spend a sixth of a search over
5,250 articles importing Typer and building the command from its signature. The lines read
here are the ones that carry no option but the global ones:

    artread [--archive DIR] [--color WHEN] search WORD...
    artread [--archive DIR] [--color WHEN] latest
    artread [--archive DIR] [--color WHEN] show ID

They run the same functions the Typer commands call, with the same defaults (the tests run
each line both ways and compare). Any other line (an option after the command, a word that
starts with `-`, help, shell completion, a value Typer would refuse) goes to artread.cli.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from artread.commands.choices import Color
from artread.commands.context import Command, status_of
from artread.env import Env
from artread.options import ARCHIVE, COLOR, command_position


@dataclass(repr=False, eq=False)
class Line:
    """A command line the shortcut runs: the command, its arguments, the global options."""

    name: str
    arguments: list[str]
    archive: str | None = None
    color: Color = Color.auto


def _search(command: Command, arguments: list[str]) -> None:
    from artread.commands.results import search_page

    search_page(command, arguments)


def _latest(command: Command, arguments: list[str]) -> None:
    from artread.commands.latest import latest_page

    latest_page(command)


def _show(command: Command, arguments: list[str]) -> None:
    from artread.commands.show import show_article

    show_article(command, arguments[0])


# name: (the body, the fewest and the most arguments it takes; None: no limit)
COMMANDS: dict[str, tuple[Callable[[Command, list[str]], None], int, int | None]] = {
    "search": (_search, 1, None),
    "latest": (_latest, 0, 0),
    "show": (_show, 1, 1),
}


def read(args: list[str], environ: Mapping[str, str]) -> Line | None:
    """The line args make, when the shortcut can run it; None for Typer."""
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in environ):
        return None  # shell completion: Typer answers it
    position = command_position(args)
    if position is None or args[position] not in COMMANDS:
        return None
    arguments = args[position + 1 :]
    _body, fewest, most = COMMANDS[args[position]]
    if any(arg.startswith("-") for arg in arguments):
        return None
    if len(arguments) < fewest or (most is not None and len(arguments) > most):
        return None
    line = Line(args[position], arguments)
    return line if _read_global_options(args[:position], line) else None


def _read_global_options(args: list[str], line: Line) -> bool:
    """Set line's global options from args (what comes before the command); False when args
    hold anything else, or a value Typer would refuse."""
    remaining = iter(args)
    for arg in remaining:
        name, equals, value = arg.partition("=")
        if name not in (*ARCHIVE, *COLOR) or (equals and not name.startswith("--")):
            return False
        if not equals:
            found = next(remaining, None)
            if found is None or found.startswith("-"):
                return False
            value = found
        if name in ARCHIVE:
            line.archive = value
        elif value in Color.__members__:
            line.color = Color(value)
        else:
            return False
    return True


def run(args: list[str], env: Env) -> int | None:
    """Run args in env when the shortcut can: its exit status; None when Typer must."""
    line = read(args, env.environ)
    if line is None:
        return None
    command = Command(env, archive=line.archive, color=line.color)
    body = COMMANDS[line.name][0]
    return status_of(command, lambda: body(command, line.arguments))
