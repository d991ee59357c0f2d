"""The replay site: a real HTTP server on loopback serving the corpus, with scripted faults.

All I/O of the replay lives here; pages come from the pure `routes.route`. Pages are rendered on
request (cheap, and deterministic, so ETags hold across requests and restarts).
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, date
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import urlsplit

from lso_etl.replay.corpus import Corpus, build_corpus
from lso_etl.replay.routes import HTML, SiteConfig, route

Answer = tuple[int, dict[str, str], bytes]


class ReplaySite:
    """`with ReplaySite() as site:` serves the corpus at `site.base_url` until the block ends."""

    def __init__(
        self,
        corpus: Corpus | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        crawl_delay: float = 0.01,
        pad_kb: int = 0,
        today: date | None = None,
        extra_disallow: tuple[str, ...] = (),
        faults: dict[str, list[int]] | None = None,
    ) -> None:
        self.corpus = corpus if corpus is not None else build_corpus()
        self._address = (host, port)
        # Complete once the port is known (start()).
        self._settings = SiteConfig(self.corpus, "", crawl_delay, pad_kb, tuple(extra_disallow))
        self._today = today  # None: the real date, as the real header shows
        self._lock = threading.Lock()
        self._faults = {path: list(statuses) for path, statuses in (faults or {}).items()}
        self._requests: list[tuple[str, str]] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._config: SiteConfig | None = None

    def start(self) -> str:
        if self._server is None:
            server = _Server(self._address, self)
            host, port = server.server_address[:2]
            self._config = replace(self._settings, base_url=f"http://{host!s}:{port}")
            # A short poll interval so that stop() returns quickly in tests.
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="replay-site",
                daemon=True,
            )
            self._server = server
            self._thread.start()
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ReplaySite:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._config is None:
            raise RuntimeError("ReplaySite not started")
        return self._config.base_url

    @property
    def requests(self) -> list[tuple[str, str]]:
        """(method, path with query) of every request so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for _, target in self._requests if target == path)

    def add_faults(self, path: str, statuses: list[int]) -> None:
        """Queue more statuses for `path` (served before the page), e.g. while a test runs."""
        with self._lock:
            self._faults.setdefault(path, []).extend(statuses)

    def answer(self, method: str, target: str, if_none_match: str | None) -> Answer:
        """Status, headers and body for one request (called from the server's threads)."""
        with self._lock:
            self._requests.append((method, target))
            fault = self._next_fault(target)
        if fault is not None:
            return _fault(fault)
        assert self._config is not None
        response = route(self._config, target, self._today or date.today())
        headers = {"Content-Type": response.content_type}
        if response.status != 200:
            return response.status, headers, response.body
        headers["ETag"] = response.etag
        if response.last_modified is not None:
            headers["Last-Modified"] = format_datetime(
                response.last_modified.astimezone(UTC), usegmt=True
            )
        if if_none_match and _etag_matches(if_none_match, response.etag):
            return 304, headers, b""
        return 200, headers, response.body

    def _next_fault(self, target: str) -> int | None:
        for key in (target, urlsplit(target).path):
            statuses = self._faults.get(key)
            if statuses:
                return statuses.pop(0)
        return None


def _fault(status: int) -> Answer:
    phrase = HTTPStatus(status).phrase
    body = f"<html><body><h1>{status} {phrase}</h1></body></html>\n".encode()
    headers = {"Content-Type": HTML}
    if status == 429:
        headers["Retry-After"] = "1"
    return status, headers, body


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [value.strip().removeprefix("W/") for value in header.split(",")]
    return "*" in candidates or etag in candidates


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: ReplaySite) -> None:
        super().__init__(address, _Handler)
        self.site = site

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client hung up: normal for a crawler that times out or is stopped
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a crawler's client expects
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and delayed
    # ACKs hold every keep-alive response back by ~40 ms.
    disable_nagle_algorithm = True
    server_version = "lso-replay"
    sys_version = ""

    def do_GET(self) -> None:
        self._reply(with_body=True)

    def do_HEAD(self) -> None:
        self._reply(with_body=False)

    def _reply(self, with_body: bool) -> None:
        site = cast(_Server, self.server).site
        status, headers, body = site.answer(
            self.command, self.path, self.headers.get("If-None-Match")
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body and status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is `ReplaySite.requests`."""


def serve_forever(port: int, **kwargs: Any) -> None:
    """Serve until Ctrl-C (the CLI's `lso-etl replay --port N`), then stop cleanly."""
    site = ReplaySite(port=port, **kwargs)
    base_url = site.start()
    print(
        f"Replay site: {len(site.corpus.articles)} articles at {base_url} (Ctrl-C stops)",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
