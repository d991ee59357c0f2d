"""Settings from the environment, and the warehouse lease that applies the writer's limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from lso_etl.settings import Settings
from lso_etl.store import warehouse


def test_writer_memory_is_read_from_the_environment_and_checked() -> None:
    assert Settings.from_env({"LSO_WRITER_MEMORY": "256MB"}).writer_memory == "256MB"
    with pytest.raises(ValueError, match="LSO_WRITER_MEMORY='lots' is not a memory size"):
        Settings.from_env({"LSO_WRITER_MEMORY": "lots"})


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
