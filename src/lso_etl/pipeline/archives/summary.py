"""What an archive run adds to its summary, and how a backfill's chunks add up.

A run's summary says which source was asked (`source`); an archive run's also says what it
read its pages from (`fetched_from`, as `runs.fetched_from`), how many captures it fetched
(`captures`: each is a request to an archive, so per article loaded it is the run's cost),
and which archive hosts it gave up and why, one line each (`stopped`): a host that failed or
refused too often is not asked again this run, and what it held stays for a rerun. A
backfill adds its chunks' figures up into the same fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lso_etl.crawl.archives.fetcher import READ_ORDER, ArchiveFetcher


def archive_fields(fetcher: ArchiveFetcher) -> dict[str, Any]:
    """An archive run's own summary fields."""
    return {"fetched_from": fetcher.fetched_from, "captures": fetcher.captures_fetched,
            "stopped": fetcher.archives.pacing.stops()}  # fmt: skip


def backfill_fields(summaries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The chunks' archive fields added up (nothing when no chunk read an archive)."""
    archived = [s for s in summaries if "captures" in s]
    if not archived:
        return {}
    read = {part for s in archived for part in s["fetched_from"].split("+")}
    stopped = list(dict.fromkeys(line for s in archived for line in s["stopped"]))
    return {"source": archived[0]["source"],
            "fetched_from": "+".join(s for s in READ_ORDER if s in read) or "none",
            "captures": sum(s["captures"] for s in archived), "stopped": stopped}  # fmt: skip


def archive_line(summary: Mapping[str, Any]) -> tuple[str, str]:
    """What a run's or backfill's result line adds for an archive source: where it read from
    (after the window) and the captures it fetched per article loaded (with the requests)."""
    source = summary.get("source", "site")
    if source == "site" or "captures" not in summary:
        return "", ""
    read = summary["fetched_from"]
    where = f" from {source}" + (f" (read: {read})" if read != source else "")
    loaded, captures = summary["counts"].get("loaded", 0), summary["captures"]
    each = f"{captures / loaded:.2f}" if loaded else "-"
    return where, f", {captures} captures for {loaded} articles loaded: {each} per article"
