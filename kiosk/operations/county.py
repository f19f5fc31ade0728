"""The county push: a manager asks for it now (the push itself is kiosk/ui/county_sync.py)."""

from __future__ import annotations

from kiosk import audit
from kiosk.audit import Actor
from kiosk.context import AppContext
from kiosk.db import write_transaction
from kiosk.errors import KioskError
from kiosk.operations.base import require_manager
from kiosk.users import User


def request_sync(ctx: AppContext, actor: Actor | User | None) -> None:
    """Push to the county server at once instead of at the next interval (recorded)."""
    with write_transaction(ctx.db):
        # Who asks comes first: a learner is refused whether or not the kiosk has joined.
        who = require_manager(ctx.db, actor, "push to the county server")
        if ctx.county_sync is None:
            raise KioskError("This kiosk has not joined a county server.")
        audit.record(ctx.db, ctx.settings, ctx.clock, who, "county sync", "sync now")
    ctx.county_sync.request_sync()
