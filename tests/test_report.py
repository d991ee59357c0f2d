"""`lso-etl report` on the command line, where its page goes, and a page that cannot be written
never failing the run that asked for it."""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import pytest
from demo_warehouse import demo_db
from typer.testing import CliRunner

from lso_etl.cli.main import app
from lso_etl.errors import UserError
from lso_etl.pipeline.report_page import refresh_report
from lso_etl.settings import Settings
from lso_etl.store.analyst.report import default_path


def embedded(page: Path) -> dict[str, object]:
    text = page.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', text)
    assert found is not None
    figures: dict[str, object] = json.loads(found[1])
    return figures


def test_the_page_goes_beside_its_warehouse_named_after_it() -> None:
    assert default_path(Path("warehouse/lso.duckdb")) == Path("warehouse/report.html")
    assert default_path(Path("/data/demo.duckdb")) == Path("/data/demo.report.html")
    assert default_path(Path("copy.db")) == Path("copy.report.html")


def test_report_command_writes_the_range_asked_for(tmp_path: Path) -> None:
    db = tmp_path / "lso.duckdb"
    shutil.copy(demo_db(), db)
    runner = CliRunner()
    plain = runner.invoke(app, ["--db", str(db), "report"])
    assert plain.exit_code == 0, plain.output
    assert plain.output.startswith(f"report: {tmp_path / 'report.html'} (")
    ranged = runner.invoke(
        app, ["--db", str(db), "report", "--from", "2017-07-01", "--to", "2017-07-31", "-o",
              str(tmp_path / "july.html")],
    )  # fmt: skip
    assert ranged.exit_code == 0, ranged.output
    july = embedded(tmp_path / "july.html")
    assert july["windows"] == {
        "articles": {"first": "2017-07-01", "last": "2017-07-31"},
        "runs": {"first": "2017-07-01", "last": "2017-07-31"},
    }
    days = {row["day"] for row in july["datasets"]["coverage_daily"]}  # type: ignore[index]
    assert days and min(days) >= "2017-07-01" and max(days) <= "2017-07-31"
    as_path = runner.invoke(app, ["--db", str(db), "report", "--to", str(tmp_path / "p.html")])
    assert as_path.exit_code == 0 and (tmp_path / "p.html").stat().st_size > 100_000


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--to", "2017-02-30"], "February 2017 has 28 days"),
        (["--from", "2017-08-01", "--to", "2017-07-01"], "is before --from"),
        (["--to", "a.html", "--out", "b.html"], "both name the page's path"),
    ],
)
def test_bad_options_are_one_line(tmp_path: Path, arguments: list[str], said: str) -> None:
    result = CliRunner().invoke(app, ["--db", str(demo_db()), "report", *arguments])
    # A UserError: the entry point prints it as one line and exits 2 (tests/test_bad_inputs.py).
    assert isinstance(result.exception, UserError), result.output
    assert said in str(result.exception) and "\n" not in str(result.exception)


def test_a_page_that_cannot_be_written_is_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "lso.duckdb"
    shutil.copy(demo_db(), db)
    (tmp_path / "report.html").mkdir()  # where the page should go: a folder is in the way
    with caplog.at_level(logging.WARNING, logger="lso_etl.pipeline.report_page"):
        assert refresh_report(Settings(db=db)) is None
    (record,) = caplog.records
    assert record.getMessage().startswith("report page not written: ")
    assert "\n" not in record.getMessage()
    shutil.rmtree(tmp_path / "report.html")
    assert refresh_report(Settings(db=db)) == str(tmp_path / "report.html")


def test_every_layout_gets_its_own_colour_known_or_not() -> None:
    from lso_etl.store.analyst.report import charts

    scale = charts.specs(("current", "fallback", "mystery"))["quality-layouts"]["encoding"]["color"]
    domain, colours = scale["scale"]["domain"], scale["scale"]["range"]
    assert domain[:4] == ["current", "legacy", "partial", "fallback"] and "mystery" in domain
    assert len(set(colours)) == len(domain)  # no two layouts share a colour


def test_an_empty_warehouse_makes_a_page_too(tmp_path: Path) -> None:
    from lso_etl.store import warehouse
    from lso_etl.store.analyst.report import build_report

    with warehouse.connect(tmp_path / "new.duckdb") as con:
        warehouse.migrate(con)
    written = build_report(tmp_path / "new.duckdb")
    assert written.path == tmp_path / "new.report.html"
    figures = embedded(written.path)
    assert figures["totals"]["articles"] == 0  # type: ignore[index]
    assert all(
        rows == [] for name, rows in figures["datasets"].items() if name != "coverage_empty_days"
    )  # type: ignore[union-attr]
