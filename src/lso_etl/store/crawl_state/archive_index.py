"""The raw archive's index in the warehouse: `archive_records`, one row per archived response.

Rows arrive per batch (one bulk insert, not one statement per response: DuckDB pays ~2 ms a
statement). A run killed before its rows were written leaves them in its WARC file only;
`recover` reads them back from the file's unindexed tail at the start of the next run; it
reads regular files only (a FIFO, a link to a device or a link loop is named and skipped) and
remembers a tail that held nothing more (`_Scanned`), so junk after a file's last record is
read once, not by every run.
0002's `fetches` (one row per candidate URL, written by the loader) gets its `warc_file` and
`warc_offset` from here (`link_fetches`), so analysts can go from an outcome to the raw page.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

import duckdb

from lso_etl.models import ArchiveRecord
from lso_etl.store.crawl_state import archive_identity

log = logging.getLogger(__name__)

_COLUMNS = [f.name for f in fields(ArchiveRecord)]
# Rows written by this warehouse's runs: the only ones its readers use (see `_indexed_foreign`).
OWN_ROWS = "run_id in (select run_id from runs)"


def insert(con: duckdb.DuckDBPyConnection, rows: Sequence[ArchiveRecord]) -> None:
    """Index archived responses; one already indexed (same WARC file and offset) is left alone."""
    if not rows:
        return
    select = ", ".join(f"unnest(${i + 1}) as {name}" for i, name in enumerate(_COLUMNS))
    con.execute(
        f"insert into archive_records ({', '.join(_COLUMNS)}) select {select} on conflict do nothing",
        [[getattr(row, name) for row in rows] for name in _COLUMNS],  # astuple deep-copies
    )


@dataclass(frozen=True)
class Recovery:
    """What `recover` indexed, and the files it refused as another warehouse's."""

    records: list[ArchiveRecord] = field(default_factory=list)
    foreign: dict[str, str] = field(default_factory=dict)  # file name -> why it is not ours


def recover(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    scan: Callable[[Path, str, int], Iterable[ArchiveRecord]],
    read_info: archive_identity.ReadInfo,
) -> Recovery:
    """Index the responses a killed run of this warehouse archived but never indexed.

    `scan(root, warc_file, offset)` reads a WARC file's records from an offset on and
    `read_info(path)` its warcinfo fields (the crawl stage's `archive.scan` and
    `warcinfo.read_warcinfo`): passed in, because the warehouse never reads the network's
    files itself. A file of another warehouse is never indexed: named in one warning instead.
    """
    if not root.is_dir():
        return Recovery()
    ends = dict(
        con.execute(
            "select warc_file, max(warc_offset + warc_length) from archive_records"
            " group by warc_file"
        ).fetchall()
    )
    own = archive_identity.Ownership.of(con)
    result = Recovery(foreign=_indexed_foreign(con))
    scanned = _Scanned.load(root)
    for path in sorted(root.glob("*.warc.gz")):
        found = _regular_file(path)
        end = int(ends.get(path.name) or 0)
        if found is None or found.st_size <= end:
            continue  # fully indexed: the last record of a file is its last response
        reason = own.foreign_reason(path.name, read_info(path))
        if reason is not None:
            result.foreign[path.name] = reason
            continue
        if scanned.unchanged(path.name, found, end):
            continue  # its tail held nothing more when last scanned: junk is read once
        rows = list(scan(root, path.name, end))
        insert(con, rows)
        result.records.extend(rows)
        indexed = max([end] + [row.warc_offset + row.warc_length for row in rows])
        if indexed < found.st_size:  # a tail left unindexed: remember it was read
            scanned.mark(path.name, found, indexed)
    scanned.save()
    if result.records:
        log.warning(
            "indexed %d archived responses left unindexed by an interrupted run",
            len(result.records),
        )
    if result.foreign:
        log.warning("%s", foreign_line(root, result.foreign))
    return result


def _regular_file(path: Path) -> os.stat_result | None:
    """The file's status when it is, or links to, a regular file; otherwise None, said in one
    line: a FIFO, a link to a device or a link loop in the folder must not stop a run."""
    try:
        found = path.stat()  # follows links: what counts is what is read
    except OSError as exc:
        log.warning("%s: unreadable archive file (%s): skipped", path, exc.strerror or exc)
        return None
    if not stat.S_ISREG(found.st_mode):
        log.warning("%s: not a regular file (mode %s): skipped", path, stat.filemode(found.st_mode))
        return None
    return found


class _Scanned:
    """Tails scanned before that held no more records (junk, a torn last record), remembered
    in the archive folder by size, mtime and indexed end, so a later run does not read them
    again; a file that changed, or whose index changed, is scanned again. Only a cache:
    without it (deleted, or the folder read-only) the tails are scanned again, bounded."""

    NAME = ".lso-scanned-tails.json"

    def __init__(self, path: Path, known: dict[str, list[int]]) -> None:
        self.path, self.known, self.changed = path, known, False

    @classmethod
    def load(cls, root: Path) -> _Scanned:
        try:
            known = json.loads((root / cls.NAME).read_text("utf-8"))
        except (OSError, ValueError):
            known = {}
        return cls(root / cls.NAME, known if isinstance(known, dict) else {})

    @staticmethod
    def _key(found: os.stat_result, end: int) -> list[int]:
        return [found.st_size, found.st_mtime_ns, end]

    def unchanged(self, name: str, found: os.stat_result, end: int) -> bool:
        return self.known.get(name) == self._key(found, end)

    def mark(self, name: str, found: os.stat_result, end: int) -> None:
        self.known[name], self.changed = self._key(found, end), True

    def save(self) -> None:
        if not self.changed:
            return
        folder = self.path.parent
        self.known = {k: v for k, v in self.known.items() if (folder / k).exists()}
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.partial")  # per writer
        try:
            partial.write_text(json.dumps(self.known), "utf-8")
            partial.replace(self.path)  # atomic: a reader never sees half a file
        except OSError as exc:
            log.debug("%s not written (%s): tails will be scanned again", self.path, exc)


def foreign_line(root: Path, foreign: dict[str, str]) -> str:
    """One line naming the refused files (the first ten) and why each is not ours."""
    named = "; ".join(f"{name} ({why})" for name, why in list(foreign.items())[:10])
    more = f"; and {len(foreign) - 10} more" if len(foreign) > 10 else ""
    return (
        f"{len(foreign)} WARC files in {root} belong to another warehouse and are neither"
        f" indexed nor reparsed here: {named}{more}"
    )


def _indexed_foreign(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Files an earlier version indexed although no run of this warehouse wrote them (two
    warehouses shared `raw/`): their rows stay, and every reader here ignores them."""
    rows = con.execute(
        "select warc_file, min(run_id) from archive_records"
        f" where not ({OWN_ROWS}) group by warc_file order by warc_file"
    ).fetchall()
    return {
        name: f"indexed earlier, but its run {run_id} is not in this warehouse's runs"
        for name, run_id in rows
    }


def link_fetches(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Point this run's `fetches` rows at the archived response with the same body."""
    con.execute(
        f"""
        update fetches set warc_file = r.warc_file, warc_offset = r.warc_offset
        from (
            select distinct on (article_id, sha256) article_id, sha256, warc_file, warc_offset
            from archive_records
            where status between 200 and 299 and {OWN_ROWS} and article_id in (
                select article_id from fetches where run_id = $1 and warc_file is null
            )
            order by article_id, sha256, fetched_at desc
        ) r
        where fetches.run_id = $1 and fetches.warc_file is null
          and fetches.article_id = r.article_id and fetches.sha256 = r.sha256
        """,
        [run_id],
    )


def archived_pages(
    con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]
) -> dict[str, tuple[str, int]]:
    """Where the newest complete 2xx response of each article lies: (WARC file, offset)."""
    if not article_ids:
        return {}
    rows = con.execute(
        "select article_id, warc_file, warc_offset from archive_records"
        " where article_id in (select unnest(?)) and status between 200 and 299"
        f" and {OWN_ROWS}"
        " qualify row_number() over (partition by article_id order by fetched_at desc) = 1",
        [list(article_ids)],
    ).fetchall()
    return {article_id: (warc_file, int(offset)) for article_id, warc_file, offset in rows}


def validators(
    con: duckdb.DuckDBPyConnection, urls: Sequence[str]
) -> dict[str, tuple[str | None, str | None]]:
    """(ETag, Last-Modified) of each URL's newest archived 2xx response that has either."""
    if not urls:
        return {}
    rows = con.execute(
        "select url, etag, last_modified from archive_records"
        " where url in (select unnest(?)) and status between 200 and 299"
        f" and {OWN_ROWS}"
        " and (etag is not null or last_modified is not null)"
        " qualify row_number() over (partition by url order by fetched_at desc) = 1",
        [list(urls)],
    ).fetchall()
    return {url: (etag, modified) for url, etag, modified in rows}


def for_reparse(
    con: duckdb.DuckDBPyConnection, start: date | None, end: date | None
) -> list[tuple[str, str, str, int]]:
    """(article id, url, WARC file, offset) of each article's newest archived page.

    Limited to [start, end] by the publish date stored or seen for the article; an article
    with no known date is included (the caller filters on the date parsed from the page).
    """
    return [
        (article_id, url, warc_file, int(offset))
        for article_id, url, warc_file, offset in con.execute(
            f"""
            with newest as (
                select article_id, url, warc_file, warc_offset from archive_records
                where kind = 'article' and status between 200 and 299 and {OWN_ROWS}
                qualify row_number() over (partition by article_id order by fetched_at desc) = 1
            ),
            dated as (
                select n.*, coalesce(
                    cast(timezone('Asia/Ho_Chi_Minh', a.published_at) as date), f.seen_date
                ) as day
                from newest n
                left join articles a using (article_id)
                left join frontier f using (article_id)
            )
            select article_id, url, warc_file, warc_offset from dated
            where day is null
               or (day >= coalesce(?::date, day) and day <= coalesce(?::date, day))
            order by warc_file, warc_offset
            """,
            [start, end],
        ).fetchall()
    ]
