"""Authors (issue 16): an accent-free identity key merges name variants, and each identity has a
kind (person, institution, wire) from the author_kinds list that the authors view shows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb

from lso_etl.models import ParseResult, Status
from lso_etl.store import warehouse
from tests.test_warehouse import _article, _item, _run

BYLINES = [
    ("Thuy Linh",), ("Thùy Linh",), ("Thuỳ Linh",),  # one person, three spellings
    ("BBT",), ("PV",), ("Nhóm PV",), ("Báo Nhân Dân",),  # the paper's boards and staff, a paper
    ("TTXVN",),  # a wire credited as the author
    ("Bảo Anh",),  # a person whose name folds like "Báo": accents decide the kind
]  # fmt: skip


def test_variants_merge_and_kinds_are_read_from_the_list(db: Path) -> None:
    items = [
        _item(ParseResult(Status.OK, article=replace(
            _article(), article_id=f"new:{9_100_000 + n}", content_hash=str(n), authors=names
        )))
        for n, names in enumerate(BYLINES)
    ]  # fmt: skip
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        warehouse.load_batch(con, _run(con), items)
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select author_key, kind, name_variants, articles from authors order by author_key"
        ).fetchall()
    assert rows == [
        ("bao anh", "person", ["Bảo Anh"], 1),
        ("bao nhan dan", "institution", ["Báo Nhân Dân"], 1),
        ("bbt", "institution", ["BBT"], 1),
        ("nhom pv", "institution", ["Nhóm PV"], 1),
        ("pv", "institution", ["PV"], 1),
        ("thuy linh", "person", ["Thuy Linh", "Thuỳ Linh", "Thùy Linh"], 3),
        ("ttxvn", "wire", ["TTXVN"], 1),
    ]
