"""Bounded exchanges against a raw socket server on loopback: a deadline for the whole
request (not each read), a size cap on the body (decompressed), and a stop that cuts a
request in flight. httpx alone passes none of these: its timeouts apply to each read."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from connector.transport.exchange import (
    AnswerTooLarge,
    Bounds,
    GuardedTransport,
    Interrupted,
    exchange,
)

Behaviour = Callable[[socket.socket], None]

JSON_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


def _slow_headers(conn: socket.socket) -> None:
    for byte in JSON_HEAD:
        conn.sendall(bytes([byte]))
        time.sleep(0.3)


def _slow_body(conn: socket.socket) -> None:
    conn.sendall(JSON_HEAD + b"Content-Length: 100000\r\n\r\n")
    while True:
        conn.sendall(b" ")
        time.sleep(0.3)


def _endless_chunks(conn: socket.socket) -> None:
    conn.sendall(JSON_HEAD + b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"7" * 65536
    while True:
        conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def _announces_500_mb(conn: socket.socket) -> None:
    conn.sendall(JSON_HEAD + b"Content-Length: 524288000\r\n\r\n[")
    time.sleep(5)


def _gzip_bomb(conn: socket.socket) -> None:
    body = gzip.compress(b" " * (8 * 1024 * 1024))  # 8 MB of spaces, about 8 kB sent
    conn.sendall(
        JSON_HEAD + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    )


def _well(conn: socket.socket) -> None:
    body = b'{"ok": true}'
    conn.sendall(JSON_HEAD + b"Content-Length: %d\r\n\r\n" % len(body) + body)


def _silent(_conn: socket.socket) -> None:
    time.sleep(10)


@pytest.fixture
def server() -> Iterator[Callable[[Behaviour], str]]:
    """``serve(behaviour)`` → a base URL whose every connection gets ``behaviour``."""
    sockets: list[socket.socket] = []

    def serve(behaviour: Behaviour) -> str:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        sockets.append(listener)

        def accept() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                sockets.append(conn)
                threading.Thread(target=_answer, args=(conn, behaviour), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    yield serve
    for sock in sockets:
        sock.close()


def _answer(conn: socket.socket, behaviour: Behaviour) -> None:
    try:
        conn.recv(65536)
        behaviour(conn)
    except OSError:
        pass


def _client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=30.0, transport=GuardedTransport())


@pytest.mark.parametrize("behaviour", [_slow_headers, _slow_body, _silent])
def test_a_slow_server_is_cut_off_at_the_deadline_of_the_whole_request(
    server: Callable[[Behaviour], str], behaviour: Behaviour
) -> None:
    """One byte every 0.3 s keeps every read under httpx's 30 s timeout, forever; the
    request's deadline (1.5 s) ends it all the same."""
    with _client(server(behaviour)) as client:
        started = time.monotonic()
        with pytest.raises(httpx.TimeoutException):
            exchange(client, "GET", "/", Bounds.of(1.5, 1))
        assert 1.4 < time.monotonic() - started < 3.0


@pytest.mark.parametrize("behaviour", [_endless_chunks, _announces_500_mb, _gzip_bomb])
def test_an_answer_over_the_cap_is_given_up_without_reading_it_all(
    server: Callable[[Behaviour], str], behaviour: Behaviour
) -> None:
    """Endless, announced or decompressed: past 1 MB, the answer is refused at once."""
    with _client(server(behaviour)) as client:
        started = time.monotonic()
        with pytest.raises(AnswerTooLarge):
            exchange(client, "GET", "/", Bounds.of(30, 1))
        assert time.monotonic() - started < 3.0


def test_a_stop_cuts_a_request_in_flight(server: Callable[[Behaviour], str]) -> None:
    """A shutdown (or a run's deadline) does not wait for a 30 s deadline to pass."""
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    with _client(server(_slow_body)) as client:
        started = time.monotonic()
        with pytest.raises(Interrupted):
            exchange(client, "GET", "/", Bounds.of(30, 1, stop))
        assert time.monotonic() - started < 1.5


def test_a_stop_already_set_sends_nothing(server: Callable[[Behaviour], str]) -> None:
    stop = threading.Event()
    stop.set()
    with _client(server(_well)) as client, pytest.raises(Interrupted):
        exchange(client, "GET", "/", Bounds.of(30, 1, stop))


def test_a_well_behaved_answer_comes_whole(server: Callable[[Behaviour], str]) -> None:
    with _client(server(_well)) as client:
        answer = exchange(client, "GET", "/", Bounds.of(5, 1))
    assert answer.status_code == 200
    assert answer.content == b'{"ok": true}'
    assert answer.headers["content-type"] == "application/json"


def test_keep_alive_connections_carry_each_request_s_own_deadline() -> None:
    """The deadline lives with the request, not the connection: a pooled connection reused
    for a later request is bounded by that request's deadline."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from connector.entrypoints.serving import running

    async def fast(_request: object) -> JSONResponse:
        return JSONResponse({"n": 1})

    app = Starlette(routes=[Route("/", fast)])
    with running(app) as url, _client(url) as client:
        for _ in range(3):
            assert exchange(client, "GET", "/", Bounds.of(2, 1)).status_code == 200
        time.sleep(2.5)  # past the first request's deadline: a later one is not affected
        assert exchange(client, "GET", "/", Bounds.of(2, 1)).status_code == 200
