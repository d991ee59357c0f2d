"""Which raw archive files belong to this warehouse (issue 14).

A warehouse has an id (`warehouse_identity`, migration 0103). Every WARC file a run writes
names it in its warcinfo record; a file written before that names only its run, which belongs
here when the run is in `runs`. A file that names another warehouse, or a run this warehouse
never had, is someone else's: it is never indexed nor reparsed, and is named in a warning,
because two warehouses whose archives share a folder must not load each other's pages.

Reading a file's warcinfo is the crawl stage's job: callers pass its fields in.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

WARCINFO_FIELD = "lso-warehouse-id"  # the warcinfo field that names the writing warehouse
_PART_OF = re.compile(r"\brun ([0-9a-f]+)$")  # warcinfo isPartOf: "<flow> run <run_id>"

ReadInfo = Callable[[Path], Mapping[str, str]]


def warehouse_id(con: duckdb.DuckDBPyConnection) -> str:
    """This warehouse's id (the warehouse migrated)."""
    row = con.execute("select warehouse_id from warehouse_identity").fetchone()
    if row is None:  # only if someone deleted the row: a new id is better than none
        con.execute(
            "insert into warehouse_identity (warehouse_id, created_at)"
            " values (cast(uuid() as varchar), now())"
        )
        return warehouse_id(con)
    return str(row[0])


@dataclass(frozen=True)
class Ownership:
    """What tells this warehouse's archive files from others': its id and its runs."""

    warehouse_id: str
    run_ids: frozenset[str]

    @classmethod
    def of(cls, con: duckdb.DuckDBPyConnection) -> Ownership:
        runs = con.execute("select run_id from runs").fetchall()
        return cls(warehouse_id(con), frozenset(row[0] for row in runs))

    def foreign_reason(self, file_name: str, info: Mapping[str, str]) -> str | None:
        """Why a WARC file (its name and warcinfo fields) is not this warehouse's; None if it is."""
        claimed = info.get(WARCINFO_FIELD)
        if claimed:
            return None if claimed == self.warehouse_id else f"written by warehouse {claimed}"
        run_id = run_of(file_name, info)
        if run_id in self.run_ids:
            return None  # written before warehouses had ids, by one of our runs
        if run_id is None:
            return "it names no warehouse and no run"
        return f"its run {run_id} is not in this warehouse's runs"


def run_of(file_name: str, info: Mapping[str, str]) -> str | None:
    """The run a WARC file names: its warcinfo's isPartOf, else its name '<time>-<run>.warc.gz'
    (a file whose warcinfo record is damaged still has its name)."""
    found = _PART_OF.search(info.get("isPartOf", ""))
    if found:
        return found[1]
    stem = file_name.removesuffix(".warc.gz")
    return stem.split("-", 1)[1] if "-" in stem else None


def adopt_legacy_archive(own: Ownership, legacy: Path, home: Path, read_info: ReadInfo) -> None:
    """Move this warehouse's WARC files from the shared `raw/` folder of earlier versions into
    its own archive folder, in one log line; files of other warehouses stay where they are.

    A rename on one file system: the index keeps file names only, so it stays valid, and a run
    still writing to a moved file keeps writing to it.
    """
    if not legacy.is_dir() or legacy.resolve() == home.resolve():
        return
    mine = [
        path
        for path in sorted(legacy.glob("*.warc.gz"))
        if own.foreign_reason(path.name, read_info(path)) is None
    ]
    if not mine:
        return
    home.mkdir(parents=True, exist_ok=True)
    moved = [path.name for path in mine if _move(path, home / path.name)]
    log.warning(
        "moved %d WARC files of this warehouse from %s to %s, its own archive folder now"
        " (named after the database file); %d files of other warehouses stay in %s",
        len(moved), legacy, home, sum(1 for _ in legacy.glob("*.warc.gz")), legacy,
    )  # fmt: skip


def _move(source: Path, target: Path) -> bool:
    if target.exists():
        log.warning("%s not moved: %s already exists", source, target)
        return False
    try:
        source.rename(target)
    except OSError as exc:
        log.warning("%s not moved to %s (%s): it stays in the old folder", source, target, exc)
        return False
    return True
