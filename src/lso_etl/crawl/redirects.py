"""Which redirects the Fetcher follows, and the refusals that end a URL for good.

Only hops within the site are followed. A hop to another scheme on the same host is followed
only from http to https (the usual "upgrade to TLS"); https to http would send the request in
clear, and any other scheme (ftp:, file:, ...) is nothing this crawler reads. A refusal is
final: retrying a redirect the server gives every time would only repeat it on every run.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

# (from, to): the only change of scheme followed.
_UPGRADE = ("http", "https")


class Refused(Exception):
    """A request we will not make or a response we will not keep: a final `http_error`."""


class OffSiteRedirect(Refused):
    """A redirect to a host we were not asked to crawl: never followed."""


class SchemeRedirect(Refused):
    """A same-host redirect to another scheme, other than http to https: never followed."""


class RobotsDisallowed(Refused):
    """robots.txt disallows the URL (reached through a redirect)."""


def check_host(url: str, allowed_hosts: Collection[str]) -> None:
    """Raise OffSiteRedirect unless `url` is on one of the hosts this run crawls."""
    if urlsplit(url).netloc not in allowed_hosts:
        raise OffSiteRedirect(f"redirect to another host refused: {url}")


def check_redirect(source: str, target: str, allowed_hosts: Collection[str]) -> None:
    """Raise the reason not to follow the hop `source` -> `target`; return if it may be."""
    check_host(target, allowed_hosts)
    before, after = urlsplit(source).scheme.lower(), urlsplit(target).scheme.lower()
    if after == before or (before, after) == _UPGRADE:
        return
    raise SchemeRedirect(
        f"redirect from {before} to {after} refused (only http to https is followed): {target}"
    )
