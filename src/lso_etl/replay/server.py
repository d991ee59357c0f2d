"""The replay site: a real HTTP server on loopback serving the corpus, with injected faults.

All I/O of the replay lives here; pages come from the pure `routes.route`, faults from
`faults.fault_reply`. Pages are rendered on request (cheap, and deterministic, so ETags hold
across requests and restarts). Faults come from a queue per path (`faults=`, `add_faults`) or
are drawn for a share of all requests (`fault_rate=`, `fault_seed=`); every fault served is
logged in `faults_served`.
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import urlsplit

from lso_etl.replay.corpus import Corpus, build_corpus
from lso_etl.replay.decade import DecadeCorpus
from lso_etl.replay.faults import (
    CHAOS_MIX,
    Fault,
    RateFaults,
    Reply,
    fault_reply,
    loop_back,
    short_length,
    warm,
)
from lso_etl.replay.model import CorpusArticle, CorpusView
from lso_etl.replay.routes import SURFACES, SiteConfig, route


class ReplaySite:
    """`with ReplaySite() as site:` serves the corpus at `site.base_url` until the block ends."""

    def __init__(
        self,
        corpus: CorpusView | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        crawl_delay: float = 0.01,
        pad_kb: int = 0,
        today: date | None = None,
        extra_disallow: tuple[str, ...] = (),
        faults: dict[str, list[Fault]] | None = None,
        fault_rate: float = 0.0,
        fault_seed: int = 0,
        fault_mix: tuple[Fault, ...] = CHAOS_MIX,
        slow_seconds: float = 2.0,
        surface: str = "all",
    ) -> None:
        if surface not in SURFACES:
            raise ValueError(f"surface must be one of {', '.join(SURFACES)}, not {surface!r}")
        self.corpus: CorpusView = corpus if corpus is not None else build_corpus()
        self._address = (host, port)
        # Complete once the port is known (start()).
        self._settings = SiteConfig(
            self.corpus, "", crawl_delay, pad_kb, tuple(extra_disallow), surface
        )
        self._today = today  # None: the real date, as the real header shows
        self._lock = threading.Lock()
        self._faults = {path: list(queued) for path, queued in (faults or {}).items()}
        self._rate = RateFaults(fault_rate, fault_seed, fault_mix)
        warm([f for queued in self._faults.values() for f in queued])
        warm(fault_mix if fault_rate > 0 else ())
        self.slow_seconds = slow_seconds  # how long "slow" waits and "drip" drips
        self.faults_served: list[tuple[str, Fault]] = []
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

    def add_faults(self, path: str, faults: list[Fault]) -> None:
        """Queue more faults for `path` (served before the page), e.g. while a test runs."""
        warm(faults)
        with self._lock:
            self._faults.setdefault(path, []).extend(faults)

    def edit(self, path: str, **changes: Any) -> CorpusArticle:
        """Serve the article at `path` with fields changed from now on, as when the paper edits
        a story (`paragraphs=(...)`, `headline=...`). Returns the edited article."""
        if not isinstance(self.corpus, Corpus):
            raise TypeError("only a built Corpus can be edited; a DecadeCorpus is derived")
        with self._lock:
            articles = [
                replace(a, **changes) if a.path == path else a for a in self.corpus.articles
            ]
            self.corpus = Corpus(tuple(articles), self.corpus.sections)
            self._settings = replace(self._settings, corpus=self.corpus)
            if self._config is not None:
                self._config = replace(self._config, corpus=self.corpus)
            return self.corpus.by_path[path]

    def answer(self, method: str, target: str, conditions: dict[str, str] | None = None) -> Reply:
        """What to send for one request (called from the server's threads)."""
        with self._lock:
            self._requests.append((method, target))
            fault = self._next_fault(target)
            if fault is not None:
                self.faults_served.append((target, fault))
        back = loop_back(target)
        if back is not None:
            return back
        page = self._page(target, conditions or {})
        if fault is None:
            return page
        return fault_reply(fault, target, page, self.slow_seconds, urlsplit(self.base_url).netloc)

    def _page(self, target: str, conditions: dict[str, str]) -> Reply:
        assert self._config is not None
        response = route(self._config, target, self._today or date.today())
        headers = {"Content-Type": response.content_type}
        if response.status != 200:
            return Reply(response.status, headers, response.body)
        headers["ETag"] = response.etag
        if response.last_modified is not None:
            headers["Last-Modified"] = format_datetime(
                response.last_modified.astimezone(UTC), usegmt=True
            )
        if _not_modified(conditions, response.etag, headers.get("Last-Modified")):
            return Reply(304, headers, b"")
        return Reply(200, headers, response.body)

    def _next_fault(self, target: str) -> Fault | None:
        path = urlsplit(target).path
        for key in (target, path):
            queued = self._faults.get(key)
            if queued:
                return queued.pop(0)
        return self._rate.pick(target, path)


def _not_modified(conditions: dict[str, str], etag: str, last_modified: str | None) -> bool:
    """RFC 9110: If-None-Match decides when present; else If-Modified-Since against Last-Modified."""
    if_none_match = conditions.get("if-none-match")
    if if_none_match:
        candidates = [value.strip().removeprefix("W/") for value in if_none_match.split(",")]
        return "*" in candidates or etag in candidates
    since = conditions.get("if-modified-since")
    if not since or last_modified is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


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
        conditions = {
            name: value
            for name in ("if-none-match", "if-modified-since")
            if (value := self.headers.get(name))
        }
        reply = site.answer(self.command, self.path, conditions)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.mode == "reset":
            self._reset()
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.mode == "unsized":
            self.send_header("Connection", "close")  # the body ends where the connection does
            self.close_connection = True
        elif reply.mode == "short-length":
            self.send_header("Content-Length", str(short_length(reply.body)))
        elif reply.status != 304:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if with_body and reply.status != 304:
            self._send_body(reply, site.slow_seconds)

    def _send_body(self, reply: Reply, slow_seconds: float) -> None:
        body = reply.body
        if reply.mode == "truncate":
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True  # the promised rest never comes
        elif reply.mode == "drip":
            pieces = 20
            step = max(1, -(-len(body) // pieces))
            for start in range(0, len(body), step):
                self.wfile.write(body[start : start + step])
                self.wfile.flush()
                time.sleep(slow_seconds / pieces)
        else:
            self.wfile.write(body)

    def _reset(self) -> None:
        """Close with RST, not FIN: what a crashed upstream or a middlebox does."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is `ReplaySite.requests`."""


def serve_forever(
    port: int, years: int = 0, on_ready: Callable[[str, CorpusView], None] | None = None,
    **kwargs: Any,
) -> None:  # fmt: skip
    """Serve until Ctrl-C (the CLI's `lso-etl replay --port N`), then stop cleanly.

    `years` > 0 serves a `DecadeCorpus` of that many years instead of the default corpus.
    `on_ready(base_url, corpus)` runs once it is listening (the CLI prints what to run)."""
    corpus = DecadeCorpus(years) if years > 0 else None
    site = ReplaySite(corpus, port=port, **kwargs)
    base_url = site.start()
    corpus_view = site.corpus
    print(
        f"Replay site: {len(corpus_view.articles)} articles"
        f" ({corpus_view.first_day}..{corpus_view.last_day}) at {base_url} (Ctrl-C stops)",
        flush=True,
    )
    if on_ready is not None:
        on_ready(base_url, corpus_view)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
