"""A kiosk's start and end in the access log: clean exits, unclean ones, refused closes.

Every run writes `kiosk_start`; a manager's close or the operating system's SIGTERM
writes `kiosk_exit`. A run that has no `kiosk_exit` after its `kiosk_start` ended by a
power cut, a crash or a kill: the next start records `unclean_shutdown`, so a gap in
the record (and a possible unseen change to the file) is itself on record.
"""

from __future__ import annotations

from sqlite_utils import Database

from kiosk import access_log
from kiosk.clock import Clock
from kiosk.db import write_transaction

UNCLEAN_SHUTDOWN = access_log.UNCLEAN_SHUTDOWN
CLOSE_REFUSED = access_log.CLOSE_REFUSED


def record_start(db: Database, clock: Clock, kiosk_id: str) -> bool:
    """Write `kiosk_start`, after an `unclean_shutdown` row if the last run never ended.

    Returns True when the previous run ended uncleanly.
    """
    with write_transaction(db):
        last = db.execute(
            "SELECT event, occurred_at FROM access_log WHERE kiosk_id = ? AND event IN (?, ?) "
            "ORDER BY id DESC LIMIT 1",
            [access_log.clean_text(kiosk_id, 40), access_log.KIOSK_START,
             access_log.KIOSK_EXIT]).fetchone()
        unclean = bool(last and last[0] == access_log.KIOSK_START)
        if unclean:
            access_log.append(
                db, clock, kiosk_id=kiosk_id, event=UNCLEAN_SHUTDOWN,
                reason=f"the run started {last[1]} ended without closing "
                       "(power cut, crash or the process was killed)")
        access_log.append(db, clock, kiosk_id=kiosk_id, event=access_log.KIOSK_START)
    return unclean


def record_terminated(db: Database, clock: Clock, kiosk_id: str, how: str) -> None:
    """The operating system asked the kiosk to stop (SIGTERM, a Windows shutdown)."""
    access_log.append(db, clock, kiosk_id=kiosk_id, event=access_log.KIOSK_EXIT,
                      reason=f"stopped by the operating system ({how})")


def record_close_refused(db: Database, clock: Clock, kiosk_id: str, who: str = "",
                         user_id: int | None = None) -> None:
    """Someone tried to close the kiosk window (Alt+F4, the taskbar) and was refused."""
    access_log.append(db, clock, kiosk_id=kiosk_id, event=CLOSE_REFUSED,
                      username_entered=who, user_id=user_id,
                      user_matched=who if user_id is not None else "",
                      reason="closing the kiosk is only for a manager (Home, Close the kiosk)")
