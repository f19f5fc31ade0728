"""CSV exports for Excel, with one set of conventions for every export.

UTF-8 with a byte-order mark (so Excel reads Zoë and Llŷr correctly), CRLF line
ends, a snake_case header, ISO 8601 times with their offset, numbers written
as numbers, and every text cell that a spreadsheet could take for a formula
prefixed with an apostrophe. Files are written to a temporary file beside the
target and renamed into place, so a failure never leaves half a file.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlite_utils import Database

from kiosk import partials
from kiosk.errors import KioskError
from kiosk.filters import AccessLogFilter, DayRange, ResultsFilter
from kiosk.paths import replace_file

FORMULA_STARTS = ("=", "+", "-", "@", "|", "%", "\t", "\r", "\n")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)

ACCESS_LOG_COLUMNS = (
    "occurred_at", "kiosk_id", "event", "username_entered", "user_matched", "reason",
    "row_id", "row_hash",
)


def safe_cell(value: Any) -> Any:
    """Neutralise a text cell against formula evaluation; leave numbers as numbers."""
    # Called for every cell of every export: the common cases come first, cheaply.
    kind = type(value)
    if kind is str:
        return "'" + value if value[:1] in _FORMULA_FIRST else value
    if kind is int or kind is float:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (datetime, date)):
        value = value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_rows(fh: IO[str], columns: Sequence[str],
               rows: Iterable[Mapping[str, Any] | tuple[Any, ...]],
               progress: Callable[[int], None] | None = None) -> int:
    """Write the header and rows to an open text stream; return the number of rows.

    A row is a mapping by column name, or a tuple already in column order (the fast
    path the large exports use: no dict per row).
    """
    writer = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    count = 0
    for row in rows:
        if isinstance(row, tuple):
            writer.writerow([safe_cell(value) for value in row])
        else:
            writer.writerow([safe_cell(row.get(col)) for col in columns])
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(count)
    return count


def write_prepared_rows(fh: IO[str], columns: Sequence[str], cursor: sqlite3.Cursor,
                        progress: Callable[[int], None] | None = None) -> int:
    """Write rows whose cells were already made safe by the query (see safe_sql()).

    The large exports take this path: chunks go straight from SQLite to the C csv writer,
    a thousand rows at a time, so memory stays flat and no Python runs per cell.
    """
    writer = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    count = 0
    while chunk := cursor.fetchmany(1000):
        writer.writerows(chunk)
        count += len(chunk)
        if progress is not None:
            progress(count)
    return count


def safe_sql(column: str) -> str:
    """SQL doing what safe_cell() does, for a text column named by the code (never input).

    Every formula start is below '0', in ':'..'@', or '|', so three byte comparisons
    settle almost every cell (letters, digits, anything beyond ASCII) before the exact
    test, which copies the first character: less SQLite time per text cell.
    """
    firsts = ", ".join("'" + ch + "'" if ch.isprintable() else f"char({ord(ch)})"
                       for ch in FORMULA_STARTS)
    apostrophe = "''''"  # SQL for a one-character string holding an apostrophe
    maybe = (f"({column} < '0' OR ({column} >= ':' AND {column} < 'A') "
             f"OR ({column} >= '|' AND {column} < '}}'))")
    return (f"CASE WHEN {maybe} AND substr({column}, 1, 1) IN ({firsts}) "
            f"THEN {apostrophe} || {column} ELSE {column} END")


def _disk_message(exc: OSError, target: Path) -> KioskError:
    if exc.errno == errno.ENOSPC:
        return KioskError(f"The disk is full: {target.name} was not written. Free some space "
                          "and try again.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return KioskError(f"No permission to write {target}. Choose another folder.")
    if exc.errno == errno.ENOENT:
        return KioskError(f"The folder {target.parent} does not exist.")
    return KioskError(f"{target.name} could not be written ({exc.strerror or exc}).")


def write_csv(target: Path | str | None, columns: Sequence[str],
              rows: Iterable[Mapping[str, Any] | tuple[Any, ...]] | sqlite3.Cursor,
              progress: Callable[[int], None] | None = None, *,
              prepared: bool = False) -> int:
    """Write a CSV to `target` atomically, or to standard output when `target` is None.

    `prepared`: `rows` is a cursor whose text cells the query already neutralised.
    """
    def write(fh: IO[str]) -> int:
        if isinstance(rows, sqlite3.Cursor) and prepared:
            return write_prepared_rows(fh, columns, rows, progress)
        return write_rows(fh, columns, rows, progress)

    if target is None:
        # Standard output: BOM and CRLF all the same, so `> file.csv` opens in Excel.
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8-sig", newline="",
                               write_through=True)
        try:
            return write(out)
        finally:
            out.detach()
    target = Path(target)
    if target.is_dir():
        raise KioskError(f"{target} is a folder; give a file name ending in .csv.")
    fd = -1
    tmp_name = ""
    try:
        # mkstemp: owner-only (0600); tracked: removed at the next start if we are killed.
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                        dir=target.parent)
        with partials.tracked(tmp_name):
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
                fd = -1
                count = write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            # Closed first: Windows will not rename an open file, and refuses (with a
            # clear message) while Excel has the old export open.
            replace_file(tmp_name, target)
            tmp_name = ""
        return count
    except OSError as exc:
        raise _disk_message(exc, target) from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp_name:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


# The access log's columns in ACCESS_LOG_COLUMNS order, text cells neutralised in SQL, so
# a million rows go from the cursor to the C csv writer with no Python per cell (which also
# leaves the GUI thread the interpreter while a background export runs).
_ACCESS_LOG_SELECT = (
    "SELECT " + ", ".join(safe_sql(c) for c in (  # noqa: S608 - the code's own column names
        "occurred_at", "kiosk_id", "event", "username_entered", "user_matched", "reason"))
    + ", id, " + safe_sql("row_hash") + " FROM access_log"
)


def access_log_rows(db: Database, flt: AccessLogFilter) -> sqlite3.Cursor:
    """A cursor over ACCESS_LOG_COLUMNS, cells already neutralised (prepared=True)."""
    where, params = flt.where(db)  # checked now (an unknown person), before a file starts
    sql = _ACCESS_LOG_SELECT
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY occurred_at, id"
    return db.conn.execute(sql, params)


def export_access_log(db: Database, target: Path | str | None,
                      flt: AccessLogFilter | None = None, *, since: str | None = None,
                      until: str | None = None,
                      progress: Callable[[int], None] | None = None) -> int:
    """The access log (as filtered: the manager's panel, or --since/--until) to CSV."""
    flt = flt or AccessLogFilter(DayRange.parse(since, until))
    return write_csv(target, ACCESS_LOG_COLUMNS, access_log_rows(db, flt), progress,
                     prepared=True)


def day_range(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """--since/--until days (UTC, both included) as an ISO [start, end) pair (DayRange)."""
    return DayRange.parse(since, until).iso()


# ---------------------------------------------------------------- test results

RESULTS_COLUMNS = (
    "attempt_id", "kiosk_id", "username", "full_name", "course_id", "course_version",
    "started_at", "finished_at", "duration_seconds", "score", "max_score", "percent",
    "passed", "expires_on", "certificate_code", "pass_mark", "content_version",
)

ANSWERS_COLUMNS = (
    "attempt_id", "kiosk_id", "username", "course_id", "content_version", "finished_at",
    "position", "question_id", "section_id", "answer", "correct", "points", "answered_at",
)

# Columns in RESULTS_COLUMNS order, converted in SQL so each row can go straight from the
# cursor to the CSV writer: 100,000 attempts with no Python per cell. Text cells are
# neutralised in SQL (safe_sql); whole numbers come out as 8 rather than 8.0.
_RESULTS_SELECT = (
    "SELECT " + ", ".join(safe_sql(c) for c in (  # noqa: S608 - the code's own column names
        "a.id", "a.kiosk_id", "u.username", "u.full_name", "a.course_id", "a.course_version",
        "a.started_at", "a.finished_at")) + ", a.duration_seconds, "
    "CASE WHEN a.score = CAST(a.score AS INTEGER) THEN CAST(a.score AS INTEGER) "
    "ELSE a.score END, "
    "CASE WHEN a.max_score = CAST(a.max_score AS INTEGER) THEN CAST(a.max_score AS INTEGER) "
    "ELSE a.max_score END, "
    "CASE WHEN a.percent = CAST(a.percent AS INTEGER) THEN CAST(a.percent AS INTEGER) "
    "ELSE a.percent END, "
    "CASE WHEN a.passed THEN 'true' ELSE 'false' END, "
    + ", ".join(safe_sql(c) for c in ("a.expires_on", "a.certificate_code")) + ", "
    "a.pass_mark, " + safe_sql("a.content_version")
    + " FROM attempts a JOIN users u ON u.id = a.user_id WHERE "
)
_ANSWERS_SELECT = (
    "SELECT a.id AS attempt_id, a.kiosk_id, u.username, a.course_id, a.content_version, "
    "a.finished_at, q.position, q.question_id, q.section_id, q.answer, q.correct, "
    "q.points, q.answered_at FROM attempts a JOIN users u ON u.id = a.user_id "
    "JOIN attempt_questions q ON q.attempt_id = a.id WHERE "
)


def _attempt_filter(db: Database, flt: ResultsFilter) -> tuple[str, list[Any]]:
    """Submitted attempts only, as the filter says; fixed fragments, values as parameters."""
    where, params = flt.where(db)
    return " AND ".join(where), params


def _number(value: Any) -> Any:
    """Whole numbers as ints (8, not 8.0); others as they are."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _stream(db: Database, sql: str, params: list[Any]) -> Iterable[dict[str, Any]]:
    # Iterating the cursor keeps one row in memory at a time, however many attempts exist.
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def results_rows(db: Database, flt: ResultsFilter) -> sqlite3.Cursor:
    """A cursor over RESULTS_COLUMNS, cells already neutralised (write with prepared=True)."""
    where, params = _attempt_filter(db, flt)
    sql = _RESULTS_SELECT + where + " ORDER BY a.finished_at, a.id"
    return db.conn.execute(sql, params)  # the filter is checked now, before a file is started


def answers_rows(db: Database, flt: ResultsFilter) -> Iterable[dict[str, Any]]:
    where, params = _attempt_filter(db, flt)
    sql = _ANSWERS_SELECT + where + " ORDER BY a.finished_at, a.id, q.position"

    def rows() -> Iterable[dict[str, Any]]:
        for row in _stream(db, sql, params):
            try:
                chosen = sorted(int(i) for i in json.loads(row["answer"] or "[]"))
            except (ValueError, TypeError):
                chosen = []
            # 1-based numbers of the options as listed in the question bank, e.g. "1;3".
            row["answer"] = ";".join(str(i + 1) for i in chosen)
            row["correct"] = bool(row["correct"])
            row["points"] = _number(row["points"])
            yield row

    return rows()


def _results_filter(flt: ResultsFilter | None, since: str | None, until: str | None,
                    course_id: str | None) -> ResultsFilter:
    return flt or ResultsFilter(DayRange.parse(since, until), course_id=course_id)


def export_results(db: Database, target: Path | str | None, flt: ResultsFilter | None = None,
                   *, since: str | None = None, until: str | None = None,
                   course_id: str | None = None,
                   progress: Callable[[int], None] | None = None) -> int:
    """Every submitted attempt the filter selects as one CSV row; returns the row count."""
    rows = results_rows(db, _results_filter(flt, since, until, course_id))
    return write_csv(target, RESULTS_COLUMNS, rows, progress, prepared=True)


def export_answers(db: Database, target: Path | str | None, flt: ResultsFilter | None = None,
                   *, since: str | None = None, until: str | None = None,
                   course_id: str | None = None,
                   progress: Callable[[int], None] | None = None) -> int:
    """One row per submitted attempt and question; returns the number of rows written."""
    rows = answers_rows(db, _results_filter(flt, since, until, course_id))
    return write_csv(target, ANSWERS_COLUMNS, rows, progress)
