"""artread as a library: the README's example runs as written and finds what the command line
finds, and `import artread` alone loads none of the search machinery."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import artread

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "library_example.py"


@pytest.mark.slow
def test_the_readme_example_prints_what_the_command_line_finds(sample_index, cli, tmp_path):
    # A program of its own, run from elsewhere, as a user would run the README's example.
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=os.environ.copy(),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    first, *listed, last = done.stdout.splitlines()
    expected = json.loads(cli("search", "梯度检查点", "-n", "3", "--json").stdout)
    assert first == f"{expected['total']} articles found"
    assert listed == [f"{r['id']}\t{r['title']}" for r in expected["results"]]
    best = expected["results"][0]
    assert last == " | ".join([best["date"], best["category"], ", ".join(best["tags"])])


def test_import_artread_loads_no_search_machinery_until_a_name_is_used():
    probe = (
        "import sys, artread\n"
        "heavy = ('whoosh', 'jieba', 'rich', 'typer', 'click', 'artread.core')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
        "artread.search\n"
        "print('artread.core.search' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "True"]


@pytest.mark.parametrize("name", artread.__all__)
def test_every_public_name_is_artreads_own(name):
    value = getattr(artread, name)
    assert name in dir(artread)
    if name != "__version__":
        assert value.__module__.startswith("artread."), name


def test_a_name_artread_does_not_offer_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        artread.no_such_thing  # noqa: B018
    assert not hasattr(artread, "rank_query")  # what is not in __all__ stays inside
