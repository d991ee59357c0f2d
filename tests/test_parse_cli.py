"""`lso-etl parse`: every golden page through the command line prints its golden record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lso_etl.cli.main import app
from lso_etl.extract.parse import PARSER_VERSION, RECORD_KEYS

PAGES = Path(__file__).parent / "fixtures" / "pages"
CASES = sorted(p.stem for p in PAGES.glob("*.json"))
NOT_COMPARED = ("content_hash", "parser_version")
EXIT = {"ok": 0, "not_article": 3, "failed": 4}
SCRIPT = Path(sys.executable).parent / "lso-etl"  # the installed console script


def spec(case: str) -> tuple[dict[str, Any], dict[str, Any]]:
    data = json.loads((PAGES / f"{case}.json").read_text(encoding="utf-8"))
    return data["page"], data["expected"]


def args(case: str, *extra: str) -> list[str]:
    """The command line that states what the fetch knew: URL, Content-Type, time, status."""
    page, _ = spec(case)
    content_type = next((v for k, v in page["headers"].items() if k.lower() == "content-type"), "")
    line = ["parse", str(PAGES / f"{case}.html"), "--url", page["url"]]
    line += ["--fetched-at", page["fetched_at"], "--status", str(page["status"])]
    return line + (["--content-type", content_type] if content_type else []) + list(extra)


def assert_golden(printed: dict[str, Any], expected: dict[str, Any]) -> None:
    assert list(printed) == list(RECORD_KEYS)
    for key in RECORD_KEYS:
        if key not in NOT_COMPARED:
            assert printed[key] == expected[key], key
    assert printed["parser_version"] == PARSER_VERSION


@pytest.mark.parametrize("case", CASES)
def test_parse_command_prints_the_golden_record(case: str) -> None:
    _, expected = spec(case)
    result = CliRunner().invoke(app, args(case, "--json"))
    assert result.exit_code == EXIT[expected["status"]], result.output
    assert result.stdout.count("\n") == 1  # --json: one compact line
    assert_golden(json.loads(result.stdout), expected)
    if expected["reason"]:
        assert result.stderr.strip() == f"{expected['status']}: {expected['reason']}"
    else:
        assert result.stderr == ""


def test_pretty_output_is_indented_json_in_record_order() -> None:
    result = CliRunner().invoke(app, args("current_basic"))
    assert result.exit_code == 0
    assert result.stdout.startswith('{\n  "status": "ok",\n  "reason": null,\n')
    assert '"headline": "Cao Lộc ra quân vệ sinh môi trường đầu năm"' in result.stdout
    assert list(json.loads(result.stdout)) == list(RECORD_KEYS)


def test_stdin_bytes_are_decoded_like_a_fetched_page() -> None:
    """windows-1258 bytes through stdin: the <meta> charset is found, as the pipeline finds it."""
    page, expected = spec("legacy_windows1258")
    content = (PAGES / "legacy_windows1258.html").read_bytes()
    line = ["parse", "-", "--url", page["url"], "--fetched-at", page["fetched_at"], "--json"]
    result = CliRunner().invoke(app, line, input=content)
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert printed["provenance"]["encoding"] == "meta:cp1258"
    assert printed["authors"] == expected["authors"] == ["H'Hen Niê"]
    assert printed["body"] == expected["body"]


def test_binary_garbage_is_a_verdict_not_a_traceback() -> None:
    url = "https://baolangson.vn/bai-viet-5012345.html"
    result = CliRunner().invoke(app, ["parse", "-", "--url", url], input=b"\x00\xff\xfe" * 500)
    assert result.exit_code in (3, 4)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert json.loads(result.stdout)["status"] in ("not_article", "failed")


def run_script(*line: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    # The C locale: the record must still come out as UTF-8.
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    env.pop("PYTHONIOENCODING", None)
    return subprocess.run(
        [str(SCRIPT), *line], input=stdin, capture_output=True, env=env, timeout=120, check=False
    )


def test_real_process_prints_utf8_json_and_the_exit_code() -> None:
    for case in ("legacy_table_source", "soft_404", "empty_body"):
        _, expected = spec(case)
        done = run_script(*args(case, "--json"))
        assert done.returncode == EXIT[expected["status"]], done.stderr
        assert b"Traceback" not in done.stderr
        assert_golden(json.loads(done.stdout.decode("utf-8")), expected)


def test_parse_never_imports_prefect() -> None:
    """Prefect costs seconds to import and starts servers: `parse` must not load it."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('prefect' in sys.modules, file=sys.stderr))\n"
        "from lso_etl.cli.main import main\n"
        f"sys.argv = ['lso-etl', *{args('current_basic', '--json')!r}]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode().strip().splitlines()[-1] == "False"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (["parse", "/no/such/page.html", "--url", "https://baolangson.vn/a-5012345.html"], "cannot read"),
        (["parse", "-", "--url", "https://baolangson.vn/a-5012345.html", "--fetched-at", "hôm qua"], "not an ISO 8601 time"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line_and_exit_2(line: list[str], message: str) -> None:
    done = run_script(*line, stdin=b"<p>x</p>")
    assert done.returncode == 2
    assert message in done.stderr.decode("utf-8")
    assert b"Traceback" not in done.stderr


def test_a_page_over_the_body_cap_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    """The fetcher's cap (LSO_MAX_BODY_BYTES) holds for a saved file and for stdin: 1 GiB of
    a sparse file (nothing on disk) and an endless pipe end in one line, exit 4, at once."""
    url = "https://baolangson.vn/bai-viet-5012345.html"
    huge = tmp_path / "huge.html"
    with huge.open("wb") as file:
        file.truncate(1024**3)  # 1 GiB of zeros: reading it whole would take seconds and 1 GiB
    started = time.perf_counter()
    done = run_script("parse", str(huge), "--url", url, "--json")
    assert done.returncode == 4, done.stderr
    (line,) = done.stderr.decode("utf-8").splitlines()
    assert (
        line
        == f"failed: page over {5 * 1024 * 1024} bytes, the size cap of fetched pages (LSO_MAX_BODY_BYTES): not parsed"
    )
    assert json.loads(done.stdout)["status"] == "failed"
    env = {**os.environ, "LSO_MAX_BODY_BYTES": "100000"}
    with subprocess.Popen(["yes", "<p>Lạng Sơn</p>"], stdout=subprocess.PIPE) as endless:
        piped = subprocess.run(
            [str(SCRIPT), "parse", "-", "--url", url, "--json"],
            stdin=endless.stdout, capture_output=True, env=env, timeout=120, check=False,
        )  # fmt: skip
        endless.kill()
    assert piped.returncode == 4
    assert b"page over 100000 bytes" in piped.stderr and b"Traceback" not in piped.stderr
    assert time.perf_counter() - started < 30  # two process starts; reading 1 GiB is not done


def test_a_page_at_the_cap_is_parsed(tmp_path: Path) -> None:
    case = "current_basic"
    size = (PAGES / f"{case}.html").stat().st_size
    result = CliRunner().invoke(app, args(case, "--json"), env={"LSO_MAX_BODY_BYTES": str(size)})
    assert result.exit_code == 0, result.output
    smaller = CliRunner().invoke(
        app, args(case, "--json"), env={"LSO_MAX_BODY_BYTES": str(size - 1)}
    )
    assert smaller.exit_code == 4
    assert json.loads(smaller.stdout)["reason"].startswith(f"page over {size - 1} bytes")
