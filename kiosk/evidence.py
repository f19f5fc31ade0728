"""Sealing training records into the access log's hash chain.

The access log is the only chained table, so every record that is evidence of
training puts a digest of itself into it, in the same transaction that makes it:

- a submitted attempt (its row, certificate code and expiry, and every question
  with its answer and points) writes a `test_submitted` row;
- every change to who a person is (username, full name, role, disabled, password
  hash, county person id) writes an `identity` row.

`kiosk.verifier` recomputes each digest from the tables and compares it with the
newest one in the chain, so changing, inserting, deleting or re-attributing a
record outside the kiosk shows, even though the tables themselves are not chained.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlite_utils import Database

from kiosk import access_log
from kiosk.clock import Clock

TEST_SUBMITTED = access_log.TEST_SUBMITTED
IDENTITY = access_log.IDENTITY

# Canonical types for every digested column, so a value digests the same whether it
# comes from Python (True, 8) or back from SQLite (1, 8.0).
_ATTEMPT_TYPES: dict[str, type] = {
    "id": str, "kiosk_id": str, "user_id": int, "course_id": str, "course_version": str,
    "content_version": str, "status": str, "started_at": str, "finished_at": str,
    "duration_seconds": int, "score": float, "max_score": float, "percent": float,
    "pass_mark": int, "passed": int, "expires_on": str, "certificate_code": str,
}
_QUESTION_TYPES: dict[str, type] = {
    "position": int, "question_id": str, "section_id": str, "option_order": str,
    "answer": str, "answered_at": str, "correct": int, "points": float,
}
_IDENTITY_TYPES: dict[str, type] = {
    "id": int, "username": str, "full_name": str, "role": str, "disabled": int,
    "password_hash": str,
}
# v2 adds the county-wide person id: changing it (`UPDATE users SET person_uid = ...`)
# would make another person's county certificates count as this account's.
_IDENTITY_V2_TYPES: dict[str, type] = {**_IDENTITY_TYPES, "person_uid": str}

ATTEMPT_REASON = re.compile(r"^attempt (?P<id>\S+) digest (?P<digest>[0-9a-f]{64})")
IDENTITY_REASON = re.compile(r"^user (?P<id>\d+) digest (?P<digest>[0-9a-f]{64})")


def _canon(row: Mapping[str, Any], types: Mapping[str, type]) -> list[Any]:
    out: list[Any] = []
    for column, kind in types.items():
        value = row.get(column)
        out.append(None if value is None else kind(value))
    return out


def _sha(payload: Any) -> str:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def attempt_digest(attempt: Mapping[str, Any], questions: Iterable[Mapping[str, Any]]) -> str:
    """SHA-256 over an attempt row and all its questions (answers, points), by position."""
    items = sorted((_canon(q, _QUESTION_TYPES) for q in questions), key=lambda q: q[0])
    return _sha(["attempt-v1", _canon(attempt, _ATTEMPT_TYPES), items])


def identity_digest(user: Mapping[str, Any]) -> str:
    """What every new seal records: who the account is, including its county id."""
    return _sha(["identity-v2", _canon(user, _IDENTITY_V2_TYPES)])


def identity_digests(user: Mapping[str, Any]) -> tuple[str, str]:
    """The digests a seal may hold: v2, or v1 (written before county ids were sealed).

    A v2 seal matches only v2, so a changed county id is caught; an account whose newest
    seal is still v1 has its county id checked from its next change on (SECURITY.md).
    """
    return identity_digest(user), _sha(["identity-v1", _canon(user, _IDENTITY_TYPES)])


def stored_attempt(db: Database, attempt_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rows = list(db.query("SELECT * FROM attempts WHERE id = ?", [attempt_id]))
    questions = list(db.query(
        "SELECT * FROM attempt_questions WHERE attempt_id = ? ORDER BY position", [attempt_id]))
    return (rows[0] if rows else {}), questions


def _attempt_row(attempt: Mapping[str, Any], questions: Sequence[Mapping[str, Any]],
                 kiosk_id: str, username: str) -> dict[str, Any]:
    digest = attempt_digest(attempt, questions)
    outcome = "passed" if attempt.get("passed") else "failed"
    score = float(attempt.get("score") or 0)
    top = float(attempt.get("max_score") or 0)
    code = attempt.get("certificate_code")
    reason = (f"attempt {attempt['id']} digest {digest}; {score:g}/{top:g} "
              f"({float(attempt.get('percent') or 0):g}%) {outcome}"
              + (f", certificate {code}" if code else ""))
    return {"kiosk_id": kiosk_id, "event": TEST_SUBMITTED, "username_entered": username,
            "user_id": attempt["user_id"], "user_matched": username, "reason": reason}


def seal_attempt(db: Database, clock: Clock, attempt_id: str, kiosk_id: str) -> int:
    """Write the `test_submitted` row for a just-submitted attempt (call inside its transaction)."""
    attempt, questions = stored_attempt(db, attempt_id)
    user = db.execute("SELECT username FROM users WHERE id = ?",
                      [attempt["user_id"]]).fetchone()
    row = _attempt_row(attempt, questions, kiosk_id, user[0] if user else "")
    return access_log.append(db, clock, **row)


def seal_attempts_bulk(db: Database, clock: Clock,
                       attempts: Sequence[Mapping[str, Any]],
                       questions: Sequence[Sequence[Any]], kiosk_id: str) -> int:
    """Seal many submitted attempts written in bulk (sample data, test fixtures).

    `questions` are the tuples inserted into attempt_questions, in table column order
    (attempt_id, position, question_id, section_id, option_order, answer, answered_at,
    correct, points).
    """
    by_attempt: dict[str, list[dict[str, Any]]] = {}
    for q in questions:
        by_attempt.setdefault(str(q[0]), []).append(dict(zip(
            ("attempt_id", *_QUESTION_TYPES), q, strict=True)))
    names = dict(db.execute("SELECT id, username FROM users").fetchall())
    rows = [_attempt_row(a, by_attempt.get(str(a["id"]), []), kiosk_id,
                         names.get(a["user_id"], ""))
            for a in attempts if a.get("status") == "submitted"]
    return access_log.append_many(db, clock, rows)


def _identity_row(user: Mapping[str, Any], kiosk_id: str, why: str,
                  actor: str) -> dict[str, Any]:
    reason = f"user {int(user['id'])} digest {identity_digest(user)}; {why}"
    return {"kiosk_id": kiosk_id, "event": IDENTITY, "username_entered": actor,
            "user_id": int(user["id"]), "user_matched": user["username"], "reason": reason}


def seal_identity(db: Database, clock: Clock, user_id: int, kiosk_id: str, why: str,
                  actor: str = "") -> int:
    """Record who account `user_id` now is (call inside the transaction that changed it)."""
    row = next(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return access_log.append(db, clock, **_identity_row(row, kiosk_id, why, actor))


def seal_identities(db: Database, clock: Clock, kiosk_id: str, why: str,
                    user_ids: Iterable[int] | None = None, actor: str = "") -> int:
    """Record many accounts at once (bulk creation, the upgrade that starts sealing)."""
    rows = db.query("SELECT * FROM users ORDER BY id")
    wanted = None if user_ids is None else set(user_ids)
    return access_log.append_many(db, clock, [
        _identity_row(r, kiosk_id, why, actor) for r in rows
        if wanted is None or r["id"] in wanted])


def seal_existing(db: Database, clock: Clock, kiosk_id: str) -> None:
    """Seal every record already in a file written before sealing began (a migration).

    Never twice: if the chain already holds seals, someone removed the migration's record
    to have today's (perhaps altered) records sealed afresh; the verifier reports that.
    """
    if db.execute("SELECT 1 FROM access_log WHERE event IN (?, ?) LIMIT 1",
                  [TEST_SUBMITTED, IDENTITY]).fetchone():
        return
    seal_identities(db, clock, kiosk_id, "sealed at upgrade", actor="(upgrade)")
    ids = [r[0] for r in db.execute(
        "SELECT id FROM attempts WHERE status = 'submitted' ORDER BY finished_at, id")]
    names = dict(db.execute("SELECT id, username FROM users").fetchall())
    rows = []
    for attempt_id in ids:
        attempt, questions = stored_attempt(db, attempt_id)
        rows.append(_attempt_row(attempt, questions, kiosk_id, names.get(attempt["user_id"], "")))
    access_log.append_many(db, clock, rows)


def _latest_reason(db: Database, event: str, prefix: str) -> str | None:
    row = db.execute(
        "SELECT reason FROM access_log WHERE event = ? AND substr(reason, 1, ?) = ? "
        "ORDER BY id DESC LIMIT 1", [event, len(prefix), prefix]).fetchone()
    return str(row[0]) if row else None


def seal_problem(db: Database, attempt_id: str) -> str:
    """'' when the attempt and its person still match their seals, else what does not.

    The quick check behind `kiosk certificate verify`; `kiosk verify` checks the
    chain those seals live in as well.
    """
    attempt, questions = stored_attempt(db, attempt_id)
    if not attempt:
        return "the result it was issued for is not in the file"
    reason = _latest_reason(db, TEST_SUBMITTED, f"attempt {attempt_id} digest ")
    if reason is None:
        return "the kiosk never recorded this result: it was made outside the kiosk"
    match = ATTEMPT_REASON.match(reason)
    if not match or match["digest"] != attempt_digest(attempt, questions):
        return "the result was changed after it was submitted"
    user = list(db.query("SELECT * FROM users WHERE id = ?", [attempt["user_id"]]))
    if not user:
        return "the person it was issued to is not in the file"
    reason = _latest_reason(db, IDENTITY, f"user {int(attempt['user_id'])} digest ")
    match = IDENTITY_REASON.match(reason or "")
    if not match or match["digest"] not in identity_digests(user[0]):
        return ("the person's name, username or county link was changed outside the "
                "kiosk")
    return ""


def reseal_after_log_purge(db: Database, clock: Clock, kiosk_id: str) -> int:
    """Seal again what a retention purge of the log took the seals of (same transaction).

    The purge removes the oldest log rows, and with them the seals of old results and of
    accounts not changed since. Without new seals every later check would report them
    as made outside the kiosk. They are sealed as they are at the purge, so a change
    made before it can no longer be told apart: check `kiosk verify` before purging.
    """
    sealed_users = {int(r[0]) for r in db.execute(
        "SELECT DISTINCT user_id FROM access_log WHERE event = ? AND user_id IS NOT NULL",
        [IDENTITY])}
    users_missing = [int(r[0]) for r in db.execute("SELECT id FROM users ORDER BY id")
                     if int(r[0]) not in sealed_users]
    count = 0
    if users_missing:
        count += seal_identities(db, clock, kiosk_id, "sealed again after a log purge",
                                 users_missing, actor="(retention purge)")
    sealed_attempts = set()
    for (reason,) in db.execute("SELECT reason FROM access_log WHERE event = ?",
                                [TEST_SUBMITTED]):
        match = ATTEMPT_REASON.match(reason or "")
        if match:
            sealed_attempts.add(match["id"])
    names = dict(db.execute("SELECT id, username FROM users").fetchall())
    rows = []
    for (attempt_id,) in db.execute(
            "SELECT id FROM attempts WHERE status = 'submitted' ORDER BY finished_at, id"):
        if attempt_id in sealed_attempts:
            continue
        attempt, questions = stored_attempt(db, attempt_id)
        rows.append(_attempt_row(attempt, questions, kiosk_id,
                                 names.get(attempt["user_id"], "")))
    return count + access_log.append_many(db, clock, rows)
