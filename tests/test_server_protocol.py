"""The protocol between the artread client and its server: one schema for requests, bounded
messages, a deadline for the whole request, and nothing a client sends ends the server."""

from __future__ import annotations

import marshal
import os
import socket
import sys
import time
from pathlib import Path

import pytest
from helpers import artread, wait_for_server
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from artread.resident import client, protocol

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the server runs on Linux")


def _request(**changes: object) -> dict:
    request = client.request(["--version"])
    request["env"] = {b"PATH": os.environb.get(b"PATH", b"/usr/bin")}
    request.update(changes)
    return request


def _frame(kind: bytes, payload: bytes) -> bytes:
    return protocol.HEADER.pack(kind, len(payload)) + payload


def _exchange(path: str, data: bytes, hang_up: bool = True) -> list[tuple[bytes, bytes]]:
    """Send data to the server (and no more, with hang_up), and collect its messages until
    it hangs up."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(60)
    connection.connect(path)
    messages = []
    try:
        connection.sendall(data)
        if hang_up:
            connection.shutdown(socket.SHUT_WR)
        while (message := protocol.receive(connection)) is not None:
            messages.append(message)
            if message[0] in (protocol.STDOUT, protocol.STDERR):  # answer as the client does
                connection.sendall(_frame(protocol.ACK, b"0"))
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        connection.close()
    return messages


def _still_serves(path: str, pid: int, sample_archive: Path) -> None:
    """The same server runs a real command through the real client."""
    before = wait_for_server(path)
    assert before["pid"] == pid
    alone = artread("--archive", str(sample_archive), "latest", "-n", "2", server=False)
    served = artread("--archive", str(sample_archive), "latest", "-n", "2")
    assert (served.returncode, served.stdout, served.stderr) == (
        alone.returncode,
        alone.stdout,
        alone.stderr,
    )
    assert wait_for_server(path)["commands"] == before["commands"] + 1


def test_the_client_request_passes_the_schema() -> None:
    request = client.request(["search", "注意力", "\udcff"])  # an undecodable byte stays one
    assert protocol.decode_request(protocol.encode_request(request)) == request


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"tty": "yes"}, "'tty'"),
        ({"tty": [1, 0]}, "'tty'"),
        ({"encoding": ["no-such-codec", "strict"]}, "unknown text encoding"),
        ({"encoding": ["rot13", "strict"]}, "unknown text encoding"),
        ({"stderr_encoding": ["utf-8", "no-such-handler"]}, "unknown text encoding"),
        ({"env": {"PATH": "/usr/bin"}}, "'env'"),
        ({"env": {b"A=B": b"c"}}, "'env'"),
        ({"args": [b"latest"]}, "'args'"),
        ({"cwd": b"relative"}, "'cwd'"),
        ({"umask": 0o1000}, "'umask'"),
        ({"umask": True}, "'umask'"),
        ({"terminal": [0, 24]}, "'terminal'"),
        ({"extra": 1}, "fields are wrong"),
    ],
)
def test_a_malformed_request_is_refused_with_the_reason(change: dict, complaint: str) -> None:
    payload = protocol.encode_request(_request(**change))
    with pytest.raises(protocol.ProtocolError, match=complaint):
        protocol.decode_request(payload)


@pytest.mark.parametrize(
    "payload",
    [
        marshal.dumps(["latest"]),  # not a dict
        marshal.dumps(None),
        b"(\xff\xff\xff\x7f",  # claims two thousand million items: none are allocated
        b"[\xff\xff\xff\x7f",
        b"{\xda\x04args[\xff\xff\xff\x7f",
        marshal.dumps({"args": 1.5}),  # a float: not a type a request holds
        marshal.dumps({"a": frozenset()}),
        marshal.dumps({"a": compile("1", "x", "eval")}),  # code is never even loaded
        b"",
        marshal.dumps(_request()) + b"x",
        marshal.dumps(_request())[:-1],
    ],
)
def test_data_that_is_not_a_request_is_refused_before_it_is_loaded(payload: bytes) -> None:
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_request(payload)


def test_a_message_longer_than_its_kind_allows_is_refused_unread() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(protocol.HEADER.pack(protocol.RUN, (4 << 30) - 1))  # 4 GiB, never sent
        with pytest.raises(protocol.ProtocolError, match="at most"):
            protocol.receive(right, protocol.OPENINGS, time.monotonic() + 60)
        left.sendall(protocol.HEADER.pack(b"z", 0))
        with pytest.raises(protocol.ProtocolError, match="unknown message kind"):
            protocol.receive(right, protocol.OPENINGS, time.monotonic() + 60)


def test_the_server_refuses_what_is_not_a_request_and_goes_on(
    server: str,
    sample_archive: Path,
) -> None:
    pid = wait_for_server(server)["pid"]
    valid = protocol.encode_request(_request())
    refused = [
        _frame(b"z", b""),  # an unknown kind: not run as a command
        _frame(protocol.RUN, marshal.dumps(["--version"])),
        _frame(protocol.RUN, protocol.encode_request(_request(tty="yes"))),
        _frame(protocol.RUN, protocol.encode_request(_request(encoding=["nope", "strict"]))),
        _frame(protocol.RUN, protocol.encode_request(_request(env={"A": "b"}))),
        _frame(protocol.RUN, b"(\xff\xff\xff\x7f"),
        protocol.HEADER.pack(protocol.RUN, (4 << 30) - 1),  # 4 GiB announced
        _frame(protocol.STATUS, b"x"),  # status takes no payload
        _frame(protocol.STOP, b"now"),  # nor does stop
        _frame(protocol.CANCEL, b""),  # only while a command runs
    ]
    for data in refused:
        messages = _exchange(server, data)
        assert [kind for kind, _ in messages] == [protocol.ERROR], data[:20]
    messages = _exchange(server, _frame(protocol.RUN, valid), hang_up=False)
    assert messages[0][0] == protocol.STARTED
    assert messages[-1] == (protocol.EXIT, b"0")
    _still_serves(server, pid, sample_archive)


def test_a_request_that_trickles_in_is_cut_off(server: str, sample_archive: Path) -> None:
    pid = wait_for_server(server)["pid"]
    payload = protocol.encode_request(_request())
    data = _frame(protocol.RUN, payload)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(server)
    sent, deadline = 0, time.monotonic() + 120
    try:
        while sent < len(data) and time.monotonic() < deadline:
            connection.sendall(data[sent : sent + 1])  # a byte at a time, never the whole
            sent += 1
            time.sleep(0.25)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server hung up
    connection.settimeout(60)
    answer = protocol.receive(connection)
    connection.close()
    assert sent < len(data), "the server waited for the whole request"
    assert answer is not None and answer[0] == protocol.ERROR
    assert b"in time" in answer[1]
    _still_serves(server, pid, sample_archive)


def _mutated(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    """data with each edit (position, action, byte) applied: replace, insert or delete."""
    buffer = bytearray(data)
    for position, action, value in edits:
        at = position % (len(buffer) + 1)
        if action == 0 and at < len(buffer):
            buffer[at] = value
        elif action == 1:
            buffer.insert(at, value)
        elif at < len(buffer):
            del buffer[at]
    return bytes(buffer)


VALID = _frame(protocol.RUN, protocol.encode_request(_request()))
frames = st.one_of(
    st.binary(max_size=64),
    st.builds(
        _frame,
        st.sampled_from([protocol.RUN, protocol.STATUS, protocol.CANCEL, protocol.ACK, b"\0"]),
        st.binary(max_size=256),
    ),
    st.builds(
        _mutated,
        st.just(VALID),
        st.lists(
            st.tuples(st.integers(0, len(VALID)), st.integers(0, 2), st.integers(0, 255)),
            min_size=1,
            max_size=6,
        ),
    ),
    st.builds(lambda n: VALID[:n], st.integers(0, len(VALID))),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.lists(frames, min_size=1, max_size=3).map(b"".join))
def test_random_and_mutated_frames_end_only_their_connection(
    server: str,
    data: bytes,
) -> None:
    assume(not data.startswith(protocol.HEADER.pack(protocol.STOP, 0)))  # a real stop
    pid = wait_for_server(server)["pid"]
    _exchange(server, data)
    assert wait_for_server(server)["pid"] == pid


def test_after_random_frames_a_normal_command_still_works(
    server: str,
    sample_archive: Path,
) -> None:
    import random

    pid = wait_for_server(server)["pid"]
    chooser = random.Random(13)
    for _ in range(100):
        edits = [(chooser.randrange(len(VALID)), chooser.randrange(3), chooser.randrange(256))]
        data = _mutated(VALID, edits * chooser.randint(1, 3))
        if not data.startswith(protocol.HEADER.pack(protocol.STOP, 0)):
            _exchange(server, data)
    _still_serves(server, pid, sample_archive)
