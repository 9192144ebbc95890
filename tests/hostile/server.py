"""A hostile HTTP server on 127.0.0.1: a reverse proxy in front of a bundled simulator that
misbehaves on the requests of one chosen route, and forwards every other request unchanged.

It works on raw sockets, so that it can send a status line and headers one byte at a time,
announce a body it never sends, or never stop sending. Every answer it writes ends with
``Connection: close``. One thread accepts, one thread serves each connection; every wait
looks at the stop event, and ``close()`` joins them all.

Behaviours (``Hostile.behaviour``) on the requests whose path matches ``Hostile.path``:

- ``slow_bytes``: the simulator's status and headers at once, then its body one byte every
  ``interval`` seconds;
- ``slow_headers``: the whole answer, status line and headers included, one byte every
  ``interval`` seconds;
- ``stall``: reads the request and never answers (until the client hangs up);
- ``huge_declared``: ``Content-Length`` of 500 MB, then zeros for as long as the client reads;
- ``huge_chunked``: a chunked JSON answer that never ends;
- ``deep_json``: ``[`` × ``depth`` then ``]`` × ``depth``, valid JSON nested ``depth`` deep;
- ``rewrite_id``: the simulator's answer, with the row whose ``id`` is ``old_id`` given
  ``new_id`` (a listing's rows, wherever they are: a list, or the list of a JSON:API page);
- ``endless_pages``: page 1 of the listing, whatever page is asked, announcing ``page_count``
  pages: every page repeats the same ids;
- ``fresh_pages``: the same, but each page's ids are shifted by ``page number × id_step``:
  every page brings new rows, and the listing never ends;
- ``redirect``: a ``status`` redirect to ``location``.
"""

from __future__ import annotations

import http.client
import json
import re
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

__all__ = ["Hostile", "HostileServer"]

SEND_SLICE = 0.25  # seconds a blocked send waits before the stop event is looked at again
MAX_REQUEST_HEAD = 64 * 1024
HUGE = 500 * 1024 * 1024
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "te",
    "trailer",
    "upgrade",
}


@dataclass(frozen=True)
class Hostile:
    """Misbehave as ``behaviour`` on requests whose path fully matches ``path``."""

    path: str
    behaviour: str
    interval: float = 1.0  # slow_bytes, slow_headers: seconds between two bytes
    depth: int = 200_000  # deep_json
    old_id: int = 0  # rewrite_id
    new_id: int | str = 10**30  # rewrite_id
    page_count: int = 10**12  # endless_pages, fresh_pages
    id_step: int = 1_000_000  # fresh_pages
    status: int = 302  # redirect
    location: str = ""  # redirect

    def matches(self, path: str) -> bool:
        return re.fullmatch(self.path, path) is not None


@dataclass(frozen=True)
class _Request:
    method: str
    target: str  # path and query, as sent
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


@dataclass
class _Answer:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    def head(self, length: int | None = None) -> bytes:
        """Status line and headers, with a Content-Length (the body's unless ``length``)."""
        lines = [f"HTTP/1.1 {self.status} {self.reason}"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        lines += [f"Content-Length: {len(self.body) if length is None else length}"]
        lines += ["Connection: close", "", ""]
        return "\r\n".join(lines).encode("latin-1")


@dataclass
class Stats:
    """What the server saw and did; read by the tests."""

    connections: int = 0
    forwarded: int = 0
    hostile_sent: int = 0  # bytes written by the hostile behaviours
    hits: list[float] = field(default_factory=list)  # time.monotonic() of each targeted request
    paths: list[str] = field(default_factory=list)  # every request, as ``METHOD path``


class HostileServer:
    """Serve on 127.0.0.1 (a free port), forward to ``upstream`` (a base URL, or None: every
    request not targeted gets a 502), misbehave as ``hostile`` says. A context manager."""

    def __init__(self, upstream: str | None, hostile: Hostile | None = None) -> None:
        self._upstream = urlsplit(upstream) if upstream else None
        self.hostile = hostile
        self.stats = Stats()
        self.hit = threading.Event()  # set once a targeted request has arrived
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(SEND_SLICE)
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, name="hostile-accept", daemon=True)

    # lifecycle ------------------------------------------------------------------------------
    def __enter__(self) -> HostileServer:
        self._acceptor.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self, timeout: float = 10.0) -> None:
        """Stop accepting, end every behaviour, and join every thread."""
        self._stop.set()
        if self._acceptor.is_alive():
            self._acceptor.join(timeout)
        self._listener.close()
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        alive = [t.name for t in threads if t.is_alive()] + (
            [self._acceptor.name] if self._acceptor.is_alive() else []
        )
        if alive:
            raise RuntimeError(f"hostile server threads still running: {alive}")

    def live_threads(self) -> int:
        with self._lock:
            return sum(t.is_alive() for t in self._threads)

    # serving --------------------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(
                target=self._serve, args=(conn,), name="hostile-conn", daemon=True
            )
            with self._lock:
                self.stats.connections += 1
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(SEND_SLICE)
        try:
            request = self._read_request(conn)
            if request is None:
                return
            hostile = self.hostile
            with self._lock:
                self.stats.paths.append(f"{request.method} {request.path}")
            if hostile is not None and hostile.matches(request.path):
                with self._lock:
                    self.stats.hits.append(time.monotonic())
                self.hit.set()
                getattr(self, f"_{hostile.behaviour}")(conn, request, hostile)
            else:
                self._send(conn, self._answer_of(request), hostile=False)
        except (OSError, ValueError, http.client.HTTPException):
            pass  # the client hung up, sent garbage, or the server is closing
        finally:
            conn.close()

    def _read_request(self, conn: socket.socket) -> _Request | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self._recv(conn)
            if not chunk or len(data) > MAX_REQUEST_HEAD:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _version = line.split(" ", 2)
        headers = {}
        for header in header_lines:
            name, _, value = header.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        while len(body) < length:
            chunk = self._recv(conn)
            if not chunk:
                return None
            body += chunk
        return _Request(method, target, headers, body)

    def _recv(self, conn: socket.socket) -> bytes:
        """Some bytes from the client; b"" once it hung up or the server stops."""
        while not self._stop.is_set():
            try:
                return conn.recv(65536)
            except TimeoutError:
                continue
        return b""

    def _send(self, conn: socket.socket, data: bytes, *, hostile: bool = True) -> bool:
        """Write ``data`` whole; False once the client hung up or the server stops."""
        view = memoryview(data)
        while view:
            if self._stop.is_set():
                return False
            try:
                sent = conn.send(view)
            except TimeoutError:
                continue
            except OSError:
                return False
            view = view[sent:]
            if hostile:
                with self._lock:
                    self.stats.hostile_sent += sent
        return True

    def _trickle(self, conn: socket.socket, data: bytes, interval: float) -> None:
        """``data`` one byte every ``interval`` seconds, until done, a hang-up or the stop."""
        for index in range(len(data)):
            if not self._send(conn, data[index : index + 1]) or self._stop.wait(interval):
                return

    def _hold(self, conn: socket.socket) -> None:
        """Answer nothing until the client hangs up or the server stops."""
        while not self._stop.is_set():
            readable, _, _ = select.select([conn], [], [], SEND_SLICE)
            if readable and not conn.recv(65536):
                return

    def _forwarded(self, request: _Request, target: str | None = None) -> _Answer:
        """The upstream's answer to ``request`` (sent to ``target`` instead, if given)."""
        if self._upstream is None or self._upstream.hostname is None:
            return _Answer(502, "Bad Gateway", [("Content-Type", "text/plain")], b"no upstream")
        upstream = http.client.HTTPConnection(
            self._upstream.hostname, self._upstream.port, timeout=30
        )
        try:
            headers = {
                k: v
                for k, v in request.headers.items()
                if k not in HOP_BY_HOP and k not in ("host", "accept-encoding")
            }
            upstream.request(
                request.method, target or request.target, body=request.body or None, headers=headers
            )
            response = upstream.getresponse()
            body = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
            with self._lock:
                self.stats.forwarded += 1
            return _Answer(response.status, response.reason, kept, body)
        finally:
            upstream.close()

    def _answer_of(self, request: _Request) -> bytes:
        answer = self._forwarded(request)
        return answer.head() + answer.body

    # behaviours -----------------------------------------------------------------------------
    def _slow_bytes(self, conn: socket.socket, request: _Request, hostile: Hostile) -> None:
        answer = self._forwarded(request)
        if self._send(conn, answer.head()):
            self._trickle(conn, answer.body, hostile.interval)
            self._hold(conn)

    def _slow_headers(self, conn: socket.socket, request: _Request, hostile: Hostile) -> None:
        self._trickle(conn, self._answer_of(request), hostile.interval)
        self._hold(conn)

    def _stall(self, conn: socket.socket, _request: _Request, _hostile: Hostile) -> None:
        self._hold(conn)

    def _huge_declared(self, conn: socket.socket, _request: _Request, _hostile: Hostile) -> None:
        answer = _Answer(200, "OK", [("Content-Type", "application/json")], b"")
        if not self._send(conn, answer.head(HUGE)):
            return
        block = b" " * 65536
        for _ in range(HUGE // len(block)):
            if not self._send(conn, block):
                return

    def _huge_chunked(self, conn: socket.socket, _request: _Request, _hostile: Hostile) -> None:
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        block = b"0," * 32768
        chunk = f"{len(block):x}\r\n".encode() + block + b"\r\n"
        if not self._send(conn, head + b"1\r\n[\r\n"):
            return
        for _ in range(HUGE // len(block)):
            if not self._send(conn, chunk):
                return

    def _deep_json(self, conn: socket.socket, _request: _Request, hostile: Hostile) -> None:
        body = b"[" * hostile.depth + b"]" * hostile.depth
        answer = _Answer(200, "OK", [("Content-Type", "application/json")], body)
        self._send(conn, answer.head() + body)

    def _rewrite_id(self, conn: socket.socket, request: _Request, hostile: Hostile) -> None:
        answer = self._forwarded(request)
        body = json.loads(answer.body)
        for row in _rows(body):
            if isinstance(row, dict) and row.get("id") == hostile.old_id:
                row["id"] = hostile.new_id
        answer.body = json.dumps(body).encode()
        self._send(conn, answer.head() + answer.body)

    def _endless_pages(
        self, conn: socket.socket, request: _Request, hostile: Hostile, *, fresh: bool = False
    ) -> None:
        parts = urlsplit(request.target)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page[number]"]
        number = int(dict(parse_qsl(parts.query)).get("page[number]", "1"))
        answer = self._forwarded(
            request, f"{parts.path}?{urlencode([*query, ('page[number]', '1')])}"
        )
        body = json.loads(answer.body)
        if isinstance(body, dict) and isinstance(body.get("page"), dict):
            body["page"].update(number=number, count=hostile.page_count)
        for row in _rows(body) if fresh else []:
            if isinstance(row, dict) and isinstance(row.get("id"), int):
                row["id"] += (number - 1) * hostile.id_step
        answer.body = json.dumps(body).encode()
        self._send(conn, answer.head() + answer.body)

    def _fresh_pages(self, conn: socket.socket, request: _Request, hostile: Hostile) -> None:
        self._endless_pages(conn, request, hostile, fresh=True)

    def _redirect(self, conn: socket.socket, _request: _Request, hostile: Hostile) -> None:
        body = b"<html><body>Moved</body></html>"
        headers = [("Location", hostile.location), ("Content-Type", "text/html")]
        answer = _Answer(hostile.status, "Found", headers, body)
        self._send(conn, answer.head() + body)


def _rows(body: Any) -> list[Any]:
    """The rows of a listing: the body itself, or the first list among its values."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for value in body.values():
            if isinstance(value, list):
                return value
    return []
