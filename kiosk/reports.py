"""The failed-login report: failures per day, the most-tried usernames, current lockouts.

Answers "has anyone been trying to get in who should not?" from the access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from kiosk import access_log


@dataclass(frozen=True)
class TriedName:
    username_entered: str
    failures: int
    account: str  # the account it matched, or "" for a name nobody has
    last_at: str


def failures_per_day(db: Database, since: str | None, until: str | None) -> list[tuple[str, int]]:
    """(UTC day, failed sign-ins) for days with at least one failure, oldest first."""
    where, params = access_log.time_range(since, until)
    where.append("event = ?")
    params.append(access_log.LOGIN_FAILURE)
    sql = "SELECT substr(occurred_at, 1, 10) AS day, COUNT(*) FROM access_log"
    sql += " WHERE " + " AND ".join(where) + " GROUP BY day ORDER BY day"
    return [(r[0], int(r[1])) for r in db.execute(sql, params)]


def most_tried(db: Database, since: str | None, until: str | None,
               limit: int = 20) -> list[TriedName]:
    """Usernames typed in failed sign-ins, most failures first (case-insensitive)."""
    where, params = access_log.time_range(since, until)
    where.append("event = ?")
    params.append(access_log.LOGIN_FAILURE)
    sql = ("SELECT username_entered COLLATE NOCASE AS name, COUNT(*) AS n, "
           "MAX(user_matched) AS account, MAX(occurred_at) AS last_at FROM access_log")
    sql += " WHERE " + " AND ".join(where) + " GROUP BY name ORDER BY n DESC, name LIMIT ?"
    params.append(limit)
    return [TriedName(r[0], int(r[1]), r[2] or "", r[3]) for r in db.execute(sql, params)]


def current_lockouts(db: Database, now_iso: str) -> list[dict[str, Any]]:
    """Accounts locked right now, soonest to unlock first."""
    return list(db.query(
        "SELECT id, username, full_name, role, failed_count, last_failed_at, locked_until "
        "FROM users WHERE locked_until IS NOT NULL AND locked_until > ? "
        "ORDER BY locked_until",
        [now_iso],
    ))
