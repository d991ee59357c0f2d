"""`lso-etl probe`: every rule of the site profile run on one page, to see which ones match.

Most selectors in the profile are inferred, not confirmed (site-notes.md), so the first contact
with the live site must show, field by field, what each rule finds and which one the parser
used. The report is data (`Probe`, pure over a `RawPage`); the CLI prints it. Fetching goes
through the polite `Fetcher`: robots.txt first, paced, retried.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from lso_etl.crawl.fetch import Fetcher
from lso_etl.extract import fallback_body, fields
from lso_etl.extract.clean import clean_inline
from lso_etl.extract.dates import VN_TZ, parse_any_datetime, split_at_label
from lso_etl.extract.decode import decode_page
from lso_etl.extract.detect import densest_block, drop_furniture
from lso_etl.extract.metadata import Page, read_jsonld, rule_root, rule_values
from lso_etl.extract.parse import parse_page, record
from lso_etl.models import ArticleRef, FetchResult, RawPage
from lso_etl.settings import Settings
from lso_etl.site.profile import PROFILE, Layout, Rule, SiteProfile

_SHOWN_CHARS = 80
# Rules that are text conventions, not selectors: shown only when one of them won.
_TEXT_RULE = "(text rule)"


@dataclass(frozen=True)
class RuleHit:
    group: str  # the layout the rule belongs to, or "metadata", or "text"
    rule: str  # its provenance name
    selector: str
    matches: int  # elements (or JSON-LD values) it matched
    value: str | None  # what it yields: the picked match, or every match for a `many` rule
    note: str = ""  # how the parser reads the value (a date, a rejection)


@dataclass(frozen=True)
class FieldProbe:
    field: str
    winner: str | None  # the rule named in the record's provenance
    value: object  # the record's value
    hits: tuple[RuleHit, ...]


@dataclass(frozen=True)
class Probe:
    url: str
    http_status: int
    size: int
    encoding: str
    detectors: tuple[tuple[str, str, bool], ...]  # (layout, detector selector, matched)
    layout: str  # the detected layout (the record's, when it has one)
    record: dict[str, object]
    fields: tuple[FieldProbe, ...]


@dataclass(frozen=True)
class _View:
    """The page as one layout reads it: its furniture dropped, its container found."""

    layout: Layout
    page: Page
    container: LexborNode | None
    url: str = ""  # the page's address: the URL rules read it


def _short(text: str | None) -> str | None:
    if text is None:
        return None
    text = clean_inline(text)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _view(html: str, layout: Layout, profile: SiteProfile) -> _View:
    tree = LexborHTMLParser(html)
    page = Page(tree, read_jsonld(tree))  # JSON-LD first: dropping furniture drops <script>s
    drop_furniture(tree, layout)
    if layout is profile.fallback:  # the parser's choice: trafilatura's, else the densest
        asks = layout.body[0].name == fallback_body.TRAFILATURA_RULE
        chosen = fallback_body.main_content(html, "") if asks else None
        return _View(layout, page, chosen or densest_block(tree))
    found = (tree.css_first(rule.selector) for rule in layout.body)
    return _View(layout, page, next((node for node in found if node is not None), None))


def _hit(view: _View, rule: Rule, group: str, scope: LexborNode | None = None) -> RuleHit:
    values = rule_values(view.page, rule, scope)
    if rule.name.startswith("jsonld:"):
        matches = len(values)
    else:
        matches = len(rule_root(view.page, rule, scope).css(rule.selector))
    value = (" | ".join(values) or None) if rule.many else (values[0] if values else None)
    return RuleHit(group, rule.name, rule.selector, matches, _short(value))


def _date_note(text: str | None, fetched_at: datetime) -> str:
    stamp = parse_any_datetime(text) if text else None
    if stamp is None:
        return "" if text is None else "not a date in a known format (or a wrong weekday)"
    fetched = fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=UTC)
    if stamp > fetched:
        return f"{stamp.isoformat()}: after the fetch, rejected"
    if stamp.date() == fetched.astimezone(VN_TZ).date():
        return f"{stamp.isoformat()}: the fetch day, used only when nothing else is found"
    return stamp.isoformat()


def _date_hits(
    view: _View, rules: tuple[Rule, ...], group: str, fetched: datetime
) -> list[RuleHit]:
    hits = []
    for rule in rules:
        if rule.name == "fallback:near-headline":
            title = next((h for h in view.page.tree.css("h1")), None)
            texts = fields.near_headline(view.page, clean_inline(title.text())) if title else []
            value = next((t for t in texts if parse_any_datetime(t)), texts[0] if texts else None)
            hit = RuleHit(group, rule.name, "elements after <h1>", len(texts), _short(value))
        else:
            hit = _hit(view, rule, group)
        many = hit.value is not None and rule.name != "fallback:near-headline"
        values = rule_values(view.page, rule) if many else []
        notes = [_date_note(v, fetched) for v in values] or [_date_note(hit.value, fetched)]
        hits.append(replace(hit, note="; ".join(n for n in notes if n)))
    return hits


def _label(node: LexborNode) -> str:
    """An element as a selector: div#content-detail, div.story__body."""
    ident = node.attributes.get("id")
    classes = (node.attributes.get("class") or "").split()
    return f"{node.tag}{'#' + ident if ident else ''}{''.join('.' + c for c in classes)}"


def _body_hit(view: _View) -> RuleHit:
    rule, node = view.layout.body[0], view.container
    if node is None:
        return RuleHit(view.layout.name, rule.name, rule.selector, 0, None)
    size = len(clean_inline(node.text(separator=" ")))
    value = f"{_label(node)}: {len(node.css('p'))} paragraphs, {size} characters"
    return RuleHit(view.layout.name, rule.name, rule.selector, 1, value)


def _each(view: _View, rules: tuple[Rule, ...], group: str | None = None) -> list[RuleHit]:
    return [_hit(view, rule, group or view.layout.name) for rule in rules]


def _inside(view: _View, rules: tuple[Rule, ...]) -> list[RuleHit]:
    """Rules read inside the article container (lead, captions), as the parser reads them."""
    return [_hit(view, rule, view.layout.name, view.container) for rule in rules]


def _updated_hits(view: _View, profile: SiteProfile, fetched: datetime) -> list[RuleHit]:
    """The layout's visible "Cập nhật …" rules: only the text after such a label is read."""
    hits = []
    for rule in view.layout.modified_at:
        hit = _hit(view, rule, view.layout.name)
        after = [
            split_at_label(v, profile.modified_labels)[1] for v in rule_values(view.page, rule)
        ]
        notes = [_date_note(a, fetched) for a in after if a] or ["no update label"] * bool(after)
        hits.append(replace(hit, note="; ".join(n for n in notes if n)))
    return hits


def _path_hits(view: _View, profile: SiteProfile) -> list[RuleHit]:
    """The URL rules for section and subsection slugs (read when no breadcrumb names them)."""
    url = view.url
    hits = []
    for rule in profile.path_sections:
        match = re.match(rule.pattern, urlsplit(url).path) if url else None
        value = (
            " / ".join(v for v in (match["section"], match["subsection"]) if v) if match else None
        )
        hits.append(RuleHit("url", rule.name, rule.pattern, int(match is not None), value))
    return hits


# Per field: the rules the metadata (read once) and each layout's view offer for it.
_Collect = Callable[[_View, SiteProfile, datetime], list[RuleHit]]
_FIELDS: tuple[tuple[str, bool, _Collect], ...] = (  # (field, metadata?, rules)
    ("url", True, lambda v, p, _: _each(v, (p.metadata.canonical,), "metadata")),
    ("headline", False, lambda v, p, _: _each(v, v.layout.headline)),
    ("body", False, lambda v, p, _: [_body_hit(v)]),
    ("sapo", False, lambda v, p, _: _inside(v, v.layout.sapo)),
    ("authors", True, lambda v, p, _: _each(v, p.metadata.authors, "metadata")),
    ("authors", False, lambda v, p, _: _each(v, v.layout.byline)),
    ("captions", False, lambda v, p, _: _inside(v, v.layout.captions)),
    ("galleries", False, lambda v, p, _: _each(v, v.layout.galleries)),
    ("published_at", True, lambda v, p, f: _date_hits(v, p.metadata.published_at, "metadata", f)),
    ("published_at", False, lambda v, p, f: _date_hits(v, v.layout.published_at, v.layout.name, f)),
    ("modified_at", True, lambda v, p, f: _date_hits(v, p.metadata.modified_at, "metadata", f)),
    ("modified_at", False, lambda v, p, f: _updated_hits(v, p, f)),
    ("section", False, lambda v, p, _: _each(v, v.layout.section)),
    ("section", True, lambda v, p, _: _path_hits(v, p)),
    ("subsection", False, lambda v, p, _: _each(v, v.layout.section)),
    ("subsection", True, lambda v, p, _: _path_hits(v, p)),
    ("tags", True, lambda v, p, _: _each(v, p.metadata.tags, "metadata")),
    ("tags", False, lambda v, p, _: _each(v, v.layout.tags)),
)


def _field_probes(views: list[_View], profile: SiteProfile, page: RawPage, rec: dict[str, object]) -> tuple[FieldProbe, ...]:  # fmt: skip
    hits: dict[str, list[RuleHit]] = {}
    for field, metadata, collect in _FIELDS:
        for view in views[:1] if metadata else views:  # metadata is the same on every view
            hits.setdefault(field, []).extend(collect(view, profile, page.fetched_at))
    provenance = rec.get("provenance")
    rules = provenance if isinstance(provenance, dict) else {}
    probes = []
    for field, found in hits.items():
        winner = rules.get(field)
        known = {hit.rule for hit in found}
        if winner and not any(part in known for part in _rule_names(winner)):
            value = _short(str(rec.get(field)))
            found.append(RuleHit("text", str(winner), _TEXT_RULE, 1, value))
        probes.append(FieldProbe(field, winner, rec.get(field), tuple(found)))
    return tuple(probes)


def probe_page(page: RawPage, profile: SiteProfile = PROFILE) -> Probe:
    """Run every rule of the detected layout, the metadata and the fallback on one page."""
    html, encoding = decode_page(page.content, page.headers)
    rec = record(parse_page(page, profile), page.url)
    tree = LexborHTMLParser(html)
    detectors = tuple(
        (layout.name, layout.detector, tree.css_first(layout.detector) is not None)
        for layout in profile.layouts
    )
    detected = next(
        (lay for lay in profile.layouts if tree.css_first(lay.detector) is not None),
        profile.fallback,
    )
    layouts = [detected] if detected is profile.fallback else [detected, profile.fallback]
    views = [replace(_view(html, layout, profile), url=page.url) for layout in layouts]
    layout = str(rec["layout"]) if rec.get("layout") else detected.name
    return Probe(
        page.url, page.status, len(page.content), encoding, detectors, layout, rec,
        _field_probes(views, profile, page, rec),
    )  # fmt: skip


def fetch_one(settings: Settings, url: str, fetcher: Fetcher | None = None) -> FetchResult:
    """Fetch one page politely (robots.txt first); every failure is an outcome, not raised."""
    ident = fields.safe_classify(url)
    ref = ArticleRef(url, ident.article_id if ident else "", None, "probe")
    if fetcher is not None:
        return fetcher.fetch(ref)
    with Fetcher(settings) as own:
        return own.fetch(ref)


def as_dict(probe: Probe) -> dict[str, Any]:
    """The probe as JSON-ready data."""
    return asdict(probe)


def _rule_names(winner: object) -> tuple[str, ...]:
    """The rules a provenance entry names: "a+b" is two; "rule#2" is the rule's second value."""
    return tuple(part.removesuffix("#2") for part in str(winner or "").split("+"))


def _mark(hit: RuleHit, winners: tuple[str, ...], layout: str) -> str:
    """* the rule the parser used (in the layout it used), + matched, - matched nothing."""
    if hit.rule in winners and hit.group in (layout, "metadata", "text"):
        return "*"
    return "+" if hit.matches else "-"


def render(probe: Probe) -> list[str]:
    """The probe as lines of text for a terminal, one block per field."""
    rec = probe.record
    detectors = ", ".join(f"{n} ({sel}) {'yes' if ok else 'no'}" for n, sel, ok in probe.detectors)
    reason = f" ({rec['reason']})" if rec.get("reason") else ""
    lines = [
        probe.url,
        f"  HTTP {probe.http_status}, {probe.size / 1024:.0f} KB, encoding {probe.encoding}",
        f"  layout detectors: {detectors}; layout used: {probe.layout}",
        f"  record: {rec['status']}{reason}",
        "  (* the rule the parser used, + matched, - matched nothing; count of matches)",
    ]
    for field in probe.fields:
        shown = json.dumps(field.value, ensure_ascii=False)
        value = f" -> {_short(shown)}" if field.field in rec else ""  # galleries: no field
        lines += ["", f"{field.field}: {field.winner or '(no rule)'}{value}"]
        winners = _rule_names(field.winner)
        for hit in field.hits:
            note = f"  [{hit.note}]" if hit.note else ""
            line = f"  {_mark(hit, winners, probe.layout)} {hit.group:<8} {hit.rule:<42}"
            lines.append(f"{line} {hit.matches:>3}  {hit.value or ''}{note}".rstrip())
    return lines
