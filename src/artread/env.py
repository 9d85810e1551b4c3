"""The context a command runs in, in the way httpie's Environment works.

Its streams and whether each is a terminal, the terminal's size and colours, the environment
variables and the working folder, and how long output is paged. A command reads these from
its Env and never from the process: Env.from_process() reads the real process in one place,
a resident server builds one from its client's request, and a test builds one of any width or
colour depth without a pseudo-terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from artread.ui.console import Console

# Rich's colour systems: "auto" asks TERM and COLORTERM, None is no colour at all.
COLOR_SYSTEMS = ("auto", "standard", "256", "truecolor", "windows")


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):  # no such method, or closed
        return False


def _cwd() -> str | None:
    try:
        return os.getcwd()
    except OSError:  # the folder was removed under the process
        return None


@dataclass
class Env:
    """Where a command reads and writes, and what it is told about its terminal."""

    stdout: IO[str]
    stderr: IO[str]
    stdin: IO[str] | None = None
    stdout_isatty: bool | None = None  # None: ask the stream
    stderr_isatty: bool | None = None
    stdin_isatty: bool | None = None
    columns: int | None = None  # the terminal's size; None: Rich asks the terminal
    lines: int | None = None
    color_system: str | None = "auto"  # one of COLOR_SYSTEMS, or None for no colour
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    cwd: str | None = None
    # How long output reaches the pager: (text, pager command) -> shown. None: run the
    # pager here (artread.ui.pager.page); a resident server runs it in its client.
    page: Callable[[str, str], bool] | None = None

    def __post_init__(self) -> None:
        for name in ("stdout", "stderr", "stdin"):
            if getattr(self, f"{name}_isatty") is None:
                setattr(self, f"{name}_isatty", _isatty(getattr(self, name)))

    @classmethod
    def from_process(cls) -> Env:
        """This process's own streams, environment and folder."""
        return cls(
            stdout=sys.stdout,
            # Started with stderr closed (2>&-), Python has none: what would go there is lost,
            # as with any command, and the command itself still runs.
            stderr=sys.stderr if sys.stderr is not None else open(os.devnull, "w"),
            stdin=sys.stdin,
            environ=os.environ,
            cwd=_cwd(),
        )

    def pager(self) -> str | None:
        """The pager to run (ARTREAD_PAGER, then PAGER, then less), or None when turned off."""
        for name in ("ARTREAD_PAGER", "PAGER"):
            if name in self.environ:
                return self.environ[name].strip() or None
        return "less"

    def console(self, *, stderr: bool = False, force: bool | None = None) -> Console:
        """A Rich console on stdout (or stderr) for this context.

        force: True for colour even when piped (--color always), False for none (never).
        The one place Rich learns of the environment: it reads COLUMNS, LINES, NO_COLOR,
        FORCE_COLOR, TERM and COLORTERM from the mapping it is given (its `_environ`).
        """
        from artread.ui.console import Console

        file = self.stderr if stderr else self.stdout
        isatty = self.stderr_isatty if stderr else self.stdout_isatty
        force_terminal = True if force else None
        if force_terminal is None and isatty != _isatty(file):
            force_terminal = isatty  # a stream that cannot say (a test's, a server's)
        return Console(
            file=file,
            force_terminal=force_terminal,
            no_color=True if force is False else None,
            color_system=self.color_system,
            highlight=False,
            emoji=False,
            markup=False,
            _environ=self.terminal_environ(),
        )

    def terminal_environ(self) -> Mapping[str, str]:
        """The environment, with the terminal's size where COLUMNS and LINES do not say one:
        Rich reads a value that is not a number as none, and then asks the process's own
        terminal, which is not this command's in a server or a test."""
        if self.columns is None and self.lines is None:
            return self.environ
        environ = dict(self.environ)
        for name, value in (("COLUMNS", self.columns), ("LINES", self.lines)):
            if value is not None and not environ.get(name, "").isdigit():
                environ[name] = str(value)
        return environ
