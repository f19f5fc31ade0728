"""Pages of results and access-log rows for the manager's tables.

Keyset paging: each page continues after the last row shown, ordered newest first
on an indexed column, so the thousandth page costs what the first one does
(OFFSET would read and throw away every earlier row).
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from kiosk import access_log
from kiosk.filters import AccessLogFilter, ResultsFilter

PAGE_SIZE = 200

ACCESS_LOG_VIEW_COLUMNS = (
    "occurred_at", "event", "username_entered", "user_matched", "reason", "kiosk_id", "id",
)
RESULTS_VIEW_COLUMNS = (
    "finished_at", "username", "full_name", "course_id", "percent", "passed", "expires_on",
    "certificate_code", "kiosk_id",
)


def access_log_page(db: Database, flt: AccessLogFilter = AccessLogFilter(), *,  # noqa: B008
                    after: tuple[str, int] | None = None,
                    limit: int = PAGE_SIZE) -> list[dict[str, Any]]:
    """Rows newest first; `after` is the (occurred_at, id) of the last row already shown.

    Each filter combination has an index whose order ends in (occurred_at, rowid):
    access_log_occurred, access_log_event and access_log_user.
    """
    where, params = flt.where(db)
    if after is not None:
        where.append("(occurred_at, id) < (?, ?)")
        params.extend(after)
    sql = ("SELECT id, occurred_at, kiosk_id, event, username_entered, user_id, user_matched, "
           "reason FROM access_log")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY occurred_at DESC, id DESC LIMIT ?"
    params.append(limit)
    return list(db.query(sql, params))


def access_log_key(row: dict[str, Any]) -> tuple[str, int]:
    return (row["occurred_at"], row["id"])


def results_page(db: Database, flt: ResultsFilter = ResultsFilter(), *,  # noqa: B008
                 after: tuple[str, int] | None = None,
                 limit: int = PAGE_SIZE) -> list[dict[str, Any]]:
    """Submitted attempts newest first; `after` is the (finished_at, rowid) last shown."""
    where, params = flt.where(db)
    if after is not None:
        where.append("(a.finished_at, a.rowid) < (?, ?)")
        params.extend(after)
    sql = ("SELECT a.rowid AS row_key, a.id AS attempt_id, a.finished_at, u.username, "
           "u.full_name, a.course_id, a.score, a.max_score, a.percent, a.passed, "
           "a.expires_on, a.certificate_code, a.kiosk_id "
           "FROM attempts a JOIN users u ON u.id = a.user_id")
    sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY a.finished_at DESC, a.rowid DESC LIMIT ?"
    params.append(limit)
    return list(db.query(sql, params))


def results_key(row: dict[str, Any]) -> tuple[str, int]:
    return (row["finished_at"], row["row_key"])


def known_events() -> list[str]:
    """Event names for the filter list: the public contract in access_log, not a scan
    of a million rows."""

    return sorted(v for k, v in vars(access_log).items()
                  if k.isupper() and isinstance(v, str) and k not in ("GENESIS",)
                  and v.replace("_", "").isalpha() and v.islower())
