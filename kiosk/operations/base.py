"""What every operation shares: who is asking, and whether they may."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlite_utils import Database

from kiosk.audit import Actor, as_actor
from kiosk.db import write_transaction
from kiosk.errors import KioskError
from kiosk.users import User, get

# An operation's progress callback: rows (or steps) done so far. It may raise Cancelled.
Progress = Callable[[int], None]


class PermissionDenied(KioskError):
    """The actor may not do this (not signed in, not a manager, disabled since)."""


class Cancelled(KioskError):
    """The person cancelled a long operation; nothing was kept."""


def current(db: Database, actor: Actor | User | None) -> Actor:
    """The actor as the database has them now: a disabled account acts no more.

    A manager disabled or demoted by a colleague loses their rights at their next action,
    not at their next sign-out, because every operation asks this first.
    """
    who = as_actor(actor)
    if who is None:
        raise PermissionDenied("Sign in first.")
    try:
        user = get(db, who.id)
    except KioskError:
        raise PermissionDenied("That account no longer exists.") from None
    if user.disabled:
        raise PermissionDenied("Your account has been disabled; ask another manager.")
    return who.with_user(user)


def require_manager(db: Database, actor: Actor | User | None, what: str) -> Actor:
    who = current(db, actor)
    if not who.is_manager:
        raise PermissionDenied(f"Only a manager can {what}.")
    return who


@contextmanager
def as_manager(db: Database, actor: Actor | User | None, what: str) -> Iterator[Actor]:
    """One write transaction (BEGIN IMMEDIATE) whose first step re-checks the manager.

    The check and the writes it allows are one transaction, so nothing a colleague does
    between them (disabling this manager, demoting them) can be missed.
    """
    with write_transaction(db):
        yield require_manager(db, actor, what)
