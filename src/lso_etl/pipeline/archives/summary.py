"""What an archive run adds to its summary, and how a backfill's chunks add up.

A run's summary says which source was asked (`source`); an archive run's also says which
archive hosts it gave up, and why, one line each (`stopped`): a host that failed or refused
too often is not asked again this run, and what it held stays for a rerun. A backfill sums
its chunks' figures into the same fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lso_etl.crawl.archives.pacing import Pacing


def archive_fields(pacing: Pacing) -> dict[str, Any]:
    """An archive run's own summary fields."""
    return {"stopped": pacing.stops()}


def backfill_fields(summaries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The chunks' archive fields added up (nothing when no chunk read an archive)."""
    archived = [s for s in summaries if "stopped" in s]
    if not archived:
        return {}
    stopped = list(dict.fromkeys(line for s in archived for line in s["stopped"]))
    return {"source": archived[0]["source"], "stopped": stopped}
