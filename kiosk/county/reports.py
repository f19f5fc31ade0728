"""County reports and checks, read from the server with a reporting (or admin) role.

The CSVs follow the kiosk's own conventions (kiosk/export.py) with the same columns
as `kiosk export ...`, plus `centre` and `kiosk_id` where the kiosk's export has none.
A person's status comes from their attempts anywhere in the county (by person_uid),
by the same rule as status.py, so someone trained at one centre is trained at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kiosk import access_log as local_log
from kiosk import status as status_rule
from kiosk.export import ACCESS_LOG_COLUMNS, RESULTS_COLUMNS, day_range, write_csv
from kiosk.matrix import MATRIX_COLUMNS

COUNTY_MATRIX_COLUMNS = (*MATRIX_COLUMNS, "centre", "kiosk_id")
COUNTY_RESULTS_COLUMNS = (*RESULTS_COLUMNS, "centre")
COUNTY_ACCESS_LOG_COLUMNS = (*ACCESS_LOG_COLUMNS, "centre")

_MATRIX_SQL = """
WITH latest AS (
    SELECT DISTINCT ON (p.kiosk_id, p.local_id) p.kiosk_id, p.local_id, p.person_uid,
           p.username, p.full_name, p.role, p.job_title, p.disabled
    FROM county.people p ORDER BY p.kiosk_id, p.local_id, p.local_seq DESC
), passes AS (
    SELECT DISTINCT ON (a.person_uid, a.course_id) a.person_uid, a.course_id,
           a.finished_at, a.expires_on
    FROM county.attempts a WHERE a.passed AND a.expires_on IS NOT NULL
    ORDER BY a.person_uid, a.course_id, a.finished_at DESC
), counts AS (
    SELECT a.person_uid, a.course_id, count(*) AS n,
           (array_agg(a.percent ORDER BY a.finished_at DESC))[1] AS last_percent
    FROM county.attempts a GROUP BY a.person_uid, a.course_id
), reads AS (
    SELECT DISTINCT r.person_uid, r.course_id FROM county.reading r
)
SELECT l.username, l.full_name, l.role, l.job_title, c.course_id, l.kiosk_id,
       COALESCE(k.centre, '') AS centre, ps.finished_at, ps.expires_on,
       COALESCE(n.n, 0) AS attempts, n.last_percent, (rd.person_uid IS NOT NULL) AS has_read
FROM latest l
JOIN county.kiosks k ON k.kiosk_id = l.kiosk_id
CROSS JOIN unnest(%(courses)s::text[]) AS c(course_id)
LEFT JOIN passes ps ON ps.person_uid = l.person_uid AND ps.course_id = c.course_id
LEFT JOIN counts n ON n.person_uid = l.person_uid AND n.course_id = c.course_id
LEFT JOIN reads rd ON rd.person_uid = l.person_uid AND rd.course_id = c.course_id
WHERE NOT l.disabled AND (%(centre)s::text IS NULL OR k.centre = %(centre)s::text)
"""


def _state(expires_on: str | None, attempts: int, has_read: bool, today: date) -> str:
    """status.training_status's rule, on the county's rows."""
    if expires_on:
        expires = date.fromisoformat(expires_on[:10])
        if expires < today:
            return status_rule.EXPIRED
        if (expires - today).days <= status_rule.DUE_WINDOW_DAYS:
            return status_rule.DUE
        return status_rule.PASSED
    if attempts or has_read:
        return status_rule.IN_PROGRESS
    return status_rule.NOT_STARTED


@dataclass(frozen=True)
class CountyMatrixRow:
    values: dict[str, Any]
    state: str

    @property
    def urgency(self) -> int:
        return status_rule.ORDER.index(self.state)


def county_matrix(conn: Any, courses: Sequence[Any], today: date, *,
                  states: Iterable[str] = (), centre: str | None = None,
                  course_id: str | None = None) -> list[dict[str, Any]]:
    """One row per active person at each kiosk and course, most urgent first."""
    titles = {c.id: c.title for c in courses if not course_id or c.id == course_id}
    wanted = set(states)
    rows = []
    for r in conn.execute(_MATRIX_SQL, {"courses": list(titles), "centre": centre or None}):
        (username, full_name, role, job_title, cid, kiosk_id, centre_name, finished_at,
         expires_on, attempts, last_percent, has_read) = r
        state = _state(expires_on, attempts, has_read, today)
        if wanted and state not in wanted:
            continue
        rows.append({
            "username": username, "full_name": full_name, "role": role,
            "job_title": job_title, "course_id": cid, "course_title": titles[cid],
            "status": state, "status_label": status_rule.LABELS[state],
            "last_score_percent": round(last_percent, 1) if last_percent is not None else None,
            "passed_on": finished_at[:10] if finished_at else None,
            "expires_on": expires_on[:10] if expires_on else None,
            "attempts": attempts, "centre": centre_name, "kiosk_id": kiosk_id,
        })
    rows.sort(key=lambda v: (status_rule.ORDER.index(v["status"]), v["expires_on"] or "9999",
                             (v["full_name"] or v["username"]).casefold(), v["kiosk_id"]))
    return rows


def export_county_matrix(conn: Any, target: Path | str | None, courses: Sequence[Any],
                         today: date, **filters: Any) -> int:
    rows = county_matrix(conn, courses, today, **filters)
    return write_csv(target, COUNTY_MATRIX_COLUMNS, rows)


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def results_rows(conn: Any, *, since: str | None = None, until: str | None = None,
                 centre: str | None = None, passed: bool | None = None,
                 ) -> Iterator[dict[str, Any]]:
    start, end = day_range(since, until)
    cur = conn.execute(
        "SELECT a.attempt_id::text, a.kiosk_id, a.username, a.full_name, a.course_id, "
        "a.course_version, a.started_at, a.finished_at, a.duration_seconds, a.score, "
        "a.max_score, a.percent, a.passed, a.expires_on, a.certificate_code, a.pass_mark, "
        "a.content_version, COALESCE(k.centre, '') FROM county.attempts a "
        "LEFT JOIN county.kiosks k ON k.kiosk_id = a.kiosk_id "
        "WHERE (%(s)s::text IS NULL OR a.finished_at >= %(s)s::text) "
        "AND (%(e)s::text IS NULL OR a.finished_at < %(e)s::text) "
        "AND (%(c)s::text IS NULL OR k.centre = %(c)s::text) "
        "AND (%(p)s::boolean IS NULL OR a.passed = %(p)s::boolean) "
        "ORDER BY a.finished_at, a.attempt_id",
        {"s": start, "e": end, "c": centre or None, "p": passed})
    for row in cur:
        values = dict(zip(COUNTY_RESULTS_COLUMNS, row, strict=True))
        for name in ("score", "max_score", "percent"):
            values[name] = _number(values[name])
        yield values


def access_log_rows(conn: Any, *, since: str | None = None, until: str | None = None,
                    centre: str | None = None, events: Sequence[str] = (),
                    ) -> Iterator[dict[str, Any]]:
    start, end = day_range(since, until)
    cur = conn.execute(
        "SELECT a.occurred_at, a.kiosk_id, a.event, a.username_entered, a.user_matched, "
        "a.reason, a.row_id, a.row_hash, COALESCE(k.centre, '') FROM county.access_log a "
        "LEFT JOIN county.kiosks k ON k.kiosk_id = a.kiosk_id "
        "WHERE (%(s)s::text IS NULL OR a.occurred_at >= %(s)s::text) "
        "AND (%(e)s::text IS NULL OR a.occurred_at < %(e)s::text) "
        "AND (%(c)s::text IS NULL OR k.centre = %(c)s::text) "
        "AND (cardinality(%(ev)s::text[]) = 0 OR a.event = ANY(%(ev)s::text[])) "
        "ORDER BY a.occurred_at, a.kiosk_id, a.row_id",
        {"s": start, "e": end, "c": centre or None, "ev": list(events)})
    for row in cur:
        yield dict(zip(COUNTY_ACCESS_LOG_COLUMNS, row, strict=True))


# ---------------------------------------------------------------- tamper anchoring

@dataclass(frozen=True)
class Comparison:
    ok: bool
    compared: int
    unsent: int
    problem: str = ""
    first_bad_id: int | None = None


def compare_log(db: Database, conn: Any, kiosk_id: str, page: int = 5000) -> Comparison:
    """The local chain against the server's copy of this kiosk's chain.

    A row the server holds must be the same row here (same hash) unless the local
    purge removed it (before the local anchor). Rows the server does not have yet are
    only counted: they are waiting to be sent.
    """
    anchor = db.execute("SELECT first_id FROM access_log_anchor ORDER BY id DESC LIMIT 1"
                        ).fetchone()
    purged_before = int(anchor[0]) if anchor else 1
    last_local = db.execute("SELECT COALESCE(MAX(id), 0) FROM access_log").fetchone()[0]
    after, compared = 0, 0
    while True:
        server_rows = conn.execute("SELECT row_id, prev_hash, row_hash FROM "
                                   "county.log_hashes(%s, %s, %s)",
                                   [kiosk_id, after, page]).fetchall()
        if not server_rows:
            break
        ids = [r[0] for r in server_rows]
        local = dict(db.execute(
            f"SELECT id, row_hash FROM access_log WHERE id IN ({','.join('?' * len(ids))})",  # noqa: S608
            ids).fetchall())
        for row_id, _prev, row_hash in server_rows:
            if row_id < purged_before:
                continue
            mine = local.get(row_id)
            if mine is None:
                if row_id > last_local:
                    return Comparison(False, compared, 0,
                                      f"rows from {row_id} on, which the county server holds, "
                                      "are missing here (cut off the end)", row_id)
                return Comparison(False, compared, 0,
                                  f"row {row_id}, which the county server holds, is missing "
                                  "here", row_id)
            if mine != row_hash:
                return Comparison(False, compared, 0,
                                  f"row {row_id} differs from the copy on the county server "
                                  "(history was rewritten after it was sent)", row_id)
            compared += 1
        after = ids[-1]
    unsent = db.execute("SELECT COUNT(*) FROM access_log WHERE id > ?", [after]).fetchone()[0]
    return Comparison(True, compared, int(unsent))


@dataclass(frozen=True)
class KioskChain:
    kiosk_id: str
    centre: str
    rows: int
    ok: bool
    problem: str = ""


def verify_county(conn: Any) -> list[KioskChain]:
    """Recompute every kiosk's chain from the server's rows alone.

    The first row the server holds may follow a purge made before the kiosk joined:
    its prev_hash is taken as that kiosk's anchor; every later row must follow on.
    """
    out = []
    kiosks = conn.execute("SELECT kiosk_id, centre FROM county.kiosks ORDER BY kiosk_id"
                          ).fetchall()
    for kiosk_id, centre in kiosks:
        cur = conn.cursor(name=f"chain_{len(out)}")  # server-side: a year of rows streams
        cur.execute(
            "SELECT row_id, occurred_at, row_kiosk_id, event, username_entered, user_id, "
            "user_matched, reason, prev_hash, row_hash FROM county.access_log "
            "WHERE kiosk_id = %s ORDER BY row_id", [kiosk_id])
        expected_prev: str | None = None
        expected_id: int | None = None
        rows, problem = 0, ""
        for (row_id, occurred_at, row_kiosk, event, entered, user_id, matched, reason,
             prev_hash, row_hash) in cur:
            if expected_id is not None and row_id != expected_id:
                problem = f"row {expected_id} is missing (the next row is {row_id})"
                break
            if expected_prev is not None and prev_hash != expected_prev:
                problem = f"row {row_id} does not follow the row before it"
                break
            content = {"id": row_id, "occurred_at": occurred_at, "kiosk_id": row_kiosk,
                       "event": event, "username_entered": entered, "user_id": user_id,
                       "user_matched": matched, "reason": reason}
            if local_log.row_digest(prev_hash, content) != row_hash:
                problem = f"row {row_id}'s content was changed"
                break
            rows += 1
            expected_prev, expected_id = row_hash, row_id + 1
        cur.close()
        conn.commit()
        out.append(KioskChain(kiosk_id, centre or "", rows, not problem, problem))
    return out


def verify_certificate(conn: Any, code: str, today: date,
                       courses: Sequence[Any] = ()) -> tuple[str, bool]:
    """(the line to print, current?) for a code issued anywhere in the county."""
    from kiosk.certificate import normalise_code
    from kiosk.errors import NotFoundError

    wanted = normalise_code(code)
    row = conn.execute("SELECT * FROM county.verify_certificate(%s) LIMIT 1",
                       [wanted]).fetchone()
    if row is None:
        raise NotFoundError(f"no certificate in the county has the code '{wanted}'. Check it "
                            "was typed exactly as printed (codes look like SGK-ABCD-2346).")
    (code_, full_name, username, course_id, version, finished_at, expires_on, score,
     max_score, percent, centre, kiosk_id) = row
    title = next((c.title for c in courses if c.id == course_id), course_id)
    expires = date.fromisoformat(expires_on[:10])
    current = today <= expires
    line = (f"{code_}: {'CURRENT' if current else 'EXPIRED'}. {full_name or username} "
            f"({username}) passed \"{title}\" version {version} on {finished_at[:10]} with "
            f"{score:g} out of {max_score:g} ({percent:g}%) at {centre or kiosk_id} "
            f"(kiosk {kiosk_id}); valid until {expires.isoformat()}.")
    return line, current


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
