"""Replay and live data never share a warehouse: the replay site's synthetic articles would
take real articles' ids, and a daily run would "edit" them back and forth. A run's origin is
read from the addresses it reads (the site's, and the web archives' its source asks): a replay
is served on this machine; `runs.origin` records it."""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

import duckdb

from lso_etl.errors import UserError
from lso_etl.store.catalog import columns, has_table


class MixedOrigins(UserError):
    """The replay site's synthetic articles and real ones would share ids in one warehouse."""


def is_local(base_url: str) -> bool:
    """A replay's address: this machine, however written (127.0.0.0/8, ::1, 0.0.0.0, `127.1`,
    `2130706433`, `::ffff:127.0.0.1`, `localhost`, a name the hosts file maps there). A private
    or LAN address stays live: a newsroom's mirror of the site may sit there as well as a
    replay, and only the first may join live data (known limit: a replay served there counts
    as live, and a local tunnel to the live site as a replay)."""
    host = (urlsplit(base_url).hostname or "").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always loopback
        return True
    addresses = _addresses(host)
    # Any address here: the fetcher may connect to it, and a replay must never pass for live
    return any(_this_machine(address) for address in addresses)


@functools.cache  # one resolution per host and process: a run checks its origin thrice
def _addresses(host: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, ...]:
    """What `host` connects to, as the fetcher's resolver sees it: a literal in any form the C
    library accepts, else the name resolved (the hosts file, DNS); none if it does not resolve."""
    try:
        return (ipaddress.ip_address(host),)
    except ValueError:
        pass
    try:
        return (ipaddress.IPv4Address(socket.inet_aton(host)),)  # 127.1, 2130706433, 0x7f000001
    except OSError:
        pass
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):  # no such name here (offline: the live site too)
        return ()
    return tuple(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found)


def _this_machine(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified  # 0.0.0.0 connects to this machine


def origin_of(base_url: str, archives: Sequence[str] = ()) -> str:
    """'replay' when the site or any web archive a run reads is on this machine, else 'live'."""
    return "replay" if any(is_local(url) for url in (base_url, *archives)) else "live"


def _recorded(base_url: str, origin: str | None, archived: bool) -> str | None:
    """A past run's origin. One before 0135 that read a web archive may have read a replay of
    one: not known (None), so not held against any run (the demo's archive warehouse is one)."""
    if origin or archived:
        return origin
    return origin_of(base_url)


def refuse_mixed_origins(
    con: duckdb.DuckDBPyConnection, base_url: str, archives: Sequence[str] = ()
) -> None:
    """Refuse to write replay data into a warehouse of real data, or the other way round (a
    file no run has migrated yet holds no run, so no origin). `archives`: the web archives the
    run reads, whose copies of the site's pages are as real as the archive is."""
    if not has_table(con, "runs"):
        return
    recorded = "origin" if "origin" in columns(con, "runs") else "null"  # before 0135
    rows = con.execute(
        f"select distinct base_url, {recorded}, coalesce(parameters->>'source', 'site') <> 'site'"
        " from runs"
    ).fetchall()
    this = origin_of(base_url, archives)
    other = [
        url
        for url, origin, archived in rows
        if _recorded(url, origin, archived) not in (None, this)
    ]
    if other:
        local = [url for url in archives if is_local(url)]
        through = f" through the archive at {local[0]}" if local and not is_local(base_url) else ""
        raise MixedOrigins(
            f"this warehouse holds runs against {other[0]}, and this run targets {base_url}"
            f"{through}: replay and live data must not mix; pass another --db"
        )
