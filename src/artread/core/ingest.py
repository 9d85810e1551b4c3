"""Reading the files an index update needs: each file read, parsed and cut into terms.

A big update (the first index of an archive) is read by worker processes, one per core: jieba
segmentation and Whoosh's writing are most of the work and run in Python, so threads would not
help. Each worker takes a contiguous run of the files, of about the same size as the others',
and writes its own Whoosh segment and literal texts; the updating process commits the segments
in the order of the files, so documents keep the numbers a single process would give them. A
small update stays in this process, where it can use the lexicon instead of loading jieba.
"""

from __future__ import annotations

import os
import pickle
import struct
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from artread.core import analysis, archive, literal, plaintext

CHUNK = 8  # files per task: few enough that an interrupted build stops soon
PARALLEL_FROM_BYTES = 1 << 20  # by default, less to read than this stays in this process
_LENGTH = struct.Struct(">Q")  # a message's size, before it on the pipe
TEXT_FIELDS = ("title", "headings", "meta", "body")  # the fields segmented with jieba


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


def worker_count(jobs: int | None, files: int, size: int) -> int:
    """How many worker processes read `files` files of `size` bytes; 0: read them here.

    Asked for (jobs: --jobs, $ARTREAD_JOBS): that many, when there is more than a task for one.
    Otherwise one per core, when there is enough to read to pay for starting them.
    """
    asked = None if jobs is None else max(1, jobs)
    if asked is None:
        if size < PARALLEL_FROM_BYTES:
            return 0
        asked = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    workers = min(asked, -(-files // CHUNK))
    return workers if workers > 1 else 0


def prepared(root: Path, paths: list[str], analyzer: analysis.Analyzer) -> Iterator[Prepared]:
    """Every file of `paths`, prepared in this process, in that order."""
    for path in paths:
        yield prepare(root, path, analyzer)


def runs(paths: list[str], sizes: list[int], parts: int) -> list[list[str]]:
    """paths cut into at most `parts` contiguous runs of about the same total size."""
    total = sum(sizes)
    found: list[list[str]] = [[]]
    written = 0
    for path, size in zip(paths, sizes, strict=True):
        if found[-1] and len(found) < parts and written >= total * len(found) / parts:
            found.append([])
        found[-1].append(path)
        written += size
    return found


@dataclass
class Run:
    """What one worker made of its run of files: its Whoosh segment and its literal texts
    (file name, spans). The record of each file goes to whoever reads Workers.records()."""

    paths: list[str]
    texts: str
    segment: Any = None
    spans: dict[str, list[int]] = field(default_factory=dict)
    done: bool = False


class Workers:
    """Worker processes writing Whoosh segments and literal texts for runs of files.

    records() yields each file's record (as Prepared, without its fields or text) as it is
    read, in no particular order; once it has ended, `runs` holds every run's results, in the
    order of the files. close() stops the
    workers and removes their literal texts; what they wrote to Whoosh is not in the index
    until the caller commits it (engine.segments.commit_with).
    """

    def __init__(
        self, root: Path, index_dir: Path, whoosh_dir: Path, limitmb: int, cache_dir: Path
    ) -> None:
        self.root, self.index_dir, self.cache_dir = root, index_dir, cache_dir
        self.whoosh_dir, self.limitmb = whoosh_dir, limitmb
        self.runs: list[Run] = []
        self._pool: list[_Worker] = []

    def start(self, runs: list[list[str]], dictionary: str | None) -> None:
        stamp = time.time_ns()
        self._pool.extend(_Worker() for _ in runs)  # all start at once, before any is sent work
        for number, (paths, worker) in enumerate(zip(runs, self._pool, strict=True)):
            run = Run(paths, f"{literal.PREFIX}part-{stamp}-{number}.bin")
            self.runs.append(run)
            job = {
                "root": str(self.root),
                "paths": paths,
                "whoosh_dir": str(self.whoosh_dir),
                "texts": str(self.index_dir / run.texts),
                "limitmb": self.limitmb,
                "cache": str(self.cache_dir),  # jieba's dictionary cache
            }
            worker.send((dictionary or "", job))

    def records(self) -> Iterator[Prepared]:
        import select

        waiting = {
            worker.fileno(): (worker, run)
            for worker, run in zip(self._pool, self.runs, strict=True)
        }
        while waiting:
            ready, _, _ = select.select(list(waiting), [], [])
            for descriptor in ready:
                worker, run = waiting[descriptor]
                kind, *found = worker.answer()
                if kind == "records":
                    yield from found[0]
                else:
                    run.segment, run.spans, run.done = found[0], found[1], True
                    del waiting[descriptor]

    def close(self) -> None:
        """Stop the workers (killed if their runs are not all done) and remove the literal
        texts they wrote."""
        finished = all(run.done for run in self.runs)
        for worker in self._pool:
            worker.stop(finished)
        for run in self.runs:
            literal.remove(self.index_dir / run.texts)


class _Worker:
    """A worker process reading a job from a pipe and writing its answers back.

    Its own session, so Ctrl-C in the terminal reaches only the updating process, which
    decides what stops; if that process dies, the worker's next answer fails and it ends.
    """

    def __init__(self) -> None:
        import subprocess
        import sys

        import artread

        source = str(Path(artread.__file__).resolve().parent.parent)
        code = (
            f"import sys; sys.path.insert(0, {source!r}); "
            "import artread.core.ingest as m; m.serve()"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,  # select() then sees every byte not yet read
            start_new_session=True,
        )

    def fileno(self) -> int:
        assert self.process.stdout is not None
        return self.process.stdout.fileno()

    def send(self, message: Any) -> None:
        assert self.process.stdin is not None
        try:
            _write(self.process.stdin, message)
        except BrokenPipeError:
            raise self._stopped() from None

    def answer(self) -> tuple:
        found = _read(self.fileno())
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
    """A worker's main: the user dictionary and a job, answered as it goes."""
    import traceback

    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the answers
    request = _read(0)
    if request is None:
        return
    dictionary, job = request
    try:
        _write_run(job, analysis.Analyzer(dictionary, cache_dir=Path(job["cache"])), answers)
    except BrokenPipeError:  # the updating process is gone
        return
    except Exception:
        with suppress(BrokenPipeError):
            _write(answers, traceback.format_exc())


def _write_run(job: dict, analyzer: analysis.Analyzer, answers: BinaryIO) -> None:
    """Read the job's files into a new Whoosh segment and a literal-texts file, sending a
    record of every CHUNK files, then the segment and the texts' spans."""
    from artread.core.engine import segments
    from artread.core.engine.tokenizer import bind

    root, paths = Path(job["root"]), job["paths"]
    writer = segments.segment_writer(job["whoosh_dir"], job["limitmb"])
    bind(writer.schema, analyzer)
    texts = Path(job["texts"])
    store = literal.Writer(texts.parent, None, [], name=texts.name)
    try:
        for start in range(0, len(paths), CHUNK):
            records = []
            for path in paths[start : start + CHUNK]:
                found = prepare(root, path, analyzer)
                if found.skipped is None:
                    writer.add_document(**found.document)
                    store.add(path, found.text, found.written)
                found.document, found.text = {}, b""
                records.append(found)
            _write(answers, ("records", records))
        _name, spans = store.finish()
        _write(answers, ("done", segments.finish_segment(writer), spans))
    except BaseException:
        segments.abandon_segment(writer)
        store.abort()
        raise


def _write(stream: BinaryIO, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:  # an unbuffered stream may take part of it at a time
        view = view[stream.write(view) or 0 :]
    stream.flush()


def _read(descriptor: int) -> Any:
    """The next message, or None at the end of the stream."""
    header = _read_exactly(descriptor, _LENGTH.size)
    if header is None:
        return None
    data = _read_exactly(descriptor, _LENGTH.unpack(header)[0])
    return None if data is None else pickle.loads(data)


def _read_exactly(descriptor: int, size: int) -> bytes | None:
    """size bytes from the descriptor; None if it ends before."""
    parts, missing = [], size
    while missing:
        part = os.read(descriptor, min(missing, 1 << 20))
        if not part:
            return None
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)
