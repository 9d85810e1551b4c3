"""LaTeX math as Unicode text that keeps its meaning: x_i^2 → xᵢ², \\frac{a+b}{c} → (a+b)/c.

`show`, search snippets and excerpts read formulas through here. The conversion knows a fixed
set of macros and environments and brackets what a flat line of text would otherwise misread:
a compound numerator, denominator or radicand, a fraction next to a factor. Anything it does not
know (an unknown macro, \\underbrace, a binomial, an accent over several letters) makes it give
up: the reader then sees the LaTeX as written, never a formula that means something else. A last
check compares the letters, digits and operators of the source with those of the result, so a
slip in the conversion falls back to the LaTeX too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from artread.core import formula_latex as latex
from artread.core import formula_tables as tables
from artread.core.formula_check import lost_symbols
from artread.core.formula_latex import Unsure
from artread.core.math_spans import DISPLAY_MATH, INLINE_MATH

__all__ = ["DISPLAY_MATH", "INLINE_MATH", "Unsure", "convert", "readable", "to_unicode"]

# Markers in the text while it is built, resolved once the whole formula is known.
_FRACTION_OPEN, _FRACTION_CLOSE = "\x01", "\x02"  # a/b: bracketed if a neighbour binds tighter
_ROOT_OPEN, _ROOT_CLOSE = "\x05", "\x06"  # √x: bracketed if a script follows (√x² is not (√x)²)
_SOFT_SPACE = "\x03"  # after log, sin, max: a space when a letter or number follows
_SOFT_SPACE_BEFORE = "\x10"  # before them: a space after a letter, number or bracket (xᵢ log)
# After ≤ or α written with a space: a space if there is one before too. Around the symbol.
_MIRROR_OPEN, _MIRROR_SPACE = "\x14", "\x12"
_HUG = "\x13"  # before a closing ‖ or |: no space (‖x‖, not ‖x ‖)
_CELL, _ROW = "\x0e", "\x0f"  # & and \\ inside an environment
_MARKERS = _FRACTION_OPEN + _FRACTION_CLOSE + _ROOT_OPEN + _ROOT_CLOSE

# Not f(x): √f(x) and 1/f(x) could be read as (√f)(x) and (1/f)(x).
_SINGLE = re.compile(
    rf"(?:\d+(?:\.\d+)?|[^\W\d_][\u0300-\u036f\u20d0-\u20ff]*)"  # a number or one letter
    rf"(?:[{tables.SCRIPT_CHARS}′']|[_^](?:[^\W_]|\([^()]*\)))*"  # its scripts and primes
)
_OPENING, _CLOSING = "([{⟨⌊⌈", ")]}⟩⌋⌉"
# Operators that bind more loosely than a/b: next to them a fraction needs no brackets.
# Not | or ‖: 1/2‖x‖ would read as 1/(2‖x‖).
_LOOSE = "=+-−±∓<>≤≥≈≠∼≃≅≡≜≝→←↔⇒⇐⇔⟶⟵↦∝∈∉∋⊂⊃⊆⊇∪∩∧∨,;:…⋯×·"
_PREFIX = "∂∇¬"  # written right before what they act on: ∂L, not ∂ L
_BLANK = (" ", "\n")


def to_unicode(tex: str, *, one_line: bool = False) -> str | None:
    """The formula as Unicode text, or None where that could change its meaning.

    Rows of an aligned formula are lines of their own, or with `one_line` run on, "; " between.
    """
    text = _checked(tex)
    if text is None or not one_line:
        return text
    return _one_line(text)


def readable(tex: str) -> str:
    """One line to read in plain text: the Unicode form, or the LaTeX as written."""
    return to_unicode(tex, one_line=True) or " ".join(tex.split())


@lru_cache(maxsize=8192)
def _checked(tex: str) -> str | None:
    try:
        text = convert(tex)
    except Exception:  # Unsure, and any bug (a traceback in `show` would be worse): the LaTeX
        return None
    return None if lost_symbols(tex, text) else text


def convert(tex: str) -> str:
    """The conversion itself, without the final check; raises Unsure where it would guess."""
    text = _finish(_Renderer(latex.parse(tex)).render())
    if not text:
        raise Unsure("empty")
    return text


def _render(tokens: list[Any]) -> str:
    return _Renderer(tokens).render()


class _Rendered(str):
    """A macro already rendered with its arguments, passed on as one token."""


class _Renderer:
    """Turns one list of tokens into text; arguments and groups are rendered by new ones."""

    def __init__(self, tokens: list[Any]) -> None:
        self.tokens = tokens
        self.position = 0

    def render(self) -> str:
        out: list[str] = []
        while (token := self._next()) is not None:
            if isinstance(token, _Rendered):
                out.append(token)
            elif isinstance(token, str) and token in "^_":
                script = _script(token, _render(self._argument()))
                out[:] = ["".join(out).rstrip(" ") + script]  # x ^2 is still x²
            elif isinstance(token, str):
                out.append(_char(token))
            else:
                out.append(self._node(token))
        return "".join(out)

    def _next(self) -> Any:
        if self.position >= len(self.tokens):
            return None
        self.position += 1
        return self.tokens[self.position - 1]

    def _peek(self) -> Any:
        """The next token after spaces (which are skipped), or None at the end."""
        while self.position < len(self.tokens) and _text_of(self.tokens[self.position]) in _BLANK:
            self.position += 1
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _peek_char(self) -> str:
        """The next character after spaces; "" if a macro or group comes next, or nothing."""
        return _text_of(self._peek()) or ""

    def _argument(self) -> list[Any]:
        """The next argument: a group's tokens, or one character or macro."""
        token = self._peek()
        if token is None:
            raise Unsure("missing argument")
        self.position += 1
        if isinstance(token, str):
            if token in "{}^_&":
                raise Unsure(f"argument {token}")
            return [token]
        if isinstance(token, latex.Group):
            return token.tokens
        if not isinstance(token, latex.Macro):
            return [token]
        before = self.position
        rendered = _Rendered(self._macro(token.name, spaced=False))  # x^\mathrm{th}
        if self.position == before and token.spaced:  # \max_\theta f: keep the space
            self.tokens.insert(self.position, " ")
        return [rendered]

    def _optional(self) -> list[Any] | None:
        """The tokens between [ and ] right after a macro, or None if there are none."""
        if self._peek_char() != "[":
            return None
        depth, start = 0, self.position
        for index in range(start, len(self.tokens)):
            token = self.tokens[index]
            depth += (_text_of(token) == "[") - (_text_of(token) == "]")
            if depth == 0:
                self.position = index + 1
                return self.tokens[start + 1 : index]
        raise Unsure("unclosed [")

    def _node(self, node: Any) -> str:
        if isinstance(node, latex.Group):
            return _render(node.tokens)
        if isinstance(node, latex.Macro):
            return self._macro(node.name, node.spaced)
        return _environment(node.name, node.tokens)

    def _macro(self, name: str, spaced: bool) -> str:
        handler = _HANDLERS.get(name)
        if handler is not None:
            return handler(self, name)
        if name in tables.SPACES:
            return tables.SPACES[name]
        if name in tables.ESCAPES:
            return tables.ESCAPES[name]
        symbol = tables.symbol(name)
        if symbol is None:
            raise Unsure(f"\\{name}")
        if name in tables.OPENING_DELIMITERS:
            return symbol
        if name in tables.CLOSING_DELIMITERS:
            return _HUG + symbol + (" " if spaced else "")
        # The author's space after \equiv or \alpha stays (a ≡ b, not a ≡b) if there is one
        # before it too (s≤t, not s≤ t); ∂ and ∇ belong to what follows.
        if not spaced or symbol in _PREFIX:
            return symbol
        return _MIRROR_OPEN + symbol + _MIRROR_SPACE

    def _fraction(self, _name: str) -> str:
        numerator, denominator = _render(self._argument()), _render(self._argument())
        if not numerator.strip() or not denominator.strip():
            raise Unsure("empty fraction")
        top = f"({numerator})" if _is_loose(numerator) else numerator
        bottom = denominator if _is_single(denominator) else f"({denominator})"
        return f"{_FRACTION_OPEN}{top}/{bottom}{_FRACTION_CLOSE}"

    def _root(self, _name: str) -> str:
        index = self._optional()
        radicand = _render(self._argument())
        degree = "2" if index is None else _render(index).strip()
        sign = {"2": "√", "3": "∛", "4": "∜"}.get(degree) or _superscript_only(degree) + "√"
        body = radicand if _is_single(radicand) else f"({radicand})"
        return f"{_ROOT_OPEN}{sign}{body}{_ROOT_CLOSE}"

    def _accent(self, name: str) -> str:
        base = _render(self._argument()).strip()
        if not base or unicodedata.combining(base[0]) or not _is_one_character(base):
            raise Unsure(f"\\{name} over {base!r}")  # a hat over "xy" has no Unicode form
        return unicodedata.normalize("NFC", base + tables.ACCENTS[name])

    def _styled(self, name: str) -> str:
        text = _render(self._argument())
        styled = tables.styled(text, tables.STYLES[name])
        if styled is None:
            raise Unsure(f"no {name} form of {text!r}")
        return styled

    def _text(self, _name: str) -> str:
        return _render(self._argument())

    def _operator(self, name: str) -> str:
        following = self._peek()
        if (
            name == "arg"
            and isinstance(following, latex.Macro)
            and following.name in ("max", "min")
        ):
            self.position += 1  # \arg\max is one operator: argmax
            return f"{_SOFT_SPACE_BEFORE}arg{following.name}{_SOFT_SPACE}"
        return _SOFT_SPACE_BEFORE + tables.TWO_WORD_OPERATORS.get(name, name) + _SOFT_SPACE

    def _named_operator(self, _name: str) -> str:
        if self._peek_char() == "*":  # \operatorname*: limits below, same text
            self.position += 1
        return _SOFT_SPACE_BEFORE + _render(self._argument()).strip() + _SOFT_SPACE

    def _modulo(self, name: str) -> str:
        if name == "pmod":
            return f" (mod {_render(self._argument()).strip()})"
        return " mod "

    def _size(self, name: str) -> str:
        following = self._peek_char()
        if following == ".":  # \right. : no delimiter
            self.position += 1
        elif name in ("left", "right") and following in ("<", ">"):
            self.position += 1
            return "⟨" if following == "<" else "⟩"
        return ""

    def _negated(self, _name: str) -> str:
        relation = _render(self._argument()).strip()
        if len(relation) != 1 or relation.isalnum():
            raise Unsure(f"\\not {relation!r}")
        return unicodedata.normalize("NFC", relation + "\u0338")

    def _over(self, name: str) -> str:
        mark, base = _render(self._argument()).strip(), _render(self._argument())
        if name == "underset":
            return base.rstrip(" ") + _script("_", mark)
        return base.rstrip(" ") + _superscript_only(mark)  # =ᵈᵉᶠ; a bracketed =^(…) would mislead

    def _tag(self, name: str) -> str:
        content = _render(self._argument()).strip()
        return "" if name == "label" else f" ({content})"

    def _row(self, _name: str) -> str:
        if self._peek_char() == "*":
            self.position += 1
        self._optional()  # \\[2pt]: spacing
        return _ROW


def _text_of(token: Any) -> str | None:
    """A character token as itself; None for a macro, group or environment."""
    return token if isinstance(token, str) else None


def _char(token: str) -> str:
    if token == "&":
        return _CELL
    if token in "~\n":
        return " "
    if token in "$#":
        raise Unsure(token)  # math inside math, a macro parameter: not a formula to read
    return token


_HANDLERS: dict[str, Any] = {
    **dict.fromkeys(("frac", "dfrac", "tfrac", "cfrac"), _Renderer._fraction),
    "sqrt": _Renderer._root,
    **dict.fromkeys(tables.ACCENTS, _Renderer._accent),
    **dict.fromkeys(tables.STYLES, _Renderer._styled),
    **dict.fromkeys(tables.TEXT, _Renderer._text),
    **dict.fromkeys(tables.OPERATOR_MACROS, _Renderer._operator),
    **dict.fromkeys(("operatorname", "mathop"), _Renderer._named_operator),
    **dict.fromkeys(("bmod", "mod", "pmod"), _Renderer._modulo),
    **dict.fromkeys(tables.SIZES, _Renderer._size),
    "not": _Renderer._negated,
    **dict.fromkeys(("stackrel", "overset", "underset"), _Renderer._over),
    **dict.fromkeys(("tag", "label"), _Renderer._tag),
    "\\": _Renderer._row,
}


def _environment(name: str, tokens: list[Any]) -> str:
    """Aligned rows as lines; matrices as [a, b; c, d]; cases as { a, if x; b, otherwise }."""
    if name in tables.SPEC_ARGUMENT:
        renderer = _Renderer(tokens)
        renderer._argument()  # the column spec
        tokens = tokens[renderer.position :]
    rows = [row.split(_CELL) for row in _render(tokens).split(_ROW)]
    if rows and not "".join(rows[-1]).strip():
        rows.pop()  # a \\ at the end
    if name in tables.LINES:
        return "\n".join(" ".join(cells) for cells in rows)
    # A cell may end in its own comma (x, & x > 0): one comma between cells, not two.
    cells = "; ".join(", ".join(c.strip(" ,") for c in row if c.strip(" ,")) for row in rows)
    if name in tables.MATRICES:
        opening, closing = tables.MATRICES[name]
        return f"{opening}{cells}{closing}"
    if name in tables.CASES:
        return f"{{ {cells} }}"
    raise Unsure(f"environment {name}")


def _script(mark: str, content: str) -> str:
    """x², xᵢ where every character has a Unicode script form; else x_B, x^(i+1)."""
    content = content.strip()
    if not content:
        raise Unsure("empty script")
    if set(content) <= {"′"}:
        return content  # t^\prime is t′
    squeezed = content.replace(" ", "")
    mapped = squeezed.translate(tables.SUPERSCRIPT if mark == "^" else tables.SUBSCRIPT)
    if all(a != b for a, b in zip(squeezed, mapped, strict=True)):
        return mapped
    if _is_one_character(content):  # μ_B, x^*; and a space after: μ_B x, not μ_Bx
        return f"{mark}{content}{_SOFT_SPACE}"
    return f"{mark}({content})"  # 𝔼_(q_ϕ), not 𝔼_q_ϕ


def _superscript_only(text: str) -> str:
    squeezed = text.replace(" ", "")
    mapped = squeezed.translate(tables.SUPERSCRIPT)
    if not squeezed or any(a == b for a, b in zip(squeezed, mapped, strict=True)):
        raise Unsure(f"no superscript for {text!r}")
    return mapped


def _bare(text: str) -> str:
    """The text as the bracketing rules see it: markers gone, a soft space a space."""
    return _soft_spaces(text.translate({ord(m): None for m in _MARKERS + _HUG})).strip()


def _is_single(text: str) -> bool:
    """One number or letter with its scripts, or one bracketed whole: needs no brackets."""
    bare = _bare(text)
    if bare[:1] in "∂∇√∛∜":
        bare = bare[1:]
    unscripted = bare.rstrip(tables.SCRIPT_CHARS + "′")
    return _bracketed(unscripted) or bool(_SINGLE.fullmatch(bare))


def _bracketed(text: str) -> bool:
    if len(text) < 2:
        return False
    if text[0] in "|‖":
        return text[-1] == text[0] and text.count(text[0]) == 2
    depth = 0
    for index, char in enumerate(text):
        depth += (char in _OPENING) - (char in _CLOSING)
        if depth == 0:
            return index == len(text) - 1
    return False


def _is_loose(text: str) -> bool:
    """A space or a loose operator outside brackets: (a + b)/c, not a + b/c."""
    depth = 0
    for char in _bare(text):
        depth += (char in _OPENING) - (char in _CLOSING)
        if depth == 0 and (char.isspace() or char in _LOOSE or char in "/|‖"):
            return True
    return False


def _is_one_character(text: str) -> bool:
    return all(unicodedata.combining(c) for c in text[1:])


def _finish(text: str) -> str:
    """Markers resolved, spaces collapsed, one line per row."""
    text = _soft_spaces(_resolve_brackets(text))
    text = text.replace(_CELL, " ").replace(_ROW, "\n")
    text = re.sub(f" *{_HUG}", "", text)
    inside = f"([{re.escape(_OPENING)}]) +| +([{re.escape(_CLOSING)}])"
    text = re.sub(inside, lambda m: m[1] or m[2], text)  # (a + b), not ( a + b )
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _soft_spaces(text: str) -> str:
    """A space where a letter or number follows (log x), none before a bracket (log(x))."""

    def space(match: re.Match[str]) -> str:
        following = match.group(1)
        if not following or following in tables.SCRIPT_CHARS:  # ² is a number to isalnum
            return ""
        return " " if following.isalnum() or following in "√∛∜∂∇" else ""

    def space_before(match: re.Match[str]) -> str:
        previous = match.group(1)
        wanted = previous.isalnum() or (previous and previous in _CLOSING + "′'")
        return previous + (" " if wanted else "")

    text = re.sub(f"(.?){_SOFT_SPACE_BEFORE}", space_before, text)
    text = re.sub(f"{_SOFT_SPACE}(?={_MIRROR_OPEN}?(.?))", space, text)
    mirrored = f"( ?){_MIRROR_OPEN}([^{_MIRROR_SPACE}]*){_MIRROR_SPACE}"
    return re.sub(mirrored, lambda m: m[1] + m[2] + m[1], text)


def _resolve_brackets(text: str) -> str:
    """Fractions and roots get brackets where their neighbours would misread them."""
    chars = list(text)
    opened: list[int] = []
    for index, char in enumerate(text):
        if char in (_FRACTION_OPEN, _ROOT_OPEN):
            opened.append(index)
        elif char in (_FRACTION_CLOSE, _ROOT_CLOSE):
            start = opened.pop()
            if char == _FRACTION_CLOSE:
                wrap = not (
                    _neighbour(text, start, -1) in _LOOSE + _OPENING
                    and _neighbour(text, index, 1) in _LOOSE + _CLOSING + "."
                )
            else:  # √x² reads as √(x²)
                wrap = text[index + 1 : index + 2] in set(tables.SCRIPT_CHARS + "^_′")
            chars[start], chars[index] = ("(", ")") if wrap else ("", "")
    return "".join(chars)


_SKIPPED = " " + _MARKERS + _MIRROR_OPEN + _MIRROR_SPACE + _HUG


def _neighbour(text: str, index: int, step: int) -> str:
    """The first character beside text[index] that is not a space or marker; "" at an end."""
    index += step
    while 0 <= index < len(text) and text[index] in _SKIPPED:
        index += step
    if not 0 <= index < len(text) or text[index] in (_CELL, _ROW, "\n"):
        return ""
    return text[index]


def _one_line(text: str) -> str:
    lines = text.split("\n")
    out = lines[0]
    for line in lines[1:]:  # "a\n= b" runs on; separate statements get a semicolon
        out += (" " if line[0] in _LOOSE else "; ") + line
    return out
