"""Contacts: who to call, and whether each number is still known to be right.

The pack's contacts.toml is the starting list; once a manager edits contacts in
the kiosk, the `contacts` table holds the centre's list for that course and
wins. A contact not verified in the last 12 months is "stale": managers are
warned, because a wrong number in an emergency is worse than none.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlite_utils import Database

from kiosk.course import Contact

STALE_AFTER_MONTHS = 12


def effective_contacts(db: Database, course: Any) -> tuple[Contact, ...]:
    """The managers' edited list for this course if there is one, else the pack's."""
    rows = list(db.query(
        "SELECT name, role, phone, web, area, last_verified FROM contacts "
        "WHERE course_id = ? ORDER BY position, id", [course.id]))
    if not rows:
        return tuple(course.contacts)
    pack = {(c.name, c.phone, c.last_verified): c for c in course.contacts}
    result = []
    for r in rows:
        checked = _as_date(r["last_verified"])
        same = pack.get((r["name"], r["phone"], checked))
        # A row saved unchanged from the pack keeps the pack's word on whether the number
        # was seen on an official page: saving the list (to change another row) is not
        # checking this one. A manager who re-dates a row has checked it.
        verified, source = (same.verified, same.source) if same else (True, "")
        result.append(Contact(r["name"], r["role"], r["phone"], r["web"], r["area"], checked,
                              verified, source))
    return tuple(result)


def _as_date(value: str) -> date:
    # Stored as ISO text; a timestamp is cut to its date.
    return date.fromisoformat(str(value)[:10])


def months_before(today: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when that day does not exist)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    for day in (today.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def stale_contacts(contacts: tuple[Contact, ...] | list[Contact], today: date) -> list[Contact]:
    """Contacts not verified within the last 12 months."""
    cutoff = months_before(today, STALE_AFTER_MONTHS)
    return [c for c in contacts if c.last_verified < cutoff]
