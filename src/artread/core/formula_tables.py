"""The tables core/formula reads LaTeX with: which macros mean what, and their Unicode forms.

Symbols (\\alpha, \\le) come from pylatexenc's tables; the rest is here: the characters that
have a super- or subscript form, operator names, styles, accents, spacing, environments.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

# The characters Unicode has a superscript or subscript form of (no superscript q, no
# subscript b): a script in which every character has one is written with them, xᵢ².
SUPERSCRIPT = str.maketrans(
    "0123456789+-=()niTabcdefghjklmoprstuvwxyzABDEGHIJKLMNOPRUVWβγδθφχ⊤",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵀᵃᵇᶜᵈᵉᶠᵍʰʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵁⱽᵂᵝᵞᵟᶿᵠᵡᵀ",
)
SUBSCRIPT = str.maketrans(
    "0123456789+-=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ"
)
SCRIPT_CHARS = "".join(sorted({chr(c) for t in (SUPERSCRIPT, SUBSCRIPT) for c in t.values()}))
_OPERATOR_WORDS = (
    "log ln lg exp sin cos tan cot sec csc sinh cosh tanh coth arcsin arccos arctan max"
    " min sup inf lim det dim ker deg gcd lcm hom Pr argmax argmin"
)
OPERATOR_NAMES = frozenset(_OPERATOR_WORDS.split())
TWO_WORD_OPERATORS = {"liminf": "lim inf", "limsup": "lim sup"}
OPERATOR_MACROS = OPERATOR_NAMES | {"arg", *TWO_WORD_OPERATORS}
STYLES = {
    "mathbf": "BOLD",
    "boldsymbol": "BOLD",
    "bm": "BOLD",
    "mathbb": "DOUBLE-STRUCK",
    "mathcal": "SCRIPT",
    "mathscr": "SCRIPT",
    "mathfrak": "FRAKTUR",
    "mathsf": "SANS-SERIF",
    "mathtt": "MONOSPACE",
}
# ℭ, ℌ: the Fraktur letters Unicode had before its mathematical block are named Black-letter.
_STYLE_ALIASES = {"FRAKTUR": "BLACK-LETTER"}
_TEXT_WORDS = (
    "text textrm textit textbf textsf texttt textnormal mbox mathrm mathit mathnormal boxed"
)
TEXT = frozenset(_TEXT_WORDS.split())
ACCENTS = {
    "hat": "\u0302",
    "widehat": "\u0302",
    "bar": "\u0304",
    "overline": "\u0305",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "dot": "\u0307",
    "ddot": "\u0308",
    "vec": "\u20d7",
    "overrightarrow": "\u20d7",
    "overleftarrow": "\u20d6",
    "check": "\u030c",
    "breve": "\u0306",
    "acute": "\u0301",
    "grave": "\u0300",
    "mathring": "\u030a",
}
SPACES = {",": " ", ";": " ", ":": " ", ">": " ", " ": " ", "quad": " ", "qquad": " "}
SPACES |= {"enspace": " ", "thinspace": " ", "medspace": " ", "thickspace": " ", "!": ""}
SPACES |= {"negthinspace": "", "displaystyle": "", "textstyle": "", "scriptstyle": ""}
SPACES |= {"limits": "", "nolimits": "", "nonumber": "", "notag": "", "mathstrut": ""}
ESCAPES = {"{": "{", "}": "}", "%": "%", "_": "_", "&": "&", "#": "#", "$": "$", "|": "‖"}
SIZES = frozenset(
    f"{size}{side}" for size in ("big", "Big", "bigg", "Bigg") for side in ("", "l", "r", "m")
) | {"left", "right", "middle"}
_SYMBOL_OVERRIDES = {
    "prime": "′",
    "gets": "←",
    "gt": ">",
    "lt": "<",
    "ne": "≠",
    "neg": "¬",
    "lnot": "¬",
    "land": "∧",
    "lor": "∨",
    "implies": "⟹",
    "iff": "⟺",
    "coloneqq": "≔",
    "lbrace": "{",
    "rbrace": "}",
    "vert": "|",
    "Vert": "‖",
    "colon": ":",
    "mid": "|",
    "top": "⊤",
    "intercal": "⊤",
    "Re": "ℜ",
    "Im": "ℑ",
}
# The symbols most formulas use, as pylatexenc has them, so that its whole table (800 macros,
# tens of milliseconds to load on each search) is read only for a rarer one. A test keeps the
# two in step.
_COMMON_WORDS = (
    "alpha α beta β gamma γ delta δ epsilon ϵ varepsilon ε zeta ζ eta η theta θ"
    " vartheta ϑ iota ι kappa κ lambda λ mu μ nu ν xi ξ pi π varpi ϖ rho ρ varrho ϱ"
    " sigma σ varsigma ς tau τ upsilon υ phi ϕ varphi φ chi χ psi ψ omega ω Gamma Γ"
    " Delta Δ Theta Θ Lambda Λ Xi Ξ Pi Π Sigma Σ Upsilon Υ Phi Φ Psi Ψ Omega Ω times ×"
    " cdot · partial ∂ in ∈ ni ∋ mid | sum ∑ prod ∏ int ∫ oint ∮ infty ∞ nabla ∇ ldots …"
    " dots … cdots ⋯ vdots ⋮ ddots ⋱ leq ≤ le ≤ geq ≥ ge ≥ neq ≠ approx ≈ sim ∼ simeq ≃"
    " cong ≅ propto ∝ equiv ≡ ll ≪ gg ≫ leftarrow ← rightarrow → longrightarrow ⟶"
    " longleftarrow ⟵ Leftarrow ⇐ Rightarrow ⇒ Leftrightarrow ⇔ leftrightarrow ↔ mapsto ↦"
    " odot ⊙ otimes ⊗ oplus ⊕ cap ∩ cup ∪ subseteq ⊆ subset ⊂ supseteq ⊇ supset ⊃ notin ∉"
    " emptyset ∅ forall ∀ exists ∃ pm ± mp ∓ div ÷ circ ∘ ast ∗ star ⋆ bullet ∙ perp ⊥"
    " parallel ∥ langle ⟨ rangle ⟩ lfloor ⌊ rfloor ⌋ lceil ⌈ rceil ⌉ lVert ‖ rVert ‖"
    " lvert | rvert | setminus ∖ ell ℓ hbar ħ bigcup ⋃ bigcap ⋂ wedge ∧ vee ∨"
    " uparrow ↑ downarrow ↓"
)
_COMMON_PAIRS = _COMMON_WORDS.split()
COMMON_SYMBOLS = dict(zip(_COMMON_PAIRS[::2], _COMMON_PAIRS[1::2], strict=True)) | _SYMBOL_OVERRIDES
MATRICES = {
    "matrix": ("", ""),
    "smallmatrix": ("", ""),
    "array": ("", ""),
    "pmatrix": ("(", ")"),
    "bmatrix": ("[", "]"),
    "Bmatrix": ("{", "}"),
    "vmatrix": ("|", "|"),
    "Vmatrix": ("‖", "‖"),
}
_LINE_ENVIRONMENTS = ("aligned", "align", "alignat", "alignedat", "gathered", "gather", "split")
_LINE_ENVIRONMENTS += ("equation", "eqnarray", "multline", "flalign")
LINES = frozenset(name + star for name in _LINE_ENVIRONMENTS for star in ("", "*"))
CASES = frozenset({"cases", "dcases", "rcases"})
OPENING_DELIMITERS = frozenset({"lVert", "lvert", "langle", "lfloor", "lceil", "lbrace"})
CLOSING_DELIMITERS = frozenset({"rVert", "rvert", "rangle", "rfloor", "rceil", "rbrace"})
SPEC_ARGUMENT = frozenset({"array", "alignat", "alignat*", "alignedat"})  # {cc|c}, {2}: no math


def symbol(name: str) -> str | None:
    """What a symbol macro stands for (\\alpha → α, \\le → ≤), or None if it is no symbol."""
    common = COMMON_SYMBOLS.get(name)
    return common if common is not None else symbols().get(name)


@cache
def symbols() -> dict[str, str]:
    """Every macro that stands for one symbol, from pylatexenc's tables, with ours on top."""
    from pylatexenc import latex2text, latexwalker

    arguments = latexwalker.get_default_latex_context_db()
    symbols: dict[str, str] = {}
    for spec in latex2text.get_default_latex_context_db().iter_macro_specs():
        replacement = getattr(spec, "simplify_repl", None)
        if not isinstance(replacement, str) or not 0 < len(replacement.strip()) <= 2:
            continue
        if "%" in replacement or not spec.macroname.isalpha():
            continue
        takes = arguments.get_macro_spec(spec.macroname)
        if getattr(getattr(takes, "args_parser", None), "argspec", ""):
            continue  # \label{…}, \ref{…}: their arguments are no math
        symbols[spec.macroname] = replacement.strip()
    return symbols | _SYMBOL_OVERRIDES


def styled(text: str, style: str) -> str | None:
    """Letters and digits in a mathematical style (𝐱, ℝ, 𝒩): the style tells vector from scalar.
    None if a letter has no such form in Unicode (no script α)."""
    out = []
    for char in text:
        mapped = _styled_char(char, style) if char.isalnum() else None
        if mapped is None and _PLAIN_LETTER.match(unicodedata.name(char, "")):
            return None
        out.append(mapped or char)  # ᵢ, 中, ∂: as they are
    return "".join(out)


_PLAIN_LETTER = re.compile(r"(?:LATIN|GREEK) (?:CAPITAL|SMALL) LETTER \w+$|DIGIT \w+$")


@lru_cache(maxsize=1024)
def _styled_char(char: str, style: str) -> str | None:
    name = unicodedata.name(char)
    rest = re.sub(
        r"^(?:LATIN|GREEK) (?:(CAPITAL|SMALL) LETTER )?(?:LUNATE )?", r"\1 ", name
    ).strip()
    # ℝ, ℒ, ℭ sit among the letterlike symbols, named without MATHEMATICAL.
    for candidate in (f"MATHEMATICAL {style} {rest}", f"{_STYLE_ALIASES.get(style, style)} {rest}"):
        try:
            return unicodedata.lookup(candidate)
        except KeyError:
            continue
    return None
