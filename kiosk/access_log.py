"""The access-attempt log: append-only, hash-chained evidence of who tried to get in.

Each row's `row_hash` is SHA-256 over the previous row's hash and this row's
content, so changing, removing or inserting a row breaks the chain from that
point, even for someone who drops the triggers with the sqlite3 tool.
What a person typed as a username is kept (sanitised, capped); what they typed
as a password never reaches this module.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kiosk.clock import Clock, to_iso
from kiosk.db import write_transaction
from kiosk.errors import KioskError
from kiosk.migrations import migrations

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
TEST_SUBMITTED = "test_submitted"  # a result sealed into the chain (kiosk/evidence.py)
IDENTITY = "identity"  # who an account is, sealed into the chain (kiosk/evidence.py)
UNCLEAN_SHUTDOWN = "unclean_shutdown"  # found at start: the last run never wrote kiosk_exit
CLOSE_REFUSED = "close_refused"  # someone tried to close the kiosk window without a manager

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
        row: dict[str, Any] = {
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
        state: dict[str, Any] = {
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


# The guards that make the log append-only; verify_chain compares them with what the
# migrations create, so a dropped or weakened trigger is reported too.
GUARD_TRIGGERS = ("access_log_no_update", "access_log_no_delete", "access_log_head_follows",
                  "access_log_head_no_delete")


@functools.cache
def _expected_guards() -> dict[str, str]:
    fresh = Database(memory=True)
    migrations.apply(fresh)
    return {
        name: sql for name, sql in fresh.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        if name in GUARD_TRIGGERS
    }


@functools.cache
def _expected_schema() -> dict[tuple[str, str], str]:
    """Every trigger and view the migrations create, by (type, name)."""
    fresh = Database(memory=True)
    migrations.apply(fresh)
    return {(kind, name): " ".join((sql or "").split()) for kind, name, sql in fresh.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'view')")}


def _schema_problem(db: Database) -> str:
    """A trigger or view the kiosk did not create (or one it did, since altered).

    One `BEFORE INSERT ... RAISE(IGNORE)` trigger silently drops chosen rows before they
    reach the chain, and the chain still verifies; so anything unknown is reported.
    """
    expected = _expected_schema()
    for kind, name, table, sql in db.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE type IN ('trigger', 'view') ORDER BY name").fetchall():
        known = expected.get((kind, name))
        shown = clean_text(name, 64)
        if known is None:
            where = f" on table '{clean_text(table, 64)}'" if kind == "trigger" else ""
            return f"an unknown {kind} '{shown}'{where} was added to the database"
        if known != " ".join((sql or "").split()):
            return f"the {kind} '{shown}' has been altered"
    return ""


def _guard_problem(db: Database) -> str:
    present = dict(db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
    has_head = db["access_log_head"].exists()
    for name, sql in _expected_guards().items():
        if name.startswith("access_log_head") and not has_head:
            continue  # a file from before m003, opened without migrating
        if name not in present:
            return f"the protection '{name}' has been removed from the database"
        if " ".join(present[name].split()) != " ".join(sql.split()):
            return f"the protection '{name}' has been altered"
    if db.execute("SELECT COUNT(*) FROM access_log_purge_gate").fetchone()[0]:
        return "the purge gate has been left open, so rows can be deleted"
    return _schema_problem(db)


def _head(db: Database) -> tuple[int, str] | None:
    if not db["access_log_head"].exists():
        return None
    row = db.execute("SELECT last_id, last_hash FROM access_log_head WHERE id = 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (-1, "")


def verify_chain(db: Database) -> ChainReport:
    """Walk the whole log in id order, recompute every hash, then check the recorded head.

    Detects a changed, inserted, removed or reordered row, rows cut off the end
    (through access_log_head) and removed or altered guard triggers. It cannot
    detect someone who rewrites every hash from some row on and the head too:
    there is no secret on a shared PC to stop that; see SECURITY.md.
    """
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
            return ChainReport(False, checked, expected_id,
                               f"row {expected_id} is missing (the next row is {row['id']})")
        if row["prev_hash"] != expected_prev:
            return ChainReport(False, checked, row["id"],
                               f"row {row['id']} does not follow the row before it")
        if row_digest(row["prev_hash"], row) != row["row_hash"]:
            return ChainReport(False, checked, row["id"],
                               f"row {row['id']}'s content was changed")
        checked += 1
        expected_prev = row["row_hash"]
        expected_id = row["id"] + 1
    last_id = expected_id - 1
    head = _head(db)
    if head is not None:
        head_id, head_hash = head
        if head_id < 0:
            return ChainReport(False, checked, None, "the record of the log's end was removed")
        if head_id > last_id:
            return ChainReport(False, checked, last_id + 1,
                               f"rows {last_id + 1} to {head_id} were removed from the end")
        if head_id < last_id:
            return ChainReport(False, checked, head_id + 1,
                               f"row {head_id + 1} was added behind the kiosk's back")
        if head_hash != expected_prev:
            return ChainReport(False, checked, last_id,
                               f"row {last_id} is not the row the kiosk last wrote")
    problem = _guard_problem(db)
    if problem:
        return ChainReport(False, checked, None, problem)
    return ChainReport(True, checked)


def time_range(since: str | None, until: str | None) -> tuple[list[str], list[Any]]:
    """WHERE fragments and parameters for an [since, until) range of occurred_at."""
    where: list[str] = []
    params: list[Any] = []
    if since:
        where.append("occurred_at >= ?")
        params.append(since)
    if until:
        where.append("occurred_at < ?")
        params.append(until)
    return where, params


def query(
    db: Database,
    *,
    since: str | None = None,
    until: str | None = None,
    events: tuple[str, ...] = (),
    user_id: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Rows in time order; `since`/`until` are ISO times (until is exclusive)."""
    where, params = time_range(since, until)
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


# ---------------------------------------------------------------- receipts

RECEIPT_TITLE = "Access-log receipt (safeguarding training kiosk)"
_RECEIPT_ROW = re.compile(r"\brow\s*[:=]?\s*(\d+)", re.IGNORECASE)
_RECEIPT_HASH = re.compile(r"\bhash\s*[:=]?\s*([0-9a-fA-F]{16,64})\b", re.IGNORECASE)
RECEIPT_MIN_HEX = 16  # what a person must copy by hand at least: 64 bits


@dataclass(frozen=True)
class Receipt:
    row_id: int
    row_hash: str
    taken_at: str
    kiosk_id: str
    centre_name: str

    def text(self) -> str:
        return "\n".join([
            RECEIPT_TITLE,
            f"Centre: {clean_text(self.centre_name, 100)}",
            f"Kiosk: {clean_text(self.kiosk_id, 40)}",
            f"Taken: {self.taken_at}",
            f"Row: {self.row_id}",
            f"Hash: {self.row_hash}",
            "Keep this away from the kiosk PC (print it, or e-mail it to yourself).",
            "Check the log against it later with: kiosk verify --receipt FILE",
            "",
        ])


def receipt(db: Database, clock: Clock, *, kiosk_id: str, centre_name: str) -> Receipt:
    """The chain's newest row and hash now: kept elsewhere, it pins everything before it.

    Someone who rewrites the log and recomputes every hash changes the hash of the
    receipt's row; a later `kiosk verify --receipt` shows that.
    """
    last = db.execute("SELECT id, row_hash FROM access_log ORDER BY id DESC LIMIT 1").fetchone()
    if last is None:
        anchor = _anchor(db)
        last = (anchor[0] - 1, anchor[1]) if anchor else (0, GENESIS)
    return Receipt(int(last[0]), str(last[1]), to_iso(clock.now()), kiosk_id, centre_name)


def take_receipt(db: Database, clock: Clock, *, kiosk_id: str, centre_name: str, who: str,
                 user_id: int | None = None, via: str = "") -> Receipt:
    """A receipt of the chain as it is now, and a log row saying one was taken (after it).

    `via` names the channel ("command line, OS user ann"), as kiosk.audit does."""
    with write_transaction(db):
        taken = receipt(db, clock, kiosk_id=kiosk_id, centre_name=centre_name)
        append(db, clock, kiosk_id=kiosk_id, event=MANAGER_ACTION, username_entered=who,
               user_id=user_id, user_matched=who if user_id is not None else "",
               reason=f"log receipt taken at row {taken.row_id}" + (f" [{via}]" if via else ""))
    return taken


def save_receipt(path: Path | str, text: str) -> None:
    """Write a receipt whole or not at all (temporary name, then rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise KioskError(f"the receipt could not be saved to {path} "
                         f"({exc.strerror or exc})") from None


def parse_receipt(text: str) -> tuple[int, str] | None:
    row = _RECEIPT_ROW.search(text or "")
    found = _RECEIPT_HASH.search(text or "")
    if not row or not found:
        return None
    return int(row.group(1)), found.group(1).lower()


def check_receipt(db: Database, text: str) -> str:
    """'' when the log still holds the receipt's row with its hash, else what is wrong."""
    parsed = parse_receipt(text)
    if parsed is None:
        return ("the receipt could not be read: it needs its 'Row:' number and at least "
                f"{RECEIPT_MIN_HEX} characters of its 'Hash:'")
    row_id, wanted = parsed
    anchor = _anchor(db)
    if row_id == 0:
        return "" if wanted == GENESIS[:len(wanted)] else "the receipt's hash is not the start"
    found = db.execute("SELECT row_hash FROM access_log WHERE id = ?", [row_id]).fetchone()
    if found is None and anchor and row_id == anchor[0] - 1:
        found = (anchor[1],)  # the row was purged, but the chain still starts from its hash
    if found is None:
        if anchor and row_id < anchor[0]:
            return (f"the receipt's row {row_id} was removed by a retention purge, so this "
                    "receipt can no longer be checked; take a new one")
        return f"the log no longer has the receipt's row {row_id}: rows were removed"
    if not str(found[0]).startswith(wanted):
        return (f"row {row_id} is not the row the receipt recorded: the log up to it "
                "was rewritten")
    return ""
