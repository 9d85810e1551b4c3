"""Stand-ins for modules that others import at the top only in case they need them.

Whoosh imports tempfile to make new indexes, pathlib imports urllib.parse for Path.as_uri(),
dataclasses imports inspect to write the docstring of a dataclass that has none: imports a
command run in its own process pays for in milliseconds and, on artread's path, never uses.
While such a module loads, standing_in() puts stand-ins in sys.modules in place of the
modules it imports: a stand-in's named functions import the real module when called, and
anything else of it imports the real module when first looked up, so the importer behaves as
it would with the real one. The stand-ins are removed straight after, so anything else that
imports those modules gets the real ones.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any


class StandIn(types.ModuleType):
    """A module imported when something of it is first looked up."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # what the import system asks of any module (__path__)
            raise AttributeError(name)
        return getattr(_real(self.__name__), name)


def _real(name: str) -> types.ModuleType:
    """The real module of that name (a stand-in still in place is taken out first)."""
    if isinstance(sys.modules.get(name), StandIn):
        del sys.modules[name]
    return importlib.import_module(name)


def _deferred(module: str, function: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_real(module), function)(*args, **kwargs)

    call.__name__ = call.__qualname__ = function
    return call


@contextmanager
def standing_in(
    modules: Mapping[str, tuple[str, ...]],
    replacements: Mapping[str, Mapping[str, Any]] | None = None,
) -> Iterator[None]:
    """Stand-ins for modules (each with the functions that `from module import f` takes from
    it) while the body imports; and for replacements, modules made of the given attributes
    (the same things, from elsewhere). Modules already imported are left as they are."""
    installed = []
    for name, functions in modules.items():
        if name not in sys.modules:
            module = StandIn(name)
            module.__dict__.update({f: _deferred(name, f) for f in functions})
            installed.append((name, module))
    for name, attributes in (replacements or {}).items():
        if name not in sys.modules:
            module = types.ModuleType(name)
            module.__dict__.update(attributes)
            installed.append((name, module))
    for name, module in installed:
        sys.modules[name] = module
    try:
        yield
    finally:
        for name, module in installed:
            if sys.modules.get(name) is module:
                del sys.modules[name]
