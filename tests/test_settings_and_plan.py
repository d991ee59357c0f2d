"""Settings from the environment, and the pure planning rules of the daily and backfill runs."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lso_etl.models import ArticleRef, Outcome
from lso_etl.pipeline.steps import batches, daily_window, plan
from lso_etl.settings import Settings


def test_settings_read_lso_variables_and_let_explicit_options_win() -> None:
    env = {"LSO_DB": "/tmp/x.duckdb", "LSO_MIN_DELAY": "2.5", "LSO_RESPECT_ROBOTS": "false"}
    settings = Settings.from_env(env, base_url="http://127.0.0.1:9", min_delay=None)
    assert settings.db == Path("/tmp/x.duckdb")
    assert settings.min_delay == 2.5
    assert settings.respect_robots is False
    assert settings.base_url == "http://127.0.0.1:9"
    assert Settings.from_env(env, min_delay=0.5).min_delay == 0.5


def test_polite_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.base_url == "https://baolangson.vn"
    assert settings.min_delay == 1.0 and settings.respect_robots is True
    assert "lso-etl/" in settings.user_agent and settings.contact in settings.user_agent


def test_a_bad_setting_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="LSO_MIN_DELAY='soon' is not a valid float"):
        Settings.from_env({"LSO_MIN_DELAY": "soon"})


def test_daily_window_starts_at_the_newest_article_minus_the_overlap() -> None:
    mark = datetime(2017, 10, 28, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert daily_window(mark, date(2017, 10, 29), 2) == (date(2017, 10, 26), date(2017, 10, 29))
    # after missed runs the window reaches back to the mark: the run catches up
    assert daily_window(mark, date(2017, 11, 5), 2) == (date(2017, 10, 26), date(2017, 11, 5))
    assert daily_window(None, date(2017, 11, 5), 2) == (date(2017, 11, 3), date(2017, 11, 5))


def _ref(n: int, day: int) -> ArticleRef:
    return ArticleRef(f"http://x/a-{n}.html", f"new:{n}", date(2017, 7, day), "sitemap")


def test_plan_fetches_new_articles_and_known_ones_only_inside_the_recheck_window() -> None:
    refs = [_ref(5000001, 1), _ref(5000002, 20), _ref(5000003, 21)]
    known = {"new:5000001", "new:5000002"}
    todo, skipped = plan(refs, known, recheck_from=date(2017, 7, 20))
    assert [r.article_id for r in todo] == ["new:5000002", "new:5000003"]
    assert [(s.article_id, s.outcome) for s in skipped] == [("new:5000001", Outcome.SKIPPED)]
    todo, skipped = plan(refs, known, recheck_from=None)  # a backfill never fetches twice
    assert [r.article_id for r in todo] == ["new:5000003"]
    assert len(skipped) == 2


def test_batches_cover_everything_in_order() -> None:
    assert list(batches(list(range(7)), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batches([], 3)) == []
