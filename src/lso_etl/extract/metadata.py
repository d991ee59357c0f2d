"""Reading profile rules off a page: CSS rules (text or attribute) and JSON-LD keys.

A rule whose name starts with "jsonld:" looks its selector up as a key of the page's JSON-LD
NewsArticle/Article objects; every other rule is a CSS selector.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from selectolax.lexbor import LexborHTMLParser, LexborNode

from lso_etl.extract.clean import clean_inline
from lso_etl.site.profile import Rule

ARTICLE_TYPES = frozenset(("NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting"))
# A publisher given as "author" names no person.
ORGANISATION_TYPES = frozenset(("Organization", "NewsMediaOrganization"))
_MAX_DEPTH = 6  # JSON-LD nests @graph and lists; deeper than this is not metadata


def _objects(data: object, depth: int = 0) -> Iterator[dict[str, object]]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph"), depth + 1)


def _is_article(obj: dict[str, object]) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k in ARTICLE_TYPES for k in kinds)


def read_jsonld(tree: LexborHTMLParser) -> tuple[dict[str, object], ...]:
    """The article objects of every JSON-LD script; broken JSON is skipped, never fatal."""
    found: list[dict[str, object]] = []
    for script in tree.css("script[type='application/ld+json']"):
        try:
            data = json.loads(script.text(deep=True), strict=False)
        except (ValueError, RecursionError):
            continue
        found.extend(obj for obj in _objects(data) if _is_article(obj))
    return tuple(found)


def _strings(value: object, depth: int = 0) -> Iterator[str]:
    """Strings in a JSON-LD value: "x", {"name": "x"}, ["x", {"name": "y"}], "a, b" stays one."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)
    elif isinstance(value, dict):
        if value.get("@type") not in ORGANISATION_TYPES:
            yield from _strings(value.get("name"), depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, depth + 1)


@dataclass(frozen=True)
class Page:
    """A parsed page with its JSON-LD read once."""

    tree: LexborHTMLParser
    jsonld: tuple[dict[str, object], ...]

    @cached_property
    def head(self) -> LexborNode | LexborHTMLParser:
        """Where the page's <meta>/<link> elements are: <head>, unless some ended up in the
        body. A tracking pixel's <noscript><img></noscript> in <head> closes it early (HTML
        parsing rules), and every head element after it lands in <body>."""
        head, body = self.tree.head, self.tree.body
        if head is None or (body is not None and body.css_first("meta, link") is not None):
            return self.tree
        return head


def node_value(node: LexborNode, rule: Rule) -> str:
    raw = node.attributes.get(rule.attr) if rule.attr else node.text(separator=" ")
    return clean_inline(raw or "")


def rule_root(
    page: Page, rule: Rule, scope: LexborNode | None = None
) -> LexborNode | LexborHTMLParser:
    """Where a rule looks: the given scope, else <head> for an `in_head` rule, else the page."""
    if scope is not None:
        return scope
    return page.head if rule.in_head else page.tree


def rule_values(page: Page, rule: Rule, scope: LexborNode | None = None) -> list[str]:
    """Non-empty values a rule finds (all of them for a `many` rule, else the picked one)."""
    if rule.name.startswith("jsonld:"):
        values = [clean_inline(s) for obj in page.jsonld for s in _strings(obj.get(rule.selector))]
    elif not rule.many and rule.pick == 0:
        # The first match only: the query stops there (a head <meta> is found at once).
        node = rule_root(page, rule, scope).css_first(rule.selector)
        values = [node_value(node, rule)] if node is not None else []
    else:
        nodes = rule_root(page, rule, scope).css(rule.selector)
        values = [node_value(node, rule) for node in nodes]
        if not rule.many:
            try:
                values = [values[rule.pick]] if values else []
            except IndexError:
                values = []
    return [v for v in values if v]


def first_value(page: Page, rules: tuple[Rule, ...]) -> tuple[str, str] | None:
    """(value, rule name) of the first rule that finds something."""
    for rule in rules:
        values = rule_values(page, rule)
        if values:
            return values[0], rule.name
    return None
