"""The kiosk side of the county roll-up: the outbox the migrations' triggers fill.

Joining a county (enable()) switches the triggers on and, in the same transaction,
queues everything written before, in the triggers' own JSON shapes; from then on
every write queues its record in its own transaction. Nothing here talks to a server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from kiosk import migrations as m
from kiosk.db import write_transaction

KINDS = ("person", "attempt", "access_log", "reading", "contact")


def _backfill_sql() -> list[str]:
    def q(kind: str, payload: str, source: str) -> str:
        return (f"INSERT INTO county_outbox (kind, payload, queued_at) "  # noqa: S608 - fixed
                f"SELECT '{kind}', {payload}, {m.COUNTY_NOW_SQL} FROM {source}")

    return [
        q("person", m.COUNTY_PERSON_JSON.format(r="users"), "users ORDER BY id"),
        q("contact", m.COUNTY_CONTACT_JSON.format(r="contacts", op="insert"),
          "contacts ORDER BY id"),
        q("reading", m.COUNTY_READING_JSON.format(r="section_views"),
          "section_views ORDER BY id"),
        q("attempt", m.COUNTY_ATTEMPT_JSON.format(r="attempts"),
          "attempts WHERE status = 'submitted' ORDER BY finished_at, id"),
        # In id order: the server then always holds an unbroken start of the chain.
        q("access_log", m.COUNTY_LOG_JSON.format(r="access_log"), "access_log ORDER BY id"),
    ]


def enabled(db: Database) -> bool:
    row = db.execute("SELECT enabled FROM county_state WHERE id = 1").fetchone()
    return bool(row and row[0])


def enable(db: Database, kiosk_id: str, joined_at: str) -> int:
    """Switch queueing on and queue every existing record once; return how many.

    Idempotent: joining again (a new URL, the same county) queues nothing twice.
    """
    with write_transaction(db):
        if enabled(db):
            db.execute("UPDATE county_state SET kiosk_id = ? WHERE id = 1", [kiosk_id])
            return 0
        before = db.execute("SELECT COALESCE(MAX(seq), 0) FROM county_outbox").fetchone()[0]
        for sql in _backfill_sql():
            db.execute(sql)
        db.execute("UPDATE county_state SET enabled = 1, kiosk_id = ?, joined_at = ? "
                   "WHERE id = 1", [kiosk_id, joined_at])
        after = db.execute("SELECT COALESCE(MAX(seq), 0) FROM county_outbox").fetchone()[0]
        return int(after - before)


@dataclass(frozen=True)
class State:
    enabled: bool
    kiosk_id: str
    joined_at: str | None
    last_attempt_at: str | None
    last_synced_at: str | None
    last_pulled_at: str | None
    last_error: str
    unsent: int
    conflicts: int


def state(db: Database) -> State:
    row = next(db.query("SELECT * FROM county_state WHERE id = 1"))
    unsent = db.execute("SELECT COUNT(*) FROM county_outbox").fetchone()[0]
    conflicts = db.execute("SELECT COUNT(*) FROM county_conflicts").fetchone()[0]
    return State(bool(row["enabled"]), row["kiosk_id"], row["joined_at"],
                 row["last_attempt_at"], row["last_synced_at"], row["last_pulled_at"],
                 row["last_error"], int(unsent), int(conflicts))


def batch(db: Database, limit: int) -> list[tuple[int, str, str]]:
    """The oldest `limit` queued records: (seq, kind, payload JSON)."""
    return [(int(r[0]), r[1], r[2]) for r in db.execute(
        "SELECT seq, kind, payload FROM county_outbox ORDER BY seq LIMIT ?", [limit])]


def mark_sent(db: Database, first_seq: int, last_seq: int) -> int:
    """Drop records the server has committed (its copy is the record now)."""
    with write_transaction(db):
        cur = db.execute("DELETE FROM county_outbox WHERE seq BETWEEN ? AND ?",
                         [first_seq, last_seq])
        return int(cur.rowcount)


def record_attempt(db: Database, when: str, *, error: str = "", synced: bool = False,
                   pulled: bool = False) -> None:
    sets = ["last_attempt_at = ?", "last_error = ?"]
    params: list[Any] = [when, error[:500]]
    if synced:
        sets.append("last_synced_at = ?")
        params.append(when)
    if pulled:
        sets.append("last_pulled_at = ?")
        params.append(when)
    with write_transaction(db):
        db.execute(f"UPDATE county_state SET {', '.join(sets)} WHERE id = 1",  # noqa: S608
                   params)


def conflicts(db: Database) -> list[dict[str, Any]]:
    return list(db.query(
        "SELECT u.username, c.field, c.here, c.there, c.centre, c.kiosk_id "
        "FROM county_conflicts c LEFT JOIN users u ON u.person_uid = c.person_uid "
        "ORDER BY u.username, c.centre"))
