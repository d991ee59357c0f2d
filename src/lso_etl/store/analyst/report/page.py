"""The report as one HTML document: text and tables written here, charts drawn by Vega-Lite.

Self-contained: the Vega, Vega-Lite and vega-embed JavaScript (vl-convert's bundle, the one
Altair inlines) sits in the page, and its Content-Security-Policy forbids every fetch, so a
page that tried to load anything would fail loudly in the browser instead of going online.
Every text from the warehouse is escaped (`html.escape`, and `<` as `\\u003c` inside JSON).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from functools import cache
from html import escape
from importlib.metadata import version
from pathlib import Path
from typing import Any

import vl_convert

from lso_etl.store.analyst.report import charts

log = logging.getLogger(__name__)

# Nothing leaves the page: no fetch, frame, font or image from anywhere but the page itself.
# Vega compiles its expressions with `new Function`, hence 'unsafe-eval'.
POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline';"
    " img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'"
)
RUNS_LISTED = 60  # newest runs in the runs table

STYLE = """
body { font: 14px/1.45 system-ui, "Segoe UI", "Noto Sans", Roboto, Arial, sans-serif;
       margin: 0 auto; max-width: 1000px; padding: 0 16px 48px; color: #222; }
header { border-bottom: 1px solid #ddd; margin-bottom: 8px; }
nav a { margin-right: 14px; }
h2 { margin-top: 32px; border-bottom: 1px solid #eee; }
.note { color: #666; }
.chart { margin: 12px 0; overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { background: #fde0dd; } tr.interrupted td { background: #fff0d6; }
#newest-filter { width: 60%; padding: 4px 8px; font-size: 14px; }
"""

# Draws each chart with every dataset, then marks it drawn (the browser test waits for that).
BOOT = """
const report = JSON.parse(document.getElementById('report-data').textContent);
const specs = JSON.parse(document.getElementById('report-specs').textContent);
for (const [id, spec] of Object.entries(specs)) {
  const element = document.getElementById(id);
  vegaEmbed(element, {...spec, datasets: report.datasets}, {actions: false, renderer: 'svg'})
    .then(() => { element.dataset.rendered = 'yes'; })
    .catch((error) => { element.dataset.rendered = 'failed'; console.error(id, error); });
}
// The table filter: accents, case and đ do not matter ("ha noi" finds "Hà Nội").
const fold = (text) => text.normalize('NFD').replace(/\\p{M}/gu, '').replace(/đ/g, 'd')
  .replace(/Đ/g, 'D').toLowerCase();
const rows = [...document.querySelectorAll('#newest tbody tr')].map((row) => [row, fold(row.textContent)]);
const shown = document.getElementById('newest-shown');
document.getElementById('newest-filter').addEventListener('input', (event) => {
  const words = fold(event.target.value).split(/\\s+/).filter(Boolean);
  let count = 0;
  for (const [row, text] of rows) {
    const keep = words.every((word) => text.includes(word));
    row.hidden = !keep;
    count += keep;
  }
  shown.textContent = count;
});
"""


@cache
def vega_script() -> str:
    """vega, vega-lite and vega-embed in one script, from vl-convert's wheel (no download).

    Bundling takes about 2 s, a large share of a build, so the bundle is kept in the user's
    cache folder, named by vl-convert's and Vega-Lite's versions (a new wheel, a new file);
    a folder that cannot be written only costs the 2 s again.
    """
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lso-etl"
    kept = folder / f"vega-bundle-{version('vl-convert-python')}-{charts.VEGA_LITE}.js"
    try:
        return kept.read_text(encoding="utf-8")
    except OSError:
        pass
    # The stub calls `snippet` required; left out, the bundle sets the globals (as Altair uses it).
    bundle: str = vl_convert.javascript_bundle(vl_version=charts.VEGA_LITE)  # type: ignore[call-arg]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = kept.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(bundle, encoding="utf-8")
        temporary.replace(kept)  # whole or not at all, whoever else writes it at once
    except OSError:
        log.info("vega bundle not cached in %s", folder, exc_info=True)
    return bundle


def script_json(value: Any) -> str:
    """JSON safe inside <script>: no `</script>` or `<!--` can end or open anything."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _table(head: list[str], body: list[list[str]], numeric: set[int], classes: list[str]) -> str:
    top = "".join(f"<th>{escape(h)}</th>" for h in head)
    lines = []
    for cells, css in zip(body, classes, strict=True):
        tds = "".join(
            f'<td class="n">{escape(c)}</td>' if i in numeric else f"<td>{escape(c)}</td>"
            for i, c in enumerate(cells)
        )
        lines.append(f'<tr class="{escape(css)}">{tds}</tr>' if css else f"<tr>{tds}</tr>")
    return f"<table><thead><tr>{top}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _chart(element: str) -> str:
    return f'<div class="chart" id="{element}"></div>'


def _note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def _coverage(report: dict[str, Any]) -> str:
    data = report["datasets"]
    empty = [row["day"] for row in data["coverage_empty_days"]]
    said = f"{len(empty)} day(s) without any article" + (
        f": {', '.join(empty[:12])}{' …' if len(empty) > 12 else ''}." if empty else "."
    )
    monthly = [[row["month"], f"{row['articles']:,}"] for row in data["coverage_monthly"]]
    undated = report["totals"]["undated"]
    return (
        _chart("coverage-daily") + _note(said)
        + (_note(f"{undated:,} article(s) have no publish time and appear in no day.")
           if undated else "")
        + _chart("coverage-monthly")
        + _table(["month", "articles"], monthly, {1}, [""] * len(monthly))
    )  # fmt: skip


def _freshness(report: dict[str, Any]) -> str:
    runs = report["datasets"]["freshness"]
    note = (
        f"{len(runs)} daily run(s) loaded new articles in this window."
        if runs
        else "No daily run loaded a new article in this window (backfills are not counted:"
        " their lag is the archive's age)."
    )
    return _chart("freshness-lag") + _note(note)


def _authors(report: dict[str, Any]) -> str:
    how = "People apart from institutional and wire bylines, as the warehouse's authors.kind says."
    return _chart("authors-people") + _chart("authors-institutions") + _note(how)


def _quality(report: dict[str, Any]) -> str:
    totals = report["totals"]
    checks = (
        f"{totals['checked_runs']} run(s) ran the data checks; {totals['check_failures']}"
        " check failure(s) in all."
    )
    return (
        _chart("quality-layouts")
        + _note("A rising fallback (or partial) share is the site changing its markup:"
                " it shows on the first publish day it touched.")
        + _chart("quality-quarantine") + _chart("quality-provenance")
        + _chart("quality-failed-checks") + _note(checks)
    )  # fmt: skip


def _runs(report: dict[str, Any]) -> str:
    runs = list(reversed(report["datasets"]["runs"]))[:RUNS_LISTED]
    body = [
        [r["started_at"][:19].replace("T", " ") + " UTC", r["flow"], r["status"],
         f"{r['seconds']:,}", f"{r['requests']:,}", f"{r['bytes_fetched']:,}", r["run_id"]]
        for r in runs
    ]  # fmt: skip
    classes = [r["status"] if r["status"] in ("failed", "interrupted") else "" for r in runs]
    head = ["started", "flow", "status", "seconds", "requests", "bytes", "run"]
    return (
        _chart("runs-timeline") + _chart("runs-outcomes") + _chart("runs-effort")
        + _note(f"Newest {len(runs)} run(s); failed and interrupted ones are shaded.")
        + _table(head, body, {3, 4, 5}, classes)
    )  # fmt: skip


def _newest(report: dict[str, Any]) -> str:
    rows = report["newest"]
    body = [
        [r["published"] or "?", r["section"] or "", r["headline"], ", ".join(r["authors"]),
         r["article_id"]]
        for r in rows
    ]  # fmt: skip
    return (
        '<p><input id="newest-filter" type="search" placeholder="Filter: words of a headline,'
        ' section, author or date (accents optional)"> <span id="newest-shown">'
        f"{len(rows)}</span> of {len(rows)} shown (the newest {len(rows)} of"
        f" {report['totals']['articles']:,} in the window).</p>"
        + _table(["published", "section", "headline", "authors", "article"], body, set(),
                 [""] * len(body)).replace("<table>", '<table id="newest">', 1)
    )  # fmt: skip


SECTIONS = (
    ("coverage", "Coverage", _coverage),
    ("freshness", "Freshness", _freshness),
    ("authors", "Authors", _authors),
    ("quality", "Data quality", _quality),
    ("runs", "Runs", _runs),
    ("newest", "Newest articles", _newest),
)


def render(report: dict[str, Any], source: str) -> str:
    """The whole page for `collect`'s result; `source` names the warehouse it was read from."""
    windows = report["windows"]
    layouts = tuple(sorted({row["layout"] for row in report["datasets"]["quality_layouts"]}))
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    nav = "".join(f'<a href="#{key}">{escape(title)}</a>' for key, title, _ in SECTIONS)
    sections = "".join(
        f'<section id="{key}"><h2>{escape(title)}</h2>{build(report)}</section>'
        for key, title, build in SECTIONS
    )
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>lso-etl report: {escape(source)}</title><style>{STYLE}</style></head><body>"
        f'<header><h1>Báo Lạng Sơn warehouse report</h1><p class="note">{escape(source)};'
        f" articles published {windows['articles']['first']} … {windows['articles']['last']},"
        f" runs started {windows['runs']['first']} … {windows['runs']['last']} (days in"
        f" Asia/Ho_Chi_Minh); made {made}.</p><nav>{nav}</nav></header>{sections}"
        f'<script type="application/json" id="report-data">{script_json(report)}</script>'
        f'<script type="application/json" id="report-specs">{script_json(charts.specs(layouts))}</script>'
        f"<script>{vega_script()}</script><script>{BOOT}</script></body></html>\n"
    )
