"""The warehouse's own raw archive: where it lies, what its WARC files say, which files are its.

Each raw archive belongs to one warehouse (issue 14): a run's WARC file names the warehouse in
its warcinfo, and before a run (or a reparse) reads the archive, the warehouse adopts its files
from the shared `raw/` folder of earlier versions and indexes only its own unindexed files.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from lso_etl.crawl import archive
from lso_etl.crawl.warcinfo import read_warcinfo
from lso_etl.extract.parse import PARSER_VERSION
from lso_etl.settings import Settings
from lso_etl.store.crawl_state import archive_identity, archive_index


def claim_archive(con: duckdb.DuckDBPyConnection, settings: Settings) -> archive_index.Recovery:
    """Adopt this warehouse's files left in the legacy `raw/` folder, then index what its
    interrupted runs archived; another warehouse's files are refused and named in the log."""
    legacy = settings.legacy_archive_dir
    if legacy is not None:
        own = archive_identity.Ownership.of(con)
        archive_identity.adopt_legacy_archive(own, legacy, settings.archive_dir, read_warcinfo)
    return archive_index.recover(con, settings.archive_dir, archive.scan, read_warcinfo)


def warcinfo(flow: str, settings: Settings, run_id: str, warehouse_id: str) -> dict[str, str]:
    """The fields of a run's warcinfo record: who wrote the file, for which warehouse, how."""
    return {
        "software": "lso-etl",
        "format": "WARC File Format 1.0",
        "isPartOf": f"{flow} run {run_id}",
        archive_identity.WARCINFO_FIELD: warehouse_id,
        "lso-warehouse-file": settings.db.name,  # for people; the id is what is checked
        "operator": settings.contact,
        "http-header-user-agent": settings.user_agent,
        "robots": "obey" if settings.respect_robots else "ignore (LSO_RESPECT_ROBOTS=false)",
        "base-url": settings.base_url,
        "parser-version": PARSER_VERSION,
        "created": datetime.now(UTC).isoformat(),
    }
