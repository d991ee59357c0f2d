"""A small HTTP server on loopback for the replay archives: one host per archive, as in life.

Each archive (the Wayback Machine, Common Crawl's index and its data host) answers from a pure
`answer(target, headers)` function; this module only carries bytes, logs every request with
its arrival time, and serves a queue of throttling answers (429) before any page.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


Route = Callable[[str, dict[str, str]], Answer]


@dataclass(frozen=True)
class Throttle:
    """One 429 to serve; `retry_after` is the header's value, None: no header at all."""

    retry_after: str | None = None


class LoopbackHost:
    """`with LoopbackHost(route) as host:` serves `route` at `host.base_url` until the block ends."""

    def __init__(self, route: Route, name: str) -> None:
        self._route = route
        self.name = name
        self._lock = threading.Lock()
        self._throttles: list[Throttle] = []
        self._throttle_prefix = ""
        self.log: list[tuple[float, str]] = []  # (monotonic arrival, target)
        self.throttled: list[tuple[float, str]] = []  # what was answered 429
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    def throttle(self, answers: list[Throttle], prefix: str = "") -> None:
        """Answer 429 to the next requests whose target starts with `prefix`, one per item."""
        with self._lock:
            self._throttles.extend(answers)
            self._throttle_prefix = prefix

    @property
    def targets(self) -> list[str]:
        with self._lock:
            return [target for _, target in self.log]

    def answer(self, target: str, headers: dict[str, str]) -> Answer:
        with self._lock:
            now = time.monotonic()
            self.log.append((now, target))
            if self._throttles and target.startswith(self._throttle_prefix):
                throttle = self._throttles.pop(0)
                self.throttled.append((now, target))
                extra = (
                    {} if throttle.retry_after is None else {"Retry-After": throttle.retry_after}
                )
                return Answer(429, {"Content-Type": "text/plain", **extra}, b"Too Many Requests")
        return self._route(target, headers)

    def __enter__(self) -> LoopbackHost:
        server = _Server(("127.0.0.1", 0), self)
        host, port = server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.name, daemon=True
        )
        self._server = server
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], host: LoopbackHost) -> None:
        super().__init__(address, _Handler)
        self.host = host

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "lso-replay-archive"
    sys_version = ""

    def do_GET(self) -> None:
        host = cast(_Server, self.server).host
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer = host.answer(self.path, headers)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is `LoopbackHost.log`."""
