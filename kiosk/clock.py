"""Time, in one place, so tests can move it and every stored time is UTC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def to_iso(moment: datetime) -> str:
    """Store times as ISO 8601 with their offset so sorting text sorts time."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


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
