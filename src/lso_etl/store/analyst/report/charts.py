"""The report's charts as Vega-Lite specs, written with Altair.

Each chart names its data (`alt.NamedData`) instead of holding it: the page carries every
dataset once, in one JSON block, and hands it to each chart as Vega-Lite's top-level
`datasets` when it is drawn. So the figures a test reads back from the page are exactly the
figures the charts draw, and no dataset is written twice.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import altair as alt

# Known values in a fixed colour each, so a chart means the same on every page; a layout
# nobody listed here (one a new profile adds) gets the next spare colour (`layout_scale`).
LAYOUTS = ("current", "legacy", "partial", "fallback")
LAYOUT_COLOURS = ("#4c78a8", "#72b7b2", "#f2cf5b", "#e45756")
SPARE_COLOURS = ("#b279a2", "#9d755d", "#54a24b", "#bab0ac", "#ff9da6", "#79706e")
STATUSES = ["completed", "running", "interrupted", "failed"]
STATUS_COLOURS = ["#4c78a8", "#9ecae9", "#f58518", "#d62728"]
WIDTH = 860  # the page's column, less the margins
# The Vega-Lite that Altair writes for, as vl-convert names its bundles ('v6_4').
VEGA_LITE = "_".join(alt.SCHEMA_VERSION.split(".")[:2])

Spec = dict[str, Any]
# Altair's chained calls are typed as returning Any: a chart is whatever they build.
Chart = Any


def data(name: str) -> alt.NamedData:
    return alt.NamedData(name=name)


def day_axis(field: str = "day", title: str = "publish day") -> alt.X:
    # Days travel as 'YYYY-MM-DD', which browsers read as UTC midnight: read and shown in UTC,
    # a day stays that day in every time zone.
    return alt.X(f"utcyearmonthdate({field}):T", title=title)


def coverage_daily() -> Chart:
    bars = (
        alt.Chart(data("coverage_daily"))
        .mark_bar()
        .encode(
            day_axis(),
            alt.Y("sum(articles):Q", title="articles"),
            alt.Color("section:N", title="section"),
            tooltip=[alt.Tooltip("day:N"), "section:N", "articles:Q"],
        )
    )
    # A day with no article is a question: the site publishes every day.
    empty = (
        alt.Chart(data("coverage_empty_days"))
        .mark_rule(color="#d62728", strokeDash=[3, 2], opacity=0.8)
        .encode(day_axis(), tooltip=[alt.Tooltip("day:N", title="no article on")])
    )
    return (bars + empty).properties(
        width=WIDTH, height=220, title="Articles per publish day, by section (red: a day with none)"
    )


def coverage_monthly() -> Chart:
    base = alt.Chart(data("coverage_monthly")).encode(
        alt.X("month:O", title="month"), alt.Y("articles:Q", title="articles")
    )
    labels = base.mark_text(dy=-6).encode(text="articles:Q")
    return (base.mark_bar(color="#4c78a8") + labels).properties(
        width=WIDTH, height=160, title="Articles per month"
    )


def freshness() -> Chart:
    base = alt.Chart(data("freshness")).encode(
        alt.X("started_at:T", title="daily run started", axis=WHEN),
        tooltip=["run_id:N", "started_at:T", "articles:Q", "median_lag_hours:Q",
                 "p90_lag_hours:Q", "max_lag_hours:Q"],
    )  # fmt: skip
    spread = base.mark_rule(color="#9ecae9").encode(
        alt.Y("median_lag_hours:Q", title="hours from publication to load"),
        alt.Y2("max_lag_hours:Q"),
    )
    median = base.mark_point(filled=True, size=60).encode(alt.Y("median_lag_hours:Q"))
    return (spread + median).properties(
        width=WIDTH, height=180, title="Lag of new articles per daily run: median (dot) to max"
    )


# Runs are instants, shown in the reader's time zone; Vega's own labels for a span of seconds
# (".800") say nothing, so a date and a minute.
WHEN = alt.Axis(format="%Y-%m-%d %H:%M", labelAngle=-30, labelOverlap=True)

# Both author charts share one row per person, most articles first (rank 1).
BY_RANK = alt.EncodingSortField("rank", op="min")


def authors_people() -> Chart:
    bars = (
        alt.Chart(data("authors_people"))
        .mark_bar(color="#4c78a8")
        .encode(
            alt.X("articles:Q", title="articles"),
            alt.Y("name:N", sort=BY_RANK, title=None),
            tooltip=["name:N", "articles:Q"],
        )
        .properties(width=260, height=alt.Step(16), title="Top 20 authors (people)")
    )
    trend = (
        alt.Chart(data("authors_monthly"))
        .mark_rect()
        .encode(
            alt.X("month:O", title="month"),
            alt.Y("name:N", title=None, sort=BY_RANK),
            alt.Color("articles:Q", scale=alt.Scale(scheme="blues"), title="articles"),
            tooltip=["name:N", "month:O", "articles:Q"],
        )
        .properties(width=480, height=alt.Step(16), title="Their articles per month")
    )
    return alt.hconcat(bars, trend).resolve_scale(y="shared")


def authors_institutions() -> Chart:
    return (
        alt.Chart(data("authors_institutions"))
        .mark_bar(color="#72b7b2")
        .encode(
            alt.X("articles:Q", title="articles"),
            alt.Y("name:N", sort="-x", title=None),
            alt.Color("kind:N", title="kind"),
            tooltip=["name:N", "kind:N", "articles:Q"],
        )
        .properties(width=WIDTH - 200, height=alt.Step(16), title="Institutional and wire bylines")
    )


def layout_scale(seen: tuple[str, ...]) -> alt.Scale:
    """The known layouts, then those `seen` in the data that are not known, each its colour."""
    extra = [layout for layout in seen if layout not in LAYOUTS]
    spare = [SPARE_COLOURS[i % len(SPARE_COLOURS)] for i in range(len(extra))]
    return alt.Scale(domain=[*LAYOUTS, *extra], range=[*LAYOUT_COLOURS, *spare])


def quality_layouts(seen: tuple[str, ...] = ()) -> Chart:
    return (
        alt.Chart(data("quality_layouts"))
        .mark_bar()
        .encode(
            day_axis(),
            alt.Y(
                "share:Q",
                stack="normalize",
                title="share of the day's pages",
                axis=alt.Axis(format="%"),
            ),
            alt.Color("layout:N", scale=layout_scale(seen), title="layout"),
            tooltip=[
                alt.Tooltip("day:N"),
                "layout:N",
                "pages:Q",
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
        .properties(width=WIDTH, height=200, title="Layout recognised, per publish day")
    )


def quality_quarantine() -> Chart:
    return (
        alt.Chart(data("quality_quarantine"))
        .mark_bar(color="#e45756")
        .encode(
            alt.X("sum(pages):Q", title="pages quarantined", axis=alt.Axis(tickMinStep=1)),
            alt.Y("reason:N", sort="-x", title=None),
            tooltip=["reason:N", alt.Tooltip("sum(pages):Q", title="pages")],
        )
        .properties(width=WIDTH - 300, height=alt.Step(18), title="Quarantine reasons")
    )


def quality_provenance() -> Chart:
    return (
        alt.Chart(data("quality_provenance"))
        .mark_bar()
        .encode(
            alt.X(
                "share:Q", stack="normalize", title="share of records", axis=alt.Axis(format="%")
            ),
            alt.Y("field:N", title=None),
            alt.Color("rule:N", title="rule", legend=alt.Legend(columns=2, labelLimit=260)),
            tooltip=["field:N", "rule:N", "records:Q", alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(width=420, height=alt.Step(18), title="Which rule produced each field")
    )


def quality_failed_checks() -> Chart:
    return (
        alt.Chart(data("quality_failed_checks"))
        .mark_circle(color="#d62728", size=80)
        .encode(
            alt.X("started_at:T", title="run started", axis=WHEN),
            alt.Y("check:N", title=None),
            alt.Size("offending:Q", title="offending rows"),
            tooltip=["run_id:N", "started_at:T", "check:N", "offending:Q"],
        )
        .properties(width=WIDTH - 300, height=alt.Step(22), title="Failed data checks, per run")
    )


def runs_timeline() -> Chart:
    status = alt.Color(
        "status:N", scale=alt.Scale(domain=STATUSES, range=STATUS_COLOURS), title="status"
    )
    base = alt.Chart(data("runs")).encode(
        alt.Y("flow:N", title=None),
        status,
        tooltip=["run_id:N", "flow:N", "status:N", "started_at:T", "seconds:Q", "requests:Q",
                 alt.Tooltip("bytes_fetched:Q", format=",")],
    )  # fmt: skip
    spans = base.mark_bar(height=14).encode(
        alt.X("started_at:T", title="time", axis=WHEN), alt.X2("finished_at:T")
    )
    # A run of a second is too thin to see as a bar: a tick marks each start, and failed or
    # interrupted runs get a large cross besides.
    ticks = base.mark_tick(thickness=2, size=18).encode(alt.X("started_at:T"))
    bad = (
        base.mark_point(shape="cross", size=160, filled=True)
        .encode(alt.X("started_at:T"))
        .transform_filter("datum.status == 'failed' || datum.status == 'interrupted'")
    )
    return (spans + ticks + bad).properties(width=WIDTH, height=alt.Step(30), title="Runs")


def runs_outcomes() -> Chart:
    return (
        alt.Chart(data("runs_outcomes"))
        .mark_bar()
        .encode(
            alt.X(
                "run_id:N",
                sort=alt.EncodingSortField("started_at"),
                title="run (oldest first)",
                axis=alt.Axis(labels=False, ticks=False),
            ),
            alt.Y("urls:Q", title="URLs"),
            alt.Color("outcome:N", title="outcome"),
            tooltip=["run_id:N", "started_at:T", "status:N", "outcome:N", "urls:Q"],
        )
        .properties(width=WIDTH, height=180, title="Outcomes per run")
    )


def runs_effort() -> Chart:
    base = alt.Chart(data("runs")).encode(
        alt.X("started_at:T", title="run started", axis=WHEN),
        tooltip=["run_id:N", "flow:N", "status:N", "seconds:Q", "requests:Q",
                 alt.Tooltip("bytes_fetched:Q", format=",")],
    )  # fmt: skip
    status = alt.Color(
        "status:N", scale=alt.Scale(domain=STATUSES, range=STATUS_COLOURS), legend=None
    )

    def panel(field: str, title: str) -> Chart:
        return base.mark_circle(size=50).encode(alt.Y(f"{field}:Q", title=title), status)

    return alt.hconcat(
        panel("seconds", "duration, s").properties(width=250, height=140),
        panel("requests", "requests").properties(width=250, height=140),
        panel("bytes_fetched", "bytes fetched").properties(width=250, height=140),
    ).properties(title="Duration, requests and bytes per run")


# Section -> its charts, by element id. Every id is drawn by the page, and the browser test
# checks that each of them rendered.
SECTIONS: dict[str, dict[str, Any]] = {
    "coverage": {"coverage-daily": coverage_daily, "coverage-monthly": coverage_monthly},
    "freshness": {"freshness-lag": freshness},
    "authors": {"authors-people": authors_people, "authors-institutions": authors_institutions},
    "quality": {
        "quality-layouts": quality_layouts,
        "quality-quarantine": quality_quarantine,
        "quality-provenance": quality_provenance,
        "quality-failed-checks": quality_failed_checks,
    },
    "runs": {
        "runs-timeline": runs_timeline,
        "runs-outcomes": runs_outcomes,
        "runs-effort": runs_effort,
    },
}


@cache
def specs(layouts: tuple[str, ...] = ()) -> dict[str, Spec]:
    """Element id -> its Vega-Lite spec (without data: the page supplies `datasets`); the
    layouts chart also names the `layouts` the data holds, for their colours."""
    found: dict[str, Spec] = {}
    for charts in SECTIONS.values():
        for element, chart in charts.items():
            spec = (quality_layouts(layouts) if chart is quality_layouts else chart()).to_dict()
            spec.pop("$schema", None)  # an address nobody fetches: the page names no host
            found[element] = spec
    return found
