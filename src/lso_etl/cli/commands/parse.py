"""`lso-etl parse` and `lso-etl probe`: one page, every field. Never imports Prefect.

`parse` reads a saved page (a file or stdin, raw bytes: the encoding is detected as the
pipeline does) and prints its record. `probe` fetches one live page politely and prints, field
by field, what every rule of the site profile found: the operator's tool on first contact
with the real site, whose selectors are mostly inferred (site-notes.md).

Exit codes (`cli.exits`): 0 an article, 3 not an article, 4 parse failed (the reason on
stderr); probe also 5 when robots.txt forbids the page and 6 when the fetch failed; 2 usage.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from lso_etl.cli.exits import ExitCode
from lso_etl.errors import UserError
from lso_etl.extract.dates import VN_TZ
from lso_etl.extract.parse import parse_page, record
from lso_etl.models import Outcome, ParseResult, RawPage, Status
from lso_etl.settings import Settings
from lso_etl.site.urls import on_base

EXIT_CODES = {
    Status.OK.value: ExitCode.OK,
    Status.NOT_ARTICLE.value: ExitCode.NOT_ARTICLE,
    Status.FAILED.value: ExitCode.PARSE_FAILED,
}
EXIT_ROBOTS = ExitCode.ROBOTS
EXIT_FETCH = ExitCode.UNREACHABLE


def _read(source: str, cap: int) -> bytes:
    """At most `cap` + 1 bytes of the page: one byte over tells it is too big, and a huge file
    or an endless pipe is never read whole into memory."""
    if source == "-":  # raw bytes: the page's own encoding is detected, not the locale's
        stream = sys.stdin
        if hasattr(stream, "buffer"):
            return bytes(stream.buffer.read(cap + 1))
        return str(stream.read(cap + 1)).encode()[: cap + 1]
    try:
        with Path(source).open("rb") as file:
            return file.read(cap + 1)
    except OSError as exc:
        raise UserError(f"cannot read {source}: {exc.strerror or exc}") from None


def _over_cap(url: str, cap: int) -> dict[str, Any]:
    reason = (
        f"page over {cap} bytes, the size cap of fetched pages (LSO_MAX_BODY_BYTES): not parsed"
    )
    return record(ParseResult(status=Status.FAILED, reason=reason), url)


def _fetch_time(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(f"--fetched-at {value!r} is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)


def _write(text: str) -> None:
    """UTF-8 bytes whatever the terminal's locale: Vietnamese text must survive a pipe."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text + "\n")
    else:
        buffer.write(text.encode("utf-8") + b"\n")
        buffer.flush()


def _emit(data: dict[str, Any], compact: bool) -> None:
    if compact:
        _write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    else:
        _write(json.dumps(data, ensure_ascii=False, indent=2))


def _finish(rec: dict[str, Any]) -> None:
    status = str(rec["status"])
    if rec.get("reason"):
        typer.echo(f"{status}: {rec['reason']}", err=True)
    raise typer.Exit(EXIT_CODES[status])


def parse(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(metavar="PATH_OR_-", help="Saved page, or - for stdin.")],
    url: Annotated[
        str, typer.Option(metavar="URL", help="The URL the page was fetched from (its identity).")
    ],
    compact: Annotated[bool, typer.Option("--json", help="One compact line of JSON.")] = False,
    content_type: Annotated[
        str | None,
        typer.Option(
            metavar="TYPE",
            help="The response's Content-Type, if known: its charset wins over <meta>.",
        ),
    ] = None,
    fetched_at: Annotated[
        str | None,
        typer.Option(
            metavar="TIME", help="ISO time of the fetch (default now): later dates are rejected."
        ),
    ] = None,
    status: Annotated[
        int, typer.Option(metavar="CODE", help="The HTTP status the page came with.")
    ] = 200,
) -> None:
    """Parse one saved page and print its record as JSON (keys in the record's order)."""
    settings: Settings = ctx.obj
    cap = settings.max_body_bytes  # the fetcher's cap: a page it would refuse is refused here
    moment = _fetch_time(fetched_at)
    content = _read(source, cap)
    if len(content) > cap:
        rec = _over_cap(url, cap)
    else:
        headers = {"Content-Type": content_type} if content_type else {}
        page = RawPage(url, url, status, headers, content, moment)
        rec = record(parse_page(page), url)
    _emit(rec, compact)
    _finish(rec)


def probe(
    ctx: typer.Context,
    url: Annotated[
        str, typer.Argument(help="Page to probe: a path, or a URL (re-homed on --base-url).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the probe as JSON.")] = False,
) -> None:
    """Fetch one page politely and show, for each field, every rule and what it found."""
    from lso_etl.cli.commands import probe as probing  # httpx and the fetcher only when probing

    settings: Settings = ctx.obj
    target = on_base(settings.base_url, url)
    fetched = probing.fetch_one(settings, target)
    if fetched.outcome is Outcome.ROBOTS_DISALLOWED:
        typer.echo(
            f"robots.txt of {settings.base_url} disallows {target} for our user agent: not "
            "fetched. Probe another page, or set LSO_RESPECT_ROBOTS=false only with the "
            "publisher's permission.",
            err=True,
        )
        raise typer.Exit(EXIT_ROBOTS)
    if fetched.page is None:
        outcome = fetched.outcome.value if fetched.outcome else "error"
        typer.echo(f"fetch failed ({outcome}): {fetched.detail}", err=True)
        raise typer.Exit(EXIT_FETCH)
    report = probing.probe_page(fetched.page)
    if as_json:
        _emit(probing.as_dict(report), compact=False)
    else:
        _write("\n".join(probing.render(report)))
    _finish(report.record)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command()(parse)
    app.command()(probe)
