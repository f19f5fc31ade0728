"""Time, in one place, so tests can move it and every stored time is UTC."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def to_iso(moment: datetime) -> str:
    """Store times as ISO 8601 with their offset so sorting text sorts time."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def add_months(day: date, months: int) -> date:
    """`day` plus (or minus) calendar months; the 31st becomes the last day of a shorter
    month. The one rule for expiry dates, retention cut-offs and stale contacts."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_today(clock: Clock) -> date:
    """Today on this PC's calendar: what a person at the kiosk calls today."""
    return clock.now().astimezone().date()


class Clock:
    """The real clock. Screens and services ask this, never datetime.now()."""

    def now(self) -> datetime:
        return utc_now()


@dataclass
class FakeClock(Clock):
    """A clock tests can set and advance; it never moves on its own."""

    current: datetime = field(
        default_factory=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    )

    def now(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> None:
        self.current += timedelta(**kwargs)
