"""LaTeX math read as TeX reads it, as far as core/formula needs: characters, macros, {groups}
and environments. Arguments are not matched to macros here: each macro takes its own as it is
rendered, as TeX does (x^\\mathrm{th} works).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Environment", "Group", "Macro", "Unsure", "parse"]


class Unsure(ValueError):
    """The formula uses something that cannot be written as text without changing its meaning."""


@dataclass
class Macro:
    """A LaTeX command (\\frac) as read from a formula."""

    name: str
    spaced: bool  # written with a space after it


@dataclass
class Group:
    """A braced group of a formula: {...}."""

    tokens: list[Any]


@dataclass
class Environment:
    """A \\begin{...} ... \\end{...} environment of a formula."""

    name: str
    tokens: list[Any]


_MACRO = re.compile(r"\\(?:([A-Za-z]+)(\s*)|(.))", re.S)
_ENVIRONMENT_NAME = re.compile(r"\s*\{([A-Za-z*]+)\}")


def parse(tex: str) -> list[Any]:
    """TeX's reading of math as far as this module needs it: characters (one token each, so a
    script can take one), macros, {groups} and environments. Each macro takes its arguments
    itself as it is rendered, as TeX does."""
    stack: list[tuple[list[Any], str]] = [([], "")]  # open lists, and what closes each
    index = 0
    while index < len(tex):
        char, tokens = tex[index], stack[-1][0]
        if char == "\\":
            macro = _MACRO.match(tex, index)
            if macro is None:
                raise Unsure("a lone backslash")
            index = macro.end()
            name = macro.group(1) or macro.group(3)
            if name in ("begin", "end"):
                found = _ENVIRONMENT_NAME.match(tex, index)
                if found is None:
                    raise Unsure(f"\\{name} without a name")
                index = found.end()
                if name == "begin":
                    stack.append(([], found.group(1)))
                    continue
                inner, closer = stack.pop() if len(stack) > 1 else ([], "")
                if closer != found.group(1):
                    raise Unsure(f"\\end{{{found.group(1)}}} closes {closer or 'nothing'}")
                stack[-1][0].append(Environment(closer, inner))
                continue
            tokens.append(Macro(name, bool(macro.group(2))))
            continue
        index += 1
        if char == "{":
            stack.append(([], "}"))
        elif char == "}":
            if stack[-1][1] != "}":
                raise Unsure("unbalanced }")
            inner = stack.pop()[0]
            stack[-1][0].append(Group(inner))
        elif char == "%":
            raise Unsure("%")  # in Markdown math a % is more likely a percent sign than a comment
        else:
            tokens.append(char)
    if len(stack) > 1:
        raise Unsure(f"{stack[-1][1]} not closed")
    return stack[0][0]
