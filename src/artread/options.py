"""The global options that take a value (`artread --archive DIR search ...`), defined once.

The command line (cli) declares them from here, and the client (resident.client), which must
find the command's name before anything but the standard library is loaded, skips their
values from here. Standard library only, and nothing else.
"""

ARCHIVE = ("--archive", "-a")
COLOR = ("--color",)
VALUE_OPTIONS = frozenset({*ARCHIVE, *COLOR})


def command_position(args: list[str]) -> int | None:
    """Where the subcommand's name is: the first argument that is not an option or an
    option's value."""
    remaining = enumerate(args)
    for position, arg in remaining:
        if arg in VALUE_OPTIONS:
            next(remaining, None)
        elif not arg.startswith("-"):
            return position
    return None
