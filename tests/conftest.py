"""Shared fixtures: an isolated Prefect home, one Prefect test server per session, the replay site."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Prefect reads its settings when first imported: keep its home (and database) out of ~,
# and keep a machine without internet from trying to send telemetry.
_PREFECT_HOME = tempfile.mkdtemp(prefix="lso-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
for name in list(os.environ):
    if name.startswith("LSO_"):
        del os.environ[name]  # tests state their settings explicitly

import pytest  # noqa: E402

from lso_etl.replay.corpus import build_corpus  # noqa: E402
from lso_etl.replay.model import Corpus  # noqa: E402
from lso_etl.replay.server import ReplaySite  # noqa: E402


@pytest.fixture(autouse=True)
def no_stop_carried_over() -> Iterator[None]:
    """A test that stops a run in-process (SIGINT to itself) leaves the process-wide stop
    request set, as a real CLI does on its way out; the next test in that process (another
    xdist worker's order, another file) would see its first run interrupted at once."""
    yield
    from lso_etl.pipeline import interrupt

    interrupt.reset()


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return build_corpus()


@pytest.fixture
def replay(corpus: Corpus) -> Iterator[ReplaySite]:
    """A fresh replay server on a free loopback port, with its own request log."""
    with ReplaySite(corpus) as site:
        yield site


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server for the whole session: it takes ~20 s to start here."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "lso.duckdb"


@pytest.fixture
def july_sitemap_down(corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplaySite]:
    """The replay site whose July 2017 sitemap answers 503 to a chunk's four attempts (then
    recovers), with no chunk retry: a backfill of July and August fails July, loads August."""
    monkeypatch.setenv("LSO_CHUNK_RETRIES", "0")
    monkeypatch.setenv("LSO_BACKOFF", "0.01")
    monkeypatch.setenv("LSO_MAX_ATTEMPTS", "4")
    with ReplaySite(corpus, faults={"/sitemaps/2017-07.xml": [503] * 4}) as site:
        yield site
