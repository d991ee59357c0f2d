"""Pages that arrive but are refused (cut short by their own markup, or a CDN's challenge) count
towards layout drift: a site whose every page now fails the completeness check must raise the
alarm, not end a quiet `completed` run full of `gave_up` (hostile review F5)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lso_etl.pipeline.report import LayoutDrift
from lso_etl.pipeline.run import run_window
from lso_etl.replay.faults import Fault
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.site.discovery import DISCOVERY

JUNE = (date(2017, 6, 1), date(2017, 6, 30))


@pytest.mark.parametrize("fault", ["short-length", "challenge"])
def test_a_run_whose_pages_are_all_refused_fails_as_drift(
    corpus: Corpus, tmp_path: Path, fault: Fault
) -> None:
    june = [a for a in corpus.articles if JUNE[0] <= a.published_at.date() <= JUNE[1]]
    faults: dict[str, list[Fault]] = {a.path: [fault] for a in june}
    with ReplaySite(corpus, faults=faults) as site:
        settings = Settings.from_env(
            {}, base_url=site.base_url, db=tmp_path / "lso.duckdb", min_delay=0.0, max_attempts=1
        )
        with pytest.raises(LayoutDrift, match="refused as cut short or a challenge") as raised:
            run_window("backfill-chunk", settings, JUNE, DISCOVERY.backfill_strategies, None, {})
    assert "100%" in str(raised.value) and len(june) >= 10
