"""The centre's own contacts list: checked, saved in place of the course's, or removed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from kiosk import audit
from kiosk.audit import Actor
from kiosk.clock import to_iso
from kiosk.contacts import FIELDS
from kiosk.context import AppContext
from kiosk.errors import ValidationError
from kiosk.operations.base import as_manager
from kiosk.users import User

Who = Actor | User | None
MAX_CELL = 300


def check_rows(rows: Sequence[Mapping[str, str]], today: date) -> list[dict[str, str]]:
    """Tidied contacts; blank rows dropped; ValidationError names the first bad row."""
    contacts = []
    for number, given in enumerate(rows, start=1):
        values = {name: " ".join(str(given.get(name, "")).split()) for name in FIELDS}
        if not any(values.values()):
            continue
        if not values["name"]:
            raise ValidationError(f"Row {number}: a contact needs a name.")
        try:
            checked = date.fromisoformat(values["last_verified"])
        except ValueError:
            raise ValidationError(
                f"Row {number}: last verified must be a date like 2026-01-31.") from None
        if checked > today:
            raise ValidationError(f"Row {number}: last verified is in the future.")
        for name, value in values.items():
            if len(value) > MAX_CELL:
                raise ValidationError(f"Row {number}: {name} is too long.")
        contacts.append(values)
    if not contacts:
        raise ValidationError("Add at least one contact, or use the course's own list.")
    return contacts


def save(ctx: AppContext, actor: Who, course_id: str, rows: Sequence[Mapping[str, str]],
         today: date) -> int:
    """Replace the centre's list for `course_id`; returns how many contacts were saved."""
    contacts = check_rows(rows, today)
    now = to_iso(ctx.clock.now())
    with as_manager(ctx.db, actor, "change the contacts") as who:
        ctx.db.execute("DELETE FROM contacts WHERE course_id = ?", [course_id])
        ctx.db.conn.executemany(
            "INSERT INTO contacts (course_id, position, name, role, phone, web, area, "
            "last_verified, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(course_id, position, c["name"], c["role"], c["phone"], c["web"], c["area"],
              c["last_verified"], now, who.id) for position, c in enumerate(contacts)])
        audit.record(ctx.db, ctx.settings, ctx.clock, who, "contacts_saved",
                     f"{course_id}: {len(contacts)} contacts")
    return len(contacts)


def revert(ctx: AppContext, actor: Who, course_id: str) -> None:
    """Remove the centre's list: the course's own contacts show again."""
    with as_manager(ctx.db, actor, "change the contacts") as who:
        ctx.db.execute("DELETE FROM contacts WHERE course_id = ?", [course_id])
        audit.record(ctx.db, ctx.settings, ctx.clock, who, "contacts_reverted", course_id)
