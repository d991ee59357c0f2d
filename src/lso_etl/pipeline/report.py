"""What a run tells its operator: counts, new vs updated, quarantine reasons, layout shares.

Pure bookkeeping: the flow feeds it batches and renders it as a Prefect markdown artifact.
A run whose share of fallback, quarantined or refused pages passes a threshold is a layout-drift
signal: the flow then fails with a fixed message that Prefect notifications can match.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from lso_etl.errors import UserError
from lso_etl.models import Article, CrawlItem, Outcome, Status, UrlOutcome
from lso_etl.store.load_plan import fallback_gaps

# Runs announce a backfill's progress as records on this logger (with `total`, or `advance` and
# `articles`, in `extra`); the CLI draws them as a progress bar, a scheduled run just logs them.
progress_log = logging.getLogger("lso_etl.progress")

DRIFT_MESSAGE = "site layout may have changed: see data_quality"
MIN_PAGES_FOR_DRIFT = 10  # a handful of odd pages is noise, not a redesign
SITE_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
UNDATED = "undated"


class LayoutDrift(UserError):
    """Too many pages fell back to the generic extractor or failed to parse.

    An operator's to fix (the site profile's selectors), so a UserError: one line, no traceback.
    """


@dataclass
class RunReport:
    flow: str
    window: tuple[str, str]
    outcomes: Counter[str] = field(default_factory=Counter)
    loaded: Counter[str] = field(default_factory=Counter)  # "new" / "updated"
    layouts: Counter[str] = field(default_factory=Counter)
    reasons: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # Every page this run parsed, unchanged ones too: layouts per publish day, and the fields
    # fallback records lack that the site's layouts always give.
    days: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    gaps: Counter[str] = field(default_factory=Counter)

    def add(self, items: Sequence[CrawlItem], outcomes: Sequence[UrlOutcome]) -> None:
        for outcome in outcomes:
            self.outcomes[outcome.outcome.value] += 1
            if outcome.outcome is Outcome.LOADED:
                self.loaded[outcome.detail or "new"] += 1
            if outcome.outcome is Outcome.QUARANTINED:
                self.reasons[outcome.detail or "unknown"].append(outcome.url)
            if outcome.outcome is Outcome.GAVE_UP and _refused_page(outcome.detail):
                # A page that came but was refused: every page "cut short" or "a challenge" is
                # as much a sign that the site changed as pages that fail to parse.
                self.layouts["refused"] += 1
                self.reasons[outcome.detail or "refused"].append(outcome.url)
        for item in items:
            parsed = item.parsed
            if parsed is None:
                continue
            if parsed.status is Status.OK and parsed.article is not None:
                self.layouts[parsed.article.layout] += 1
                self.days[publish_day(parsed.article)][parsed.article.layout] += 1
                self.gaps.update(fallback_gaps(parsed.article))
            elif parsed.status is Status.FAILED:
                self.layouts["quarantined"] += 1

    @property
    def parsed_pages(self) -> int:
        return sum(self.layouts.values())

    def drift_share(self) -> float:
        bad = self.layouts["fallback"] + self.layouts["quarantined"] + self.layouts["refused"]
        return bad / self.parsed_pages if self.parsed_pages else 0.0

    def check_drift(self, threshold: float) -> None:
        if self.parsed_pages >= MIN_PAGES_FOR_DRIFT and self.drift_share() > threshold:
            raise LayoutDrift(
                f"{DRIFT_MESSAGE} ({self.drift_share():.0%} fallback, quarantined, or refused as"
                " cut short or a challenge)"
            )

    def summary(self, extra: dict[str, Any]) -> dict[str, Any]:
        top = sorted(self.reasons.items(), key=lambda kv: -len(kv[1]))[:5]
        return {
            "flow": self.flow,
            "window": list(self.window),
            "counts": dict(self.outcomes),
            "new": self.loaded["new"],
            "updated": self.loaded["updated"],
            "layouts": dict(self.layouts),
            "drift_share": round(self.drift_share(), 4),
            "fallback_gaps": dict(self.gaps),
            "layouts_by_publish_day": {day: dict(c) for day, c in sorted(self.days.items())},
            "quarantine_reasons": [
                {"reason": r, "count": len(urls), "example": urls[0]} for r, urls in top
            ],
            **extra,
        }


def to_markdown(summary: dict[str, Any]) -> str:
    """The run report as Prefect shows it in the UI."""
    lines = [
        f"# {summary['flow']} {summary['window'][0]} … {summary['window'][1]}",
        "",
        f"- status: **{summary.get('status', '?')}**; {summary.get('seconds', '?')} s,"
        f" {summary.get('requests', 0)} requests, {summary.get('bytes_fetched', 0):,} bytes",
        f"- new articles: {summary['new']}, updated: {summary['updated']}",
        f"- robots.txt obeyed: {summary.get('respect_robots', True)}",
        f"- source: {summary.get('source', 'site')}",  # the site, or a web archive (issue 15)
        *([f"- report page: {summary['report']}"] if summary.get("report") else []),
        "",
        "| outcome | URLs |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in sorted(summary["counts"].items())),
        "",
        "| layout | pages |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in sorted(summary["layouts"].items())),
    ]
    drifting = {
        day: layouts
        for day, layouts in summary.get("layouts_by_publish_day", {}).items()
        if layouts.get("fallback")
    }
    if drifting:
        lines += ["", "| publish day | pages | fallback |", "|---|---|---|"]
        lines += [f"| {d} | {sum(n.values())} | {n['fallback']} |" for d, n in drifting.items()]
    if summary.get("fallback_gaps"):
        missing = ", ".join(f"{name} {n}" for name, n in sorted(summary["fallback_gaps"].items()))
        lines += ["", f"- fallback records missing a field the site always gives: {missing}"]
    if summary["quarantine_reasons"]:
        lines += ["", "| quarantine reason | count | example |", "|---|---|---|"]
        lines += [
            f"| {q['reason']} | {q['count']} | {q['example']} |"
            for q in summary["quarantine_reasons"]
        ]
    return "\n".join(lines) + "\n"


def _refused_page(detail: str | None) -> bool:
    """A `gave_up` for a page that arrived but was not the page (crawl.completeness): cut short
    by its own markup, or a CDN's challenge; not a timeout or a 5xx."""
    text = detail or ""
    return text.startswith("Truncated: body cut short") or "challenge page came" in text


def publish_day(article: Article) -> str:
    """The article's publish day in the site's time zone, as data_quality groups it."""
    if article.published_at is None:
        return UNDATED
    return article.published_at.astimezone(SITE_ZONE).date().isoformat()
