"""What a command run in its own process does before it imports anything else.

Two modules every command loads import others only in case: dataclasses imports inspect
(with ast, dis and tokenize) to write the docstring of a dataclass that has none, and every
dataclass on a command's path has its own; pathlib imports urllib.parse (with ipaddress) for
Path.as_uri(). Both are imported here with stand-ins for those (core.deferred), which import
the real modules if they are ever used.
"""

from __future__ import annotations

import sys

from artread.core.deferred import standing_in


def defer_unused_imports() -> None:
    """Import dataclasses and pathlib with what they import only in case deferred."""
    if "dataclasses" not in sys.modules:
        with standing_in({"inspect": ()}):
            import dataclasses  # noqa: F401
    if "pathlib" not in sys.modules:
        with standing_in({"urllib.parse": ("quote_from_bytes",)}):
            import pathlib  # noqa: F401
