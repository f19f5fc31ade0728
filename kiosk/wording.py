"""Words shared by every screen: one human date format, and plurals done right.

Screens show dates as "3 December 2026" (tables: "3 Dec 2026"); ISO 8601 is only
for exports and the command line.
"""

from __future__ import annotations

from datetime import date, datetime


def human_date(day: date | datetime, *, short: bool = False) -> str:
    if isinstance(day, datetime):
        day = day.astimezone().date() if day.tzinfo else day.date()
    return f"{day.day} {day:%b %Y}" if short else f"{day.day} {day:%B %Y}"


def human_datetime(moment: datetime, *, short: bool = False) -> str:
    """A stored time in the PC's local time: "3 December 2026 at 14:05"."""
    local = moment.astimezone() if moment.tzinfo else moment
    if short:
        return f"{human_date(local.date(), short=True)}, {local:%H:%M}"
    return f"{human_date(local.date())} at {local:%H:%M}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 section", "2 sections", "1 attempt left"... """
    return f"{count} {word if count == 1 else (many or word + 's')}"


def number(value: float | None) -> str:
    """80.0 -> "80", 66.666 -> "66.7": scores as people write them."""
    value = float(value or 0)
    return f"{value:.1f}".rstrip("0").rstrip(".")
