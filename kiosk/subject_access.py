"""Everything held about one person, for a subject access request.

One CSV in a long, uniform shape (record_type, record_id, occurred_at, field,
value) so profile, attempts, answers, reading and access-log rows sit in one
file that opens in any spreadsheet. Password hashes are never included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kiosk.export import write_csv
from kiosk.users import User

# Public contract: the columns of `kiosk export person`.
PERSON_COLUMNS = ("record_type", "record_id", "occurred_at", "field", "value")

PROFILE_FIELDS = (
    "username", "full_name", "role", "job_title", "disabled", "must_change_password",
    "failed_count", "last_failed_at", "locked_until", "last_login_at", "created_at", "prefs",
)
ATTEMPT_FIELDS = (
    "course_id", "course_version", "content_version", "status", "started_at", "finished_at",
    "duration_seconds", "score", "max_score", "percent", "pass_mark", "passed", "expires_on",
    "certificate_code", "kiosk_id",
)
ANSWER_FIELDS = ("question_id", "section_id", "answer", "answered_at", "correct", "points")
READING_FIELDS = ("course_id", "content_version", "section_id", "seconds")
LOG_FIELDS = ("event", "kiosk_id", "username_entered", "user_matched", "reason")
GRANT_FIELDS = ("course_id", "granted_at", "granted_by", "used_by_attempt")


def _fields(record_type: str, record_id: Any, occurred_at: str | None,
            row: dict[str, Any], fields: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    for name in fields:
        yield {"record_type": record_type, "record_id": record_id,
               "occurred_at": occurred_at or "", "field": name, "value": row.get(name)}


def person_rows(db: Database, user: User) -> Iterator[dict[str, Any]]:
    profile = next(db.query("SELECT * FROM users WHERE id = ?", [user.id]))
    yield from _fields("profile", user.id, profile["created_at"], profile, PROFILE_FIELDS)
    for attempt in db.query(
        "SELECT * FROM attempts WHERE user_id = ? ORDER BY started_at, rowid", [user.id]
    ):
        when = attempt["finished_at"] or attempt["started_at"]
        yield from _fields("attempt", attempt["id"], when, attempt, ATTEMPT_FIELDS)
        for answer in db.query(
            "SELECT * FROM attempt_questions WHERE attempt_id = ? ORDER BY position",
            [attempt["id"]],
        ):
            yield from _fields("answer", f"{attempt['id']}#{answer['position']}",
                               answer["answered_at"], answer, ANSWER_FIELDS)
    for view in db.query(
        "SELECT * FROM section_views WHERE user_id = ? ORDER BY opened_at, id", [user.id]
    ):
        yield from _fields("reading", view["id"], view["opened_at"], view, READING_FIELDS)
    for grant in db.query(
        "SELECT * FROM attempt_grants WHERE user_id = ? ORDER BY granted_at, id", [user.id]
    ):
        yield from _fields("attempt_grant", grant["id"], grant["granted_at"], grant,
                           GRANT_FIELDS)
    # Rows about them (user_id) and rows where someone typed their username.
    for log in db.query(
        "SELECT * FROM access_log WHERE user_id = ? "
        "UNION SELECT * FROM access_log WHERE username_entered = ? COLLATE NOCASE "
        "ORDER BY occurred_at, id",
        [user.id, user.username],
    ):
        yield from _fields("access_log", log["id"], log["occurred_at"], log, LOG_FIELDS)


def export_person(db: Database, user: User, target: Path | str | None,
                  progress: Callable[[int], None] | None = None) -> int:
    return write_csv(target, PERSON_COLUMNS, person_rows(db, user), progress)
