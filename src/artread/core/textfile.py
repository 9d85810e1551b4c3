"""A file's text: read up to a bound, decoded from the encodings Chinese archives use, and
only when it lies inside the archive.

Apart from archive.py (which turns the text into an Article), so that a search, which reads
only the text of the articles it shows, does not load what reading an archive needs.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

MAX_BYTES = 4 * 1024 * 1024  # larger files are truncated (with a warning) to bound memory
# Encodings read without guessing: what the file says it is (a BOM), or what decodes cleanly.
_SURE_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "utf-16", "gb18030"})


class ArticleError(Exception):
    """A file that cannot be read as an article; the message is the reason shown to the user."""


def decode(data: bytes, *, truncated: bool = False) -> tuple[str, str]:
    """Text and encoding name of a file's bytes: UTF-8 (BOM or not), UTF-16 with BOM, GB18030.

    With truncated=True the bytes were cut at an arbitrary point, maybe inside a character:
    up to three trailing bytes may be dropped to find the boundary.
    """
    if truncated:
        for cut in range(4):
            end = len(data) - cut
            for encoding in ("utf-8", "gb18030"):
                try:
                    return data[:end].decode(encoding), encoding
                except UnicodeDecodeError:
                    continue
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if b"\x00" in data[:65536]:
        # A stray NUL (a bad copy and paste) leaves a text a text; a binary file, or UTF-16
        # without its mark, has them everywhere.
        if data.count(b"\x00") * 1000 > len(data):  # more than one in a thousand bytes
            raise ArticleError("binary file (contains NUL bytes)")
        data = data.replace(b"\x00", b"")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312, the common legacy encodings of Chinese text.
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ArticleError("not text in any known encoding")
    return str(best), best.encoding


def read_text(full: Path) -> tuple[str, float, list[str]]:
    """A file's text (its first MAX_BYTES, decoded, newlines as \\n), its mtime, and what
    to warn about (cut short, stray NUL bytes dropped). OSError if it cannot be read,
    ArticleError if it is not text."""
    with open(full, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
        mtime = os.fstat(handle.fileno()).st_mtime
    notes = []
    truncated = len(data) > MAX_BYTES
    if truncated:
        data = data[:MAX_BYTES]
        notes.append(f"larger than {MAX_BYTES // (1024 * 1024)} MiB: only the start is read")
    if b"\x00" in data:
        notes.append("NUL bytes in the text were dropped")
    text, encoding = decode(data, truncated=truncated)
    if encoding not in _SURE_ENCODINGS:
        notes.append(f"not UTF-8 or GB18030: read as {encoding}, a guess; check the text")
    elif "\ufffd" in text and b"\xef\xbf\xbd" not in data:
        notes.append("bytes that are not text in its encoding show as \ufffd")
    return text.replace("\r\n", "\n").replace("\r", "\n"), mtime, notes


def within(root: Path, relpath: str) -> Path | None:
    """The file for relpath if it lies inside root (after resolving links), else None."""
    try:
        full = (root / relpath).resolve()
        full.relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return None
    return full
