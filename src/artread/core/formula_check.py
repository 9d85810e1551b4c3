"""The check on a converted formula: every letter, digit and operator of the LaTeX is in the
text as many times. It reads the LaTeX with regexes alone, so that it does not share the
converter's mistakes; `formula.to_unicode` shows the LaTeX when it fails, and the tests and
bench/formulas.py count how often the converter alone would have lost something.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from artread.core.formula_tables import OPERATOR_NAMES

__all__ = ["lost_symbols"]

_CHECKED_OPERATORS = "+-=<>!|/"
_CHECKED_MACROS = {
    **dict.fromkeys(("le", "leq"), "≤"),
    **dict.fromkeys(("ge", "geq"), "≥"),
    "leqslant": "⩽",
    "geqslant": "⩾",
    **dict.fromkeys(("ne", "neq"), "≠"),
    **dict.fromkeys(("to", "rightarrow"), "→"),
    **dict.fromkeys(("leftarrow", "gets"), "←"),
    "times": "×",
    "cdot": "·",
    "pm": "±",
    "div": "÷",
    "in": "∈",
    "notin": "∉",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "partial": "∂",
    "nabla": "∇",
    "infty": "∞",
    "approx": "≈",
    "sim": "∼",
    "equiv": "≡",
    "propto": "∝",
    "odot": "⊙",
    "otimes": "⊗",
    "cup": "∪",
    "cap": "∩",
    "subseteq": "⊆",
    "forall": "∀",
    "exists": "∃",
}
_CHECKED_WORDS = {"bmod": "mod", "pmod": "mod", "mod": "mod", "operatorname": "", "mathop": ""}
_GREEK_WORDS = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi"
    " rho sigma tau upsilon phi chi psi omega"
)
_GREEK = _GREEK_WORDS.split()


def lost_symbols(tex: str, text: str) -> list[str]:
    """Letters, digits and operators of the LaTeX that the text does not have as many of."""
    source = _source_symbols(tex)
    have = Counter(_folded(text))
    lost = [symbol for symbol, count in source.items() if have[symbol] < count]
    return sorted(lost)


def _source_symbols(tex: str) -> Counter[str]:
    tex = re.sub(r"\\begin\{(?:array|alignat\*?|alignedat)\}\{[^{}]*\}", " ", tex)  # column spec
    tex = re.sub(r"\\(?:begin|end)\{[^{}]*\}|\\label\{[^{}]*\}", " ", tex)
    tex = re.sub(r"\\[^A-Za-z]", " ", tex)  # \{ \, \\ \!: not what the reader checks
    words: list[str] = []

    def macro(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _CHECKED_MACROS:
            words.append(_CHECKED_MACROS[name])
        elif name in _CHECKED_WORDS:
            words.append(_CHECKED_WORDS[name])
        elif name in OPERATOR_NAMES or name == "arg":
            words.append(name)
        elif name.lower().removeprefix("var") in _GREEK:
            letter = name.removeprefix("var")
            case = "CAPITAL" if letter[0].isupper() else "SMALL"
            spelled = letter.upper().replace("LAMBDA", "LAMDA")  # as Unicode spells it
            words.append(_folded(unicodedata.lookup(f"GREEK {case} LETTER {spelled}")))
        return " "

    rest = re.sub(r"\\([A-Za-z]+)\*?", macro, tex)
    kept = [c for c in _folded(rest) if c.isalnum() or c in _CHECKED_OPERATORS]
    return Counter(kept) + Counter(_folded("".join(words)))


def _folded(text: str) -> str:
    """Styles, scripts and accents off: 𝐱 is x, xᵢ² is xi2, ŷ is y, ∛ is 3√."""
    text = text.replace("∛", "3√").replace("∜", "4√").replace("ς", "σ")
    decomposed = unicodedata.normalize("NFKD", text).replace("−", "-")
    return "".join(c for c in decomposed if not unicodedata.combining(c))
