"""What a command run in its own process does before it imports anything else.

dataclasses imports inspect (which imports ast, dis and tokenize) for one use: the docstring
of a dataclass that has none is made from inspect.signature(). Every dataclass on a
command's path has its own docstring, so that import is pure cost, paid by every command run
without the resident server. While dataclasses loads, a stand-in takes inspect's place: it
imports the real module the first time anything of it is asked for, so dataclasses behaves
as it would with the real one. The stand-in is removed straight after, so anything else that
imports inspect gets the real one.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _Inspect(types.ModuleType):
    """inspect, imported when first used."""

    def __getattr__(self, name: str) -> Any:
        if sys.modules.get("inspect") is self:
            del sys.modules["inspect"]
        import inspect

        return getattr(inspect, name)


def defer_inspect() -> None:
    """Import dataclasses with inspect left until it is used (see the module's doc)."""
    if "dataclasses" in sys.modules or "inspect" in sys.modules:
        return
    stand_in = sys.modules["inspect"] = _Inspect("inspect")
    try:
        import dataclasses  # noqa: F401
    finally:
        if sys.modules.get("inspect") is stand_in:
            del sys.modules["inspect"]
