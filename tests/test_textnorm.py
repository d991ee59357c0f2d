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


# The search's own words (warehouse/macros/lso_search_words.sql): an independent reference.
_TONE_LETTERS = {"\u0300": "F", "\u0301": "S", "\u0309": "R", "\u0303": "X", "\u0323": "J"}


def _accented_key(word: str) -> str:
    """The word with its hat, breve and horn, and its tone as one letter at the end."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = "".join(_TONE_LETTERS.get(mark, "") for mark in decomposed)
    bare = "".join(mark for mark in decomposed if mark not in _TONE_LETTERS)
    return unicodedata.normalize("NFC", bare) + tones


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60), st.sampled_from(["NFC", "NFD"]))
def test_the_search_words_fold_like_python(
    sql: duckdb.DuckDBPyConnection, text: str, form: str
) -> None:
    text = unicodedata.normalize(form, text)  # type: ignore[arg-type]
    row = sql.execute(
        "select list_transform(lso_search_words(?), lambda w: lso_search_term(w))", [text]
    ).fetchone()
    assert row == (fold(text).split(),)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=VIETNAMESE, min_size=1, max_size=8), st.sampled_from(["NFC", "NFD"]))
def test_the_accented_key_keeps_every_mark_and_one_tone(
    sql: duckdb.DuckDBPyConnection, word: str, form: str
) -> None:
    if sum(1 for c in unicodedata.normalize("NFD", word) if c in _TONE_LETTERS) > 1:
        return  # no syllable has two tones
    text = unicodedata.normalize(form, word)  # type: ignore[arg-type]
    row = sql.execute(
        "select list_transform(lso_search_words(?), lambda w: lso_search_exact(w))", [text]
    ).fetchone()
    assert row == ([_accented_key(word)],)


@pytest.mark.parametrize(
    ("same", "other"),
    [
        (("hoà", "hòa", "HOÀ"), "hoá"),  # tone placement aside; another tone is another word
        (("thuỷ", "thủy"), "thụy"),
        (("cửa",), "của"),  # the horn stays
        (("đảng", "Ðảng"), "dảng"),  # đ stays đ, the look-alike Ð reads as Đ
    ],
)
def test_the_accented_key_sorts_spellings(
    sql: duckdb.DuckDBPyConnection, same: tuple[str, ...], other: str
) -> None:
    keys = [
        sql.execute("select lso_search_exact(lso_search_words(?)[1])", [w]).fetchone()
        for w in (*same, other)
    ]
    assert len(set(keys[:-1])) == 1 and keys[-1] != keys[0]
