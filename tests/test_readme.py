"""README's sample output is what the commands print: each line of its examples appears, in
order, in what the command shows on a terminal of the width the heading names."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from helpers import run_in_terminal

README = Path(__file__).resolve().parents[1] / "README.md"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
# The example's heading, and the command and terminal width it shows.
EXAMPLES = {
    "### `artread latest` (80 columns)": (["latest"], 80),
    "### `artread search 梯度检查点`": (["search", "梯度检查点"], 80),
    "### `artread analyze`": (["analyze", "如何", "实现", "hash", "map", "執行緒"], 80),
    "### `artread show word-embedding` (80 columns)": (
        ["show", "word-embedding", "--no-pager"],
        80,
    ),
    "### `artread categories`, `artread tags`": (["categories"], 80),
}


def example(heading: str) -> list[str]:
    """The lines of the first code block after the heading; elisions (`...`, `... (eight
    more)`), the command line (`$ artread ...`) and blank lines are left out."""
    text = README.read_text(encoding="utf-8")
    after = text[text.index(heading) + len(heading) :]
    fences = [n for n, line in enumerate(after.splitlines()) if line.strip() == "```"]
    lines = [line.rstrip() for line in after.splitlines()[fences[0] + 1 : fences[1]]]
    skipped = ("... (", "$ ")
    return [
        line
        for line in lines
        if line.strip() not in ("", "...") and not line.strip().startswith(skipped)
    ]


@pytest.mark.slow
@pytest.mark.parametrize("heading", list(EXAMPLES))
def test_readme_examples_are_what_the_commands_print(heading, sample_index, env_without_artread):
    args, columns = EXAMPLES[heading]
    env = {
        **env_without_artread,
        "ARTREAD_INDEX_DIR": os.environ["ARTREAD_INDEX_DIR"],
        "ARTREAD_CACHE_DIR": os.environ["ARTREAD_CACHE_DIR"],
        "ARTREAD_SERVER": "off",
        "TERM": "xterm-256color",
    }
    shown, status = run_in_terminal(args, env, columns=columns, rows=200)
    assert status == 0
    printed = [line.rstrip() for line in ANSI.sub("", shown).replace("\r", "").splitlines()]
    position = 0
    for line in example(heading):
        assert line in printed[position:], f"README line not printed (in order): {line!r}"
        position = printed.index(line, position) + 1
