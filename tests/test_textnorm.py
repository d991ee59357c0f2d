"""Normalised shadows: search folding (Python and SQL agree) and author identity keys."""

from __future__ import annotations

import unicodedata

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_etl.store import warehouse
from lso_etl.store.analyst.textnorm import fold, tone_key

VIETNAMESE = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
ALPHABET = VIETNAMESE + VIETNAMESE.upper() + "ÐðĐ0123456789 ,.-–“”'()\n\u00a0\u200b"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nông thôn mới", "nong thon moi"),
        ("NÔNG THÔN MỚI!", "nong thon moi"),
        ("Hoà Bình", "hoa binh"),
        ("Hòa Bình", "hoa binh"),
        ("huyện Ðại Từ", "huyen dai tu"),  # the look-alike Ð (U+00D0)
        ("Đồng Đăng", "dong dang"),
        (unicodedata.normalize("NFD", "Thuỷ Nguyên"), "thuy nguyen"),
        ("5,2% – “tăng”", "5 2 tang"),
    ],
)
def test_fold_strips_accents_tone_placement_and_d(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("variants", "key"),
    [
        (("Thuỳ Linh", "Thùy Linh", "THUỲ LINH"), "thùy linh"),
        (("Hoà Bình", "Hòa Bình"), "hòa bình"),
        (("Uỷ ban", "Ủy ban"), "ủy ban"),
        (("Khoẻ", "Khỏe"), "khỏe"),
        (("Quý", "quý"), "quý"),  # never after q
        (("Hoàng", "HOÀNG"), "hoàng"),  # a closed syllable keeps its placement
    ],
)
def test_tone_key_merges_spelling_variants(variants: tuple[str, ...], key: str) -> None:
    assert {tone_key(v) for v in variants} == {key}


def test_tone_key_keeps_different_names_apart() -> None:
    assert tone_key("Thu Hà") != tone_key("Thu Hạ")
    assert tone_key(unicodedata.normalize("NFD", "Ðức")) == tone_key("Đức") == "đức"


@pytest.fixture(scope="module")
def sql() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    warehouse.migrate(con)
    return con


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60), st.sampled_from(["NFC", "NFD"]))
def test_the_sql_macro_folds_exactly_like_python(
    sql: duckdb.DuckDBPyConnection, text: str, form: str
) -> None:
    text = unicodedata.normalize(form, text)  # type: ignore[arg-type]
    row = sql.execute("select lso_fold(?)", [text]).fetchone()
    assert row == (fold(text),)
