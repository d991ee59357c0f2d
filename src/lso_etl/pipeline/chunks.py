"""A backfill's chunks run in order, each its own run; one that fails does not sink the others,
but a site found unreachable stops them all.

Every chunk after the first that meets a dead site would meet it too, each paying its robots.txt
tries (and, under Prefect, a chunk retry): 48 s a chunk, over an hour for a multi-year range,
to end in a line that did not say why. So the loop stops at once, the chunks not reached are
named, and the final line is the cause.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lso_etl.errors import SiteUnreachable

log = logging.getLogger(__name__)

Window = tuple[date, date]


@dataclass
class ChunkTally:
    """What a backfill's chunks did: counts summed, chunks failed, and why it stopped early."""

    counts: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)  # "first..last"
    not_run: list[str] = field(default_factory=list)  # after the site was found down
    unreachable: SiteUnreachable | None = None

    def add(self, counts: dict[str, int]) -> None:
        for key, value in counts.items():
            self.counts[key] = self.counts.get(key, 0) + value


def run_chunks(
    windows: Sequence[Window], run_chunk: Callable[[date, date], dict[str, Any]]
) -> ChunkTally:
    """Run each window with `run_chunk` (it returns the run's summary); stop at SiteUnreachable."""
    tally = ChunkTally()
    for index, (first, last) in enumerate(windows):
        try:
            summary = run_chunk(first, last)
        except SiteUnreachable as exc:
            tally.failed.append(f"{first}..{last}")
            tally.not_run = [f"{a}..{b}" for a, b in windows[index + 1 :]]
            tally.unreachable = exc
            log.error("chunk %s..%s failed: %s", first, last, exc.short)
            break
        except Exception as exc:  # one chunk's failure must not sink the others
            log.error("chunk %s..%s failed: %s", first, last, exc)
            tally.failed.append(f"{first}..{last}")
            continue
        tally.add(summary["counts"])
    return tally


def failure_line(tally: ChunkTally, total: int) -> str:
    """The last line of a backfill with failed chunks: the cause first when the site was down."""
    if tally.unreachable is not None:
        stopped = tally.failed[-1]
        return (
            f"{tally.unreachable.short}; the backfill stopped at chunk {stopped}"
            f" ({len(tally.not_run)} later chunk(s) not run, {len(tally.failed)} of {total}"
            f" failed); nothing from {stopped.split('..')[0]} on was recorded as finished;"
            " rerun later"
        )
    failed = ", ".join(tally.failed)
    return f"{len(tally.failed)} of {total} chunks failed ({failed}); rerun to finish them"
