"""The filters a manager sets on a table, shared by the table's pages and its export.

One object per table: the panel builds it from its fields, `kiosk.records` pages through
it and `kiosk.export` writes it, so an export holds exactly the rows on screen. The
command line builds the same object from its flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlite_utils import Database

from kiosk.errors import ValidationError
from kiosk.users import require


def parse_day(text: str | None, label: str) -> date | None:
    """A YYYY-MM-DD day, or None for blank; `label` names the field as the person saw it."""
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            f"{label} must be a date like 2026-01-31, not '{text.strip()[:40]}'") from None


def _start_of(day: date) -> str:
    return datetime.combine(day, time(0), timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class DayRange:
    """Whole UTC days, both ends included."""

    since: date | None = None
    until: date | None = None

    @classmethod
    def parse(cls, since: str | None, until: str | None,
              labels: tuple[str, str] = ("--since", "--until")) -> DayRange:
        start, end = parse_day(since, labels[0]), parse_day(until, labels[1])
        if start and end and end < start:
            raise ValidationError(f"{labels[1]} is before {labels[0]}.")
        return cls(start, end)

    def iso(self) -> tuple[str | None, str | None]:
        """As an ISO [start, end) pair of times for queries."""
        return (_start_of(self.since) if self.since else None,
                _start_of(self.until + timedelta(days=1)) if self.until else None)

    def where(self, column: str) -> tuple[list[str], list[Any]]:
        start, end = self.iso()
        where: list[str] = []
        params: list[Any] = []
        if start:
            where.append(f"{column} >= ?")
            params.append(start)
        if end:
            where.append(f"{column} < ?")
            params.append(end)
        return where, params


def _user_id(db: Database, username: str | None) -> int | None:
    return require(db, username).id if username else None


@dataclass(frozen=True)
class AccessLogFilter:
    days: DayRange = DayRange()
    event: str | None = None
    username: str | None = None  # rows about this account

    def where(self, db: Database) -> tuple[list[str], list[Any]]:
        """WHERE fragments (the code's own) and parameters (the manager's values)."""
        where, params = self.days.where("occurred_at")
        if self.event:
            where.append("event = ?")
            params.append(self.event)
        user_id = _user_id(db, self.username)
        if user_id is not None:
            where.append("user_id = ?")
            params.append(user_id)
        return where, params

    def describe(self) -> str:
        return _describe(self.days, ("event", self.event), ("person", self.username))


@dataclass(frozen=True)
class ResultsFilter:
    """Submitted attempts, by the day they were finished."""

    days: DayRange = DayRange()
    username: str | None = None
    course_id: str | None = None

    def where(self, db: Database) -> tuple[list[str], list[Any]]:
        where, params = self.days.where("a.finished_at")
        where.insert(0, "a.status = 'submitted'")
        user_id = _user_id(db, self.username)
        if user_id is not None:
            where.append("a.user_id = ?")
            params.append(user_id)
        if self.course_id:
            where.append("a.course_id = ?")
            params.append(self.course_id)
        return where, params

    def describe(self) -> str:
        return _describe(self.days, ("person", self.username), ("course", self.course_id))


def _describe(days: DayRange, *others: tuple[str, str | None]) -> str:
    """The filter in words for the audit row, e.g. `2026-01-01..2026-01-31, person alex`."""
    parts = []
    if days.since or days.until:
        parts.append(f"{days.since or ''}..{days.until or ''}")
    parts += [f"{name} {value}" for name, value in others if value]
    return ", ".join(parts) or "everything"
