"""Whoosh segments written by several processes and committed by one, as whoosh.multiproc's
MpWriter does with multisegment=True.

A worker process writes one new segment without taking the index's lock (the updating
process holds it) and hands back the segment's description; the updating process commits
its own changes (deletions, merges) with those segments after its own, in order, in one new
table of contents. Until that commit no reader sees them, and the commit's clean-up removes
the files of segments it does not name (those of a worker that was stopped).
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Any


def segment_writer(whoosh_dir: str, limitmb: int) -> Any:
    """A writer of one new segment of the index at whoosh_dir, not holding its lock."""
    from artread.core.engine import store  # Whoosh's stand-ins first

    # isort: split
    from whoosh.writing import SegmentWriter

    ix = store.open_index(Path(whoosh_dir), mapped=False)
    return _with_bulk_pool(SegmentWriter(ix, _lk=False, limitmb=limitmb), limitmb)


def index_writer(whoosh_dir: Path, limitmb: int) -> Any:
    """The index's own writer, holding its lock, with the pool worker segments use."""
    from artread.core.engine import store

    writer = store.open_index(whoosh_dir, mapped=False).writer(limitmb=limitmb)
    return _with_bulk_pool(writer, limitmb)


def _with_bulk_pool(writer: Any, limitmb: int) -> Any:
    from artread.core.engine.pool import BulkPool

    writer.pool = BulkPool(writer._tempstorage, writer.newsegment, limitmb=limitmb)
    return writer


def finish_segment(writer: Any) -> Any | None:
    """Write the segment out whole; its description, or None when it holds no document.

    Not the writer's commit: that would write a table of contents, and remove the temporary
    folder the other workers' writers share."""
    if not writer._added:
        writer._close_segment()
        return None
    return writer._finalize_segment()


def abandon_segment(writer: Any) -> None:
    """Stop writing the segment and remove its temporary files."""
    with suppress(Exception):
        writer._close_segment()


def commit_with(writer: Any, segments: list[Any]) -> None:
    """Commit writer's own changes, with segments written by other processes after its own
    segment, in the order given, in one new table of contents."""
    writer._check_state()
    final = writer._merge_segments(None, None, None)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    final.extend(segments)
    writer._commit_toc(final)
    writer._finish()
