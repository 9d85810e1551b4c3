"""What reading an article as plain text costs: plaintext.to_plain and headings over a corpus,
this checkout against an earlier revision's plaintext.py, and markdown-it-py's parser alone.

    .venv/bin/python bench/plain_speed.py [--corpus PATH] [--before REV] [--runs 5]

Every article is read this way when it is indexed (to_plain twice, headings once), so this is
the part of a cold index that markup handling can make slower; a Markdown parser would have
to beat these figures to replace the regular expressions. The revisions are timed in turns in
one process, so a busy machine slows both alike. Prints a Markdown table; exit 0, also when
the corpus is missing.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from artread.core import plaintext
from artread.core.front_matter import body_of

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--before", default="HEAD~1", help="git revision to compare with")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    files = sorted(options.corpus.glob("*.md"))
    if not files:
        print(f"no corpus at {options.corpus}", file=sys.stderr)
        return 0
    bodies = [body_of(path.read_text(encoding="utf-8")) for path in files]
    before = _module_at(options.before)
    cases: dict[str, Callable[[str], object]] = {}
    for name, module in ((options.before, before), ("this checkout", plaintext)):
        cases[f"to_plain(keep_code=True), {name}"] = _bind(module, "to_plain", keep_code=True)
        cases[f"to_plain(), {name}"] = _bind(module, "to_plain")
        cases[f"headings(), {name}"] = _bind(module, "headings")
    from markdown_it import MarkdownIt  # comes with rich

    cases["markdown-it-py parse only (commonmark)"] = MarkdownIt("commonmark").parse
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(options.runs):
        for name, function in cases.items():  # in turns: load on the machine hits all alike
            started = time.perf_counter()
            for body in bodies:
                function(body)
            times[name].append(time.perf_counter() - started)
    size = sum(map(len, bodies))
    print(f"{len(bodies)} files, {size:,} characters, {options.runs} runs\n")
    print("| what | min | median |\n| --- | ---: | ---: |")
    for name, seconds in times.items():
        fastest, median = min(seconds) * 1000, statistics.median(seconds) * 1000
        print(f"| {name} | {fastest:.0f} ms | {median:.0f} ms |")
    return 0


def _module_at(revision: str) -> ModuleType:
    """plaintext.py as it was at a git revision, loaded beside today's modules."""
    source = subprocess.run(
        ["git", "show", f"{revision}:src/artread/core/plaintext.py"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "plaintext_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("plaintext_before", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bind(module: ModuleType, name: str, **keywords: bool) -> Callable[[str], object]:
    function = getattr(module, name)
    return lambda body: function(body, **keywords)


if __name__ == "__main__":
    sys.exit(main())
