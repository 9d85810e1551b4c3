"""Make untrusted article text safe to print on a terminal."""

from __future__ import annotations

import re

# Escape sequences first (so their parameters go too), then any lone control character.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?     # OSC ... BEL/ST (or unterminated)
  | \x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?       # 8-bit OSC
  | \x1b[P^_X][^\x1b\x9c]*(?:\x1b\\|\x9c)?          # DCS, PM, APC, SOS
  | [\x90\x98\x9e\x9f][^\x1b\x9c]*(?:\x1b\\|\x9c)?   # 8-bit DCS, SOS, PM, APC
  | \x1b\[[0-?]*[ -/]*[@-~]?                         # CSI
  | \x9b[0-?]*[ -/]*[@-~]?                           # 8-bit CSI
  | \x1b[ -/]*[0-~]?                                 # other ESC sequences
    """,
    re.VERBOSE,
)
# C0 controls but tab and newline, DEL, C1 controls, bidi overrides and isolates.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def clean(text: str) -> str:
    """Remove escape sequences and control characters; keep tab and newline."""
    if not text:
        return text
    text = text.replace("\r\n", "\n")
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def clean_line(text: str) -> str:
    """Like clean(), and fold every run of white space into one space."""
    return " ".join(clean(text).split())
