"""People: add, edit, disable or enable, unlock, reset a password, import, list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk import audit, people_import, users
from kiosk.audit import Actor
from kiosk.clock import to_iso
from kiosk.context import AppContext
from kiosk.db import write_transaction
from kiosk.operations.base import PermissionDenied, as_manager, require_manager
from kiosk.users import User

# The words for an account's state, on the People tab and in `kiosk users list`.
ACTIVE, LOCKED, DISABLED, MUST_CHANGE = "active", "locked", "disabled", "must change password"


@dataclass(frozen=True)
class Added:
    user: User
    temporary_password: str | None  # shown once, when the kiosk chose it


@dataclass(frozen=True)
class Person:
    user: User
    state: str


def state_of(user: User, now_iso: str) -> str:
    if user.disabled:
        return DISABLED
    if user.locked_until and user.locked_until > now_iso:
        return LOCKED
    if user.must_change_password:
        return MUST_CHANGE
    return ACTIVE


def list_people(ctx: AppContext, actor: Actor | User | None) -> list[Person]:
    """Every account with its state, for managers only."""
    require_manager(ctx.db, actor, "see the list of people")
    now = to_iso(ctx.clock.now())
    return [Person(u, state_of(u, now)) for u in users.list_users(ctx.db)]


def add(ctx: AppContext, actor: Actor | User | None, *, username: str, role: str,
        full_name: str = "", job_title: str = "", password: str | None = None) -> Added:
    """Add an account. Without `password` the kiosk picks a temporary one to be changed."""
    temporary = password is None
    chosen = people_import.temporary_password() if password is None else password
    with as_manager(ctx.db, actor, "add people") as who:
        user = users.create(ctx.db, ctx.settings, ctx.clock, username=username,
                            password=chosen, role=role, full_name=full_name,
                            job_title=job_title, must_change_password=temporary, actor=who)
    return Added(user, chosen if temporary else None)


def add_first_manager(ctx: AppContext, *, username: str, password: str, full_name: str = "",
                      job_title: str = "", via: str = "") -> User:
    """The command line's way in on a database with no active manager (like first-run set-up).

    Refused as soon as any active manager exists: from then on a manager signs in.
    """
    with write_transaction(ctx.db):
        if users.manager_exists(ctx.db):
            raise PermissionDenied("A manager already exists: sign in as a manager (--as) "
                                   "to add people.")
        user = users.create(ctx.db, ctx.settings, ctx.clock, username=username,
                            password=password, role="manager", full_name=full_name,
                            job_title=job_title)
        audit.record(ctx.db, ctx.settings, ctx.clock, Actor(user, via), "first manager added",
                     user.username)
    return user


def edit(ctx: AppContext, actor: Actor | User | None, username: str, *,
         full_name: str | None = None, role: str | None = None,
         job_title: str | None = None) -> User:
    with as_manager(ctx.db, actor, "change people's details") as who:
        return users.update_details(ctx.db, ctx.settings, ctx.clock, username,
                                    full_name=full_name, role=role, job_title=job_title,
                                    actor=who)


def set_disabled(ctx: AppContext, actor: Actor | User | None, username: str,
                 disabled: bool = True) -> User:
    """Disable (or enable) an account; the last active manager is never disabled."""
    with as_manager(ctx.db, actor, "disable or enable accounts") as who:
        return users.set_disabled(ctx.db, ctx.settings, ctx.clock, username, disabled,
                                  actor=who)


def unlock(ctx: AppContext, actor: Actor | User | None, username: str) -> User:
    with as_manager(ctx.db, actor, "unlock accounts") as who:
        return users.unlock(ctx.db, ctx.settings, ctx.clock, username, actor=who)


def reset_password(ctx: AppContext, actor: Actor | User | None, username: str,
                   password: str | None = None) -> tuple[User, str]:
    """A new password the person must change at their next sign-in; returns it."""
    chosen = people_import.temporary_password() if password is None else password
    with as_manager(ctx.db, actor, "reset passwords") as who:
        target = users.require(ctx.db, username)
        users.set_password(ctx.db, ctx.settings, ctx.clock, target, chosen, must_change=True,
                           actor=who)
        return users.get(ctx.db, target.id), chosen


def import_people(ctx: AppContext, actor: Actor | User | None, path: Path | str, *,
                  progress: Callable[[int, int], None] | None = None,
                  before_commit: Callable[[people_import.ImportReport], None] | None = None,
                  ) -> people_import.ImportReport:
    """Add people from a CSV file (see people_import); bad rows are reported, not added.

    The rows are checked and their passwords hashed first, with no lock held (Argon2
    takes a moment per person); the accounts are then created in one transaction, which
    commits only after `before_commit(report)` has shown the temporary passwords. The
    actor is checked again inside that transaction, so a manager disabled meanwhile
    adds nobody.
    """
    def per_row(done: int, total: int) -> None:
        require_manager(ctx.db, actor, "import people")
        if progress is not None:
            progress(done, total)

    def check_then_show(report: people_import.ImportReport) -> None:
        require_manager(ctx.db, actor, "import people")  # under the write lock
        if before_commit is not None:
            before_commit(report)

    who = require_manager(ctx.db, actor, "import people")
    return people_import.import_people(ctx.db, ctx.settings, ctx.clock, path, actor=who,
                                       progress=per_row, before_commit=check_then_show)

