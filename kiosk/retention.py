"""The retention purge: the one way access-log rows and results leave data.db.

Access-log rows go oldest first as one block at the start of the chain, so what
is kept still verifies: the purge records an anchor (the first kept id and the
prev_hash it carries) and verify_chain starts from there. The triggers refuse
every delete unless the purge gate is open, and it is open only inside this
module's transaction.
"""

from __future__ import annotations

from datetime import datetime, time, timezone
from typing import Any

from sqlite_utils import Database

from kiosk import access_log, audit, evidence
from kiosk.audit import Actor
from kiosk.clock import Clock, add_months, to_iso
from kiosk.db import write_transaction
from kiosk.errors import ValidationError
from kiosk.settings import Settings
from kiosk.users import User

ACCESS_LOG = "access-log"
RESULTS = "results"
WHAT = (ACCESS_LOG, RESULTS)
MAX_MONTHS = 600


def cutoff_for(clock: Clock, months: int) -> str:
    """Rows strictly before this ISO time are 'older than N months'."""
    if not isinstance(months, int) or months < 1 or months > MAX_MONTHS:
        raise ValidationError(f"The number of months must be between 1 and {MAX_MONTHS}.")
    today = clock.now().astimezone(timezone.utc).date()
    return to_iso(datetime.combine(add_months(today, -months), time(0), timezone.utc))


def _check_what(what: str) -> None:
    if what not in WHAT:
        raise ValidationError("Choose what to purge: 'access-log' or 'results'.")


def _first_kept_log_id(db: Database, cutoff: str) -> int | None:
    """The chain is purged as a prefix: everything before the first row at or after cutoff.

    A row written later with an older clock time is kept rather than break the chain.
    """
    row = db.execute(
        "SELECT MIN(id) FROM access_log WHERE occurred_at >= ?", [cutoff]
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


# Submitted attempts go by when they finished; abandoned ones by when they started.
_OLD = ("(status = 'submitted' AND finished_at < :cutoff) "
        "OR (status = 'in_progress' AND started_at < :cutoff)")


def preview(db: Database, what: str, cutoff: str) -> int:
    """How many rows a purge with this cutoff would remove."""
    _check_what(what)
    if what == RESULTS:
        sql = "SELECT COUNT(*) FROM attempts WHERE "
        sql += _OLD
        return int(db.execute(sql, {"cutoff": cutoff}).fetchone()[0])
    first_kept = _first_kept_log_id(db, cutoff)
    if first_kept is None:
        return int(db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0])
    return int(db.execute(
        "SELECT COUNT(*) FROM access_log WHERE id < ?", [first_kept]
    ).fetchone()[0])


def purge(db: Database, settings: Settings, clock: Clock, what: str, months: int,
          actor: Actor | User | None = None) -> int:
    """Remove rows older than `months`, record it, and return how many went."""
    _check_what(what)
    cutoff = cutoff_for(clock, months)
    with write_transaction(db):
        if what == ACCESS_LOG:
            count = _purge_access_log(db, clock, cutoff)
            if count:
                evidence.reseal_after_log_purge(db, clock, settings.kiosk_id)
            event, reason = access_log.LOG_PURGE, (
                f"access-log rows before {cutoff[:10]} purged: {count} "
                f"(older than {months} months)")
        else:
            count = _purge_results(db, cutoff)
            event, reason = access_log.MANAGER_ACTION, (
                f"results_purge: {count} attempts before {cutoff[:10]} "
                f"(older than {months} months)")
        audit.record(db, settings, clock, actor, reason, event=event)
    return count


def _open_gate(db: Database) -> None:
    db.execute("INSERT INTO access_log_purge_gate (open) VALUES (1)")


def _close_gate(db: Database) -> None:
    db.execute("DELETE FROM access_log_purge_gate")


def _purge_access_log(db: Database, clock: Clock, cutoff: str) -> int:
    first_kept = _first_kept_log_id(db, cutoff)
    last = db.execute("SELECT id, row_hash FROM access_log ORDER BY id DESC LIMIT 1").fetchone()
    if last is None:
        return 0
    if first_kept is None:
        # Everything is old: the next row appended (the purge record) continues the chain.
        anchor_id, anchor_hash = int(last[0]) + 1, str(last[1])
    else:
        kept = db.execute("SELECT prev_hash FROM access_log WHERE id = ?",
                          [first_kept]).fetchone()
        anchor_id, anchor_hash = first_kept, str(kept[0])
    count = int(db.execute("SELECT COUNT(*) FROM access_log WHERE id < ?",
                           [anchor_id]).fetchone()[0])
    if count == 0:
        return 0
    _open_gate(db)
    try:
        db.execute("DELETE FROM access_log WHERE id < ?", [anchor_id])
    finally:
        _close_gate(db)
    db.execute(
        "INSERT INTO access_log_anchor (first_id, prev_hash, created_at) VALUES (?, ?, ?)",
        [anchor_id, anchor_hash, to_iso(clock.now())],
    )
    return count


def _purge_results(db: Database, cutoff: str) -> int:
    params: dict[str, Any] = {"cutoff": cutoff}
    count_sql = "SELECT COUNT(*) FROM attempts WHERE "
    count_sql += _OLD
    count = int(db.execute(count_sql, params).fetchone()[0])
    if count == 0:
        return 0
    _open_gate(db)
    try:
        ids = "SELECT id FROM attempts WHERE "
        ids += _OLD
        for sql in (
            "DELETE FROM attempt_questions WHERE attempt_id IN ",
            # A grant used by a purged attempt goes with it: left behind it would look unused.
            "DELETE FROM attempt_grants WHERE used_by_attempt IN ",
            "DELETE FROM attempts WHERE id IN ",
        ):
            sql += "(" + ids + ")"
            db.execute(sql, params)
    finally:
        _close_gate(db)
    return count
