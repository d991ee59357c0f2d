"""Golden pages: each tests/fixtures/pages/<case>.html is parsed and compared with <case>.json,
which was written by reading the page, not by printing the parser's output."""

from __future__ import annotations

import json
import re
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lso_etl.extract.decode import decode_page
from lso_etl.extract.fields import safe_join
from lso_etl.extract.parse import PARSER_VERSION, RECORD_KEYS, parse_page, parse_page_strict, record
from lso_etl.extract.prescan.limits import MAX_DEPTH
from lso_etl.models import RawPage, Status

PAGES = Path(__file__).parent / "fixtures" / "pages"
CASES = sorted(p.stem for p in PAGES.glob("*.json"))
NOT_COMPARED = ("content_hash", "parser_version")
URL = "https://baolangson.vn/bai-viet-thu-nghiem-5012345.html"
FETCHED = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def load(case: str) -> tuple[RawPage, dict[str, Any]]:
    spec = json.loads((PAGES / f"{case}.json").read_text(encoding="utf-8"))
    page = spec["page"]
    raw = RawPage(
        requested_url=page["requested_url"],
        url=page["url"],
        status=page["status"],
        headers=page["headers"],
        content=(PAGES / f"{case}.html").read_bytes(),
        fetched_at=datetime.fromisoformat(page["fetched_at"]),
    )
    return raw, spec["expected"]


def make_page(html: str | bytes, headers: dict[str, str] | None = None, **kw: Any) -> RawPage:
    content = html.encode("utf-8") if isinstance(html, str) else html
    fields: dict[str, Any] = {
        "requested_url": URL,
        "url": URL,
        "status": 200,
        "headers": {"Content-Type": "text/html; charset=UTF-8"} if headers is None else headers,
        "content": content,
        "fetched_at": FETCHED,
    }
    return RawPage(**(fields | kw))


# Which golden pages exercise each rule of site-notes.md and vietnamese-text.md. Every page
# must say what it covers, and every rule must have a page.
COVERAGE = {
    "current layout": ["current_basic", "current_bold_byline", "current_meta_date"],
    "older layout": ["legacy_basic", "legacy_strong_caption", "legacy_dateline_paragraph"],
    "fallback for a redesign": ["fallback_generic", "fallback_redesign_time"],
    "header-date trap": ["current_basic", "legacy_basic", "current_header_div_date", "legacy_no_date_lunar"],
    "metadata date wins over visible": ["current_meta_date", "current_jsonld_graph", "current_meta_author_site"],
    "metadata date in the future": ["current_future_meta"],
    "no publish date": ["current_no_date", "legacy_no_date_lunar", "current_weekday_contradiction"],
    "weekday contradicts the date": ["current_weekday_contradiction"],
    "date formats": ["legacy_basic", "legacy_table_source", "current_long_date_gmt", "current_invisible_nfd"],
    "fetch-day date when nothing else": ["current_same_day"],
    "JSON-LD NewsArticle": ["current_meta_date", "current_jsonld_graph", "current_meta_author_site"],
    "bold lead + bold byline": ["current_bold_byline", "current_meta_date", "current_hhen_nie_nfd_byline"],
    "datelines LSO-, (LSO) -, orphan -": ["current_basic", "current_bold_byline", "legacy_dateline_paragraph", "current_invisible_nfd"],
    "lead without dateline": ["current_title_byline", "current_nguon_source_byline", "current_gallery_vov"],
    "table captions": ["current_basic", "legacy_table_source", "legacy_www_http_query"],
    "figure captions": ["current_bold_byline", "current_comma_authors", "fallback_redesign_time"],
    "repeated captions": ["legacy_basic", "current_repeated_caption", "legacy_strong_caption"],
    "photo credits": ["current_caption_credit_lines"],
    "inline Tin liên quan": ["current_bold_byline", "legacy_dateline_paragraph"],
    "link-dense block": ["current_link_dense_block"],
    "counters, share buttons, comments": ["legacy_table_source", "current_counters_comments", "current_gallery_vov"],
    "capital byline": ["current_basic", "legacy_basic", "current_lookalike_eth"],
    "role byline": ["current_role_byline", "legacy_windows1258", "current_www_query_url", "current_meta_author_site"],
    "several authors": ["current_bold_byline", "current_comma_authors", "current_future_meta", "legacy_strong_caption"],
    "token byline (PV, BTV, Nhóm PV)": ["current_long_date_gmt", "current_same_day", "current_invisible_nfd", "legacy_dateline_paragraph"],
    "title before a name": ["current_title_byline"],
    "apostrophe and one-syllable names": ["legacy_windows1258", "current_hhen_nie_nfd_byline"],
    "wire or paper source": ["current_wire_source", "legacy_table_source", "current_caption_credit_lines", "current_gallery_vov", "current_nguon_source_byline"],
    "a sentence is no source or byline": ["current_theo_sentence_not_source"],
    "NFD text": ["current_invisible_nfd", "current_hhen_nie_nfd_byline"],
    "windows-1258": ["legacy_windows1258"],
    "invisible and look-alike characters": ["current_invisible_nfd", "current_lookalike_eth"],
    "legacy 8-bit font flagged": ["legacy_tcvn3_font"],
    "listing page": ["listing_section", "listing_at_article_url", "listing_home_summaries"],
    "soft-404 and 404": ["soft_404", "soft_404_legacy", "http_404"],
    "empty or too short body": ["empty_body", "current_short_body"],
    "gallery": ["current_gallery_vov"],
    "www. and a query string": ["current_www_query_url", "legacy_www_http_query"],
    "http and https": ["legacy_basic", "legacy_www_http_query", "soft_404_legacy", "current_basic"],
    "data table in the body": ["current_data_table"],
    "metadata pushed out of <head> by a tracking pixel": ["current_head_tracking_pixel"],
    "date line inside the body container": ["current_date_line_in_body", "legacy_date_line_in_body"],
    "tags as links in a tag box": ["current_tag_box", "legacy_tag_box"],
    "tags in <head> metadata": ["current_meta_date", "current_jsonld_graph", "current_head_tracking_pixel"],
    "two-level breadcrumb": ["current_two_level_breadcrumb", "legacy_tag_box", "legacy_basic", "legacy_date_line_in_body"],
    "subsection from the URL path": ["legacy_url_subsection"],
    "modification date": ["current_meta_date", "current_jsonld_graph", "current_tag_box", "legacy_tag_box", "current_date_line_in_body"],
}  # fmt: skip


def test_there_are_enough_golden_pages() -> None:
    assert len(CASES) >= 40
    layouts = {load(c)[1]["layout"] for c in CASES}
    assert {"current", "legacy", "fallback"} <= layouts
    statuses = {load(c)[1]["status"] for c in CASES}
    assert statuses == {"ok", "not_article", "failed"}


def test_every_rule_has_a_golden_page_and_every_page_a_rule() -> None:
    named = {case for cases in COVERAGE.values() for case in cases}
    assert named <= set(CASES), named - set(CASES)
    assert set(CASES) <= named, set(CASES) - named


def html_text(case: str) -> str:
    return (PAGES / f"{case}.html").read_bytes().decode("utf-8", errors="replace")


def test_the_coverage_pages_really_have_what_they_cover() -> None:
    """The map above is checked against the pages, so it cannot drift into fiction."""
    for case in COVERAGE["http and https"][:3]:
        page, expected = load(case)
        assert page.url.startswith("http://") and expected["url"].startswith("https://")
    for case in COVERAGE["www. and a query string"]:
        page, expected = load(case)
        assert "www." in page.url and "?" in page.url
        assert "www." not in expected["url"] and "?" not in expected["url"]
    for case in COVERAGE["header-date trap"]:
        page, expected = load(case)
        day = page.fetched_at.strftime("%d/%m/%Y")
        assert day in html_text(case)  # the header shows the fetch day...
        assert not str(expected["published_at"]).startswith(page.fetched_at.date().isoformat())
    for case in COVERAGE["no publish date"]:
        assert load(case)[1]["published_at"] is None
    for case in COVERAGE["NFD text"]:
        text = html_text(case)
        assert unicodedata.normalize("NFC", text) != text
    assert "windows-1258" in html_text("legacy_windows1258")
    for case in COVERAGE["invisible and look-alike characters"]:
        text = html_text(case)
        assert "Ð" in text or "\u200b" in text or "&#8203;" in text
    for case in COVERAGE["several authors"]:
        assert len(load(case)[1]["authors"]) >= 2
    pixel = html_text("current_head_tracking_pixel")
    assert (
        pixel.index("<noscript><img")
        < pixel.index('<link rel="canonical"')
        < pixel.index("</head>")
    )
    for case in COVERAGE["listing page"]:
        assert str(load(case)[1]["reason"]).startswith(("listing page", "not an article URL"))


@pytest.mark.parametrize("case", CASES)
def test_golden_page(case: str) -> None:
    page, expected = load(case)
    got = record(parse_page(page), page.url)
    assert list(got) == list(RECORD_KEYS)
    for key in RECORD_KEYS:
        if key not in NOT_COMPARED:
            assert got[key] == expected[key], key
    assert got["parser_version"] == PARSER_VERSION
    if got["status"] == "ok":
        assert re.fullmatch(r"[0-9a-f]{64}", str(got["content_hash"]))
    else:
        assert got["content_hash"] is None


@pytest.mark.parametrize("case", CASES)
def test_every_extracted_field_says_which_rule_produced_it(case: str) -> None:
    page, _ = load(case)
    got = record(parse_page(page), page.url)
    if got["status"] != "ok":
        return
    provenance = got["provenance"]
    assert isinstance(provenance, dict)
    assert {"url", "encoding", "headline", "body"} <= provenance.keys()
    for key in ("sapo", "dateline", "authors", "source", "captions", "images", "published_at"):
        assert bool(got[key]) == (key in provenance), key
    for key in ("modified_at", "section", "subsection", "tags"):
        assert bool(got[key]) == (key in provenance), key


# --- pages built in the test: one behaviour each ------------------------------------------

BODY = (
    "<p>Sáng nay, đoàn công tác của tỉnh đã kiểm tra tiến độ xây dựng tuyến đường nối trung tâm "
    "huyện với các xã vùng cao, yêu cầu nhà thầu bảo đảm chất lượng và an toàn lao động.</p>"
    "<p>Đại diện chủ đầu tư cho biết công trình đã hoàn thành khoảng 70% khối lượng, dự kiến "
    "đưa vào sử dụng trước mùa mưa năm sau.</p>"
)


def current(body: str = BODY, head: str = "", date: str = "", after: str = "") -> str:
    return (
        f"<html><head><title>Kiểm tra tuyến đường vùng cao - Báo Lạng Sơn</title>{head}</head>"
        "<body><div class='top-date'>Thứ Sáu, 27/11/2026</div>"
        "<h1 class='name'>Kiểm tra tuyến đường vùng cao</h1>"
        f"<div class='date'>{date}</div><div id='content-detail'>{body}</div>{after}</body></html>"
    )


def parsed(html: str | bytes, **kw: Any) -> dict[str, Any]:
    page = make_page(html, **kw)
    return record(parse_page(page), page.url)


@pytest.mark.parametrize(
    ("status", "verdict"), [(404, "not_article"), (410, "not_article"), (500, "failed")]
)
def test_http_errors(status: int, verdict: str) -> None:
    assert parsed(current(), status=status)["status"] == verdict


def test_not_html_and_empty_responses() -> None:
    assert parsed(b"\x89PNG", headers={"Content-Type": "image/png"})["status"] == "not_article"
    assert parsed(b"  \n", headers={})["reason"] == "empty response"


def to_cp1258(text: str) -> bytes:
    """windows-1258 has the vowels with circumflex/breve/horn but puts tones in combining marks."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        marks = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in marks if c not in TONE_MARKS))
        out += (base + "".join(c for c in marks if c in TONE_MARKS)).encode("cp1258")
    return bytes(out)


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def test_header_charset_wins_over_meta() -> None:
    html = current().replace("<head>", "<head><meta charset='utf-8'>")
    content = to_cp1258(html)
    got = parsed(content, headers={"Content-Type": "text/html; charset=windows-1258"})
    assert got["headline"] == "Kiểm tra tuyến đường vùng cao"
    assert got["provenance"]["encoding"] == "header:cp1258"


def test_undeclared_bytes_that_are_not_utf8_are_garbage() -> None:
    content = current().encode("utf-8").replace("ư".encode(), b"\xff\xfe")
    got = parsed(content, headers={})
    assert (got["status"], got["reason"]) == ("failed", "decoding garbage: replacement characters")


def test_legacy_font_text_is_flagged_not_guessed() -> None:
    tcvn3 = "<p>" + "ViÖt Nam lµ mét n­íc ®éc lËp, nh©n d©n ta ®ang x©y dùng ®Êt n­íc. " * 4 + "</p>"
    got = parsed(current(body=tcvn3))
    assert got["status"] == "failed"
    assert str(got["reason"]).startswith("decoding garbage")


def test_canonical_link_for_another_article_is_ignored() -> None:
    head = "<link rel='canonical' href='https://baolangson.vn/bai-khac-5099999.html'>"
    got = parsed(current(head=head))
    assert got["url"] == URL
    assert got["provenance"]["url"] == "url:classify"


def test_replay_host_gives_canonical_urls() -> None:
    local = "http://127.0.0.1:8765/bai-viet-thu-nghiem-5012345.html?utm=x"
    body = (
        "<figure><img src='/uploads/a.jpg'><figcaption>Toàn cảnh công trình</figcaption></figure>"
    )
    got = parsed(current(body=body + BODY), url=local, requested_url=local)
    assert got["url"] == URL
    assert got["images"] == [
        {"src": "https://baolangson.vn/uploads/a.jpg", "caption": "Toàn cảnh công trình"}
    ]


def test_weekday_contradiction_rejects_the_date() -> None:
    got = parsed(current(date="Thứ Hai, 26/07/2017 15:47 [GMT+7]"))  # 26/07/2017 was a Wednesday
    assert got["published_at"] is None
    assert "published_at" not in got["provenance"]


def test_metadata_date_of_the_fetch_day_loses_to_the_visible_date() -> None:
    head = "<meta property='article:published_time' content='2026-11-27T08:00:00+07:00'>"
    got = parsed(current(head=head, date="Thứ Tư, 26/07/2017 15:47"))
    assert got["published_at"] == "2017-07-26T15:47:00+07:00"
    assert got["provenance"]["published_at"] == "current:div.date"


def test_related_links_and_comments_stay_out_of_the_body() -> None:
    extra = (
        "<p>Xem thêm: <a href='/bai-khac-5000001.html'>Khởi công tuyến đường mới</a></p>"
        "<p>4.664 Lượt xem</p><p>Ý kiến bạn đọc</p><p>Bài viết rất hay, cảm ơn tác giả.</p>"
    )
    got = parsed(current(body=BODY + extra))
    assert "Xem thêm" not in got["body"]
    assert "Lượt xem" not in got["body"]
    assert "cảm ơn tác giả" not in got["body"]
    assert got["body"].count("\n\n") == 1


def test_hash_ignores_tone_placement_case_and_normal_form() -> None:
    one = parsed(current(body=BODY.replace("bảo đảm", "hoà thuận bảo đảm")))
    two = parsed(current(body=BODY.replace("bảo đảm", "hòa thuận bảo đảm")))
    nfd = parsed(current(body=BODY.replace("bảo đảm", "hoà thuận bảo đảm")).encode("utf-8"))
    assert one["content_hash"] == two["content_hash"] == nfd["content_hash"]
    assert one["body"] != two["body"]  # the text itself is stored as published


def test_parsing_is_deterministic() -> None:
    page, _ = load("current_basic")
    assert record(parse_page(page), page.url) == record(parse_page(page), page.url)


def test_record_of_a_refusal_has_every_key() -> None:
    got = parsed(current(), url="https://baolangson.vn/thoi-su")
    assert list(got) == list(RECORD_KEYS)
    assert (got["status"], got["article_id"], got["authors"]) == ("not_article", None, [])


def test_no_headline_is_not_an_article() -> None:
    html = f"<html><head><title> - Báo Lạng Sơn</title></head><body><div id='content-detail'>{BODY}</div></body></html>"
    assert parsed(html)["reason"] == "no headline"


def test_short_body_fails() -> None:
    got = parsed(current(body="<p>Tin đang cập nhật.</p>"))
    assert got["status"] == "failed"
    assert str(got["reason"]).startswith("body too short")


# --- totality ------------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "<p>", "</p>", "<strong>", "</strong>", "<em>", "<br>", "<img src='/a.jpg' alt='Ảnh'>",
        "<div id='content-detail'>", "<div class='content'>", "</div>", "<table><tr><td>",
        "<h1 class='name'>", "</h1>", "<figure>", "<figcaption>", "LSO-", "Theo TTXVN",
        "ĐẶNG DŨNG", "Thứ Tư, 26/07/2017 15:47", "<a href='/x-5000001.html'>", "</a>", "&nbsp;",
        "<script type='application/ld+json'>{\"@type\":\"NewsArticle\",\"author\":[[[",
        "<meta property='article:published_time' content='9999-99-99'>", "\u200b", "Ð",
        "<link rel='canonical' href='http://[::1'>", "<div class='date'>", "Tin liên quan",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_parse_never_raises_on_bytes(content: bytes) -> None:
    result = parse_page_strict(make_page(content))
    assert result.status in set(Status)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=30)), max_size=60))
def test_parse_never_raises_on_html_soup(parts: list[str]) -> None:
    result = parse_page_strict(make_page("".join(parts)))
    assert result.status in set(Status)
    assert (result.article is not None) == (result.status is Status.OK)


BASES = [URL, "http://127.0.0.1:8765/a/b.html?x=1#f", "https://www.baolangson.vn", "http://[::1",
         "https://user:pw@host:80/p", "ftp://x/y", "https://bảo.vn/x", "https:///x"]  # fmt: skip
HREFS = st.text(alphabet="/ab.?#%ă-:@[];,=&+ \t\\_~²", max_size=12)


ORIGINS = st.sampled_from(
    ["https://baolangson.vn", "http://127.0.0.1:80", "https://", "http://[::1]"]
)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(BASES),
    st.one_of(HREFS.map(lambda href: "/" + href), HREFS, st.tuples(ORIGINS, HREFS).map("".join)),
)
def test_the_fast_join_agrees_with_urljoin(base: str, href: str) -> None:
    try:
        want: str | None = urljoin(base, href)
    except ValueError:
        want = None
    assert safe_join(base, href) == want


def test_bold_caption_under_an_image_on_the_old_cms() -> None:
    body = (
        "<p><strong>LSO-Ngày 4/3, huyện tổ chức hội nghị tổng kết công tác năm.</strong></p>"
        "<p style='text-align:center'><img src='/uploads/2019/03/05/a.jpg' alt=''></p>"
        "<p><strong>Quang cảnh hội nghị</strong></p>" + BODY
    )
    html = (
        "<html><head><title>Tổng kết công tác năm - Báo Lạng Sơn</title></head><body>"
        "<h1 class='title'>Tổng kết công tác năm</h1><p class='post-date'>08:30 | 05/03/2019</p>"
        f"<div class='content'>{body}</div></body></html>"
    )
    old = "https://baolangson.vn/xa-hoi/doi-song/301234-tong-ket.html"
    got = parsed(html, url=old)
    assert got["layout"] == "legacy"
    assert got["captions"] == ["Quang cảnh hội nghị"]
    assert got["provenance"]["captions"] == "html:p-after-img"
    assert not str(got["body"]).startswith("Quang cảnh")


def test_a_bold_lead_under_an_image_is_not_its_caption() -> None:
    body = (
        "<figure><img src='/uploads/a.jpg' alt=''></figure>"
        "<p><strong>Đoàn công tác của tỉnh kiểm tra tuyến đường vùng cao.</strong></p>" + BODY
    )
    got = parsed(current(body=body))
    assert got["sapo"] == "Đoàn công tác của tỉnh kiểm tra tuyến đường vùng cao."
    assert got["captions"] == []
    assert got["images"] == [{"src": "https://baolangson.vn/uploads/a.jpg", "caption": None}]


def test_fallback_ignores_a_logo_heading_and_the_header_date() -> None:
    html = (
        "<html><head><meta property='og:title' content='Kiểm tra tuyến đường vùng cao'></head>"
        "<body><div class='top'><h1 class='logo'>Báo Lạng Sơn</h1><span>Thứ Năm, 26/11/2026</span>"
        "</div><div class='story'><h1>Kiểm tra tuyến đường vùng cao</h1>"
        f"<div class='info'>Đăng lúc 14:38 18/09/2020</div><div class='text'>{BODY}</div></div>"
        "</body></html>"
    )
    got = parsed(html)
    assert (got["layout"], got["headline"]) == ("fallback", "Kiểm tra tuyến đường vùng cao")
    assert got["published_at"] == "2020-09-18T14:38:00+07:00"


def test_jsonld_publisher_as_author_names_nobody() -> None:
    head = (
        '<script type=\'application/ld+json\'>{"@graph": [{"@type": "NewsArticle",'
        ' "author": {"@type": "Organization", "name": "Báo Lạng Sơn điện tử"},'
        ' "datePublished": "2020-09-18T14:38:00+07:00"}]}</script>'
    )
    got = parsed(current(head=head, after="<div class='pseudonym'>VĂN TÂN</div>"))
    assert got["authors"] == ["Văn Tân"]
    assert got["provenance"]["authors"] == "current:div.pseudonym"
    assert got["provenance"]["published_at"] == "jsonld:datePublished"


def test_nested_furniture_is_dropped_in_one_pass_without_harm() -> None:
    """Furniture inside furniture (a script in a form in a related box): every match of the
    drop selectors goes, descendants before their ancestors."""
    box = (
        "<div class='block-news-list'><form><script>var a = 1;</script><button><svg></svg>"
        "Thứ Sáu, 27/11/2026</button></form><div class='date'>Thứ Hai, 01/01/2024</div></div>"
    )
    got = parsed(current(body=box + BODY + "<form><select><option>x</option></select></form>",
                         after=box))  # fmt: skip
    assert got["status"] == "ok"
    assert got["published_at"] is None  # the boxes' div.date went with them
    assert "var a" not in got["body"] and got["body"].count("\n\n") == 1


def test_the_paper_named_beside_an_author_is_dropped() -> None:
    head = "<meta name='author' content='Minh Đức - Báo Lạng Sơn'>"
    got = parsed(current(head=head))
    assert (got["authors"], got["provenance"]["authors"]) == (["Minh Đức"], "meta:author")


def test_the_site_name_and_tagline_is_no_headline() -> None:
    html = (
        "<html><head><title>Báo Lạng Sơn – Tin tức mới nhất về chính trị, kinh tế</title></head>"
        f"<body><div id='content-detail'>{BODY}</div></body></html>"
    )
    assert parsed(html)["reason"] == "no headline"
    titled = html.replace("<title>", "<title>Báo Lạng Sơn điện tử ra mắt giao diện mới | ")
    assert parsed(titled)["headline"] == "Báo Lạng Sơn điện tử ra mắt giao diện mới"


@pytest.mark.parametrize("opening", ["<b>", "<div>", "<ul><li>", "<table><tr><td>"])
def test_deeply_nested_markup_does_not_exhaust_the_stack(opening: str) -> None:
    """Nesting far past the walks' own depth guard (100) still parses; past the scan's limits
    (MAX_DEPTH, and the walk budget that bounds what deep trees cost Lexbor) the page fails
    with the reason, fast, instead of costing quadratic time."""
    deep = opening * 500
    result = parse_page_strict(make_page(current(body=deep + BODY)))
    assert result.status is Status.OK
    assert result.article is not None and "đoàn công tác" in result.article.body
    # This thread's CPU time, not the wall clock: the cost is the parser's, whatever else
    # runs on the machine (a loaded machine or a parallel test worker failed a wall clock).
    began = time.thread_time()
    refused = parse_page_strict(make_page(current(body=opening * (MAX_DEPTH + 10) + BODY)))
    assert time.thread_time() - began < 2  # generous: measured in milliseconds
    assert refused.status is Status.FAILED
    assert (refused.reason or "").startswith("page too complex to parse: ")


# --- decoding --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "headers", "text", "how"),
    [
        ("<p>Việt</p>".encode(), {"Content-Type": 'text/html; charset="UTF-8"'}, "Việt", "header:utf-8"),
        (to_cp1258("<p>Việt</p>"), {"content-type": "text/html;charset=windows-1258"}, "Việt", "header:cp1258"),
        (to_cp1258("<meta charset='windows-1258'><p>Việt</p>"), {}, "Việt", "meta:cp1258"),
        (
            to_cp1258('<meta http-equiv="Content-Type" content="text/html; charset=windows-1258"><p>Việt</p>'),
            {"Content-Type": "text/html"},
            "Việt",
            "meta:cp1258",
        ),
        ("\ufeff<p>Việt</p>".encode(), {"Content-Type": "text/html; charset=cp1252"}, "Việt", "bom:utf-8-sig"),
        ("<p>Việt</p>".encode(), {"Content-Type": "text/html; charset=no-such"}, "Việt", "default:utf-8"),
        ("<meta charset='utf-16'><p>Việt</p>".encode(), {}, "Việt", "meta:utf-8"),
        (b"<p>caf\xe9</p>", {"Content-Type": "text/html; charset=ISO-8859-1"}, "café", "header:cp1252"),
        (b"<p>Vi\xff</p>", {}, "Vi\ufffd", "default:utf-8-replace"),
    ],
)  # fmt: skip
def test_decoding(content: bytes, headers: dict[str, str], text: str, how: str) -> None:
    decoded, origin = decode_page(content, headers)
    assert text in unicodedata.normalize("NFC", decoded)
    assert origin == how
