"""`lso-etl show ID`: one article as the warehouse knows it, and its archived page.

Prints the current record, every version, and field by field what changed from one version to
the next (the `article_diff` macro, a paragraph diff for the body). `--raw` writes the bytes
of the newest archived page instead, untouched, so `lso-etl show ID --raw > page.html` works.

In SQL the record and its versions are `article_show(id)` and `article_diff(id)`; the raw page
is not, because the WARC files lie outside the database (a gzip member at an offset, read with
warcio) and `lso-etl sql` forbids reading files.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Annotated, Any
from urllib.parse import urlsplit

import duckdb
import typer

from lso_etl.cli import output
from lso_etl.errors import UserError
from lso_etl.settings import Settings
from lso_etl.site.urls import CANONICAL_HOST, classify
from lso_etl.store.analyst.readonly import open_read_only
from lso_etl.store.crawl_state.archive_index import archived_pages

SKIPPED_IN_RECORD = ("body",)  # printed last, whole
WAYBACK_ADDRESS = re.compile(r"^[a-z]+://[^/]+/web/\d+[a-z_]*/(.+)$")  # /web/<time>[id_]/<url>


def show(
    ctx: typer.Context,
    article: Annotated[str, typer.Argument(help="Article id ('new:5071654'), bare number or URL.")],
    raw: Annotated[
        bool, typer.Option("--raw", help="Write the newest archived HTML, bytes as received.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """An article's current record, its versions and what changed; --raw: its archived HTML."""
    if raw and as_json:  # the page's bytes, or the record as JSON: never one silently dropped
        raise UserError(
            "--raw and --json do not go together: --raw writes the archived page's bytes as"
            " received, --json prints the record, its versions and changes as JSON"
        )
    settings: Settings = ctx.obj
    with open_read_only(settings.db) as con:
        article_id = resolve(con, article)
        if raw:
            where = archived_pages(con, [article_id]).get(article_id)
        else:
            record, versions, changes = gather(con, article_id)
    if raw:
        sys.stdout.buffer.write(raw_page(settings, article_id, where))
        sys.stdout.buffer.flush()
        return
    if as_json:
        print(json.dumps({"record": record, "versions": versions, "changes": changes},
                         ensure_ascii=False, default=str))  # fmt: skip
        return
    print_article(record, versions, changes)


def resolve(con: duckdb.DuckDBPyConnection, given: str) -> str:
    """The article id `given` names: an id, a bare number (new CMS first) or a stored URL."""
    text = given.strip()
    candidates = [text] if ":" in text and "/" not in text else [f"new:{text}", f"old:{text}"]
    candidates += _id_in_site_url(text)
    row = con.execute(
        "select article_id from articles where article_id in (select unnest($ids)) or url = $url"
        " order by article_id like 'new:%' desc limit 1",
        {"ids": candidates, "url": text},
    ).fetchone()
    if row is None:
        raise UserError(f"no article {given!r} in the warehouse (try: lso-etl search WORDS)")
    return str(row[0])


def _id_in_site_url(text: str) -> list[str]:
    """The id in a site URL as a browser gives it (http, no scheme, www, #fragment, ?query),
    which matches no stored URL exactly, or in a Wayback Machine address of one; another
    host's URL names no article."""
    url = text if "://" in text else f"https://{text}"
    try:
        host = (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:  # "[" reads as a broken IPv6 host: no URL at all
        return []
    if host != CANONICAL_HOST:  # a Wayback Machine address (`capture_url`) holds the page's
        archived = WAYBACK_ADDRESS.search(url)
        return _id_in_site_url(archived[1]) if archived else []
    found = classify(url)
    return [found.article_id] if found else []


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def gather(
    con: duckdb.DuckDBPyConnection, article_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    record = _dicts(con.execute("select * from articles where article_id = ?", [article_id]))[0]
    versions = _dicts(con.execute(
        "select version, valid_from, valid_to, run_id, layout, parser_version, content_hash,"
        " full_record from article_versions where article_id = ? order by version", [article_id]
    ))  # fmt: skip
    changes = _dicts(con.execute("select * from article_diff(?)", [article_id]))
    return record, versions, changes


def raw_page(settings: Settings, article_id: str, where: tuple[str, int] | None) -> bytes:
    from lso_etl.crawl.archive import DamagedRecord, read_page  # warcio: only for --raw

    if where is None:
        raise UserError(f"{article_id}: no archived page (loaded before the raw archive existed?)")
    try:
        return read_page(settings.archive_dir, *where).content
    except DamagedRecord as exc:
        raise UserError(f"{article_id}: the archived page cannot be read: {exc}") from None


def print_article(
    record: dict[str, Any], versions: list[dict[str, Any]], changes: list[dict[str, Any]]
) -> None:
    for name, value in record.items():
        if name not in SKIPPED_IN_RECORD:
            print(f"{name}: {output.cell(value)}")
    print("body:")
    for paragraph in str(record["body"]).split("\n\n"):
        print(f"  {paragraph}")
    print()
    rows = [(v["version"], v["valid_from"], v["valid_to"] or "current", v["run_id"], v["layout"],
             v["parser_version"], v["content_hash"][:12]) for v in versions]  # fmt: skip
    columns = ["version", "valid_from", "valid_to", "run_id", "layout", "parser", "content_hash"]
    output.table(columns, rows, f"{len(versions)} versions")
    pair = None
    for change in changes:
        if (change["from_version"], change["to_version"]) != pair:
            pair = (change["from_version"], change["to_version"])
            print(f"\nv{pair[0]} -> v{pair[1]} ({output.cell(change['changed_at'])}):")
        if change["field"] == "body":
            print("  body:")
            for line in change["paragraph_diff"]:
                print(f"    {line}")
        else:
            print(f"  {change['field']}: {_quoted(change['before'])} -> {_quoted(change['after'])}")
    if not changes and len(versions) > 1:
        print("\nno field differs between versions that both kept their full record")


def _quoted(value: str | None) -> str:
    """A changed value in quotes (a change of spaces stays visible), on one line, never
    Python's repr (`None`, `it\\'s`)."""
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False)


def register(app: typer.Typer) -> None:
    """Add this module's command to the main app."""
    app.command()(show)
