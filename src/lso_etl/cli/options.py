"""Checks of the options commands share, each refusing in one line that says what is wrong."""

from __future__ import annotations

import calendar
import re
from datetime import date

import typer

from lso_etl.errors import UserError

# English whatever the locale (calendar.month_name follows it).
_MONTHS = (
    "", "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
SOURCE_HELP = (
    "site, wayback (the Internet Archive's Wayback Machine), commoncrawl, or auto (the site"
    " where its robots.txt allows, else the archives, Wayback first). Default: LSO_SOURCE, site."
)
CAPTURE_HELP = "Which archived capture of an article: earliest (default) or latest."
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_day(value: str, option: str) -> date:
    """`value` as a day; otherwise a `UserError` naming the part that is wrong."""
    found = _ISO_DAY.fullmatch(value.strip())
    if found is None:
        raise UserError(f"{option} {value!r} is not a date like 2017-07-01 (YYYY-MM-DD)")
    year, month, day = (int(part) for part in found.groups())
    if year < 1:
        raise UserError(f"{option} {value}: years start at 0001")
    if not 1 <= month <= 12:
        raise UserError(f"{option} {value}: there is no month {month:02d} (months are 01 to 12)")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise UserError(f"{option} {value}: {_MONTHS[month]} {year} has {days} days")
    return date(year, month, day)


def optional_day(value: str | None, option: str) -> date | None:
    return None if value is None else parse_day(value, option)


def ordered(first: date | None, last: date | None) -> None:
    if first and last and last < first:
        raise UserError(f"--to {last} is before --from {first}")


# Global options read from an LSO_* variable too: (the option's parameter, its flag).
FROM_VARIABLES = {"LSO_DB": ("db", "--db"), "LSO_BASE_URL": ("base_url", "--base-url")}


def as_given(ctx: typer.Context, refusal: str) -> str:
    """A setting's refusal (`LSO_BASE_URL='x' is not allowed: ...`) naming where the value came
    from: the option when it was typed (`--base-url='x' ...`), else the variable."""
    variable = refusal.split("=", 1)[0]
    if variable not in FROM_VARIABLES:
        return refusal
    name, flag = FROM_VARIABLES[variable]
    source = ctx.get_parameter_source(name)  # by name: typer ships its own ParameterSource
    typed = source is not None and source.name == "COMMANDLINE"
    return f"{flag}{refusal.removeprefix(variable)}" if typed else refusal
