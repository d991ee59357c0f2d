"""Section, subsection, tags, modification dates and date lines in the body (issue 16).

The golden pages (tests/test_parse.py compares them field by field) carry the three extraction
misses; here their HTML is checked to really have the shape they stand for, and the rules are
pinned one behaviour at a time.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser

from lso_etl.cli.commands.probe import probe_page, render
from lso_etl.extract.dates import VN_TZ, is_date_line, split_at_label
from lso_etl.extract.parse import parse_page, record
from lso_etl.models import RawPage
from lso_etl.replay.model import Corpus
from lso_etl.replay.render import render_article
from lso_etl.site.profile import PROFILE

PAGES = Path(__file__).parent / "fixtures" / "pages"
LABELS = PROFILE.modified_labels
FETCHED = datetime(2026, 11, 27, 9, 0, tzinfo=VN_TZ)


def golden(case: str) -> tuple[LexborHTMLParser, dict[str, Any]]:
    spec = json.loads((PAGES / f"{case}.json").read_text(encoding="utf-8"))
    html = (PAGES / f"{case}.html").read_text(encoding="utf-8")
    return LexborHTMLParser(html), spec["expected"]


def container(tree: LexborHTMLParser, layout: str) -> Any:
    return tree.css_first("div#content-detail" if layout == "current" else "div.content")


@pytest.mark.parametrize("case", ["current_date_line_in_body", "legacy_date_line_in_body"])
def test_date_line_pages_print_the_date_inside_the_container_above_a_bold_lead(case: str) -> None:
    tree, expected = golden(case)
    box = container(tree, expected["layout"])
    first, second = box.css("p")[:2]
    published = datetime.fromisoformat(expected["published_at"])
    assert f"{published:%d/%m/%Y}" in first.text()  # the date line opens the container...
    assert second.css_first("strong") is not None  # ...and the bold lead follows it
    assert expected["sapo"] and expected["sapo"] in second.text()
    assert f"{published:%d/%m/%Y}" not in expected["body"]


@pytest.mark.parametrize("case", ["current_tag_box", "legacy_tag_box"])
def test_tag_pages_show_their_tags_as_links_and_nowhere_in_head(case: str) -> None:
    tree, expected = golden(case)
    links = [a.text() for a in tree.css("a")]
    assert expected["tags"] and all(tag in links for tag in expected["tags"])
    assert tree.css_first("meta[property='article:tag'], meta[name='keywords']") is None
    assert not any(tag in expected["body"] for tag in ("Từ khóa", *expected["tags"][2:]))


@pytest.mark.parametrize(
    "case", ["current_two_level_breadcrumb", "legacy_tag_box", "legacy_date_line_in_body"]
)
def test_two_level_breadcrumb_pages_name_the_section_before_the_subsection(case: str) -> None:
    tree, expected = golden(case)
    crumbs = [a.text() for a in tree.css("div.breadcrumbs a, div.breadcrumb a")]
    assert crumbs[-2:] == [expected["section"], expected["subsection"]]


def test_a_subsection_only_the_url_names_is_its_path_segment() -> None:
    tree, expected = golden("legacy_url_subsection")
    crumbs = [a.text() for a in tree.css("div.breadcrumb a")]
    assert expected["subsection"] not in crumbs
    spec = json.loads((PAGES / "legacy_url_subsection.json").read_text(encoding="utf-8"))
    assert urlsplit(spec["page"]["url"]).path.split("/")[2] == expected["subsection"]


@pytest.mark.parametrize("case", ["current_tag_box", "legacy_tag_box", "current_date_line_in_body"])
def test_visible_modification_dates_follow_a_cap_nhat_label(case: str) -> None:
    tree, expected = golden(case)
    modified = datetime.fromisoformat(expected["modified_at"])
    assert modified > datetime.fromisoformat(expected["published_at"])
    assert any("Cập nhật" in node.text() for node in tree.css("div.date, p.post-date, p"))


# --- one behaviour each ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("08:30 | 05/03/2019", ("08:30 | 05/03/2019", None)),
        ("10:12 14/03/2023 | Cập nhật: 15:40 14/03/2023", ("10:12 14/03/2023", "15:40 14/03/2023")),
        ("Cập nhật lúc 09:05, 15/05/2025", ("", "lúc 09:05, 15/05/2025")),
        ("26/07/2017 (sửa đổi 27/07/2017)", ("26/07/2017", "27/07/2017")),
    ],
)
def test_split_at_label(text: str, parts: tuple[str, str | None]) -> None:
    assert split_at_label(text, LABELS) == parts


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("Thứ Năm, 15/05/2025 09:20", True),
        ("15:47 | 26/07/2017", True),
        ("Cập nhật: 09:05 15/05/2025", True),
        ("Thứ Năm, 15/05/2025 - 09:20 | Cập nhật: 15/05/2025 - 14:05", True),
        ("Thứ Tư, 15/05/2025 09:20", False),  # wrong weekday: no date, stays text
        ("Ngày 15/5/2025, tỉnh tổ chức hội nghị tổng kết công tác năm.", False),
        ("Cập nhật thông tin mới nhất về dịch bệnh", False),
    ],
)
def test_is_date_line(text: str, verdict: bool) -> None:
    assert is_date_line(text, LABELS) is verdict


BODY = (
    "<p>Sáng nay, đoàn công tác của tỉnh đã kiểm tra tiến độ xây dựng tuyến đường nối trung tâm "
    "huyện với các xã vùng cao, yêu cầu nhà thầu bảo đảm chất lượng và an toàn lao động.</p>"
    "<p>Đại diện chủ đầu tư cho biết công trình đã hoàn thành khoảng 70% khối lượng, dự kiến "
    "đưa vào sử dụng trước mùa mưa năm sau.</p>"
)


def parsed(url: str, main: str, head: str = "") -> dict[str, Any]:
    html = (
        f"<html><head><title>Kiểm tra tuyến đường vùng cao</title>{head}</head><body>{main}"
        "<h1 class='name'>Kiểm tra tuyến đường vùng cao</h1>"
        f"<div class='date'>Thứ Hai, 06/01/2025 15:47</div><div id='content-detail'>{BODY}</div>"
        "</body></html>"
    )
    page = RawPage(url, url, 200, {"Content-Type": "text/html"}, html.encode(), FETCHED)
    return record(parse_page(page), url)


CURRENT_URL = "https://baolangson.vn/kiem-tra-tuyen-duong-5012345.html"
OLD_URL = "https://baolangson.vn/xa-hoi/y-te/301234-kiem-tra-tuyen-duong.html"
CRUMBS = "<div class='breadcrumbs'><ol class='breadcrumb'>{}</ol></div>"


def crumbs(*names: str) -> str:
    return CRUMBS.format("".join(f"<li><a href='/x'>{name}</a></li>" for name in names))


@pytest.mark.parametrize(
    ("url", "main", "section", "subsection", "rules"),
    [
        (CURRENT_URL, crumbs("Trang chủ", "Xã hội", "Y tế"), "Xã hội", "Y tế", ("crumb", "crumb")),
        (CURRENT_URL, crumbs("Xã hội", "Y tế"), "Xã hội", "Y tế", ("crumb", "crumb")),  # no home
        (CURRENT_URL, crumbs("Trang chủ", "Xã hội"), "Xã hội", None, ("crumb", None)),
        (CURRENT_URL, "", None, None, (None, None)),
        (OLD_URL, "", "xa-hoi", "y-te", ("url", "url")),  # no breadcrumb: the path's slugs
        (OLD_URL, crumbs("Trang chủ", "Xã hội"), "Xã hội", "y-te", ("crumb", "url")),
        # the breadcrumb's section is not the URL's: the URL's second segment is not under it
        (OLD_URL, crumbs("Trang chủ", "Kinh tế"), "Kinh tế", None, ("crumb", None)),
        # the article's own title ending the trail is no subsection
        (CURRENT_URL, crumbs("Xã hội", "Kiểm tra tuyến đường vùng cao"), "Xã hội", None, ("crumb", None)),
    ],
)  # fmt: skip
def test_section_is_the_top_level_and_subsection_the_next(
    url: str, main: str, section: str | None, subsection: str | None, rules: tuple[str | None, ...]
) -> None:
    got = parsed(url, main)
    assert (got["section"], got["subsection"]) == (section, subsection)
    kinds = {"current:div.breadcrumbs ol.breadcrumb li a": "crumb", "url:legacy-path": "url"}
    provenance = got["provenance"]
    named = [provenance.get(key) for key in ("section", "subsection")]
    assert [kinds[n.removesuffix("#2")] if n else None for n in named] == list(rules)


def test_metadata_tags_win_over_the_tag_box_and_each_tag_is_kept_once() -> None:
    box = "<div class='tags'><a href='/t/1'>#Du lịch</a><a href='/t/2'>du lịch</a><a>Mẫu Sơn</a></div>"
    assert parsed(CURRENT_URL, box)["tags"] == ["Du lịch", "Mẫu Sơn"]
    meta = "<meta property='article:tag' content='cửa khẩu'>"
    got = parsed(CURRENT_URL, box, head=meta)
    assert got["tags"] == ["cửa khẩu"] and got["provenance"]["tags"] == "meta:article:tag"


def test_an_updated_date_is_never_the_publish_date() -> None:
    """A page whose only visible date element says "Cập nhật …" has no publish date from it."""
    html = (
        "<html><head><title>Kiểm tra tuyến đường vùng cao</title></head><body>"
        "<h1 class='name'>Kiểm tra tuyến đường vùng cao</h1>"
        "<div class='date'>Cập nhật: Thứ Hai, 06/01/2025 15:47</div>"
        f"<div id='content-detail'>{BODY}</div></body></html>"
    )
    page = RawPage(CURRENT_URL, CURRENT_URL, 200, {}, html.encode(), FETCHED)
    got = record(parse_page(page), CURRENT_URL)
    assert got["published_at"] is None
    assert got["modified_at"] == "2025-01-06T15:47:00+07:00"


def test_a_body_that_is_only_dates_and_prose_keeps_its_dated_prose() -> None:
    """Only date lines above the first paragraph leave the body: a dated sentence stays."""
    body = "<p>15:47 | 26/07/2017</p>" + BODY + "<p>26/07/2017</p>"
    html = (
        "<html><head><title>Kiểm tra tuyến đường vùng cao</title></head><body>"
        f"<h1 class='name'>Kiểm tra tuyến đường vùng cao</h1><div id='content-detail'>{body}</div>"
        "</body></html>"
    )
    page = RawPage(CURRENT_URL, CURRENT_URL, 200, {}, html.encode(), FETCHED)
    got = record(parse_page(page), CURRENT_URL)
    assert got["published_at"] == "2017-07-26T15:47:00+07:00"
    assert got["provenance"]["published_at"] == "body:date-line"
    assert str(got["body"]).startswith("Sáng nay") and str(got["body"]).endswith("26/07/2017")


# --- the replay corpus carries the fields, and `lso-etl probe` names their rules ------------


@pytest.mark.parametrize(
    ("layout", "rules"),
    [
        ("current", ("current:div.breadcrumbs ol.breadcrumb li a", "current:div.tags a", "current:div.date")),
        ("legacy", ("legacy:div.breadcrumb a", "legacy:div.keywords a", "legacy:p.post-date")),
    ],
)  # fmt: skip
def test_probe_names_the_rule_of_each_new_field(
    corpus: Corpus, layout: str, rules: tuple[str, str, str]
) -> None:
    article = next(
        a
        for a in corpus.articles
        if a.layout == layout and a.subsection and a.tags and a.modified_at and not a.has_meta_date
    )
    html = render_article(article, corpus, today=FETCHED.date())
    url = f"https://baolangson.vn{article.path}"
    page = RawPage(
        url, url, 200, {"Content-Type": "text/html; charset=UTF-8"}, html.encode(), FETCHED
    )
    probe = probe_page(page)
    fields = {f.field: f for f in probe.fields}
    crumbs, tag_box, dates = rules
    assert (fields["section"].winner, fields["section"].value) == (crumbs, article.section)
    assert (fields["subsection"].winner, fields["subsection"].value) == (
        f"{crumbs}#2",
        article.subsection,
    )
    assert (fields["tags"].winner, fields["tags"].value) == (tag_box, list(article.tags))
    assert article.modified_at is not None
    modified = fields["modified_at"]
    assert (modified.winner, modified.value) == (dates, article.modified_at.isoformat())
    assert any(h.rule == dates and article.modified_at.isoformat() in h.note for h in modified.hits)
    text = "\n".join(render(probe))
    assert f"subsection: {crumbs}#2" in text and f"* {layout:<8} {tag_box}" in text
