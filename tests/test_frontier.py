"""Crawl state: a URL that gave up waits for its next try, and waiting does not postpone it."""

from __future__ import annotations

from pathlib import Path

from lso_etl.models import Outcome, UrlOutcome
from lso_etl.store import warehouse
from lso_etl.store.crawl_state import frontier

URL = "http://127.0.0.1:9/so-noi-vu-so-ket-5012345.html"
GAVE_UP = UrlOutcome(URL, "new:5012345", Outcome.GAVE_UP, "HTTP 503", "sitemap")


def _next_try(con: object) -> object:
    row = con.execute("select next_try, attempts from frontier").fetchone()  # type: ignore[attr-defined]
    return row


def test_a_url_not_yet_due_keeps_its_next_try_and_a_due_one_gets_a_new_one(tmp_path: Path) -> None:
    with warehouse.connect(tmp_path / "lso.duckdb") as con:
        warehouse.migrate(con)
        frontier.mark(con, "run1", [GAVE_UP], {"new:5012345": 4}, retry_after=3600)
        first, attempts = _next_try(con)
        # A later run finds it not due yet and records gave_up again, without a request.
        waiting = UrlOutcome(URL, "new:5012345", Outcome.GAVE_UP, f"next try after {first}")
        frontier.mark(con, "run2", [waiting], {}, retry_after=3600)
        assert _next_try(con) == (first, attempts)  # neither postponed nor counted as tried
        # Once due, it is tried again; failing again sets a new next try.
        con.execute("update frontier set next_try = next_try - interval 2 hour")
        frontier.mark(con, "run3", [GAVE_UP], {"new:5012345": 4}, retry_after=3600)
        later, attempts_after = _next_try(con)
    assert later > first and attempts_after == attempts + 4
