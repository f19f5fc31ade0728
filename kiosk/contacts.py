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

from kiosk.clock import add_months
from kiosk.course import Contact, Course

STALE_AFTER_MONTHS = 12
FIELDS = ("name", "role", "phone", "web", "area", "last_verified")


def stored_rows(db: Database, course_id: str) -> list[dict[str, Any]]:
    """The centre's edited list for a course (empty when it uses the pack's own)."""
    return list(db.query(
        "SELECT name, role, phone, web, area, last_verified FROM contacts "
        "WHERE course_id = ? ORDER BY position, id", [course_id]))


def effective_contacts(db: Database, course: Course) -> tuple[Contact, ...]:
    """The managers' edited list for this course if there is one, else the pack's."""
    rows = stored_rows(db, course.id)
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


def is_stale(last_verified: date, today: date) -> bool:
    """Not verified within the last 12 months: the one rule, for learners and managers."""
    return last_verified < add_months(today, -STALE_AFTER_MONTHS)


def stale_contacts(contacts: tuple[Contact, ...] | list[Contact], today: date) -> list[Contact]:
    """Contacts not verified within the last 12 months."""
    return [c for c in contacts if is_stale(c.last_verified, today)]
