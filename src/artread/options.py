"""The global options that take a value (`artread --archive DIR search ...`), defined once.

The command line (cli) declares them from here, and the client (resident.client), which must
find the command's name before anything but the standard library is loaded, skips their
values from here. Standard library only, and nothing else.
"""

ARCHIVE = ("--archive", "-a")
COLOR = ("--color",)
VALUE_OPTIONS = frozenset({*ARCHIVE, *COLOR})
