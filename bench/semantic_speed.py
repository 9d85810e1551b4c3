"""Search by meaning (artread[semantic]): what the vectors cost to make, to keep and to search.

    .venv/bin/python bench/semantic_speed.py [--corpus PATH] [--scales 1,10] [--runs 10]

For each scale (N copies of ../shared/corpus):
- `artread index` (keywords), then `artread index --semantic`: the time to make the vectors of
  every article (at 1x; at Nx the copies share the vectors of the first, which measures the
  copying) and the peak RSS;
- the vectors on disk, against the index's size;
- whole-process search times, median of --runs (hyperfine when installed): words alone
  (ARTREAD_SEMANTIC=off) and fused (the default, auto), the same command line, in their own
  process (ARTREAD_SERVER=off) and through the resident server,
  for keyword queries and questions; rg -l and a Python script querying SQLite FTS5 (the same
  peer as bench.py's) for the keyword queries, in the same run;
- the resident server's peak RSS (VmHWM) after those searches.

Needs artread[semantic]; without the corpus, or without the extra, it says so and exits 0.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import (  # noqa: E402  (bench.py's timing and archives)
    DEFAULT_CORPUS,
    Timer,
    corpus_articles,
    disk_usage,
    log,
    make_archive,
    measure_once,
    run_checked,
)

# Not the evaluation's queries: a few a reader types, keywords and questions.
KEYWORDS = ["注意力", "线程池", "Transformer", "梯度检查点"]
QUESTIONS = ["如何让模型训练时占用更少的显存", "how do I make a Java program run tasks in parallel"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    from artread.core.semantic import model

    if not args.corpus.is_dir():
        print(f"skipped: no corpus at {args.corpus} (it lives in ../shared/corpus)")
        return 0
    if model.version() is None:
        print("skipped: artread[semantic] is not installed")
        return 0
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="artread-semantic-bench-") as tmp:
        for scale in [int(s) for s in args.scales.split(",")]:
            rows += measure_scale(Path(tmp), scale, args)
    print("\n".join(rows))
    return 0


def measure_scale(tmp: Path, scale: int, args: argparse.Namespace) -> list[str]:
    base = tmp / f"{scale}x"
    archive = base / "archive"
    count = make_archive(corpus_articles(args.corpus), archive, scale)
    env = environment(base, server=False)
    artread = str(Path(sys.executable).parent / "artread")
    cli = [artread, "--archive", str(archive)]
    seconds, _rss = measure_once([*cli, "index"], env, tmp)
    log(f"{scale}x: {count} articles indexed in {seconds:.1f} s")
    seconds, rss = measure_once([*cli, "index", "--semantic"], env, tmp)
    rows = [
        f"{scale}x ({count} articles): vectors made in {seconds:.1f} s, peak RSS {rss / 1e6:.0f} MB"
    ]
    timer = Timer(args.runs, tmp)
    times: dict[tuple[str, str], float] = {}
    for where in ("solo", "server"):
        env = environment(base, server=where == "server")
        if where == "server":
            start_server(cli, env)
        # Each query both ways in turn, so that a slow spell of the machine falls on both. The
        # same command line both ways (`--mode` would take it off the shortcut that runs a
        # plain search without Typer): $ARTREAD_SEMANTIC=off makes it words alone.
        for query in KEYWORDS + QUESTIONS:
            for mode in ("lexical", "auto"):
                moded = {**env, "ARTREAD_SEMANTIC": "off" if mode == "lexical" else "manual"}
                command = [*cli, "search", *query.split()]
                times[where, mode, query] = timer.median(command, moded, ok_codes=(0, 1))
                log(f"{scale}x {where} {mode} {query}: {times[where, mode, query] * 1000:.0f} ms")
        if where == "server":
            rss = server_rss(cli, env)
            rows.append(f"{scale}x: the server's peak RSS after the searches {rss / 1e6:.0f} MB")
            run_checked([*cli, "server", "stop"], env, (0, 1))
    rows += summary(scale, times, peers(base, archive, timer, environment(base, server=False)))
    # After the searches: the first one wrote the snapshot that searches read.
    index_dir = next((base / "index").iterdir())
    vectors = sum(disk_usage(p) for p in index_dir.glob("meaning.s*"))  # .sqlite*, .snapshot
    index = disk_usage(index_dir) - vectors
    rows.append(
        f"{scale}x: vectors {vectors / 1e6:.1f} MB on disk (database and snapshot), "
        f"{vectors / index:.1%} of the rest of the index ({index / 1e6:.1f} MB)"
    )
    return rows


def peers(base: Path, archive: Path, timer: Timer, env: dict[str, str]) -> dict[str, float]:
    """Median over the keyword queries of rg -l and of the FTS5 peer, each query's median."""
    found: dict[str, float] = {}
    rg = shutil.which("rg")
    if rg:
        found["rg -l"] = statistics.median(
            timer.median([rg, "-l", word, str(archive)], env, (0, 1)) for word in KEYWORDS
        )
    peer = HERE / "fts5_peer.py"
    db = base / "fts5.db"
    run_checked([sys.executable, str(peer), "build", str(db), str(archive)], env)
    found["FTS5"] = statistics.median(
        timer.median([sys.executable, str(peer), "query", str(db), word], env, (0, 1))
        for word in KEYWORDS
    )
    return found


def summary(scale: int, times: dict, peer: dict[str, float]) -> list[str]:
    rows = []
    for where in ("solo", "server"):
        for kind, queries in (("keywords", KEYWORDS), ("questions", QUESTIONS)):
            lexical = statistics.median(times[where, "lexical", q] for q in queries)
            auto = statistics.median(times[where, "auto", q] for q in queries)
            line = (
                f"{scale}x {where} {kind}: lexical {lexical * 1000:.0f} ms, auto "
                f"{auto * 1000:.0f} ms (+{(auto - lexical) * 1000:.0f} ms)"
            )
            if kind == "keywords":
                line += "".join(
                    f"; {name} {v * 1000:.0f} ms ({auto / v:.1f}x)" for name, v in peer.items()
                )
            rows.append(line)
    return rows


def server_pid(cli: list[str], env: dict[str, str]) -> int | None:
    done = run_checked([*cli, "server", "status"], env, (0, 1))
    found = re.search(r"pid (\d+)", done.stdout) if done.returncode == 0 else None
    return int(found.group(1)) if found else None


def start_server(cli: list[str], env: dict[str, str]) -> None:
    """The first command starts the server: wait until it answers, then warm it."""
    run_checked([*cli, "latest"], env)
    deadline = time.monotonic() + 120
    while server_pid(cli, env) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    for _ in range(2):
        run_checked([*cli, "latest"], env)


def server_rss(cli: list[str], env: dict[str, str]) -> float:
    """The server's peak RSS (VmHWM) so far."""
    pid = server_pid(cli, env)
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except (OSError, TypeError):
        return float("nan")
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) * 1024.0 if found else float("nan")


def environment(base: Path, *, server: bool) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.pop("ARTREAD_ARCHIVE", None)
    env["ARTREAD_CACHE_DIR"] = str(base / "cache")
    env["ARTREAD_INDEX_DIR"] = str(base / "index")
    env["ARTREAD_SEMANTIC"] = "manual"  # the bench makes the vectors itself, timed
    runtime = base / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env["XDG_RUNTIME_DIR"] = str(runtime)
    env["ARTREAD_SERVER"] = "on" if server else "off"
    return env


if __name__ == "__main__":
    sys.exit(main())
