"""What `lso-etl stats` reports: the warehouse at a glance, from a read-only connection."""

from __future__ import annotations

from typing import Any

import duckdb

from lso_etl.store.catalog import columns

LAST_RUNS = 5


def _rows(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[dict[str, Any]]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def gather(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Articles and their span, the last runs, quarantine reasons, recent data quality."""
    overview = _rows(
        con,
        "select count(*) as articles, min(published_at) as first_published_at,"
        " max(published_at) as last_published_at, count(*) filter (where version > 1) as edited,"
        " (select count(*) from article_versions) as versions,"
        " count(*) filter (where layout = 'partial') as partial from articles",
    )[0]
    # Where pages came from (issue 15: the site or a web archive; before migration 0120, the site).
    read = "fetched_from" in columns(con, "runs")
    overview["by_source"] = dict(
        con.execute(
            "select fetched_from, count(*) from articles group by 1 order by 2 desc"
        ).fetchall()
        if read
        else [("site", overview["articles"])]
    )
    runs = _rows(
        con,
        "select run_id, flow, status, started_at, finished_at,"
        " round(epoch(finished_at) - epoch(started_at), 2) as seconds, counts, checks_failed"
        + (", fetched_from" if read else "")
        + " from runs order by started_at desc limit ?",
        LAST_RUNS,
    )
    reasons = _rows(
        con,
        "select stage, reason, count(*) as pages, max(fetched_at) as last_seen from quarantine"
        " group by all order by pages desc, reason",
    )
    # The drift signal: per run (the last ones), the share of pages that fell back or were
    # quarantined, among all the pages the run parsed (unchanged ones too).
    quality = _rows(
        con,
        "select run_id, value as layout, sum(records) as records,"
        " round(sum(records) / sum(sum(records)) over (partition by run_id), 4) as share"
        " from data_quality where measure = 'layout' and run_id in"
        " (select run_id from runs order by started_at desc limit ?)"
        " group by run_id, value order by run_id, records desc",
        LAST_RUNS,
    )
    checks = _rows(
        con,
        "select run_id, checks from runs where checks is not null"
        " order by finished_at desc nulls last limit 1",
    )
    return {
        "overview": overview,
        "runs": runs,
        "quarantine": reasons,
        "data_quality": quality,
        "checks": checks[0] if checks else None,
    }
