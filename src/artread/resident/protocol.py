"""The messages between the `artread` client and its resident server, defined once.

A message is a header (its kind, one byte, and the length of its payload) and the payload. A
connection opens with one message from the client: run a command (RUN, a request checked
against one schema before anything of it is used), the server's status (STATUS) or stop
(STOP). While a command runs, the server sends its output and the client may send only CANCEL
(Ctrl-C) and ACK: the answer to each STDOUT or STDERR message for a stream the request marks
as confirmed (a file or a device), once written: 0, or the errno of the write, so that the
command's writes fail where they fail in a run without the server (a full disk).
Standard library only: the client imports it on every command.
"""

from __future__ import annotations

import marshal
import struct
from _collections_abc import Callable  # collections.abc imports collections, on every command
from _socket import socket
from time import monotonic

HEADER = struct.Struct(">cI")  # kind, length of the payload

# From the client, to open a connection.
RUN, STATUS, STOP = b"r", b"i", b"q"
OPENINGS = {RUN: 4 << 20, STATUS: 0, STOP: 0}  # kind: the longest payload accepted
# From the client while its command runs.
CANCEL, ACK = b"c", b"k"
DURING_MAX = 16  # bytes of payload
# From the server: the command started, stdout bytes, stderr bytes, a text to page, exit
# status; or why the request was refused.
STARTED, STDOUT, STDERR, PAGE, EXIT, ERROR = b"s", b"o", b"e", b"p", b"x", b"!"
ANSWER_MAX = 256 << 20  # an article to page is the longest

# The request comes whole within this long of the connection, or the server hangs up: a
# client that trickles bytes must not hold the server.
REQUEST_SECONDS = 5.0


class ProtocolError(ValueError):
    """A message this protocol does not allow; the connection ends with it."""


def send(connection: socket, kind: bytes, payload: bytes) -> None:
    connection.sendall(HEADER.pack(kind, len(payload)) + payload)


def receive(
    connection: socket,
    limits: dict[bytes, int] | None = None,
    deadline: float | None = None,
) -> tuple[bytes, bytes] | None:
    """The next message (kind, payload), or None when the connection ended before one.

    With limits, only those kinds and payloads up to their length are accepted (else
    ProtocolError, before the payload is read); with deadline (time.monotonic()), the whole
    message must have come by then (else TimeoutError)."""
    header = _exactly(connection, HEADER.size, deadline)
    if header is None:
        return None
    kind, length = HEADER.unpack(header)
    longest = ANSWER_MAX if limits is None else limits.get(kind)
    if longest is None:
        raise ProtocolError(f"unknown message kind {kind!r}")
    if length > longest:
        raise ProtocolError(f"a message of {length} bytes (at most {longest})")
    payload = _exactly(connection, length, deadline)
    return None if payload is None else (kind, payload)


def _exactly(connection: socket, size: int, deadline: float | None) -> bytes | None:
    chunks, missing = [], size
    while missing:
        if deadline is not None:
            left = deadline - monotonic()
            if left <= 0:
                raise TimeoutError("the message did not come in time")
            connection.settimeout(left)
        chunk = connection.recv(min(missing, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


# The request: each field and the check of its value.
def _strings(value: object) -> bool:
    return type(value) in (list, tuple) and all(type(a) is str and "\0" not in a for a in value)


def _pair_of(kind: type) -> Callable[[object], bool]:
    return lambda value: (
        type(value) in (list, tuple) and len(value) == 2 and all(type(v) is kind for v in value)
    )


def _folder(value: object) -> bool:
    return type(value) is bytes and value.startswith(b"/") and b"\0" not in value


def _environment(value: object) -> bool:
    return type(value) is dict and all(
        type(k) is bytes and type(v) is bytes and k and b"=" not in k and b"\0" not in k + v
        for k, v in value.items()
    )


def _umask(value: object) -> bool:
    return type(value) is int and 0 <= value <= 0o777


def _buffering(value: object) -> bool:
    return _pair_of(int)(value) and all(0 <= v <= 1 << 24 for v in value)  # type: ignore[union-attr]


def _terminal(value: object) -> bool:
    return value is None or (_pair_of(int)(value) and all(0 < v < 1 << 16 for v in value))


REQUEST = {
    "args": _strings,  # as the client's sys.argv: text, surrogates for undecodable bytes
    "cwd": _folder,
    "env": _environment,  # bytes, as the system holds it
    "tty": _pair_of(bool),  # stdout, stderr
    "encoding": _pair_of(str),  # stdout's encoding and error handler
    "stderr_encoding": _pair_of(str),
    "buffering": _buffering,  # stdout's and stderr's buffer in bytes, 0 for none (python -u)
    "confirmed": _pair_of(bool),  # stdout, stderr: each write waits for the client's ACK
    "filesystem": _pair_of(str),  # how the client decoded args: encoding, error handler
    "umask": _umask,
    "terminal": _terminal,  # columns and lines of the client's terminal, if it has one
}


def encode_request(request: dict) -> bytes:
    return marshal.dumps(request)


def decode_request(payload: bytes) -> dict:
    """The request in payload, every field checked; else ProtocolError saying what is wrong."""
    _check_marshal(payload)
    try:
        request = marshal.loads(payload)
    except (ValueError, EOFError, TypeError) as exc:
        raise ProtocolError(f"unreadable request: {exc}") from None
    if type(request) is not dict:
        raise ProtocolError("the request is not a dict")
    if set(request) != set(REQUEST):
        wrong = sorted(map(repr, set(request) ^ set(REQUEST)))
        raise ProtocolError(f"the request's fields are wrong: {', '.join(wrong)}")
    for name, valid in REQUEST.items():
        if not valid(request[name]):
            raise ProtocolError(f"the request's {name!r} is not valid")
    for name in ("encoding", "stderr_encoding", "filesystem"):
        _check_codec(*request[name])
    return request


def _check_codec(encoding: str, errors: str) -> None:
    import codecs

    try:
        text = codecs.lookup(encoding)._is_text_encoding  # not base64 or rot13
        codecs.lookup_error(errors)
    except (LookupError, ValueError):
        text = False
    if not text:
        raise ProtocolError(f"unknown text encoding or error handler: {encoding}, {errors}")


# Marshal data is read only after this check: marshal.loads allocates a container of the
# size the data claims before reading it (a 5-byte request could ask for 16 GiB).
_FIXED = {ord(c): size for c, size in (("N", 0), ("T", 0), ("F", 0), ("i", 4), ("r", 4))}
_SIZED = {ord(c): 4 for c in "suta"} | {ord("A"): 4, ord("z"): 1, ord("Z"): 1}
_SEQUENCES = {ord("["): 4, ord("("): 4, ord(")"): 1}
_DEPTH = 4


def _check_marshal(data: bytes) -> None:
    if _skip(data, 0, 0) != len(data):
        raise ProtocolError("the request has bytes after its end")


def _skip(data: bytes, at: int, depth: int) -> int:
    """Where the marshalled object at `at` ends, if it is one a request may hold."""
    if depth > _DEPTH or at >= len(data):
        raise ProtocolError("the request is cut short or nested too deep")
    code, at = data[at] & 0x7F, at + 1  # the high bit only marks an object others refer to
    if code in _FIXED:
        return _take(data, at, _FIXED[code])
    if code in _SIZED:
        length = _number(data, at, _SIZED[code])
        return _take(data, at + _SIZED[code], length)
    if code in _SEQUENCES:
        count = _number(data, at, _SEQUENCES[code])
        at += _SEQUENCES[code]
        if count > len(data) - at:  # each item takes a byte at least
            raise ProtocolError("the request claims more items than it holds")
        for _ in range(count):
            at = _skip(data, at, depth + 1)
        return at
    if code == ord("{"):
        while at < len(data) and data[at] != ord("0"):
            at = _skip(data, _skip(data, at, depth + 1), depth + 1)
        return _take(data, at, 1)
    raise ProtocolError(f"the request holds a value of marshal type {chr(code)!r}")


def _number(data: bytes, at: int, size: int) -> int:
    _take(data, at, size)
    return int.from_bytes(data[at : at + size], "little")


def _take(data: bytes, at: int, size: int) -> int:
    if at + size > len(data):
        raise ProtocolError("the request is cut short")
    return at + size
