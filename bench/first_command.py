"""The first command without the server: the whole `artread search WORD` process with
ARTREAD_SERVER=off, for this checkout and optionally another one, run in turn.

    .venv/bin/python bench/first_command.py --archive /tmp/a10 [--rounds 10]
                                            [--base OTHER/src [--base-index-dir DIR]]
                                            [--words 注意力,线程池,Transformer,梯度检查点]
                                            [--words-alone]

The index must be built (`artread --archive DIR index`; ARTREAD_INDEX_DIR is honoured); the
other checkout uses its own (--base-index-dir) when their formats differ: a version that
cannot read an index rebuilds it. Each
round runs every word once with each source tree (`PYTHONPATH=TREE/src` in front of the
`artread` script next to this Python), alternating which goes first, and `rg -l WORD ARCHIVE`
as the peer: on a machine whose speed drifts from minute to minute (a shared virtual machine),
runs taken in turn see the same drift, where one tree's runs after the other's would not. Each
tree's modules are compiled first, as an installed copy has them. Printed: the minimum, first
quartile and median over all words and rounds, and the ratios of the medians.

Where the index has vectors (artread[semantic]), each search is fused with meaning, as a
user's is; --words-alone adds this checkout with ARTREAD_SEMANTIC=off to the same rounds,
which measures what fusion adds.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

WORDS = ["注意力", "线程池", "Transformer", "梯度检查点"]  # bench.py's
HERE = Path(__file__).resolve().parents[1] / "src"
SCRIPT = str(Path(sys.executable).with_name("artread"))
WORDS_ALONE = "this checkout, words alone"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--base", type=Path, help="another checkout's src folder, to compare")
    parser.add_argument("--base-index-dir", help="ARTREAD_INDEX_DIR for the other checkout")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--words", default=",".join(WORDS))
    parser.add_argument("--words-alone", action="store_true", help="also without meaning")
    options = parser.parse_args()
    root = options.archive.resolve()
    if not root.is_dir():
        print(f"no archive at {root}", file=sys.stderr)
        return 1
    trees = {"this checkout": HERE}
    if options.base is not None:
        trees = {"base": options.base.resolve(), **trees}
    if options.words_alone:
        trees[WORDS_ALONE] = HERE
    for tree in set(trees.values()):
        compileall.compile_dir(tree / "artread", quiet=1)
    command = [SCRIPT, "--archive", str(root), "search"]  # the word goes last
    environ = {**os.environ, "ARTREAD_SERVER": "off", "ARTREAD_SEMANTIC": "manual"}
    rg = shutil.which("rg")
    times: dict[str, list[float]] = {name: [] for name in [*trees, "rg -l"]}
    words = options.words.split(",")
    for number in range(options.rounds):
        order = list(trees) if number % 2 == 0 else list(trees)[::-1]
        for word in words:
            for name in order:
                env = {**environ, "PYTHONPATH": str(trees[name])}
                if name == "base" and options.base_index_dir:
                    env["ARTREAD_INDEX_DIR"] = options.base_index_dir
                if name == WORDS_ALONE:
                    env["ARTREAD_SEMANTIC"] = "off"
                times[name].append(_timed([*command, word], env))
            if rg:
                times["rg -l"].append(_timed([rg, "-l", word, str(root)], environ))
    _report(times, len(words) * options.rounds)
    return 0


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _report(times: dict[str, list[float]], count: int) -> None:
    print(f"{count} runs each\n")
    print("| process | min | first quartile | median | median ÷ this checkout's |")
    print("| --- | --- | --- | --- | --- |")
    ours = statistics.median(times["this checkout"])
    for name, found in times.items():
        if not found:
            continue
        ranked = sorted(found)
        median = statistics.median(ranked)
        cells = [f"{ranked[0] * 1000:.0f} ms", f"{ranked[len(ranked) // 4] * 1000:.0f} ms"]
        print(f"| {name} | {' | '.join(cells)} | {median * 1000:.0f} ms | {median / ours:.2f}x |")


if __name__ == "__main__":
    sys.exit(main())
