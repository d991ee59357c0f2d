"""Deployments, the run report, layout drift, the dry run and the serve command's refusals."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lso_etl.cli.main import app
from lso_etl.errors import UserError
from lso_etl.models import (
    Article,
    ArticleRef,
    CrawlItem,
    FetchResult,
    Outcome,
    ParseResult,
    Status,
    UrlOutcome,
)
from lso_etl.pipeline.report import DRIFT_MESSAGE, LayoutDrift, RunReport, to_markdown
from lso_etl.pipeline.steps import FIRST_WEB_DAY, chunk_windows, clamp_range, site_today
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite


@pytest.mark.usefixtures("prefect_harness")
def test_served_deployments_exist_with_the_daily_schedule_in_vietnam_time() -> None:
    from prefect.client.orchestration import get_client

    from flows.serve import deployments

    built = deployments()  # built outside the event loop: Prefect's sync/async dual API

    async def register_and_read() -> list[object]:
        async with get_client() as client:
            found = []
            for deployment in built:
                await deployment.aapply()
                found.append(
                    await client.read_deployment_by_name(
                        f"{deployment.flow_name}/{deployment.name}"
                    )
                )
            return found

    daily, backfill = asyncio.run(register_and_read())
    assert daily.name == "daily" and backfill.name == "backfill"  # type: ignore[attr-defined]
    (schedule,) = daily.schedules  # type: ignore[attr-defined]
    assert schedule.schedule.cron == "0 6 * * *"
    assert schedule.schedule.timezone == "Asia/Ho_Chi_Minh"
    assert backfill.schedules == []  # type: ignore[attr-defined]
    assert backfill.parameters == {"chunk_days": 31}  # type: ignore[attr-defined]
    assert {"start", "end", "chunk_days"} <= set(
        backfill.parameter_openapi_schema["properties"]  # type: ignore[attr-defined]
    )


def test_serve_dry_run_prints_the_deployments_as_json() -> None:
    result = CliRunner().invoke(app, ["serve", "--dry-run"])
    assert result.exit_code == 0, result.output
    described = {d["name"]: d for d in json.loads(result.output)}
    assert described["daily/daily"]["schedules"] == [
        {"cron": "0 6 * * *", "timezone": "Asia/Ho_Chi_Minh"}
    ]
    assert described["backfill/backfill"]["schedules"] == []


def test_serve_without_a_server_refuses_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with pytest.raises(Exception, match="long-lived Prefect server"):
        CliRunner().invoke(app, ["serve"], catch_exceptions=False)


def test_chunks_cover_the_range_without_gaps_or_overlaps() -> None:
    windows = chunk_windows(date(2017, 7, 1), date(2017, 7, 20), 7, newest_first=False)
    assert windows == [
        (date(2017, 7, 1), date(2017, 7, 7)),
        (date(2017, 7, 8), date(2017, 7, 14)),
        (date(2017, 7, 15), date(2017, 7, 20)),
    ]
    assert chunk_windows(date(2017, 7, 1), date(2017, 7, 20), 7, newest_first=True) == windows[::-1]


def _item(layout: str | None, n: int) -> tuple[CrawlItem, UrlOutcome]:
    ref = ArticleRef(f"http://x/a-{5000000 + n}.html", f"new:{5000000 + n}", None, "sitemap")
    if layout is None:
        parsed = ParseResult(Status.FAILED, reason="no body")
        outcome = UrlOutcome(ref.url, ref.article_id, Outcome.QUARANTINED, "no body")
    else:
        article = Article(ref.article_id, ref.url, "h", None, None, "b", (), None, (), None,
                          None, layout, {}, 1, "0" * 64, "t")  # fmt: skip
        parsed = ParseResult(Status.OK, article=article)
        outcome = UrlOutcome(ref.url, ref.article_id, Outcome.LOADED, "new")
    return CrawlItem(FetchResult(ref), parsed), outcome


def test_run_report_counts_and_fails_on_layout_drift() -> None:
    report = RunReport("daily", ("2017-10-26", "2017-10-28"))
    pairs = [_item("current", i) for i in range(7)] + [_item("fallback", 7), _item(None, 8)]
    pairs += [_item(None, 9)]
    report.add([p[0] for p in pairs], [p[1] for p in pairs])
    summary = report.summary({"status": "completed"})
    assert summary["counts"] == {"loaded": 8, "quarantined": 2}
    assert summary["layouts"] == {"current": 7, "fallback": 1, "quarantined": 2}
    assert summary["drift_share"] == 0.3
    assert summary["quarantine_reasons"] == [
        {"reason": "no body", "count": 2, "example": "http://x/a-5000008.html"}
    ]
    assert "| quarantined | 2 |" in to_markdown(summary)
    report.check_drift(0.3)  # at the threshold: fine
    with pytest.raises(LayoutDrift, match=DRIFT_MESSAGE):
        report.check_drift(0.2)


def test_backfill_dry_run_lists_candidates_and_how_they_were_found(
    corpus: Corpus, replay: ReplaySite, db: Path
) -> None:
    result = CliRunner().invoke(
        app,
        ["--db", str(db), "--base-url", replay.base_url, "backfill", "--from", "2017-07-01",
         "--to", "2017-07-14", "--chunk-days", "7", "--dry-run", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    chunks = json.loads(result.output)
    expected = {
        a.article_id
        for a in corpus.articles
        if date(2017, 7, 1) <= a.published_at.date() <= date(2017, 7, 14)
    }
    assert [(c["start"], c["end"]) for c in chunks] == [
        ("2017-07-01", "2017-07-07"),
        ("2017-07-08", "2017-07-14"),
    ]
    assert {c["article_id"] for chunk in chunks for c in chunk["candidates"]} == expected
    assert {c["found_by"] for chunk in chunks for c in chunk["candidates"]} == {"sitemap"}
    assert not any(path.endswith(".html") and "-" in path for _, path in replay.requests)
    assert not db.exists()  # a dry run writes nothing


def test_chunks_reach_the_calendar_s_last_day_and_any_width_without_overflow() -> None:
    assert chunk_windows(date(9999, 12, 1), date.max, 31, newest_first=False) == [
        (date(9999, 12, 1), date.max)
    ]
    assert chunk_windows(date.min, date(1, 1, 3), 2, newest_first=False) == [
        (date.min, date(1, 1, 2)),
        (date(1, 1, 3), date(1, 1, 3)),
    ]
    whole = chunk_windows(date(2017, 1, 1), date(2017, 3, 1), 10**12, newest_first=False)
    assert whole == [(date(2017, 1, 1), date(2017, 3, 1))]


def test_a_range_is_cut_to_the_days_that_can_hold_articles_and_one_with_none_refused() -> None:
    today = date(2026, 11, 29)
    start, end, notes = clamp_range(date.min, date.max, today)
    assert (start, end) == (FIRST_WEB_DAY, today) and len(notes) == 2
    assert clamp_range(date(2017, 7, 1), today, today) == (date(2017, 7, 1), today, [])
    with pytest.raises(UserError, match="is after today"):
        clamp_range(today + timedelta(days=1), date.max, today)
    with pytest.raises(UserError, match="before the first web page"):
        clamp_range(date.min, date(1980, 1, 1), today)


def test_a_dry_run_of_all_time_is_clamped_lists_the_corpus_and_raises_nothing(
    corpus: Corpus, replay: ReplaySite, db: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """`backfill --from 0001-01-01 --to 9999-12-31 --dry-run` raised OverflowError (issue 12).
    Year-wide chunks keep it quick: with month chunks each empty one walks the listings."""
    from lso_etl.cli.main import main

    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
    monkeypatch.setenv("LSO_MIN_DELAY", "0")
    monkeypatch.setattr(sys, "argv", [
        "lso-etl", "--db", str(db), "--base-url", replay.base_url, "backfill", "--from",
        "0001-01-01", "--to", "9999-12-31", "--chunk-days", "4000", "--dry-run", "--json",
    ])  # fmt: skip
    with pytest.raises(SystemExit) as ended:  # typer's way to end a command that succeeded
        main()
    assert ended.value.code == 0
    captured = capsys.readouterr()
    chunks = json.loads(captured.out)
    assert chunks[0]["start"] == FIRST_WEB_DAY.isoformat()
    assert chunks[-1]["end"] == site_today().isoformat()
    found = {c["article_id"] for chunk in chunks for c in chunk["candidates"]}
    assert found == {a.article_id for a in corpus.articles}
    assert captured.err.splitlines() == [
        f"note: --to 9999-12-31 is after today: the backfill ends today ({site_today()}), since"
        " days to come hold no articles yet and a chunk finished empty would never be read again",
        f"note: --from 0001-01-01 is before the first web page: the backfill starts {FIRST_WEB_DAY}",
    ]
    assert not db.exists()  # a dry run writes nothing


def test_a_backfill_wholly_in_the_future_or_with_no_chunk_width_is_refused_in_one_line() -> None:
    future = CliRunner().invoke(app, ["backfill", "--from", "9000-01-01", "--to", "9999-12-31"])
    assert isinstance(future.exception, UserError) and "is after today" in str(future.exception)
    zero = CliRunner().invoke(
        app, ["backfill", "--from", "2017-07-01", "--to", "2017-07-02", "--chunk-days", "0"]
    )
    assert isinstance(zero.exception, UserError) and "at least 1 day" in str(zero.exception)


def test_a_dry_run_as_text_carries_what_json_has_one_whole_line_per_candidate(
    replay: ReplaySite, db: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Issue 14: off a terminal the text dry run broke URLs mid-word and dropped each
    candidate's state. Now each candidate is a tab-separated line of the JSON's fields."""
    from lso_etl.cli.main import main

    monkeypatch.setenv("LSO_MIN_DELAY", "0")
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
    args = ["--db", str(db), "--base-url", replay.base_url, "backfill", "--from", "2017-07-01",
            "--to", "2017-07-31", "--dry-run"]  # fmt: skip
    outputs = []
    for extra in ([], ["--json"]):
        monkeypatch.setattr(sys, "argv", ["lso-etl", *args, *extra])
        with pytest.raises(SystemExit) as ended:
            main()
        assert ended.value.code == 0
        outputs.append(capsys.readouterr().out)
    text, chunks = outputs[0].splitlines(), json.loads(outputs[1])
    assert text[0] == (f"2017-07-01..2017-07-31: {len(chunks[0]['candidates'])} candidates,"
                       f" {chunks[0]['to_fetch']} to fetch, not finished")  # fmt: skip
    expected = [
        "\t".join(["", c["seen_date"] or "", c["article_id"], c["found_by"],
                   c.get("state") or "-", c["url"]])
        for c in chunks[0]["candidates"]
    ]  # fmt: skip
    assert len(expected) > 20 and text[1:] == expected
