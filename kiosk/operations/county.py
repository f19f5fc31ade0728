"""The county server, as a manager's operations: sync now, join, link a person, conflicts.

What each command-line command must prove (SECURITY.md, "What the command line can do"):
joining (it changes `kiosk_id` and starts sending personal data to a server), linking a
person (it changes who an account is in the county), pushing to a server other than the
joined one, and seeing who is recorded differently elsewhere all need a manager; each is
recorded under that manager and the channel (the OS user on the command line).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from kiosk import audit
from kiosk.audit import Actor
from kiosk.clock import Clock
from kiosk.context import AppContext
from kiosk.db import write_transaction
from kiosk.errors import KioskError
from kiosk.operations.base import PermissionDenied, require_manager
from kiosk.users import User

if TYPE_CHECKING:  # the county code loads only when a county command runs
    from sqlite_utils import Database

    from kiosk.county.sync import SyncResult


def server_name(url: str) -> str:
    """HOST:PORT/DATABASE of a URL, for a log row: never its role or password."""
    try:
        parts = urlsplit(url)
        where = parts.hostname or "?"
        if parts.port:
            where += f":{parts.port}"
    except ValueError:
        return "?"
    return where + (parts.path if parts.path not in ("", "/") else "")


def request_sync(ctx: AppContext, actor: Actor | User | None) -> None:
    """Push to the county server at once instead of at the next interval (recorded)."""
    with write_transaction(ctx.db):
        # Who asks comes first: a learner is refused whether or not the kiosk has joined.
        who = require_manager(ctx.db, actor, "push to the county server")
        if ctx.county_sync is None:
            raise KioskError("This kiosk has not joined a county server.")
        audit.record(ctx.db, ctx.settings, ctx.clock, who, "county sync", "sync now")
    ctx.county_sync.request_sync()


def join(ctx: AppContext, actor: Actor | User | None, url: str) -> tuple[str, int]:
    """Join this kiosk to the server of `url`; (kiosk id, records queued). Recorded in the
    same transaction that sets `kiosk_id` and switches queueing on."""
    from kiosk.county import sync

    what = "join this kiosk to a county server"
    require_manager(ctx.db, actor, what)  # before the server is even asked
    before = ctx.settings.kiosk_id

    def record(kiosk_id: str) -> None:
        who = require_manager(ctx.db, actor, what)
        change = f"; kiosk_id {before} -> {kiosk_id}" if kiosk_id != before else ""
        audit.record(ctx.db, ctx.settings, ctx.clock, who, "county join",
                     f"as kiosk {kiosk_id} on {server_name(url)}{change}")

    return sync.join(ctx.db, ctx.db_path, ctx.clock, url, record=record)


def link_person(ctx: AppContext, actor: Actor | User | None, username: str,
                code: str) -> str:
    """Give `username` the county id of the holder of certificate `code` (recorded)."""
    from kiosk.county import sync

    what = "link a person to the county's record"
    require_manager(ctx.db, actor, what)

    def record(user: User, wanted: str) -> None:
        who = require_manager(ctx.db, actor, what)
        audit.record(ctx.db, ctx.settings, ctx.clock, who, "county link",
                     f"{user.username} to the holder of {wanted}", about=user)

    return sync.link_person(ctx.db, ctx.db_path, ctx.clock, username, code, record=record)


def push(ctx: AppContext, actor: Actor | User | None, server: str | None) -> SyncResult:
    """`kiosk sync`: push the outbox to the joined server, or (a manager only) another.

    Records pushed to another server are marked sent, so they never reach the joined
    one: that is a manager's decision, recorded before the first record leaves.
    """
    from kiosk.county import credentials, outbox, sync

    saved = credentials.load(ctx.db_path)
    given = (server or "").strip()
    elsewhere = bool(given) and (saved is None or given != saved["url"])
    if elsewhere and actor is None:
        raise PermissionDenied("pushing to a server other than the joined one needs a "
                               "manager's sign-in: add --as USERNAME")
    if actor is not None:  # the right first: a learner learns nothing of the set-up
        require_manager(ctx.db, actor, "push to a county server")
    url, kiosk_id = sync.server_url(ctx.db_path, server)
    if not outbox.enabled(ctx.db):
        raise KioskError("this kiosk has not joined a county server, so nothing is "
                         "queued: run `kiosk sync join` first")
    if actor is not None:
        with write_transaction(ctx.db):
            who = require_manager(ctx.db, actor, "push to a county server")
            audit.record(ctx.db, ctx.settings, ctx.clock, who, "county sync",
                         f"to {server_name(url)}" + (" (not the joined server)"
                                                     if elsewhere else ""))
    return sync.push(ctx.db, url, kiosk_id or ctx.settings.kiosk_id, ctx.clock)


def conflicts(ctx: AppContext, actor: Actor | User | None) -> list[dict[str, object]]:
    """Who is recorded differently at another centre: names, so a manager's (recorded)."""
    from kiosk.county import outbox

    with write_transaction(ctx.db):
        who = require_manager(ctx.db, actor, "see who is recorded differently elsewhere")
        found = outbox.conflicts(ctx.db)
        audit.record(ctx.db, ctx.settings, ctx.clock, who, "viewed county conflicts",
                     f"{len(found)} listed")
    return found



def background_push(db: Database, db_path: Path, clock: Clock) -> SyncResult:
    """The running kiosk's own push to the joined server, on its worker thread with its
    own connection. Nobody acts, so there is no right to check; sync.push records the
    outcome (and any error) itself. Small batches with pauses keep the kiosk's writers
    from ever waiting long for the file."""
    from kiosk.county import sync

    url, kiosk_id = sync.server_url(db_path)
    return sync.push(db, url, kiosk_id, clock, batch_size=sync.BACKGROUND_BATCH,
                     pause_s=sync.BACKGROUND_PAUSE_SECONDS)
