"""Test data for the manager area: attempts and access-log rows inserted in bulk with plain
parameterised SQL matching the schema, and a CSV reader that keeps every byte visible."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kiosk import access_log, evidence
from kiosk.clock import FakeClock, from_iso
from kiosk.db import write_transaction

COURSE = "safeguarding-children"


def insert_attempt(db: Database, user_id: int, *, finished_at: str, percent: float = 90.0,
                   passed: bool = True, expires_on: str | None = None,
                   course_id: str = COURSE, answers: int = 2, status: str = "submitted",
                   kiosk_id: str = "test-kiosk") -> str:
    attempt_id = uuid.uuid4().hex
    with write_transaction(db):
        db.execute(
            "INSERT INTO attempts (id, kiosk_id, user_id, course_id, course_version, "
            "content_version, status, started_at, finished_at, duration_seconds, score, "
            "max_score, percent, pass_mark, passed, expires_on, certificate_code) "
            "VALUES (?, ?, ?, ?, '1', 'abc', 'in_progress', ?, NULL, NULL, NULL, NULL, NULL, "
            "NULL, NULL, NULL, NULL)",
            [attempt_id, kiosk_id, user_id, course_id, finished_at],
        )
        for position in range(answers):
            db.execute(
                "INSERT INTO attempt_questions (attempt_id, position, question_id, section_id, "
                "option_order, answer, answered_at, correct, points) "
                "VALUES (?, ?, ?, 's1', '[0,1,2]', '[0]', ?, 1, 1)",
                [attempt_id, position, f"q{position}", finished_at],
            )
        if status == "submitted":
            db.execute(
                "UPDATE attempts SET status = 'submitted', finished_at = ?, "
                "duration_seconds = 300, score = ?, max_score = 10, percent = ?, "
                "pass_mark = 80, passed = ?, expires_on = ?, certificate_code = ? "
                "WHERE id = ?",
                [finished_at, percent / 10, percent, int(passed),
                 expires_on if passed else None,
                 (uuid.uuid4().hex[:10].upper() if passed else None), attempt_id],
            )
            # Sealed as quiz.submit does, at the attempt's own time (never today's).
            evidence.seal_attempt(db, FakeClock(from_iso(finished_at)), attempt_id, kiosk_id)
    return attempt_id


def bulk_access_log(db: Database, count: int, *, start: datetime | None = None,
                    step_seconds: int = 30, event: str = access_log.LOGIN_FAILURE) -> None:
    """Append `count` properly chained rows in one transaction (executemany)."""
    start = start or datetime(2024, 1, 1, tzinfo=timezone.utc)
    with write_transaction(db):
        last = db.execute("SELECT id, row_hash FROM access_log ORDER BY id DESC LIMIT 1"
                          ).fetchone()
        next_id, prev = (last[0] + 1, last[1]) if last else (1, access_log.GENESIS)
        rows: list[tuple[Any, ...]] = []
        for n in range(count):
            row = {
                "id": next_id + n,
                "occurred_at": (start + timedelta(seconds=n * step_seconds)).isoformat(
                    timespec="seconds"),
                "kiosk_id": "test-kiosk", "event": event,
                "username_entered": f"guess{n % 50}", "user_id": None, "user_matched": "",
                "reason": "unknown_user",
            }
            digest = access_log.row_digest(prev, row)
            rows.append((row["id"], row["occurred_at"], row["kiosk_id"], row["event"],
                         row["username_entered"], None, "", row["reason"], prev, digest))
            prev = digest
        db.conn.executemany(
            "INSERT INTO access_log (id, occurred_at, kiosk_id, event, username_entered, "
            "user_id, user_matched, reason, prev_hash, row_hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def read_csv(path: Path) -> tuple[bytes, list[list[str]]]:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    return raw, list(csv.reader(io.StringIO(text, newline="")))


def check_csv_bytes(raw: bytes) -> None:
    """BOM first, and every line ends in CRLF (no bare LF outside quoted cells' CRLF)."""
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.endswith(b"\r\n")
    assert raw.count(b"\n") == raw.count(b"\r\n")
