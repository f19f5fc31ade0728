"""The test: start or resume, answer, submit (the person's own), and a manager's grant."""

from __future__ import annotations

from collections.abc import Iterable

from kiosk import quiz, users
from kiosk.audit import Actor
from kiosk.context import AppContext
from kiosk.course import Course
from kiosk.db import write_transaction
from kiosk.operations.base import PermissionDenied, current, require_manager
from kiosk.quiz import Attempt
from kiosk.users import User

Who = Actor | User | None


def _own_attempt(ctx: AppContext, actor: Who, attempt_id: str) -> Actor:
    """Only the person who started an attempt may answer or submit it."""
    who = current(ctx.db, actor)
    row = ctx.db.execute("SELECT user_id FROM attempts WHERE id = ?", [attempt_id]).fetchone()
    if row is None or int(row[0]) != who.id:
        raise PermissionDenied("That test belongs to someone else.")
    return who


def start_or_resume(ctx: AppContext, actor: Who, course: Course) -> Attempt:
    who = current(ctx.db, actor)
    return quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, who.user, course)


def answer(ctx: AppContext, actor: Who, attempt_id: str, position: int,
           selected: Iterable[int]) -> None:
    """Saved at once: a power cut a second later loses nothing."""
    with write_transaction(ctx.db):
        _own_attempt(ctx, actor, attempt_id)
        quiz.answer(ctx.db, ctx.clock, attempt_id, position, selected)


def submit(ctx: AppContext, actor: Who, attempt_id: str, course: Course) -> Attempt:
    with write_transaction(ctx.db):
        _own_attempt(ctx, actor, attempt_id)
        return quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt_id, course)


def grant_attempt(ctx: AppContext, actor: Who, username: str, course_id: str) -> int:
    """One more attempt for `username`, past the attempt limit or cool-down (logged)."""
    with write_transaction(ctx.db):
        who = require_manager(ctx.db, actor, "allow another test attempt")
        person = users.require(ctx.db, username)
        return quiz.grant_attempt(ctx.db, ctx.settings, ctx.clock, who, person.id, course_id)
