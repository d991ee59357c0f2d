"""Unit and property tests of the pure text rules: characters, datelines, sources, furniture,
bylines and dates (shared/docs/vietnamese-text.md, one test per rule or case)."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_etl.extract.bylines import is_byline, parse_authors, split_title, title_case_name
from lso_etl.extract.clean import (
    _PRINTABLE_ODD,
    _TRANSLATE,
    clean_inline,
    clean_text,
    content_hash,
    dedupe_consecutive,
    garbled_reason,
    is_caption_text,
    is_furniture,
    join_paragraphs,
    shadow,
    split_dateline,
    split_source,
    strip_title_suffix,
    word_count,
)
from lso_etl.extract.dates import VN_TZ, choose_date, parse_any_datetime, parse_vn_datetime
from lso_etl.site.profile import PROFILE


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- §1 characters ---------------------------------------------------------------------------


def test_nfc_first() -> None:
    assert clean_inline(nfd("Hoàng Như")) == "Hoàng Như"
    assert unicodedata.is_normalized("NFC", clean_inline(nfd("Nguyễn Thị Ánh")))


def test_eth_look_alikes_become_d_with_stroke() -> None:
    assert clean_inline("huyện Ðại Từ, ðường") == "huyện Đại Từ, đường"
    assert clean_inline("Ð").lower() == "đ"


@pytest.mark.parametrize("char", ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060",
                                  "\ufeff", "\u00ad", "\u034f", "\u202a", "\u202e"])  # fmt: skip
def test_invisible_characters_are_removed(char: str) -> None:
    assert clean_inline(f"Lạng{char} Sơn") == "Lạng Sơn"
    assert clean_inline(f"Sơn{char}") == "Sơn"


def test_invisible_character_between_letter_and_tone_mark_does_not_block_nfc() -> None:
    assert clean_inline("Vie\u0302\u200b\u0323t") == "Việt"


@pytest.mark.parametrize("space", ["\u00a0", "\u2007", "\u2009", "\u202f", "\u3000"])
def test_odd_spaces_become_spaces_and_collapse(space: str) -> None:
    assert clean_inline(f" 500{space}ha  \t rừng{space}{space}") == "500 ha rừng"


def test_curly_quotes_are_kept() -> None:
    assert clean_inline("phong trào “Ngày Chủ nhật xanh”") == "phong trào “Ngày Chủ nhật xanh”"


def test_paragraph_breaks_are_kept_and_normalised() -> None:
    assert clean_text("Một  hai.\n\n\n Ba\u00a0bốn.\r\nNăm.") == "Một hai.\n\nBa bốn.\n\nNăm."
    assert join_paragraphs(["năm 1965.", "", "Bức ảnh"]) == "năm 1965.\n\nBức ảnh"


# --- §2 shadow, hash, counts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hoà bình", "hòa bình"),
        ("THUỶ", "thủy"),
        ("uỷ ban", "ủy ban"),
        ("khoẻ", "khỏe"),
        ("quý", "quý"),  # qu + ý: never moved
        ("toàn", "toàn"),  # closed syllable
        ("hoặc", "hoặc"),
    ],
)
def test_shadow_has_one_tone_placement(text: str, expected: str) -> None:
    assert shadow(text) == expected


def test_content_hash_is_sha256_of_the_shadow() -> None:
    first = content_hash("Hoà Bình", None, "Nội  dung")
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert first == content_hash("hòa bình", None, nfd("nội dung"))
    assert first != content_hash("Hòa Bình", "Sapo", "Nội dung")


def test_word_count_skips_punctuation_tokens() -> None:
    assert word_count("Sáng 22/4, hội nghị – lần thứ 12.", None, "Hai từ") == 9


# --- §3 dateline -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lead", "dateline", "rest"),
    [
        ("LSO-Chiều nay (26/7), Sở Nội vụ họp", "LSO", "Chiều nay (26/7), Sở Nội vụ họp"),
        ("LSO- Chiều nay", "LSO", "Chiều nay"),
        ("LSO – Chiều nay", "LSO", "Chiều nay"),
        ("(LSO) - Sáng 22/4", "LSO", "Sáng 22/4"),
        ("(BTN) - Sáng 22/4", "BTN", "Sáng 22/4"),
        ("- Năm 2024, huyện", None, "Năm 2024, huyện"),
        ("LSO- - Sáng nay", "LSO", "Sáng nay"),
        ("Sáng nay, tỉnh họp", None, "Sáng nay, tỉnh họp"),
        ("UBND - tỉnh", None, "UBND - tỉnh"),
        ("LSOA-x", None, "LSOA-x"),
    ],
)
def test_dateline(lead: str, dateline: str | None, rest: str) -> None:
    assert split_dateline(lead) == (dateline, rest)


# --- §5 sources and §6 captions, furniture ------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "source"),
    [
        ("Theo TTXVN", "TTXVN"),
        ("(Theo Báo Nhân Dân)", "Báo Nhân Dân"),
        ("Nguồn: VOV", "VOV"),
        ("Theo VnExpress.", "VnExpress"),
        ("Theo ông Hoàng Văn Sáng, giá thạch đen ổn định", None),
        ("theo đó", None),
        ("Theo báo cáo của Ủy ban nhân dân tỉnh về tình hình kinh tế quý I năm 2024", None),
    ],
)
def test_source_lines(line: str, source: str | None) -> None:
    assert split_source(line) == source


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ảnh: Văn Đức/TTXVN", True),
        ("(Ảnh: ĐẶNG TUẤN)", True),
        ("Toàn cảnh hội nghị (Ảnh: ĐẶNG TUẤN)", True),
        ("Ảnh hưởng của mưa lũ đến sản xuất", False),
    ],
)
def test_caption_text(text: str, expected: bool) -> None:
    assert is_caption_text(text) is expected


@pytest.mark.parametrize(
    "text",
    ["Tin liên quan", "Cùng chuyên mục:", "Bài liên quan", "Đọc thêm", "Chia sẻ", "In bài",
     "Gửi email", "4664 Lượt xem", "1.245 lượt xem", "Theo dõi Báo Lạng Sơn trên Google News",
     "Bình luận", "Ý kiến bạn đọc", ""],
)  # fmt: skip
def test_furniture(text: str) -> None:
    assert is_furniture(text)


def test_furniture_is_not_a_sentence_that_starts_like_it() -> None:
    assert not is_furniture("Chia sẻ với phóng viên, ông A cho biết gia đình trồng hai héc-ta.")
    assert not is_furniture("Xem thêm các nội dung của kế hoạch tại cổng thông tin.")
    assert is_furniture("Xem thêm: Khởi công tuyến đường mới", link_ratio=0.8)
    assert is_furniture("Khởi công tuyến đường mới", link_ratio=0.6)


def test_a_caption_repeated_twice_in_a_row_is_kept_once() -> None:
    assert dedupe_consecutive(["Toàn cảnh", "toàn  cảnh", "Đại biểu", "Toàn cảnh"]) == (
        "Toàn cảnh",
        "Đại biểu",
        "Toàn cảnh",
    )


@pytest.mark.parametrize(
    ("title", "headline"),
    [
        ("Cao Lộc ra quân - Báo Lạng Sơn", "Cao Lộc ra quân"),
        ("Cao Lộc ra quân – Báo Lạng Sơn: Tin tức mới nhất về chính trị", "Cao Lộc ra quân"),
        ("Hội nghị - lần 2 - Báo Lạng Sơn", "Hội nghị - lần 2"),
        (" - Báo Lạng Sơn", ""),
        ("Không hậu tố", "Không hậu tố"),
    ],
)
def test_title_suffix(title: str, headline: str) -> None:
    assert strip_title_suffix(title, PROFILE.title_suffixes) == headline


def test_garbled_text_is_flagged() -> None:
    assert (
        garbled_reason("ViÖt Nam lµ mét n­íc ®éc lËp, nh©n d©n ta ®ang x©y dùng ®Êt n­íc") is not None
    )
    assert garbled_reason("Toâi vieát thö cho baïn ñeå hoûi thaêm söùc khoûe gia ñình vaø baïn beø")
    good = "Trong 6 tháng cuối năm, Sở Nội vụ tiếp tục chú trọng tuyển dụng công chức, viên chức."
    assert garbled_reason(good) is None
    assert garbled_reason(good.encode("utf-8").decode("cp1252", errors="replace")) is not None
    assert garbled_reason("\ufffd" * 10) is not None


# --- §5 bylines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("ĐẶNG DŨNG", ("Đặng Dũng",)),
        ("BBT", ("BBT",)),
        ("MINH ĐỨC – HOÀNG NHƯ", ("Minh Đức", "Hoàng Như")),
        ("MINH ĐỨC - HOÀNG NHƯ", ("Minh Đức", "Hoàng Như")),
        ("MINH ĐỨC & HOÀNG NHƯ", ("Minh Đức", "Hoàng Như")),
        ("MINH ĐỨC VÀ HOÀNG NHƯ", ("Minh Đức", "Hoàng Như")),
        ("MINH ĐỨC, HOÀNG NHƯ, THU HÀ", ("Minh Đức", "Hoàng Như", "Thu Hà")),
        ("HỒ CẦU-TTXVN", ("Hồ Cầu-TTXVN",)),
        ("VĂN ĐỨC/TTXVN", ("Văn Đức/TTXVN",)),
        ("Bài, ảnh: THU HÀ", ("Thu Hà",)),
        ("Tin, ảnh: VĂN TÂN", ("Văn Tân",)),
        ("Bài và ảnh: AN NHIÊN – MẠNH HÙNG", ("An Nhiên", "Mạnh Hùng")),
        ("NHÓM PV", ("Nhóm PV",)),
        ("Nhóm PV thực hiện", ("Nhóm PV",)),
        ("THU HÀ thực hiện", ("Thu Hà",)),
        ("PV", ("PV",)),
        ("P.V", ("P.V",)),
        ("CTV", ("CTV",)),
        ("BTV", ("BTV",)),
        ("PV (tổng hợp)", ("PV",)),
        ("H'HEN NIÊ", ("H'Hen Niê",)),
        ("Y MOAN", ("Y Moan",)),
        ("ThS. NGUYỄN VĂN AN", ("Nguyễn Văn An",)),
        ("PGS.TS TRẦN THỊ BÌNH", ("Trần Thị Bình",)),
        ("Đại tá LÊ VĂN BA", ("Lê Văn Ba",)),
        ("ThS.BS NGUYỄN VĂN AN", ("Nguyễn Văn An",)),  # titles chain
        ("PGS. TS. TRẦN BÌNH – ThS LÊ AN", ("Trần Bình", "Lê An")),
    ],
)
def test_bylines(line: str, authors: tuple[str, ...]) -> None:
    assert is_byline(line)
    assert parse_authors(line) == authors
    assert parse_authors(nfd(line)) == authors  # title-casing after NFC, not "ĐứC"


@pytest.mark.parametrize(
    "line",
    [
        "Ngay sau lễ khánh thành, bà con đã đi qua cầu mới.",
        "Thu Hà",  # a name in lower case could be any short sentence
        "Theo TTXVN",
        "MỘT DÒNG CHỮ HOA RẤT DÀI KHÔNG THỂ LÀ TÊN TÁC GIẢ CỦA BÀI BÁO NÀY ĐƯỢC",
    ],
)
def test_not_bylines(line: str) -> None:
    assert not is_byline(line)


def test_titles_are_split_off() -> None:
    assert split_title("NSƯT Hoàng Thị Mai") == ("NSƯT", "Hoàng Thị Mai")
    assert split_title("ths. Lê Văn Tám") == ("ThS", "Lê Văn Tám")
    assert split_title("Tạ Thu Hà") == (None, "Tạ Thu Hà")
    assert split_title("ThS.BS Nguyễn Văn An") == ("ThS.BS", "Nguyễn Văn An")
    assert split_title("TSÁNG A") == (None, "TSÁNG A")  # a title ends at a dot or a space


def test_title_case_keeps_mixed_case_words() -> None:
    assert title_case_name("Đặng Dũng") == "Đặng Dũng"
    assert title_case_name("NGUYỄN ThS") == "Nguyễn ThS"


# --- §4 dates ---------------------------------------------------------------------------------


def vn(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15:47 | 26/07/2017", vn(2017, 7, 26, 15, 47)),
        ("Thứ Tư, 26/07/2017 16:05", vn(2017, 7, 26, 16, 5)),
        ("Thứ Tư, 26/07/2017 15:47 [GMT+7]", vn(2017, 7, 26, 15, 47)),
        ("Thứ sáu: 15:00 ngày 09/02/2024", vn(2024, 2, 9, 15, 0)),
        ("Chủ nhật, ngày 08 tháng 12 năm 2024 16:02 (GMT +7)", vn(2024, 12, 8, 16, 2)),
        ("09:08, 16/08/2022", vn(2022, 8, 16, 9, 8)),
        ("14:38 18/09/2020", vn(2020, 9, 18, 14, 38)),
        ("Thứ bảy, 16/06/2018 14:00 PM", vn(2018, 6, 16, 14, 0)),
        ("THỨ HAI, 06/01/2025", vn(2025, 1, 6)),
        ("Thứ 4, 26/07/2017 15:47:09", vn(2017, 7, 26, 15, 47, 9)),
        ("26/07/2017", vn(2017, 7, 26)),
    ],
)
def test_date_formats(text: str, expected: datetime) -> None:
    got = parse_vn_datetime(text)
    assert got == expected
    assert got is not None and got.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "text",
    [
        "Thứ Hai, 26/07/2017 15:47",  # 26/07/2017 was a Wednesday
        "Chủ nhật, 26/07/2017",
        "31/02/2020 10:00",
        "26/07/2017 25:61",
        "Rằm tháng Giêng",
        "12 đến 14/2 âm lịch",
        "mồng mười tháng ba",
        "hôm qua",
        "",
    ],
)
def test_dates_rejected(text: str) -> None:
    assert parse_vn_datetime(text) is None


def test_iso_metadata_dates() -> None:
    assert parse_any_datetime("2017-07-26T15:47:00+07:00") == vn(2017, 7, 26, 15, 47)
    assert parse_any_datetime("2017-07-26T08:47:00Z") == vn(2017, 7, 26, 15, 47)
    assert parse_any_datetime("2017-07-26T15:47:00") == vn(2017, 7, 26, 15, 47)
    stamp = parse_any_datetime("2017-07-26T08:47:00Z")
    assert stamp is not None and stamp.tzinfo == VN_TZ
    assert parse_any_datetime("2017-13-45T00:00:00") is None


FETCHED = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam


def test_choose_date_prefers_order_and_rejects_the_future() -> None:
    candidates = [("meta:x", "2031-01-01T00:00:00+07:00"), ("current:div.date", "26/07/2017")]
    assert choose_date(candidates, FETCHED) == (vn(2017, 7, 26), "current:div.date")
    assert choose_date([("a", "Thứ Sáu, 27/11/2026 10:00")], FETCHED) is None  # after the fetch


def test_choose_date_fetch_day_only_when_nothing_else() -> None:
    today = ("meta:x", "2026-11-27T08:00:00+07:00")
    assert choose_date([today, ("b", "26/07/2017")], FETCHED) == (vn(2017, 7, 26), "b")
    assert choose_date([today], FETCHED) == (vn(2026, 11, 27, 8, 0), "meta:x")
    assert choose_date([("a", "không rõ"), ("b", "01/01/1900")], FETCHED) is None


def test_choose_date_fetch_day_prefers_a_time_of_day_to_a_bare_header_date() -> None:
    header, article = ("div.date", "Thứ Sáu, 27/11/2026"), ("div.date", "27/11/2026 07:30")
    assert choose_date([header, article], FETCHED) == (vn(2026, 11, 27, 7, 30), "div.date")
    assert choose_date([header], FETCHED) == (vn(2026, 11, 27), "div.date")


def test_choose_date_accepts_a_naive_fetch_time_as_utc() -> None:
    assert choose_date([("a", "26/07/2017")], datetime(2026, 1, 1)) == (vn(2017, 7, 26), "a")


# --- properties -------------------------------------------------------------------------------

VIETNAMESE = st.lists(
    st.sampled_from(
        [
            *"aăâbdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ ÐðáàảãạếềểễệốồổỗộứừửữựĐ,.-–&:()'\n",
            *("\u0301", "\u0300", "\u0323", "\u200b", "\ufeff", "\u00a0", "\u00ad"),
            *(" và ", "LSO-"),
        ]
    ),
    max_size=60,
).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=80), VIETNAMESE)
PROPERTY = settings(max_examples=400, deadline=None)


@PROPERTY
@given(ANY_TEXT)
def test_clean_inline_is_idempotent_and_nfc(text: str) -> None:
    once = clean_inline(text)
    assert clean_inline(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\n" not in once and "\u00a0" not in once and "\u200b" not in once


def slow_clean_inline(text: str) -> str:
    """The rule itself, without the fast path for text that is clean already."""
    text = unicodedata.normalize("NFC", text.translate(_TRANSLATE))
    return " ".join(text.split())


@PROPERTY
@given(st.one_of(ANY_TEXT, st.text(alphabet=st.characters(), max_size=40)))
def test_the_fast_path_of_clean_inline_changes_nothing(text: str) -> None:
    assert clean_inline(text) == slow_clean_inline(text)
    assert clean_inline(" ".join(text.split())) == slow_clean_inline(" ".join(text.split()))


@PROPERTY
@given(st.one_of(ANY_TEXT, st.text(alphabet=st.characters(), max_size=40)))
def test_the_fast_path_of_clean_text_changes_nothing(text: str) -> None:
    lines = (slow_clean_inline(line) for line in text.translate(_TRANSLATE).splitlines())
    assert clean_text(text) == "\n\n".join(line for line in lines if line)


def test_the_fast_path_knows_every_printable_character_it_must_change() -> None:
    printable = {chr(c) for c in _TRANSLATE if chr(c).isprintable()}
    assert printable == set(_PRINTABLE_ODD)  # what the fast paths look for by name


@PROPERTY
@given(ANY_TEXT)
def test_clean_text_is_idempotent_and_nfc(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert unicodedata.is_normalized("NFC", once)


@PROPERTY
@given(ANY_TEXT)
def test_split_dateline_is_idempotent(text: str) -> None:
    _, rest = split_dateline(text)
    assert split_dateline(rest) == (None, rest)
    assert unicodedata.is_normalized("NFC", rest)


@PROPERTY
@given(ANY_TEXT)
def test_bylines_are_total_idempotent_and_nfc(text: str) -> None:
    is_byline(text)
    for name in parse_authors(text):
        assert unicodedata.is_normalized("NFC", name)
        assert title_case_name(name) == name
    cased = title_case_name(text)
    assert title_case_name(cased) == cased


@PROPERTY
@given(st.lists(ANY_TEXT, max_size=6))
def test_dedupe_is_idempotent(items: list[str]) -> None:
    once = dedupe_consecutive(items)
    assert dedupe_consecutive(once) == once
    assert all(unicodedata.is_normalized("NFC", item) for item in once)


@PROPERTY
@given(ANY_TEXT)
def test_shadow_is_idempotent_and_nfc(text: str) -> None:
    once = shadow(text)
    assert shadow(once) == once
    assert unicodedata.is_normalized("NFC", once)


@PROPERTY
@given(ANY_TEXT)
def test_other_text_rules_never_raise(text: str) -> None:
    split_source(text)
    is_caption_text(text)
    is_furniture(text, 0.3)
    garbled_reason(text)
    word_count(text)
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash(text, None, text))


DATEY = st.lists(
    st.sampled_from(
        [*"0123456789/:|-, []()", "Thứ ", "ngày ", "tháng ", "năm ", "Chủ nhật", "PM", "GMT+7"]
    ),
    max_size=30,
).map("".join)


@PROPERTY
@given(st.one_of(DATEY, st.text(max_size=40)))
def test_date_parsing_never_raises_and_is_aware(text: str) -> None:
    for stamp in (parse_vn_datetime(text), parse_any_datetime(text)):
        assert stamp is None or stamp.tzinfo is not None
    choose_date([("a", text)], FETCHED)
