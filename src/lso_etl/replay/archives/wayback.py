"""A Wayback Machine over the replay corpus: the CDX API and `id_` playback, as documented.

- `GET /cdx/search/cdx?url=baolangson.vn/*&output=json&from=&to=&filter=[!]field:regex&fl=
  &limit=&showResumeKey=true&resumeKey=`: rows sorted by urlkey then timestamp; with
  `output=json` the first row names the fields; when `limit` (or the server's own cap) cut
  the answer and `showResumeKey=true`, an empty row and then `[resumeKey]` follow.
- `GET /web/{timestamp}id_/{original}`: the archived bytes, the archived headers as
  `X-Archive-Orig-*`; a timestamp that is not exact answers 302 to the nearest capture.
- `/robots.txt`: the archive's own.
Routing is pure (`WaybackRoutes.answer`); `serve_wayback` puts it on a loopback host.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.utils import format_datetime
from functools import cached_property
from urllib.parse import parse_qs, urlsplit

from lso_etl.replay import render
from lso_etl.replay.archives.captures import Capture, wayback_plan
from lso_etl.replay.archives.loopback import Answer, LoopbackHost
from lso_etl.replay.model import Corpus, CorpusView

FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
PLAYBACK = re.compile(r"^/web/(?P<ts>\d{1,14})id_/(?P<original>.+)$")
ROBOTS = "User-agent: *\nDisallow: /save/\nDisallow: /web/*/save/\n"
EDIT_NOTE = "Bài viết được cập nhật thêm thông tin sau khi đăng."


def urlkey(original: str) -> str:
    """SURT form, as the CDX sorts and matches: scheme and `www.` dropped, host reversed."""
    parts = urlsplit(original)
    host = (parts.hostname or "").removeprefix("www.")
    query = f"?{parts.query}" if parts.query else ""
    return ",".join(reversed(host.split("."))) + ")" + parts.path.lower() + query


def page_for(capture: Capture, corpus: CorpusView) -> tuple[int, dict[str, str], bytes]:
    """The archived response of a capture: status, original headers, body."""
    when = capture.when
    headers = {"content-type": "text/html; charset=UTF-8", "server": "nginx",
               "date": format_datetime(when, usegmt=True)}  # fmt: skip
    article = corpus.by_path[capture.path]
    if capture.kind in ("article", "edited"):
        if capture.kind == "edited" and isinstance(corpus, Corpus):  # as ReplaySite.edit does
            article = replace(article, paragraphs=(*article.paragraphs, EDIT_NOTE))
            corpus = Corpus(
                tuple(article if a.path == capture.path else a for a in corpus.articles),
                corpus.sections,
            )
        return 200, headers, render.render_article(article, corpus, today=when.date()).encode()
    if capture.kind == "soft404":  # the site answered 200 with its not-found page
        return 200, headers, render.render_not_found(corpus, today=when.date()).encode()
    if capture.kind == "error":
        body = b"<html><body><h1>503 Service Temporarily Unavailable</h1><hr>nginx</body></html>"
        return 200, headers, body
    return 301, {**headers, "location": "https://baolangson.vn/"}, b""


@dataclass
class WaybackRoutes:
    corpus: CorpusView
    captures: tuple[Capture, ...]
    max_rows: int = 40  # the server's own cap per answer: paging happens with any client
    extra_disallow: tuple[str, ...] = ()

    @cached_property
    def index(self) -> list[tuple[str, str, Capture]]:
        return sorted((urlkey(c.original), c.timestamp, c) for c in self.captures)

    def answer(self, target: str, headers: dict[str, str]) -> Answer:
        parts = urlsplit(target)
        if parts.path == "/robots.txt":
            text = ROBOTS + "".join(f"Disallow: {p}\n" for p in self.extra_disallow)
            return Answer(200, {"Content-Type": "text/plain"}, text.encode())
        if parts.path == "/cdx/search/cdx":
            return self._cdx(parse_qs(parts.query))
        playback = PLAYBACK.match(target)
        if playback:
            return self._playback(playback["ts"], playback["original"])
        return Answer(404, {"Content-Type": "text/plain"}, b"not in archive")

    def _cdx(self, query: dict[str, list[str]]) -> Answer:
        url = query.get("url", [""])[0]
        prefix = url.endswith("*") or query.get("matchType", [""])[0] == "prefix"
        wanted = urlkey("http://" + url.rstrip("*").split("://")[-1])
        start = query.get("from", [""])[0].ljust(14, "0")
        end = query.get("to", [""])[0].ljust(14, "9") if query.get("to") else "9" * 14
        fields = query.get("fl", [",".join(FIELDS)])[0].split(",")
        filters = [_filter(f) for f in query.get("filter", [])]
        resume = query.get("resumeKey", [""])[0]
        limit = min(int(query.get("limit", [str(self.max_rows)])[0]), self.max_rows)
        rows: list[list[str]] = []
        more = last = None
        for key, stamp, capture in self.index:
            if not (key.startswith(wanted) if prefix else key == wanted):
                continue
            if not start <= stamp <= end or (resume and f"{key} {stamp}" <= resume):
                continue
            record = self._record(key, capture)
            if not all(keep(record) for keep in filters):
                continue
            if len(rows) == limit:
                more = last  # resume after the last row sent
                break
            rows.append([record[f] for f in fields])
            last = f"{key} {stamp}"
        if query.get("output", [""])[0] != "json":
            return Answer(200, {"Content-Type": "text/plain"}, _plain(rows, more).encode())
        table: list[list[str]] = [fields, *rows] if rows else []
        if more is not None and query.get("showResumeKey", [""])[0] == "true":
            table += [[], [more]]
        return Answer(200, {"Content-Type": "application/json"}, json.dumps(table).encode())

    def _record(self, key: str, capture: Capture) -> dict[str, str]:
        # Same story, same digest: an edited capture differs, a re-capture does not.
        sha1 = hashlib.sha1(f"{capture.path} {capture.kind}".encode()).digest()
        return {"urlkey": key, "timestamp": capture.timestamp, "original": capture.original,
                "mimetype": "text/html", "statuscode": str(capture.status),
                "digest": base64.b32encode(sha1).decode(), "length": str(9000 + sha1[0] * 40)}  # fmt: skip

    def _playback(self, stamp: str, original: str) -> Answer:
        key = urlkey(original)
        same = [c for k, _, c in self.index if k == key]
        if not same:
            return Answer(
                404, {"Content-Type": "text/plain"}, b"Wayback Machine has not archived that URL."
            )
        wanted = int(stamp.ljust(14, "0"))
        nearest = min(same, key=lambda c: abs(int(c.timestamp) - wanted))
        if nearest.timestamp != stamp or nearest.original != original:
            where = f"/web/{nearest.timestamp}id_/{nearest.original}"
            return Answer(302, {"Location": where, "Content-Type": "text/plain"}, b"")
        status, archived, body = page_for(nearest, self.corpus)
        headers = {f"X-Archive-Orig-{k}": v for k, v in archived.items()}
        headers["Content-Type"] = archived["content-type"]
        headers["Memento-Datetime"] = format_datetime(nearest.when, usegmt=True)
        if status == 301:
            location = f"/web/{nearest.timestamp}id_/{archived['location']}"
            return Answer(302, {**headers, "Location": location}, b"")
        return Answer(status, headers, body)


def _filter(spec: str) -> Callable[[dict[str, str]], bool]:
    """`[!]field:regex`, the whole value matched (the CDX server's Java `matches`)."""
    negate = spec.startswith("!")
    name, _, pattern = spec.lstrip("!").partition(":")
    compiled = re.compile(pattern)
    return lambda record: bool(compiled.fullmatch(record.get(name, ""))) != negate


def _plain(rows: list[list[str]], more: str | None) -> str:
    lines = [" ".join(row) for row in rows]
    return "\n".join(lines + (["", more] if more else [])) + "\n"


def serve_wayback(corpus: CorpusView, captures: tuple[Capture, ...] | None = None,
                  **options: object) -> LoopbackHost:  # fmt: skip
    """An unstarted loopback Wayback Machine (`with serve_wayback(corpus) as wayback:`)."""
    routes = WaybackRoutes(corpus, captures if captures is not None else wayback_plan(corpus),
                           **options)  # type: ignore[arg-type]  # fmt: skip
    return LoopbackHost(routes.answer, "replay-wayback")
