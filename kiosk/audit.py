"""Recording what managers look at and change: every view and export is an access event.

Personal data read in the manager area is itself evidence (who looked at whom, and
when), so each view, export and change lands in the hash-chained access log.
"""

from __future__ import annotations

from sqlite_utils import Database

from kiosk import access_log
from kiosk.clock import Clock
from kiosk.settings import Settings
from kiosk.users import User


def record(db: Database, settings: Settings, clock: Clock, actor: User | None,
           action: str, detail: str = "", *, subject: User | None = None) -> int:
    """Append a manager_action row; `actor` None means the command line."""
    who = actor.username if actor else "(command line)"
    reason = action + (f": {detail}" if detail else "")
    if subject is not None and subject.username not in reason:
        reason += f" ({subject.username})"
    return access_log.append(
        db, clock, kiosk_id=settings.kiosk_id, event=access_log.MANAGER_ACTION,
        username_entered=who, user_id=actor.id if actor else None,
        user_matched=actor.username if actor else "", reason=reason,
    )
