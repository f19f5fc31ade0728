"""Time, in one place, so tests can move it and every stored time is UTC."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

# A test hands its clock to a process it starts through this variable (ISO 8601 with an
# offset). It is honoured only by a process run from source (never the built kiosk) whose
# database lies under the system's temporary folder, where a real data.db never lives;
# SECURITY.md explains why this gives nobody a power they did not already have.
TEST_CLOCK_ENV = "KIOSK_TEST_CLOCK"


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


class StartedClock(Clock):
    """A clock that starts at a given instant and then runs at the real rate.

    A process started by a test runs on the test's date but still sees time pass, so
    the order of its own records (and any throttle it applies) behaves as in real use.
    """

    def __init__(self, start: datetime) -> None:
        self._start = start.astimezone(timezone.utc)
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._origin)


def _is_frozen() -> bool:
    import sys

    return bool(getattr(sys, "frozen", False))


def _under_temp(path: Path) -> bool:
    temp = Path(tempfile.gettempdir()).resolve()
    try:
        return path.resolve().is_relative_to(temp)
    except OSError:
        return False


def clock_for(db_path: Path | str | None) -> Clock:
    """The clock for a process working on `db_path`: the real one, unless a test set it.

    `db_path` None means no stored record depends on the time (the content check), so
    only the frozen-build rule applies.
    """
    text = os.environ.get(TEST_CLOCK_ENV, "").strip()
    if not text:
        return Clock()
    allowed = not _is_frozen() and (db_path is None or _under_temp(Path(db_path)))
    if not allowed:
        logging.getLogger("kiosk").warning("%s is set and was ignored", TEST_CLOCK_ENV)
        return Clock()
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        return Clock()
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    return StartedClock(start)
