"""`lso-etl show ID` (issue 16): the current record, its versions with what changed, and with
--raw the archived page's bytes as received."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from demo_warehouse import EDITED_WORD, demo_db
from typer.testing import CliRunner

from lso_etl.cli.main import app
from lso_etl.crawl.archive import RunArchive
from lso_etl.crawl.transfer import Exchange
from lso_etl.errors import UserError
from lso_etl.replay.corpus import build_corpus
from lso_etl.store import warehouse
from lso_etl.store.crawl_state import archive_index
from lso_etl.store.crawl_state.archive_identity import WARCINFO_FIELD, warehouse_id


def _copy(tmp_path: Path) -> Path:
    shutil.copy(demo_db(), tmp_path / "lso.duckdb")
    return tmp_path / "lso.duckdb"


def test_show_prints_the_record_its_versions_and_the_paragraph_diff(tmp_path: Path) -> None:
    edited = build_corpus().articles[10]  # demo_db edits it: one paragraph added
    result = CliRunner().invoke(app, ["--db", str(_copy(tmp_path)), "show", edited.article_id])
    assert result.exit_code == 0, result.output
    assert f"article_id: {edited.article_id}" in result.output
    assert f"headline: {edited.headline}" in result.output
    assert "v1 -> v2" in result.output
    assert f"    + Đã cập nhật {EDITED_WORD}." in result.output
    unknown = CliRunner().invoke(app, ["--db", str(_copy(tmp_path)), "show", "new:1"])
    assert isinstance(unknown.exception, UserError) and "no article" in str(unknown.exception)


def test_show_raw_writes_the_archived_bytes(tmp_path: Path) -> None:
    db = _copy(tmp_path)
    article = build_corpus().articles[5]
    page = "<!doctype html><title>Lạng Sơn</title>\n".encode() + bytes(range(256))
    with warehouse.connect(db) as con:
        run_id = con.execute("select max(run_id) from runs").fetchone()[0]  # type: ignore[index]
        info = {"software": "test", WARCINFO_FIELD: warehouse_id(con)}
        archive = RunArchive(tmp_path / "lso.raw", run_id, info)
        url = f"https://baolangson.vn{article.path}"
        archive.response(url, Exchange(url, (), 200, "OK", (("content-type", "text/html"),),
                                       page, datetime.now(UTC), 0.01))  # fmt: skip
        archive.close()
        archive_index.insert(con, archive.drain())
    # a real process: stdout is the bytes, as `show ID --raw > page.html` writes them
    done = subprocess.run(
        [sys.executable, "-c", "from lso_etl.cli.main import main; main()", "--db", str(db),
         "show", article.article_id, "--raw"], capture_output=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == page
