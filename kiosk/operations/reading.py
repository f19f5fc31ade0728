"""Reading the guidance: a person's own section views, opened, read to the end, timed.

The rule of what counts as read lives in kiosk.reading; here is who may write a view:
only its reader, while their account is active (a view is never another person's).
"""

from __future__ import annotations

from typing import Any

from kiosk import reading
from kiosk.audit import Actor
from kiosk.context import AppContext
from kiosk.db import write_transaction
from kiosk.operations.base import PermissionDenied, current
from kiosk.users import User

Who = Actor | User | None


def _own_view(ctx: AppContext, actor: Who, view_id: int) -> Actor:
    who = current(ctx.db, actor)
    row = ctx.db.execute("SELECT user_id FROM section_views WHERE id = ?",
                         [view_id]).fetchone()
    if row is None or int(row[0]) != who.id:
        raise PermissionDenied("That reading record belongs to someone else.")
    return who


def open_section(ctx: AppContext, actor: Who, course: Any, section_id: str) -> int:
    """The person opened a section now; returns the view's id for the two below."""
    with write_transaction(ctx.db):
        who = current(ctx.db, actor)
        return reading.record_open(ctx.db, ctx.clock, who.id, course, section_id)


def reached_end(ctx: AppContext, actor: Who, view_id: int) -> None:
    """The end of the section was on screen: it now counts as read (first time kept)."""
    with write_transaction(ctx.db):
        _own_view(ctx, actor, view_id)
        reading.record_end(ctx.db, ctx.clock, view_id)


def time_spent(ctx: AppContext, actor: Who, view_id: int, seconds: float) -> None:
    """How long the section was open, stored when the person moves on."""
    with write_transaction(ctx.db):
        _own_view(ctx, actor, view_id)
        reading.record_seconds(ctx.db, view_id, seconds)
