"""ISO weeks as the clinic names them, like "2026-W46" (Monday to Sunday)."""

from __future__ import annotations

import datetime as dt
import re

_WEEK = re.compile(r"(\d{4})-W(\d{2})")


def parse_iso_week(week: str) -> tuple[dt.date, dt.date]:
    """Return the Monday and Sunday of an ISO week written like 2026-W46, or raise ValueError saying why."""
    match = _WEEK.fullmatch(week.strip()) if isinstance(week, str) else None
    if match is None:
        raise ValueError(f"{week!r} is not an ISO week; write it like 2026-W46")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"{week!r} is not an ISO week: {year} has no week {number}") from None
    return monday, monday + dt.timedelta(days=6)


def iso_week_of(day: dt.date) -> str:
    """Return the ISO week a date falls in, like 2026-W46."""
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def last_complete_week(today: dt.date) -> str:
    """Return the latest ISO week whose Sunday is before today (today's week is not complete until Monday)."""
    return iso_week_of(today - dt.timedelta(days=today.isoweekday()))


def previous_week(week: str) -> str:
    """Return the ISO week before this one."""
    monday, _ = parse_iso_week(week)
    return iso_week_of(monday - dt.timedelta(days=7))
