"""Errors a user can act on: the CLI prints them as one line, never as a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A mistake or a condition the user can fix (bad option, missing file, busy warehouse)."""


class SiteUnreachable(UserError):
    """The site could not be reached at all: its name does not resolve, it refuses connections,
    its TLS handshake fails, or robots.txt could not be read after its retries.

    Nothing is recorded as finished (the run fails, the range stays open), and nothing further
    is tried in this run: every other URL would meet the same wall. Here, not in `crawl`, so
    the flows can tell it from other failures and stop a backfill at the first chunk that
    meets it.
    """

    SUFFIX = "; nothing was recorded as finished; rerun later"

    def __init__(self, site: str, cause: str) -> None:
        self.site = site
        self.cause = cause
        super().__init__(f"{site} unreachable: {cause}{self.SUFFIX}")

    @classmethod
    def said(cls, message: str | None) -> bool:
        """Whether a failed state's message is this error's (a Prefect `retry_condition_fn`
        sees the message of a chunk that returned Failed, not the exception)."""
        text = message or ""
        return " unreachable: " in text and text.endswith(cls.SUFFIX)

    @property
    def short(self) -> str:
        """The site and the cause alone, for one URL's outcome (probe, a fetch's detail)."""
        return f"{self.site} unreachable: {self.cause}"

    def __reduce__(self) -> tuple[type[SiteUnreachable], tuple[str, str]]:
        # Pickled with its two fields (Prefect may persist a failed task's exception).
        return (SiteUnreachable, (self.site, self.cause))
