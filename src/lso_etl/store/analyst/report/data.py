"""The report's figures: one query per dataset on the read-only warehouse, as plain JSON rows.

Two windows, because articles and runs live on different clocks: a backfill loads 2017's
articles today. Article sections (coverage, authors, layouts, provenance, newest) cover the
*publish* days asked for; run sections (freshness, runs, quarantine, data checks) cover the
runs *started* on those days. Asked for nothing, each window is the year (365 days) ending
on its own newest day, which keeps the page small whatever the warehouse's age.

Layout shares are counted by publish day, not by parse day: a backfill parses years of pages
in one afternoon, so only the publish day shows *when* the site's markup changed; for the
daily run the two are the same day anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from lso_etl.store.warehouse import TIME_ZONE

YEAR = timedelta(days=364)  # the default window: 365 days, both ends included
NEWEST_ROWS = 500  # rows of the in-page table of newest articles
TOP_AUTHORS = 20

Rows = list[dict[str, Any]]


def local_day(column: str) -> str:
    return f"cast(timezone('{TIME_ZONE}', {column}) as date)"


def within(column: str) -> str:
    """The filter for `Window.instants`."""
    return f"{column} >= ? and {column} < ?"


@dataclass(frozen=True)
class Window:
    first: date
    last: date

    @property
    def params(self) -> list[date]:
        return [self.first, self.last]

    @property
    def instants(self) -> list[datetime]:
        """[the first day's start, the day after the last's start) in the site's time zone:
        compared with a stored instant as it is, so DuckDB can skip blocks by their min/max."""
        zone = ZoneInfo(TIME_ZONE)
        return [datetime.combine(self.first, time(), zone),
                datetime.combine(self.last + timedelta(days=1), time(), zone)]  # fmt: skip


def windows(
    con: duckdb.DuckDBPyConnection, first: date | None, last: date | None
) -> tuple[Window, Window]:
    """(articles' publish days, runs' start days): the range asked for, or each one's last year."""
    published, started = local_day("published_at"), local_day("started_at")
    spans = con.execute(
        f"select (select [min({published}), max({published})] from articles),"
        f" (select [min({started}), max({started})] from runs)"
    ).fetchone() or ([None, None], [None, None])

    def window(oldest: date | None, newest: date | None) -> Window:
        # A --from after the newest day still makes a window, of that one day onwards.
        end = last or max([d for d in (newest, first) if d], default=datetime.now(UTC).date())
        start = first or end - YEAR
        # No empty days before the first article, unless --to is before it too (then the
        # year before --to, as --help says, never a start after the end).
        if first is None and oldest is not None and oldest <= end:
            start = max(start, oldest)
        return Window(start, end)

    (oldest_article, newest_article), (oldest_run, newest_run) = spans
    return window(oldest_article, newest_article), window(oldest_run, newest_run)


def _json(value: Any) -> Any:
    if isinstance(value, datetime):  # an instant, in UTC: the browser shows it in local time
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def rows(con: duckdb.DuckDBPyConnection, query: str, params: list[Any] | None = None) -> Rows:
    """The query's rows as dicts of JSON values (dates as ISO text, instants in UTC)."""
    cursor = con.execute(query, params or [])
    names = [d[0] for d in cursor.description or []]
    return [{n: _json(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]


# --- Coverage -------------------------------------------------------------------------------

COVERAGE_DAILY = """
select day, coalesce(section, '(none)') as section, articles
from daily_counts where day between ? and ? order by day, section"""

EMPTY_DAYS = """
select cast(day as date) as day from range(cast(? as date), cast(? as date) + 1, interval 1 day) t(day)
where cast(day as date) not in (select day from daily_counts)
order by day"""

COVERAGE_MONTHLY = """
select strftime(day, '%Y-%m') as month, sum(articles)::bigint as articles
from daily_counts where day between ? and ? group by all order by month"""

UNDATED = "select count(*) as articles from articles where published_at is null"

# --- Freshness: publication to first load, per daily run ------------------------------------

FRESHNESS = """
with loaded as (
    select runs.run_id, runs.started_at,
        epoch(articles.first_seen_at - articles.published_at) / 3600 as lag_hours
    from runs
    join url_outcomes on url_outcomes.run_id = runs.run_id
        and url_outcomes.outcome = 'loaded' and url_outcomes.detail = 'new'
    join articles on articles.article_id = url_outcomes.article_id
    where runs.flow = 'daily' and articles.published_at is not null
        and {within}
)
select run_id, started_at, count(*) as articles,
    round(median(lag_hours), 2) as median_lag_hours,
    round(quantile_cont(lag_hours, 0.9), 2) as p90_lag_hours,
    round(max(lag_hours), 2) as max_lag_hours
from loaded group by all order by started_at"""

# --- Authors ---------------------------------------------------------------------------------


AUTHOR_COUNTS = """
with credits as (
    select article_authors.author_key, article_authors.name, article_id
    from article_authors join articles using (article_id)
    where {within}
)
select author_key, mode(name) as name, count(distinct article_id) as articles
from credits group by author_key order by articles desc, name limit ?"""
# The view computes every author's spellings and spans: asked only for the keys counted above.
AUTHOR_KINDS = "select author_key, kind from authors where author_key in (select unnest(?))"
CANDIDATES = 10 * TOP_AUTHORS  # enough, for any mix of people and institutions, to fill both


def authors(con: duckdb.DuckDBPyConnection, window: list[datetime]) -> Rows:
    """Bylines in the window, most articles first, each with the kind (person, institution,
    wire) the `authors` view gives it."""
    counted = rows(con, AUTHOR_COUNTS.format(within=within("articles.published_at")),
                   [*window, CANDIDATES])  # fmt: skip
    kinds = dict(con.execute(AUTHOR_KINDS, [[a["author_key"] for a in counted]]).fetchall())
    for author in counted:
        author["kind"] = kinds.get(author["author_key"], "person")
    return counted


def top_authors(all_authors: Rows) -> tuple[Rows, Rows]:
    """(the top people, the top institutional or wire bylines), each at most TOP_AUTHORS."""
    people = [a for a in all_authors if a["kind"] == "person"][:TOP_AUTHORS]
    others = [a for a in all_authors if a["kind"] != "person"][:TOP_AUTHORS]
    for rank, person in enumerate(people, 1):
        person["rank"] = rank
    return people, others


AUTHOR_MONTHS = """
select article_authors.author_key, strftime({day}, '%Y-%m') as month,
    count(distinct article_id) as articles
from article_authors join articles using (article_id)
where {within} and author_key in (select unnest(?))
group by all order by author_key, month"""

# --- Data quality ----------------------------------------------------------------------------

LAYOUT_SHARES = """
with per_day as (
    select {day} as day, layout, count(*) as pages
    from articles where {within}
    group by all
)
select day, layout, pages, round(pages / sum(pages) over (partition by day), 4) as share
from per_day order by day, layout"""

QUARANTINE_REASONS = """
select {day} as day, reason, count(*) as pages
from quarantine where {within}
group by all order by day, reason"""

PROVENANCE_SHARES = """
with parsed as (
    select provenance from articles
    where {within}
),
fields as (select distinct unnest(map_keys(provenance)) as field from parsed),
counted as (
    select fields.field, coalesce(parsed.provenance[fields.field], 'missing') as rule,
        count(*) as records
    from parsed cross join fields group by all
)
select field, rule, records,
    round(records / sum(records) over (partition by field), 4) as share
from counted order by field, records desc, rule"""

FAILED_CHECKS = """
select run_id, started_at, "check", offending from (
    select run_id, started_at, unnest(map_keys(checks)) as "check",
        unnest(map_values(checks)) as offending
    from runs where checks is not null and {within}
) where offending > 0 order by started_at, "check" """

CHECKS_RUN = """
select count(*) as runs, coalesce(sum(checks_failed), 0)::bigint as failures
from runs where checks is not null and {within}"""

# --- Runs ------------------------------------------------------------------------------------

RUNS = """
select run_id, flow, status, started_at, coalesce(finished_at, started_at) as finished_at,
    round(epoch(coalesce(finished_at, started_at) - started_at), 1) as seconds,
    coalesce(requests, 0) as requests, coalesce(bytes_fetched, 0) as bytes_fetched,
    coalesce(checks_failed, 0) as checks_failed
from runs where {within} order by started_at"""

RUN_OUTCOMES = """
select run_id, started_at, status, outcome, urls from (
    select run_id, started_at, status, unnest(map_keys(counts)) as outcome,
        unnest(map_values(counts)) as urls
    from runs where counts is not null and {within}
) where urls > 0 order by started_at, outcome"""

# --- Newest articles -------------------------------------------------------------------------

NEWEST = """
select article_id, strftime(timezone('{zone}', published_at), '%Y-%m-%d %H:%M') as published,
    section, headline, authors
from articles where {within}
order by published_at desc nulls last, article_id limit ?"""

ARTICLES_IN_RANGE = "select count(*) as articles from articles where {within}"


def collect(
    con: duckdb.DuckDBPyConnection, first: date | None = None, last: date | None = None
) -> dict[str, Any]:
    """Every dataset the page shows, by name, plus the windows and a few totals."""
    articles, runs = windows(con, first, last)
    published = local_day("published_at")
    a, ai, ri = articles.params, articles.instants, runs.instants
    on_articles, on_runs = within("published_at"), within("started_at")
    people, institutions = top_authors(authors(con, ai))
    keys = [p["author_key"] for p in people]
    checked = rows(con, CHECKS_RUN.format(within=on_runs), ri)[0]
    monthly = rows(con, AUTHOR_MONTHS.format(day=published, within=on_articles), [*ai, keys])
    by_key = {p["author_key"]: p for p in people}
    for row in monthly:  # named and ranked as in the top list
        person = by_key[row.pop("author_key")]
        row["name"], row["rank"] = person["name"], person["rank"]
    return {
        "windows": {
            "articles": {"first": articles.first.isoformat(), "last": articles.last.isoformat()},
            "runs": {"first": runs.first.isoformat(), "last": runs.last.isoformat()},
        },
        "totals": {
            "articles": rows(con, ARTICLES_IN_RANGE.format(within=on_articles), ai)[0]["articles"],
            "undated": rows(con, UNDATED)[0]["articles"],
            "checked_runs": checked["runs"],
            "check_failures": checked["failures"],
        },
        "datasets": {
            "coverage_daily": rows(con, COVERAGE_DAILY, a),
            "coverage_empty_days": rows(con, EMPTY_DAYS, a),
            "coverage_monthly": rows(con, COVERAGE_MONTHLY, a),
            "freshness": rows(con, FRESHNESS.format(within=within("runs.started_at")), ri),
            "authors_people": people,
            "authors_institutions": institutions,
            "authors_monthly": monthly,
            "quality_layouts": rows(
                con, LAYOUT_SHARES.format(day=published, within=on_articles), ai
            ),
            "quality_quarantine": rows(
                con,
                QUARANTINE_REASONS.format(day=local_day("fetched_at"), within=within("fetched_at")),
                ri,
            ),
            "quality_provenance": rows(con, PROVENANCE_SHARES.format(within=on_articles), ai),
            "quality_failed_checks": rows(con, FAILED_CHECKS.format(within=on_runs), ri),
            "runs": rows(con, RUNS.format(within=on_runs), ri),
            "runs_outcomes": rows(con, RUN_OUTCOMES.format(within=on_runs), ri),
        },
        "newest": rows(con, NEWEST.format(zone=TIME_ZONE, within=on_articles), [*ai, NEWEST_ROWS]),
    }
