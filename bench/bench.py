"""Speed benchmark: artread against ripgrep and SQLite FTS5 on ../shared/corpus, scaled up.

    .venv/bin/python bench/bench.py [--scales 1,10,50] [--quick] [--words 注意力,线程池]
                                    [--runs 10] [--artread-only] [--corpus PATH] [--keep]

Each scale is a temporary copy of the corpus (525 articles; at Nx, N full copies in copy00/,
copy01/, ...). artread runs as the `artread` script next to this Python interpreter, with its
index and cache in the temporary folder, so the user's own cache is never touched. Measured:
- the whole `artread search WORD` process on a warm index, for each word (median of runs),
  against `rg -l WORD` and a small FTS5 script (python start-up, jieba and the query included);
  answered by artread's resident server, and again with ARTREAD_SERVER=off;
- `artread latest` and `artread show ID`, the same two ways, and the server's peak memory;
- ArchiveIndex.is_fresh(), the freshness check every command makes, timed inside Python, with
  and without the folder watch the server keeps;
- a cold `artread index` (wall time, peak RSS, index size on disk) against building the FTS5
  database, and `artread index` after appending a line to one file. The cold index runs with
  one worker process per core (the default), then again with `--jobs 1` (one process, unless
  --no-single-index), for the speed-up the cores give.
A Markdown table for BENCHMARKS.md goes to stdout, progress to stderr. The exit status is 1 when
a measurement failed (the table is still printed), 0 otherwise or when the corpus is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
NOT_ARTICLES = {"SOURCE.md", "MANIFEST.tsv"}
DEFAULT_WORDS = "注意力,线程池,Transformer,梯度检查点"
WARMUP = 2
MB = 1_000_000
STARTED = time.perf_counter()

# Times ArchiveIndex.is_fresh() inside one Python process: a new object for every repeat (the
# check each command makes in its own process), then one object with its folders watched (the
# check the resident server makes).
FRESHNESS_SNIPPET = """
import json, sys, time
from pathlib import Path
from artread.core.index import ArchiveIndex
from artread.resident import watch

archive, repeats = Path(sys.argv[1]), int(sys.argv[2])
ArchiveIndex(archive).is_fresh()  # warm-up: imports, page cache
times, fresh = [], True
for _ in range(repeats):
    ix = ArchiveIndex(archive)
    started = time.perf_counter()
    fresh = ix.is_fresh() and fresh
    times.append(time.perf_counter() - started)
watched, resident = [], ArchiveIndex(archive)
resident.watch = watch.watch(archive)
if resident.watch is not None:
    resident.is_fresh(), resident.is_fresh()  # the first checks look at every file
    for _ in range(repeats):
        started = time.perf_counter()
        fresh = resident.is_fresh() and fresh
        watched.append(time.perf_counter() - started)
print(json.dumps({"times": times, "watched": watched, "fresh": fresh}))
"""

# Peak RSS without GNU time: the largest resident set among this wrapper's children.
RSS_WRAPPER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[2:]).returncode
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


class BenchError(Exception):
    """A measured command failed; the message says which and how."""


def log(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


def tail(text: str | None, lines: int = 6) -> str:
    """The last lines of a command's error output, for a failure message."""
    return "\n".join((text or "").strip().splitlines()[-lines:])


def run_checked(
    command: list[str], env: dict[str, str], ok_codes: Iterable[int] = (0,)
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; BenchError unless its exit status is one of ok_codes."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, errors="replace")
    if done.returncode not in tuple(ok_codes):
        raise BenchError(
            f"`{shlex.join(command)}` exited with {done.returncode}: {tail(done.stderr)}"
        )
    return done


# --- timing -----------------------------------------------------------------------------------


@dataclass
class Timer:
    """Median wall time of whole processes: hyperfine when installed, else a Python loop."""

    runs: int
    workdir: Path
    hyperfine: str | None = field(default_factory=lambda: shutil.which("hyperfine"))
    count: int = 0

    def median(
        self, command: list[str], env: dict[str, str], ok_codes: Iterable[int] = (0,)
    ) -> float:
        """Check the command once (exit status in ok_codes), then time it; output is piped."""
        first = run_checked(command, env, ok_codes)
        ignore_failure = first.returncode != 0  # e.g. a search with no results exits 1
        if self.hyperfine:
            return self._hyperfine(command, env, ignore_failure)
        return self._loop(command, env, (first.returncode,))

    def _hyperfine(self, command: list[str], env: dict[str, str], ignore_failure: bool) -> float:
        self.count += 1
        export = self.workdir / f"hyperfine-{self.count}.json"
        call = [
            self.hyperfine,
            f"--warmup={WARMUP}",
            f"--runs={self.runs}",
            "--shell=none",
            "--output=pipe",
            "--style=none",
            f"--export-json={export}",
            *(["--ignore-failure"] if ignore_failure else []),
            shlex.join(command),
        ]
        done = subprocess.run(call, env=env, capture_output=True, text=True, errors="replace")
        if done.returncode != 0:
            raise BenchError(f"hyperfine on `{shlex.join(command)}` failed: {tail(done.stderr)}")
        return float(json.loads(export.read_text(encoding="utf-8"))["results"][0]["median"])

    def _loop(self, command: list[str], env: dict[str, str], ok_codes: tuple[int, ...]) -> float:
        times = []
        for attempt in range(WARMUP + self.runs):
            started = time.perf_counter()
            run_checked(command, env, ok_codes)
            if attempt >= WARMUP:
                times.append(time.perf_counter() - started)
        return statistics.median(times)


def measure_once(command: list[str], env: dict[str, str], workdir: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS in bytes of one run: the larger of the largest process's
    (GNU time's %M, else getrusage) and the sum over its processes, sampled (worker
    processes run at the same time)."""
    rss_file = workdir / "peak-rss.txt"
    gnu_time = Path("/usr/bin/time")
    if gnu_time.exists():
        wrapped = [str(gnu_time), "-f", "%M", "-o", str(rss_file), *command]
    else:
        wrapped = [sys.executable, "-c", RSS_WRAPPER, str(rss_file), *command]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            wrapped, env=env, stdout=subprocess.DEVNULL, stderr=errors, text=False
        )
        summed = 0
        while process.poll() is None:
            summed = max(summed, tree_rss(process.pid))
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    if process.returncode != 0:
        status = process.returncode
        raise BenchError(f"`{shlex.join(command)}` exited with {status}: {tail(stderr)}")
    kib = int(rss_file.read_text(encoding="utf-8").split()[-1])
    return seconds, max(kib * 1024.0, float(summed))


def tree_rss(pid: int) -> int:
    """Bytes resident in a process and all its descendants now (0 without /proc)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text(encoding="utf-8")
            found = re.search(r"VmRSS:\s+(\d+) kB", status)
            total += int(found.group(1)) * 1024 if found else 0
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return total


def artread_source_digest() -> str:
    """A digest of the installed artread package's source, to notice edits during a run."""
    spec = importlib.util.find_spec("artread")
    if spec is None or not spec.submodule_search_locations:
        return "unknown"
    package = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha1()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def disk_usage(path: Path) -> float:
    """Bytes on disk of a file, or of everything below a folder, as du counts them."""
    if path.is_file():
        return float(path.stat().st_blocks * 512)
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(folder, name)).st_blocks * 512
    return float(total)


# --- archives ---------------------------------------------------------------------------------


def corpus_articles(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.glob("*.md") if p.name not in NOT_ARTICLES)


def make_archive(articles: list[Path], target: Path, scale: int) -> int:
    """The corpus at 1x, or `scale` full copies in copy00/, copy01/, ...; returns the file count."""
    folders = [target] if scale == 1 else [target / f"copy{i:02d}" for i in range(scale)]
    for folder in folders:
        folder.mkdir(parents=True)
        for article in articles:
            shutil.copy2(article, folder / article.name)
    return len(folders) * len(articles)


def append_line(archive: Path, round_no: int) -> None:
    """Change one article (a different one each round) by appending a line."""
    files = sorted(archive.rglob("*.md"))
    with open(files[(round_no * 97) % len(files)], "a", encoding="utf-8") as handle:
        handle.write(f"\n\n基准测试追加的一行 {round_no}\n")


# --- results ----------------------------------------------------------------------------------

Key = tuple[str, int, str]  # (measure, scale, tool), tool in artread / solo / rg / fts5


@dataclass
class Results:
    values: dict[Key, float] = field(default_factory=dict)
    errors: dict[Key, str] = field(default_factory=dict)
    per_word: dict[tuple[int, str, str], float] = field(default_factory=dict)
    files: dict[int, int] = field(default_factory=dict)

    def record(self, key: Key, action: Callable[[], float]) -> float | None:
        """Store what action measures, or its failure (reported, never worked around)."""
        try:
            value = action()
        except BenchError as exc:
            self.errors[key] = str(exc)
            log(f"FAILED {key[0]} {key[1]}x {key[2]}: {exc}")
            return None
        self.values[key] = value
        return value

    def words_median(self, scale: int, tool: str, words: list[str]) -> None:
        """The search row: the median over the words' medians."""
        found = [self.per_word[scale, w, tool] for w in words if (scale, w, tool) in self.per_word]
        key = ("search", scale, tool)
        if found:
            self.values[key] = statistics.median(found)
        elif key not in self.errors:
            self.errors[key] = "no word could be timed"


# --- the benchmark ----------------------------------------------------------------------------


@dataclass
class Bench:
    args: argparse.Namespace
    articles: list[Path]
    tmp: Path
    timer: Timer
    results: Results = field(default_factory=Results)
    header: list[str] = field(default_factory=list)  # the machine and versions, at the start
    source: str = field(default_factory=artread_source_digest)
    code_changes: list[str] = field(default_factory=list)

    def check_source(self, scale: int) -> None:
        """Note when artread's code was edited while this scale was measured."""
        current = artread_source_digest()
        if current != self.source:
            self.code_changes.append(f"{scale}x (source {self.source} → {current})")
            log(f"WARNING: artread's source changed during {scale}x: {self.source} → {current}")
            self.source = current

    @property
    def artread(self) -> str:
        return str(Path(sys.executable).parent / "artread")

    def env(self, base: Path, index: str = "index", server: bool = True) -> dict[str, str]:
        """artread's cache and index dirs inside this scale's temporary folder, and its
        resident server's socket in this run's folder (never the user's own server)."""
        env = dict(os.environ)
        env.pop("ARTREAD_ARCHIVE", None)
        env["ARTREAD_CACHE_DIR"] = str(base / "cache")
        env["ARTREAD_INDEX_DIR"] = str(base / index)
        runtime = self.tmp / "run"
        runtime.mkdir(mode=0o700, exist_ok=True)
        env["XDG_RUNTIME_DIR"] = str(runtime)
        env["ARTREAD_SERVER"] = "on" if server else "off"
        # Vectors are bench/semantic_speed.py's: a background build started by `artread index`
        # here would share the two cores with the timings.
        env["ARTREAD_SEMANTIC"] = "manual"
        return env

    def server_pid(self, env: dict[str, str]) -> int | None:
        """The pid of the running server, from `artread server status`."""
        done = subprocess.run(
            [self.artread, "server", "status"], env=env, capture_output=True, text=True
        )
        match = re.search(r"pid (\d+)", done.stdout) if done.returncode == 0 else None
        return int(match.group(1)) if match else None

    def start_server(self, archive: Path, env: dict[str, str]) -> None:
        """A first command runs in its own process and starts the server: wait for it, and
        let it look at every file twice (after that it trusts its folder watch)."""
        run_checked(self.cli(archive, "latest"), env)
        deadline = time.monotonic() + 120
        while self.server_pid(env) is None:
            if time.monotonic() > deadline:
                raise BenchError("the artread server did not start within two minutes")
            time.sleep(0.1)
        for _ in range(2):
            run_checked(self.cli(archive, "latest"), env)

    def stop_server(self, scale: int, env: dict[str, str]) -> None:
        """Note the server's peak memory, then stop it."""
        pid = self.server_pid(env)
        if pid is not None:
            try:
                status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
                peak = re.search(r"VmHWM:\s+(\d+) kB", status)
                if peak:
                    peak_bytes = int(peak.group(1)) * 1024.0
                    self.results.values["server-rss", scale, "artread"] = peak_bytes
            except OSError:
                pass
        subprocess.run([self.artread, "server", "stop"], env=env, capture_output=True)

    def cli(self, archive: Path, *words: str) -> list[str]:
        return [self.artread, "--archive", str(archive), *words]

    def prime(self, scale: int, base: Path) -> None:
        """Index a one-article archive first, so that this scale's cache dir holds jieba's
        dictionary cache (as after any earlier use of artread) but nothing of the archive."""
        primer = base / "primer"
        make_archive(self.articles[:1], primer, 1)
        command, env = self.cli(primer, "index"), self.env(base, "primer-index")
        try:
            run_checked(command, env)
        except BenchError as exc:
            self.results.errors["primer", scale, "artread"] = str(exc)
            log(f"FAILED priming {scale}x: {exc}")

    def run_scale(self, scale: int) -> None:
        base = self.tmp / f"{scale}x"
        archive = base / "archive"
        log(f"{scale}x: copying the corpus")
        files = make_archive(self.articles, archive, scale)
        self.results.files[scale] = files
        env = self.env(base)
        self.prime(scale, base)
        log(f"{scale}x: {files} files; artread index (cold)")
        if self.index_cold(scale, archive, env, base):
            try:
                self.start_server(archive, env)
            except BenchError as exc:
                self.results.errors["search", scale, "artread"] = str(exc)
                log(f"FAILED starting the server at {scale}x: {exc}")
            self.artread_commands(scale, archive, env, "artread")
            self.stop_server(scale, env)
            self.artread_commands(scale, archive, self.env(base, server=False), "solo")
            self.freshness(scale, archive, env)
        if not self.args.artread_only:
            self.ripgrep(scale, archive, env)
            self.fts5(scale, archive, env, base)
        if ("index", scale, "artread") in self.results.values:
            self.reindex(scale, archive, env)
        if not self.args.keep:
            shutil.rmtree(base, ignore_errors=True)
        self.check_source(scale)

    def index_cold(self, scale: int, archive: Path, env: dict[str, str], base: Path) -> bool:
        try:
            seconds, rss = measure_once(self.cli(archive, "index"), env, self.tmp)
        except BenchError as exc:
            self.results.errors["index", scale, "artread"] = str(exc)
            for measure in ("rss", "size"):
                self.results.errors[measure, scale, "artread"] = "not measured: index failed"
            log(f"FAILED index {scale}x: {exc}")
            return False
        self.results.values["index", scale, "artread"] = seconds
        self.results.values["rss", scale, "artread"] = rss
        self.results.values["size", scale, "artread"] = disk_usage(base / "index")
        log(f"{scale}x: indexed in {seconds:.1f} s, peak RSS {rss / MB:.0f} MB")
        if not self.args.no_single_index:
            self.index_single(scale, archive, base)
        return True

    def index_single(self, scale: int, archive: Path, base: Path) -> None:
        """The same cold index in one process (`--jobs 1`), into an index dir of its own."""
        log(f"{scale}x: artread index --jobs 1 (cold)")
        env = self.env(base, "index-1-job")
        try:
            seconds, rss = measure_once([*self.cli(archive, "index"), "--jobs", "1"], env, self.tmp)
        except BenchError as exc:
            for measure in ("index-1", "rss-1"):
                self.results.errors[measure, scale, "artread"] = str(exc)
            log(f"FAILED index --jobs 1 {scale}x: {exc}")
            return
        self.results.values["index-1", scale, "artread"] = seconds
        self.results.values["rss-1", scale, "artread"] = rss
        log(f"{scale}x: indexed by one process in {seconds:.1f} s, peak RSS {rss / MB:.0f} MB")
        shutil.rmtree(base / "index-1-job", ignore_errors=True)

    def artread_commands(self, scale: int, archive: Path, env: dict[str, str], tool: str) -> None:
        """search per word (after one warm-up search), latest, show ID; tool "artread"
        through the resident server, "solo" each command in its own process."""
        for word in self.args.words:
            log(f"{scale}x: {tool} search {word}")
            self.timed_word(scale, word, tool, self.cli(archive, "search", word), env)
        self.results.words_median(scale, tool, self.args.words)
        log(f"{scale}x: {tool} latest, show")
        latest = self.cli(archive, "latest")
        self.results.record(("latest", scale, tool), lambda: self.timer.median(latest, env))
        try:
            listing = json.loads(run_checked([*latest, "--json"], env).stdout)
            article_id = listing["articles"][0]["id"]
        except (BenchError, ValueError, KeyError, IndexError) as exc:
            self.results.errors["show", scale, tool] = f"no id from `latest --json`: {exc}"
            return
        show = self.cli(archive, "show", article_id)
        self.results.record(("show", scale, tool), lambda: self.timer.median(show, env))

    def timed_word(
        self, scale: int, word: str, tool: str, command: list[str], env: dict[str, str]
    ) -> None:
        """Median time of one word's query; exit 1 (nothing found) is allowed and logged."""
        try:
            if tool in ("artread", "solo"):  # a warm-up search, asked for JSON
                found = json.loads(run_checked([*command, "--json"], env, (0, 1)).stdout or "{}")
                hits = len(found.get("results", []))
            else:
                hits = len(run_checked(command, env, (0, 1)).stdout.splitlines())
            log(f"{scale}x: {tool} {word}: {hits} hits listed")
            value = self.timer.median(command, env, ok_codes=(0, 1))
        except (BenchError, ValueError) as exc:
            self.results.errors["search", scale, tool] = f"{word}: {exc}"
            log(f"FAILED search {scale}x {tool} {word}: {exc}")
            return
        self.results.per_word[scale, word, tool] = value

    def freshness(self, scale: int, archive: Path, env: dict[str, str]) -> None:
        log(f"{scale}x: is_fresh() x {self.args.fresh_repeats}")
        measured: dict[str, list[float]] = {}

        def measure() -> float:
            command = [sys.executable, "-c", FRESHNESS_SNIPPET, str(archive)]
            done = run_checked([*command, str(self.args.fresh_repeats)], env)
            report = json.loads(done.stdout.strip().splitlines()[-1])
            if not report["fresh"]:
                raise BenchError("is_fresh() returned False on a just-indexed archive")
            measured.update(report)
            return statistics.median(report["watched"] or report["times"])

        self.results.record(("fresh", scale, "artread"), measure)
        if measured.get("times"):
            self.results.values["fresh", scale, "solo"] = statistics.median(measured["times"])

    def reindex(self, scale: int, archive: Path, env: dict[str, str]) -> None:
        """`artread index` after appending a line to one file; median of a few rounds."""
        log(f"{scale}x: re-index after one changed file x {self.args.reindex_repeats}")

        def measure() -> float:
            times = []
            for round_no in range(self.args.reindex_repeats):
                append_line(archive, round_no)
                times.append(measure_once(self.cli(archive, "index"), env, self.tmp)[0])
            return statistics.median(times)

        self.results.record(("reindex", scale, "artread"), measure)

    def ripgrep(self, scale: int, archive: Path, env: dict[str, str]) -> None:
        rg = shutil.which("rg")
        for word in self.args.words:
            if rg is None:
                self.results.errors["search", scale, "rg"] = "rg is not installed"
                return
            log(f"{scale}x: rg -l {word}")
            self.timed_word(scale, word, "rg", [rg, "-l", word, str(archive)], env)
        self.results.words_median(scale, "rg", self.args.words)

    def fts5(self, scale: int, archive: Path, env: dict[str, str], base: Path) -> None:
        peer = Path(__file__).with_name("fts5_peer.py")
        db = base / "fts5.db"
        log(f"{scale}x: building the FTS5 database")
        try:
            seconds, rss = measure_once(
                [sys.executable, str(peer), "build", str(db), str(archive)], env, self.tmp
            )
        except BenchError as exc:
            self.results.errors["index", scale, "fts5"] = str(exc)
            for measure in ("rss", "size", "search"):
                self.results.errors[measure, scale, "fts5"] = "not measured: build failed"
            log(f"FAILED FTS5 build {scale}x: {exc}")
            return
        self.results.values["index", scale, "fts5"] = seconds
        self.results.values["rss", scale, "fts5"] = rss
        self.results.values["size", scale, "fts5"] = disk_usage(db)
        log(f"{scale}x: FTS5 built in {seconds:.1f} s")
        for word in self.args.words:
            log(f"{scale}x: FTS5 query {word}")
            query = [sys.executable, str(peer), "query", str(db), word]
            self.timed_word(scale, word, "fts5", query, env)
        self.results.words_median(scale, "fts5", self.args.words)


# --- the report -------------------------------------------------------------------------------

TOOLS = {"rg": "rg", "fts5": "FTS5", "solo": "no server"}


def fmt_seconds(value: float) -> str:
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def fmt_bytes(value: float) -> str:
    return f"{value / MB:.1f} MB"


def target_for(measure: str, scale: int, results: Results) -> tuple[str, bool | None] | None:
    """The issue's target for this row, and whether it is met (None: cannot tell)."""
    value = results.values.get((measure, scale, "artread"))
    files = results.files.get(scale, 0)

    def limit(text: str, bound: float) -> tuple[str, bool | None]:
        return text, None if value is None else value <= bound

    if measure == "search" and scale in (1, 10):
        return limit("≤ 250 ms", 0.25)
    if measure == "search" and scale == 50:
        rg = results.values.get(("search", scale, "rg"))
        return "< rg -l", None if value is None or rg is None else value < rg
    if measure in ("latest", "show") and scale == 1:
        return limit("≤ 200 ms", 0.2)
    if measure == "fresh" and files >= 5000:
        return limit("≤ 30 ms / 5,000 files", 0.03 * files / 5000)
    if measure == "index" and scale == 1:
        return limit("≤ 20 s", 20.0)
    if measure == "index" and scale == 50:
        return limit("≤ 400 s", 400.0)
    if measure == "reindex" and scale == 10:
        return limit("≤ 1 s", 1.0)
    if measure == "rss" and scale == 50:
        return limit("≤ 500 MB", 500 * MB)
    return None


CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
ROWS = [  # measure, label, formatter, peers
    ("search", "search WORD", fmt_seconds, ("rg", "fts5")),
    ("latest", "latest", fmt_seconds, ()),
    ("show", "show ID", fmt_seconds, ()),
    ("fresh", "freshness check (is_fresh)", fmt_seconds, ()),
    ("server-rss", "server's peak RSS", fmt_bytes, ()),
    ("index", f"index, cold, {CORES} processes", fmt_seconds, ("fts5",)),
    ("index-1", "index, cold, 1 process (--jobs 1)", fmt_seconds, ("fts5",)),
    ("reindex", "index after 1 changed file", fmt_seconds, ()),
    ("rss", f"peak RSS while indexing, {CORES} processes", fmt_bytes, ("fts5",)),
    ("rss-1", "peak RSS while indexing, 1 process", fmt_bytes, ("fts5",)),
    ("size", "index size on disk", fmt_bytes, ("fts5",)),
]


def cell(results: Results, key: Key, fmt: Callable[[float], str]) -> str:
    if key in results.values:
        return fmt(results.values[key])
    return "error" if key in results.errors else "—"


def table_rows(results: Results, scales: list[int]) -> list[list[str]]:
    rows = []
    for measure, label, fmt, peers in ROWS:
        for scale in scales:
            if scale not in results.files:
                continue
            artread = results.values.get((measure, scale, "artread"))
            target = target_for(measure, scale, results)
            met = "—" if target is None else {True: "yes", False: "no", None: "?"}[target[1]]
            ratios = []
            for tool in peers:
                peer = results.values.get((measure.removesuffix("-1"), scale, tool))
                if peer is not None and artread:
                    ratios.append(f"{TOOLS[tool]} {peer / artread:.2g}x")
            rows.append(
                [
                    f"{label}, {scale}x ({results.files[scale]:,} files)",
                    cell(results, (measure, scale, "artread"), fmt),
                    cell(results, (measure, scale, "solo"), fmt),
                    "—" if target is None else target[0],
                    met,
                    cell(results, (measure, scale, "rg"), fmt) if "rg" in peers else "—",
                    cell(results, (measure.removesuffix("-1"), scale, "fts5"), fmt)
                    if "fts5" in peers
                    else "—",
                    ", ".join(ratios) or "—",
                ]
            )
    return rows


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    except OSError:
        return "not found"
    return done.stdout.strip().split("\n")[0] if done.returncode == 0 else "unknown"


def machine() -> list[str]:
    """The report's header: command, date, machine and versions."""
    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = first_line(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    changed = first_line(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"])
    artread = str(Path(sys.executable).parent / "artread")
    version = first_line([artread, "--version"]).removeprefix("artread ")
    changes = "uncommitted changes, " if changed not in ("", "unknown", "not found") else ""
    return [
        f"- Command: `{shlex.join(sys.orig_argv)}`",
        f"- Date: {datetime.now().astimezone().isoformat(timespec='minutes')}",
        f"- Machine: {len(os.sched_getaffinity(0))} cores (nproc), {cpu}",
        f"- Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}",
        f"- artread {version} (git {commit}, {changes}source {artread_source_digest()}), "
        f"{first_line(['rg', '--version'])}, {first_line(['hyperfine', '--version'])}",
    ]


def report(bench: Bench, scales: list[int]) -> str:
    args, results = bench.args, bench.results
    method = "hyperfine" if bench.timer.hyperfine else "a Python loop (perf_counter)"
    header = [
        "measurement",
        "artread",
        "no server",
        "target",
        "met",
        "ripgrep",
        "FTS5",
        "peer ÷ artread",
    ]
    word_rows = [
        [word, f"{scale}x"]
        + [
            fmt_seconds(results.per_word[key]) if key in results.per_word else "—"
            for key in ((scale, word, tool) for tool in ("artread", "solo", "rg", "fts5"))
        ]
        for scale in scales
        if scale in results.files
        for word in args.words
    ]
    notes = [
        "artread: each command a fresh `artread` process, answered by the resident server "
        "(started by the first command, warm: it has looked at every file twice and then "
        "trusts its inotify watch). no server: ARTREAD_SERVER=off, each command runs in its "
        "own process, imports and reads everything, and stats every file. The targets are "
        "judged on the first column.",
        f"Words: {', '.join(args.words)}. Times are medians of {args.runs} runs after "
        f"{WARMUP} warm-ups, timed with {method}, output piped; a search row is the median "
        "of the words' medians (per word below).",
        "peer ÷ artread: the peer's value divided by artread's; above 1x artread is faster "
        "(or smaller).",
        "ripgrep: `rg -l WORD DIR`. FTS5: a Python script (start-up, `import jieba` and its "
        "initialisation included) querying an FTS5 database of jieba tokens; its index row is "
        "the time to build that database.",
        "Index rows are one cold run (empty index dir, jieba's dictionary cache present); "
        "re-index: append a line to one file, run `artread index` "
        f"(median of {args.reindex_repeats}); is_fresh() is timed in Python (median of "
        f"{args.fresh_repeats}): no server, a new ArchiveIndex each time, every file stat'ed; "
        "artread, one ArchiveIndex with its folders watched, as the server keeps it. Server's "
        "peak RSS: VmHWM of the server process after the commands above. Peak RSS: GNU time %M "
        "(getrusage without it), or the sum over the command's processes sampled every "
        "0.1 s when larger (worker processes). Cold index: one worker process per core "
        "(the default), and `--jobs 1` (every file read and segmented in the one process); "
        "speed-up per core = the second's time ÷ the first's. Sizes: du of the index dir. "
        "MB = 10^6 bytes.",
    ]
    parts = [
        "## Speed",
        "",
        *bench.header,
        f"- Corpus: {len(bench.articles)} articles from {args.corpus}",
        "",
        markdown_table(header, table_rows(results, scales)),
        "",
        markdown_table(["word", "scale", "artread", "no server", "rg -l", "FTS5"], word_rows),
        "",
        *[f"- {note}" for note in notes],
    ]
    if bench.code_changes:
        parts += [
            "",
            "**Warning: artread's code changed while these were measured, so the rows mix "
            f"versions: {'; '.join(bench.code_changes)}.**",
        ]
    if results.errors:
        parts += ["", "Failures:", ""]
        for (measure, scale, tool), message in sorted(results.errors.items()):
            parts.append(f"- {measure} {scale}x {tool}: {' '.join(message.split())}")
    return "\n".join(parts)


# --- command line -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path(os.environ.get("ARTREAD_BENCH_CORPUS", DEFAULT_CORPUS)),
        help="folder of <slug>.md articles (default: ../shared/corpus)",
    )
    parser.add_argument("--scales", help="comma-separated copies of the corpus (default 1,10,50)")
    parser.add_argument("--quick", action="store_true", help="scales 1,10 and fewer runs")
    parser.add_argument("--words", default=DEFAULT_WORDS, help="comma-separated search words")
    parser.add_argument("--runs", type=int, help="timed runs per command (default 10, quick 3)")
    parser.add_argument("--artread-only", action="store_true", help="skip ripgrep and FTS5")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--no-single-index",
        action="store_true",
        help="skip the cold index with --jobs 1 (one process) after the default one",
    )
    args = parser.parse_args(argv)
    default_scales = "1,10" if args.quick else "1,10,50"
    args.scales = sorted({int(s) for s in (args.scales or default_scales).split(",") if s.strip()})
    args.words = [w.strip() for w in args.words.split(",") if w.strip()]
    args.runs = args.runs or (3 if args.quick else 10)
    args.fresh_repeats = 5 if args.quick else 10
    args.reindex_repeats = 1 if args.quick else 3
    if not args.words or any(s < 1 for s in args.scales) or args.runs < 1:
        parser.error("need at least one word, scales of 1 or more and at least one run")
    return args


def compile_artread() -> None:
    """Write artread's bytecode, as an installed or once-run copy has it: an editable install
    run with PYTHONDONTWRITEBYTECODE would otherwise compile every module in every process."""
    import compileall

    spec = importlib.util.find_spec("artread")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            compileall.compile_dir(folder, quiet=1)


def main() -> int:
    args = parse_args()
    articles = corpus_articles(args.corpus) if args.corpus.is_dir() else []
    if not articles:
        print(f"skipped: no corpus at {args.corpus}")
        return 0
    artread = Path(sys.executable).parent / "artread"
    if not artread.exists():
        print(f"error: no artread next to {sys.executable}", file=sys.stderr)
        return 2
    compile_artread()
    tmp = Path(tempfile.mkdtemp(prefix="artread-bench-"))
    log(f"working in {tmp}; scales {args.scales}; words {args.words}; {args.runs} runs")
    bench = Bench(args, articles, tmp, Timer(args.runs, tmp), header=machine())
    # SIGTERM, like Ctrl-C, stops the run but still prints what was measured so far.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    interrupted = False
    scale = args.scales[0]
    try:
        for scale in args.scales:
            bench.run_scale(scale)
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted: reporting what was measured so far")
        bench.check_source(scale)
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(report(bench, args.scales))
    if interrupted:
        print("\n(Interrupted: the measurements above are incomplete.)")
        return 130
    return 1 if bench.results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
