"""The access-attempt log: append-only, hash-chained evidence of who tried to get in.

Each row's `row_hash` is SHA-256 over the previous row's hash and this row's
content, so changing, removing or inserting a row breaks the chain from that
point, even for someone who drops the triggers with the sqlite3 tool.
What a person typed as a username is kept (sanitised, capped); what they typed
as a password never reaches this module.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from kiosk.clock import Clock, to_iso
from kiosk.db import write_transaction

GENESIS = "0" * 64
USERNAME_CAP = 64
REASON_CAP = 200

# Event names are a public contract: they appear in exports and centres filter on them.
LOGIN_SUCCESS = "login_success"
LOGIN_FAILURE = "login_failure"
LOCKOUT = "lockout"
UNLOCK = "unlock"
LOGOUT = "logout"
IDLE_LOGOUT = "idle_logout"
MANAGER_ACTION = "manager_action"
SETUP = "setup"
KIOSK_START = "kiosk_start"
KIOSK_EXIT = "kiosk_exit"
URGENT_OPENED = "urgent_help_opened"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name
LOG_PURGE = "log_purge"
CERTIFICATE = "certificate"  # a certificate saved or printed at the kiosk

COLUMNS = (
    "id", "occurred_at", "kiosk_id", "event", "username_entered",
    "user_id", "user_matched", "reason",
)


def clean_text(text: str | None, cap: int) -> str:
    """Strip control characters (newlines, escapes, bidi overrides) and cap the length."""
    if not text:
        return ""
    kept = "".join(ch for ch in str(text) if not unicodedata.category(ch).startswith("C"))
    return kept[:cap]


def row_digest(prev_hash: str, row: dict[str, Any]) -> str:
    """The chain hash of one row; canonical JSON so every field boundary is unambiguous."""
    payload = json.dumps(
        [prev_hash, *[row.get(col) for col in COLUMNS]],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    db: Database,
    clock: Clock,
    *,
    kiosk_id: str,
    event: str,
    username_entered: str | None = "",
    user_id: int | None = None,
    user_matched: str | None = "",
    reason: str | None = "",
) -> int:
    """Append one row to the chain and return its id."""
    with write_transaction(db):
        last = db.execute(
            "SELECT id, row_hash FROM access_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
        prev_hash = last[1] if last else _anchor_or_genesis(db)
        row = {
            "id": (last[0] + 1) if last else _next_id_after_purge(db),
            "occurred_at": to_iso(clock.now()),
            "kiosk_id": clean_text(kiosk_id, 40),
            "event": event,
            "username_entered": clean_text(username_entered, USERNAME_CAP),
            "user_id": user_id,
            "user_matched": clean_text(user_matched, USERNAME_CAP),
            "reason": clean_text(reason, REASON_CAP),
        }
        row["prev_hash"] = prev_hash
        row["row_hash"] = row_digest(prev_hash, row)
        db.execute(
            "INSERT INTO access_log (id, occurred_at, kiosk_id, event, username_entered, "
            "user_id, user_matched, reason, prev_hash, row_hash) "
            "VALUES (:id, :occurred_at, :kiosk_id, :event, :username_entered, :user_id, "
            ":user_matched, :reason, :prev_hash, :row_hash)",
            row,
        )
        return int(row["id"])


def append_many(db: Database, clock: Clock, rows: Iterable[Mapping[str, Any]]) -> int:
    """Append many rows in one write transaction, extending the chain; return how many.

    Each row has the keyword arguments of `append()` (kiosk_id and event required) and is
    cleaned the same way; its time is `clock.now()` when the row is written. One
    transaction and one executemany() make bulk loads (imports, benchmarks, the demo)
    thousands of times faster than `append()` per row, with the same chain.
    """
    with write_transaction(db):
        last = db.execute(
            "SELECT id, row_hash FROM access_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
        state = {
            "prev": last[1] if last else _anchor_or_genesis(db),
            "id": (last[0] + 1) if last else _next_id_after_purge(db),
            "count": 0,
        }

        def chained() -> Iterator[dict[str, Any]]:
            for given in rows:
                row = {
                    "id": state["id"],
                    "occurred_at": to_iso(clock.now()),
                    "kiosk_id": clean_text(given["kiosk_id"], 40),
                    "event": given["event"],
                    "username_entered": clean_text(given.get("username_entered"),
                                                   USERNAME_CAP),
                    "user_id": given.get("user_id"),
                    "user_matched": clean_text(given.get("user_matched"), USERNAME_CAP),
                    "reason": clean_text(given.get("reason"), REASON_CAP),
                }
                row["prev_hash"] = state["prev"]
                row["row_hash"] = row_digest(state["prev"], row)
                state["prev"] = row["row_hash"]
                state["id"] += 1
                state["count"] += 1
                yield row

        db.conn.executemany(
            "INSERT INTO access_log (id, occurred_at, kiosk_id, event, username_entered, "
            "user_id, user_matched, reason, prev_hash, row_hash) "
            "VALUES (:id, :occurred_at, :kiosk_id, :event, :username_entered, :user_id, "
            ":user_matched, :reason, :prev_hash, :row_hash)",
            chained(),
        )
        return int(state["count"])


def _anchor(db: Database) -> tuple[int, str] | None:
    row = db.execute(
        "SELECT first_id, prev_hash FROM access_log_anchor ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def _anchor_or_genesis(db: Database) -> str:
    anchor = _anchor(db)
    return anchor[1] if anchor else GENESIS


def _next_id_after_purge(db: Database) -> int:
    anchor = _anchor(db)
    return anchor[0] if anchor else 1


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    rows_checked: int
    first_bad_id: int | None = None
    problem: str = ""


def verify_chain(db: Database) -> ChainReport:
    """Walk the whole log in id order and recompute every hash."""
    anchor = _anchor(db)
    expected_prev = anchor[1] if anchor else GENESIS
    expected_id = anchor[0] if anchor else 1
    checked = 0
    cursor = db.execute(
        "SELECT id, occurred_at, kiosk_id, event, username_entered, user_id, user_matched, "
        "reason, prev_hash, row_hash FROM access_log ORDER BY id"
    )
    names = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        if row["id"] != expected_id:
            return ChainReport(False, checked, row["id"],
                               f"row {row['id']}: expected row {expected_id} (a row is missing)")
        if row["prev_hash"] != expected_prev:
            return ChainReport(False, checked, row["id"],
                               f"row {row['id']}: does not follow the row before it")
        if row_digest(row["prev_hash"], row) != row["row_hash"]:
            return ChainReport(False, checked, row["id"],
                               f"row {row['id']}: its content was changed")
        checked += 1
        expected_prev = row["row_hash"]
        expected_id = row["id"] + 1
    return ChainReport(True, checked)


def query(
    db: Database,
    *,
    since: str | None = None,
    until: str | None = None,
    events: tuple[str, ...] = (),
    user_id: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Rows in time order; `since`/`until` are ISO times (until is exclusive)."""
    where, params = [], []
    if since:
        where.append("occurred_at >= ?")
        params.append(since)
    if until:
        where.append("occurred_at < ?")
        params.append(until)
    if events:
        marks = ",".join("?" * len(events))  # placeholders only; values stay parameters
        where.append(f"event IN ({marks})")
        params.extend(events)
    if user_id is not None:
        where.append("user_id = ?")
        params.append(user_id)
    sql = "SELECT * FROM access_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY occurred_at, id"
    yield from db.query(sql, params)
