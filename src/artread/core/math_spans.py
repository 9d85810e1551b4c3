"""Where formulas are in Markdown, apart from how they are read (core.formula), so that finding
them (plain text, snippets) does not load the LaTeX conversion and its tables.
"""

from __future__ import annotations

import re

# Where formulas are in Markdown: $$…$$ or \[…\]; $…$ or \(…\). The LaTeX is group 1 or 2.
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]", re.S)
# $…$ with no space just inside the dollars, so prices ($5 and $10) stay text.
# Chinese runs right up to the dollars ("其中$a$表示"), so only Latin letters and digits count.
INLINE_MATH = re.compile(
    r"(?<![\\$A-Za-z0-9])\$(?=\S)([^$\n]+?)(?<=\S)\$(?![A-Za-z0-9$])|\\\((.+?)\\\)"
)
