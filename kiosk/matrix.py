"""The training matrix: every active person against each course, and a person's history.

Status comes from kiosk.status.training_status, the same rule the learner's home
screen uses, so a manager filters on exactly the words a learner is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kiosk import status as status_rule
from kiosk.export import write_csv

# Public contract: the CSV columns of `kiosk export matrix` and the GUI's matrix export.
MATRIX_COLUMNS = (
    "username", "full_name", "role", "job_title", "course_id", "course_title",
    "status", "status_label", "last_score_percent", "passed_on", "expires_on", "attempts",
)

HISTORY_COLUMNS = (
    "course_id", "course_version", "content_version", "started_at", "finished_at", "status",
    "score", "max_score", "percent", "pass_mark", "passed", "expires_on", "certificate_code",
    "kiosk_id", "attempt_id",
)


@dataclass(frozen=True)
class MatrixRow:
    user_id: int
    username: str
    full_name: str
    role: str
    job_title: str
    course_id: str
    course_title: str
    state: str
    last_percent: float | None
    passed_on: date | None
    expires_on: date | None
    attempts: int
    last_failed: bool = False  # the newest submitted attempt was not passed
    last_on: date | None = None

    @property
    def label(self) -> str:
        if self.state == status_rule.IN_PROGRESS and self.last_failed:
            return "In progress: last test not passed"
        return status_rule.LABELS[self.state]

    @property
    def urgency(self) -> int:
        """Sort key: most urgent first, as managers work down the list."""
        return status_rule.ORDER.index(self.state)

    def as_csv(self) -> dict[str, Any]:
        return {
            "username": self.username, "full_name": self.full_name, "role": self.role,
            "job_title": self.job_title, "course_id": self.course_id,
            "course_title": self.course_title, "status": self.state,
            "status_label": self.label,
            "last_score_percent": (round(self.last_percent, 1)
                                   if self.last_percent is not None else None),
            "passed_on": self.passed_on, "expires_on": self.expires_on,
            "attempts": self.attempts,
        }


def _matches(row: MatrixRow, text: str) -> bool:
    needle = text.casefold()
    return any(needle in field.casefold()
               for field in (row.username, row.full_name, row.job_title, row.course_title))


def build_matrix(
    db: Database,
    courses: Sequence[Any],
    today: date,
    *,
    states: Iterable[str] = (),
    role: str | None = None,
    job_title: str | None = None,
    text: str = "",
    course_id: str | None = None,
) -> list[MatrixRow]:
    """One row per active person and course, filtered; ordered most urgent first.

    `courses` are loaded packs (anything with .id and .title). Disabled people are
    left out: they cannot sign in to train, and their records stay in the history.
    """
    wanted = set(states)
    sql = "SELECT id, username, full_name, role, job_title FROM users WHERE disabled = 0"
    params: list[Any] = []
    if role:
        sql += " AND role = ?"
        params.append(role)
    if job_title:
        sql += " AND job_title = ? COLLATE NOCASE"
        params.append(job_title)
    people = list(db.query(sql + " ORDER BY full_name COLLATE NOCASE, username", params))
    rows: list[MatrixRow] = []
    for course in courses:
        if course_id and course.id != course_id:
            continue
        for person in people:
            st = status_rule.training_status(db, person["id"], course.id, today)
            row = MatrixRow(
                user_id=person["id"], username=person["username"],
                full_name=person["full_name"], role=person["role"],
                job_title=person["job_title"], course_id=course.id,
                course_title=course.title, state=st.state, last_percent=st.last_percent,
                passed_on=st.passed_on, expires_on=st.expires_on, attempts=st.attempts,
                last_failed=st.last_failed, last_on=st.last_on,
            )
            if wanted and row.state not in wanted:
                continue
            if text and not _matches(row, text):
                continue
            rows.append(row)
    rows.sort(key=lambda r: (r.urgency, r.expires_on or date.max,
                             (r.full_name or r.username).casefold()))
    return rows


def job_titles(db: Database) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT DISTINCT job_title FROM users WHERE disabled = 0 AND job_title != '' "
        "ORDER BY job_title COLLATE NOCASE")]


def person_history(db: Database, user_id: int) -> list[dict[str, Any]]:
    """Every attempt a person ever made, newest first, across every refresher period."""
    return list(db.query(
        "SELECT id AS attempt_id, course_id, course_version, content_version, started_at, "
        "finished_at, status, score, max_score, percent, pass_mark, passed, expires_on, "
        "certificate_code, kiosk_id FROM attempts WHERE user_id = ? "
        "ORDER BY COALESCE(finished_at, started_at) DESC, rowid DESC",
        [user_id],
    ))


def matrix_csv_rows(rows: Iterable[MatrixRow]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield row.as_csv()


def export_matrix(rows: Iterable[MatrixRow], target: Path | str | None,
                  progress: Callable[[int], None] | None = None) -> int:
    return write_csv(target, MATRIX_COLUMNS, matrix_csv_rows(rows), progress)
