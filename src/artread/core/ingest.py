"""Reading the files an index update needs: each file read, parsed and cut into terms.

A big update (the first index of an archive) is read by worker processes, one per core: jieba
segmentation is most of the work and runs in Python, so threads would not help. The workers
hand back each article's fields already cut into terms, and the updating process only writes
them to Whoosh, in the order of the files, so the index is the one a single process would
build. A small update stays in this process, where it can use the lexicon instead of loading
jieba.
"""

from __future__ import annotations

import os
import pickle
import struct
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from artread.core import analysis, archive, literal, plaintext
from artread.core.engine.fields import TEXT_FIELDS

JOBS_ENV = "ARTREAD_JOBS"  # worker processes for a big update; 1 reads in this process
CHUNK = 8  # files per task: few enough that an interrupted build stops soon
PARALLEL_FROM_BYTES = 1 << 20  # by default, less to read than this stays in this process
_LENGTH = struct.Struct(">Q")  # a message's size, before it on the pipe


@dataclass(slots=True)
class Prepared:
    """One file, ready for the index: its Whoosh fields (text fields as lists of terms), its
    catalog entry and its literal text; or why it could not be read."""

    path: str
    skipped: str | None = None
    document: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    text: bytes = b""
    written: int = 0  # length of the file-as-written part of text


def prepare(root: Path, path: str, analyzer: analysis.Analyzer) -> Prepared:
    """Read one file and cut its text into the terms the index holds."""
    try:
        article = archive.read_article(root, path)
    except archive.ArticleError as exc:
        return Prepared(path, skipped=str(exc))
    document = _fields(article)
    text, written = literal.article_text(article.title, article.source, document["body"])
    # Whoosh indexes a list of strings as these terms, without calling the analyzer again.
    for name in TEXT_FIELDS:
        document[name] = [term for term, _start, _end in analyzer.terms(document[name])]
    return Prepared(path, None, document, article.summary(), article.warnings, text, written)


def _fields(article: archive.Article) -> dict[str, Any]:
    """The article's Whoosh fields, as text."""
    return {
        "path": article.path,
        "title": article.title,
        "headings": "\n".join(plaintext.headings(article.body)),
        "meta": " ".join([article.category or "", *article.tags]),
        "body": plaintext.to_plain(article.body, keep_code=True),
        "category": (article.category or "").casefold(),
        "tags": ",".join(article.tags),
    }


def requested_jobs(jobs: int | None = None) -> int | None:
    """Worker processes asked for: the argument, else $ARTREAD_JOBS; None means choose."""
    if jobs is None:
        value = os.environ.get(JOBS_ENV, "").strip()
        jobs = int(value) if value.isdigit() else None
    return None if jobs is None else max(1, jobs)


def worker_count(jobs: int | None, files: int, size: int) -> int:
    """How many worker processes read `files` files of `size` bytes; 0: read them here.

    Asked for (--jobs, $ARTREAD_JOBS): that many, when there is more than a task for one.
    Otherwise one per core, when there is enough to read to pay for starting them.
    """
    asked = requested_jobs(jobs)
    if asked is None:
        if size < PARALLEL_FROM_BYTES:
            return 0
        asked = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    workers = min(asked, -(-files // CHUNK))
    return workers if workers > 1 else 0


def prepared(
    root: Path, paths: list[str], workers: int, analyzer: analysis.Analyzer
) -> Iterator[Prepared]:
    """Every file of `paths`, prepared, in that order: here, or by `workers` processes (each
    with an Analyzer of its own, made from the same user dictionary)."""
    if workers < 2:
        for path in paths:
            yield prepare(root, path, analyzer)
        return
    yield from _in_workers(root, paths, workers, analyzer.user_dictionary)


def _in_workers(root: Path, paths: list[str], workers: int, dictionary: str) -> Iterator[Prepared]:
    """Chunks of files dealt round-robin to worker processes, results read back in order.

    Each worker has at most two chunks asked of it, so memory does not grow with the archive
    when writing the index is slower than reading. An exception here, Ctrl-C, or the caller
    closing this generator ends the workers before it returns.
    """
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    pool: list[_Worker] = []
    finished = False
    try:
        pool.extend(_Worker(dictionary) for _ in range(workers))
        asked = 0
        for number in range(len(chunks)):
            while asked < len(chunks) and asked < number + 2 * workers:
                pool[asked % workers].ask(root, chunks[asked])
                asked += 1
            yield from pool[number % workers].answer()
        finished = True
    finally:
        for worker in pool:
            worker.stop(finished)


class _Worker:
    """A worker process reading chunks of files from a pipe and writing Prepared lists back.

    Its own session, so Ctrl-C in the terminal reaches only the updating process, which
    decides what stops; it ends by itself when its input closes, even if that process died.
    """

    def __init__(self, dictionary: str) -> None:
        import subprocess
        import sys

        import artread
        from artread.config import CACHE_DIR_ENV, cache_dir

        source = str(Path(artread.__file__).resolve().parent.parent)
        code = (
            f"import sys; sys.path.insert(0, {source!r}); "
            "import artread.core.ingest as m; m.serve()"
        )
        env = {**os.environ, CACHE_DIR_ENV: str(cache_dir())}
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        self.send(dictionary)

    def send(self, message: Any) -> None:
        assert self.process.stdin is not None
        try:
            _write(self.process.stdin, message)
        except BrokenPipeError:
            raise self._stopped() from None

    def ask(self, root: Path, chunk: list[str]) -> None:
        self.send((str(root), chunk))

    def answer(self) -> list[Prepared]:
        assert self.process.stdout is not None
        found = _read(self.process.stdout)
        if found is None:
            raise self._stopped()
        if isinstance(found, str):  # the worker's own traceback
            raise RuntimeError(f"a worker process reading the archive failed:\n{found}")
        return found

    def _stopped(self) -> RuntimeError:
        code = self.process.wait()
        return RuntimeError(f"a worker process reading the archive stopped (exit status {code})")

    def stop(self, finished: bool) -> None:
        """Close its input (it then exits); kill it if the update did not finish."""
        if not finished:
            self.process.kill()
        with suppress(OSError):
            self.process.stdin.close()  # type: ignore[union-attr]
        self.process.wait()
        with suppress(OSError):
            self.process.stdout.close()  # type: ignore[union-attr]


def serve() -> None:
    """A worker's main loop: the user dictionary, then (root, paths) until input ends."""
    import traceback

    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the answers
    analyzer = analysis.Analyzer(_read(requests))
    analyzer.segmenter()  # jieba loads before the first chunk
    while (request := _read(requests)) is not None:
        root, paths = request
        try:
            found: Any = [prepare(Path(root), path, analyzer) for path in paths]
        except Exception:
            found = traceback.format_exc()
        try:
            _write(answers, found)
        except BrokenPipeError:  # the updating process is gone
            return


def _write(stream: BinaryIO, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def _read(stream: BinaryIO) -> Any:
    """The next message, or None at the end of the stream."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        return None
    size = _LENGTH.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)
