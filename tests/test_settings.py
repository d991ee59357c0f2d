"""Settings from the environment, and the warehouse lease that applies the writer's limits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from lso_etl.settings import Settings
from lso_etl.store import warehouse


def test_writer_memory_is_read_from_the_environment_and_checked() -> None:
    assert Settings.from_env({"LSO_WRITER_MEMORY": "256MB"}).writer_memory == "256MB"
    with pytest.raises(ValueError, match="LSO_WRITER_MEMORY='lots' is not a memory size"):
        Settings.from_env({"LSO_WRITER_MEMORY": "lots"})


@pytest.mark.parametrize(
    ("variable", "raw", "allowed"),
    [
        (
            "LSO_MIN_DELAY",
            "nan",
            "a finite number >= 0 and <= 86400",
        ),  # NaN would switch pacing off
        ("LSO_MIN_DELAY", "-1", "a finite number >= 0 and <= 86400"),
        ("LSO_CONNECT_TIMEOUT", "inf", "a finite number > 0 and <= 86400"),
        ("LSO_READ_TIMEOUT", "-5", "a finite number > 0 and <= 86400"),
        ("LSO_TOTAL_TIMEOUT", "0", "a finite number > 0 and <= 86400"),
        ("LSO_BACKOFF", "-infinity", "a finite number >= 0 and <= 3600"),
        ("LSO_MAX_RETRY_AFTER", "NaN", "a finite number >= 0 and <= 86400"),
        ("LSO_CHUNK_RETRY_DELAY", "-1", "a finite number >= 0 and <= 86400"),
        ("LSO_RETRY_GAVE_UP_AFTER", "inf", "a finite number >= 0 and <= 31622400"),
        ("LSO_DRIFT_THRESHOLD", "1.5", "a finite number >= 0 and <= 1"),
        ("LSO_MAX_ATTEMPTS", "0", "a whole number >= 1"),
        ("LSO_CONCURRENCY", "0", "a whole number >= 1"),
        ("LSO_BATCH_SIZE", "-3", "a whole number >= 1"),
        ("LSO_CHUNK_DAYS", "0", "a whole number >= 1 and <= 36500"),
        ("LSO_CHUNK_RETRIES", "-1", "a whole number >= 0"),
        ("LSO_OVERLAP_DAYS", "-1", "a whole number >= 0 and <= 3650"),
        ("LSO_MAX_REDIRECTS", "-1", "a whole number >= 0"),
        ("LSO_MAX_BODY_BYTES", "0", "a whole number >= 1"),
        ("LSO_MAX_DISCOVERY_BYTES", "-1", "a whole number >= 1"),
        ("LSO_MAX_SITEMAPS", "0", "a whole number >= 1"),
        ("LSO_MAX_SITEMAP_DEPTH", "0", "a whole number >= 1"),
        ("LSO_MAX_LISTING_PAGES", "0", "a whole number >= 1"),
        ("LSO_MIN_DELAY", "1e30", "a finite number >= 0 and <= 86400"),  # overflowed time_t
        ("LSO_BACKOFF", "7200", "a finite number >= 0 and <= 3600"),
    ],
)
def test_a_number_out_of_its_range_is_refused_at_load_in_one_line_naming_it(
    variable: str, raw: str, allowed: str
) -> None:
    with pytest.raises(ValueError) as raised:
        Settings.from_env({variable: raw})
    message = str(raised.value)
    assert message.startswith(f"{variable}=") and message.endswith(f"expected {allowed}")
    assert "\n" not in message


@pytest.mark.parametrize(
    "url", ["ftp://x", "file:///etc/passwd", "javascript:alert(1)", "baolangson.vn", "https://"]
)
def test_a_base_url_that_is_not_http_or_https_with_a_host_is_refused(url: str) -> None:
    with pytest.raises(
        ValueError, match=r"^LSO_BASE_URL=.* an http:// or https:// URL with a host"
    ):
        Settings.from_env({"LSO_BASE_URL": url})
    with pytest.raises(ValueError, match="LSO_BASE_URL"):  # the --base-url option too
        Settings.from_env({}, base_url=url)


def test_the_edges_of_each_range_and_the_defaults_are_accepted() -> None:
    edges = {"LSO_MIN_DELAY": "0", "LSO_BACKOFF": "0", "LSO_DRIFT_THRESHOLD": "1",
             "LSO_MAX_REDIRECTS": "0", "LSO_CONCURRENCY": "1", "LSO_READ_TIMEOUT": "0.001",
             "LSO_BASE_URL": "http://127.0.0.1:8765", "LSO_MAX_SITEMAP_DEPTH": "1"}  # fmt: skip
    settings = Settings.from_env(edges)
    assert (settings.min_delay, settings.drift_threshold, settings.read_timeout) == (0, 1, 0.001)
    defaults = Settings.from_env({})
    assert defaults.max_discovery_bytes == 50 * 1024 * 1024 > defaults.max_body_bytes
    assert (defaults.max_sitemaps, defaults.max_sitemap_depth, defaults.max_listing_pages) == (
        1000, 3, 500,
    )  # fmt: skip


def test_the_cli_reports_a_bad_setting_in_one_line_without_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    env = {**os.environ, "LSO_MIN_DELAY": "nan", "COLUMNS": "200"}
    script = "from lso_etl.cli.main import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", script, "--db", str(db), "stats"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert (
        done.stderr
        == "error: LSO_MIN_DELAY=nan is not allowed: expected a finite number >= 0 and <= 86400\n"
    )
    assert not db.exists()


def test_a_lease_writes_with_one_thread_the_memory_cap_and_rare_checkpoints_and_reopens_after_a_pause(
    tmp_path: Path,
) -> None:
    lease = warehouse.Lease(tmp_path / "lso.duckdb", "64MB")
    with lease:
        with lease.connection() as con:
            first = con
            limits = con.execute(
                "select current_setting('threads'), current_setting('memory_limit'),"
                " current_setting('checkpoint_threshold')"
            ).fetchone()
        lease.pause(keep=True)  # unpaced: the same connection
        with lease.connection() as con:
            assert con is first
        lease.pause(keep=False)  # paced: given back, so another process could open the file
        with lease.connection() as con:
            assert con is not first
    assert limits is not None and limits[0] == 1 and limits[1].startswith("61.0 MiB")
    assert limits[2] == "244.1 MiB"  # 256MB, not DuckDB's 16MB: see warehouse.CHECKPOINT_THRESHOLD


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8765/news/",  # robots.txt would be read from /news/robots.txt
        "https://baolangson.vn/tin-tuc",
        "https://baolangson.vn/?x=1",
        "https://baolangson.vn/#top",
        "http://127.0.0.1:99999",
    ],
)
def test_a_base_url_that_is_not_the_site_root_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="the site's root") as raised:
        Settings.from_env({"LSO_BASE_URL": url})
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "url", ["https://baolangson.vn", "https://baolangson.vn/", "http://127.0.0.1:8765"]
)
def test_the_site_root_with_or_without_a_slash_or_a_port_is_accepted(url: str) -> None:
    assert Settings.from_env({"LSO_BASE_URL": url}).base_url == url


def test_a_home_folder_tilde_is_expanded_for_the_database_and_its_archive() -> None:
    """DuckDB expands `~`, pathlib does not: the archive went to a literal ./~ folder."""
    settings = Settings.from_env({"LSO_DB": "~/lso-test.duckdb", "LSO_RAW_DIR": ""})
    assert settings.db == Path.home() / "lso-test.duckdb"
    assert settings.archive_dir == Path.home() / "lso-test.raw"
    assert Settings.from_env({"LSO_RAW_DIR": "~/raw"}).archive_dir == Path.home() / "raw"


@pytest.mark.parametrize("command", [["stats"], ["sql", "select 1"], ["export", "--to", "out"]])
def test_a_path_of_bytes_that_are_not_utf8_is_one_line_not_a_traceback(
    tmp_path: Path, command: list[str]
) -> None:
    """DuckDB takes only UTF-8 paths; any other name (a Latin-1 disk, say) was a pybind11
    RuntimeError or UnicodeEncodeError traceback."""
    bad = os.fsdecode(b"caf\xe9")
    good_db = tmp_path / "x.duckdb"
    duckdb.connect(str(good_db)).close()
    db, out = (
        (good_db, tmp_path / bad) if command[0] == "export" else (tmp_path / f"{bad}.db", None)
    )
    line = [part if part != "out" else str(out) for part in command]
    done = subprocess.run(
        [sys.executable, "-c", "from lso_etl.cli.main import main; main()", "--db", str(db), *line],
        env={**os.environ, "COLUMNS": "200"}, capture_output=True, timeout=60,
    )  # fmt: skip
    stderr = done.stderr.decode(errors="replace")
    assert done.returncode == 2 and stderr.count("\n") == 1 and "not UTF-8" in stderr, stderr
    assert "Traceback" not in stderr and sorted(os.listdir(tmp_path)) == ["x.duckdb"]
