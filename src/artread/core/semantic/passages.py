"""An article cut into the passages whose meaning is embedded: its title with its opening, then
each section's heading with the start of its text. Code is left out: it says little of what the
article is about, and it is most of the cost of embedding.

Embedding costs time in proportion to the text, so each article gets a budget: the title and
opening first, then the sections in order while the budget lasts. bench/semantic_build.py
measures the quality this buys against the time it costs (BENCHMARKS.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from artread.core import markup, plaintext

# A change to what is embedded here bumps PASSAGE_RULE in __init__.py: stored vectors are then
# remade.
PASSAGE_CHARS = 240  # about 128 tokens of Chinese: the cost per passage grows faster than this
ARTICLE_CHARS = 1000  # all the passages of one article, at most
MIN_CHARS = 12  # a section with less text than this says nothing on its own

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[ \t]*$|\Z)", re.S | re.M)
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.M)


@dataclass(frozen=True, slots=True)
class Passage:
    """A part of an article that is embedded on its own."""

    heading: str  # the section's heading; empty for the opening
    text: str  # what is embedded: the title or heading, then the start of the text


def passages(title: str, body: str) -> list[Passage]:
    """The passages of an article to embed, most telling first, within ARTICLE_CHARS."""
    text = _FENCE.sub("\n", markup.to_commonmark(body.replace("\r\n", "\n"), plain=True))
    sections: list[tuple[str, str]] = []
    last, heading = 0, ""
    for match in _HEADING.finditer(text):
        sections.append((heading, text[last : match.start()]))
        heading, last = plaintext.to_plain(match.group(1)), match.end()
    sections.append((heading, text[last:]))
    found: list[Passage] = []
    budget = ARTICLE_CHARS
    for heading, markdown in sections:
        prose = _prose(markdown)
        if len(prose) < MIN_CHARS and (found or not title):
            continue
        lead = title if not found else heading
        passage = f"{lead}\n{prose}".strip()[: min(PASSAGE_CHARS, budget)]
        found.append(Passage(heading, passage))
        budget -= len(passage)
        if budget < MIN_CHARS * 4:
            break
    return found


def _prose(markdown: str) -> str:
    """A section's text as one line, without code or its placeholder."""
    plain = plaintext.to_plain(markdown)
    return " ".join(plain.replace(plaintext.CODE_PLACEHOLDER, " ").split())
