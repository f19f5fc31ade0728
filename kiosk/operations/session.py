"""Signing in and out, at the screen and on the command line; closing the kiosk."""

from __future__ import annotations

from kiosk import access_log, audit, users
from kiosk.audit import Actor
from kiosk.auth import LoginOutcome
from kiosk.context import AppContext
from kiosk.db import write_transaction
from kiosk.operations.base import PermissionDenied, current, require_manager
from kiosk.osuser import os_user
from kiosk.users import User


def sign_in(ctx: AppContext, username: str, password: str) -> LoginOutcome:
    """The login screen's check (throttling, lockout, every attempt logged: kiosk.auth)."""
    return ctx.auth.login(username, password)


def sign_out(ctx: AppContext, user: User | None, *, idle: bool = False) -> None:
    if user is not None:
        ctx.auth.logout(user, idle=idle)


def change_own_password(ctx: AppContext, actor: Actor | User | None, password: str) -> None:
    """A signed-in person chooses their own password (the policy checked; logged)."""
    who = current(ctx.db, actor)
    users.set_password(ctx.db, ctx.settings, ctx.clock, who.user, password, actor=who)


def save_own_prefs(ctx: AppContext, actor: Actor | User | None,
                   changes: dict[str, object]) -> User:
    """The signed-in person's display choices (contrast, text size), others' keys kept."""
    with write_transaction(ctx.db):
        who = current(ctx.db, actor)
        prefs = dict(users.get(ctx.db, who.id).prefs)
        prefs.update(changes)
        users.save_prefs(ctx.db, who.user, prefs)
        return users.get(ctx.db, who.id)


def command_line_via() -> str:
    return f"command line, OS user {os_user()}"


def sign_in_command_line(ctx: AppContext, username: str, password: str) -> Actor:
    """A manager's sign-in for one command: the same checks and log rows as the screen.

    A wrong password counts towards the account's lockout like one typed at the kiosk.
    Returns the actor every row the command writes is recorded under, with the OS user.
    """
    outcome = ctx.auth.login(username, password)
    if not outcome.ok or outcome.user is None:
        raise PermissionDenied("sign-in failed: check the username (--as) and password")
    if outcome.user.must_change_password:
        raise PermissionDenied("this account must choose a new password at the kiosk first")
    return require_manager(ctx.db, Actor(outcome.user, command_line_via()),
                           "use this command")


def close_kiosk(ctx: AppContext, actor: Actor | User | None, password: str) -> bool:
    """A manager closes the kiosk: password again, then a logged exit. False if refused."""
    who = require_manager(ctx.db, actor, "close the kiosk")
    if not ctx.auth.confirm_manager(who.user, password, "close kiosk"):
        return False
    with write_transaction(ctx.db):
        who = require_manager(ctx.db, who, "close the kiosk")
        audit.record(ctx.db, ctx.settings, ctx.clock, who, "closed by a manager",
                     event=access_log.KIOSK_EXIT)
    return True


def kiosk_started(ctx: AppContext) -> bool:
    """`kiosk_start`, after an `unclean_shutdown` row if the last run never ended (True)."""
    from kiosk import lifecycle

    return lifecycle.record_start(ctx.db, ctx.clock, ctx.kiosk_id)


def kiosk_terminated(ctx: AppContext, how: str) -> None:
    """The operating system asked the kiosk to stop (SIGTERM, a Windows shutdown)."""
    from kiosk import lifecycle

    lifecycle.record_terminated(ctx.db, ctx.clock, ctx.kiosk_id, how)


def close_refused(ctx: AppContext) -> None:
    """Someone tried to close the kiosk window (Alt+F4, the taskbar) and was refused."""
    from kiosk import lifecycle

    user = ctx.current_user
    lifecycle.record_close_refused(ctx.db, ctx.clock, ctx.kiosk_id,
                                   user.username if user else "",
                                   user.id if user else None)


def urgent_help_opened(ctx: AppContext) -> None:
    """Anyone may open the urgent page. The event alone is recorded: no name, no reason,
    so nobody is put off looking for help by being identified."""
    access_log.append(ctx.db, ctx.clock, kiosk_id=ctx.kiosk_id, event=access_log.URGENT_OPENED)
