"""Training status: the one rule for "trained, due, expired, in progress, not started".

Used by a learner's home screen, the manager's training matrix and its export,
so the words a learner sees and the words a manager filters on always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from kiosk.wording import human_date, number

EXPIRED = "expired"
DUE = "due"
IN_PROGRESS = "in_progress"
PASSED = "passed"
NOT_STARTED = "not_started"

DUE_WINDOW_DAYS = 30

# Most urgent first: the order managers sort and filter by.
ORDER = (EXPIRED, DUE, IN_PROGRESS, PASSED, NOT_STARTED)
LABELS = {
    EXPIRED: "Expired",
    DUE: "Due within 30 days",
    IN_PROGRESS: "In progress",
    PASSED: "Passed",
    NOT_STARTED: "Not started",
}


@dataclass(frozen=True)
class TrainingStatus:
    state: str
    last_percent: float | None = None
    passed_on: date | None = None
    expires_on: date | None = None
    attempts: int = 0
    # The newest submitted attempt: a fail is never hidden behind "In progress".
    last_passed: bool | None = None
    last_on: date | None = None
    last_pass_mark: int | None = None

    @property
    def last_failed(self) -> bool:
        """The newest submitted test was not passed (and no later pass replaced it)."""
        return self.last_passed is False

    @property
    def label(self) -> str:
        if self.state == IN_PROGRESS and self.last_failed:
            return "In progress: last test not passed"
        return LABELS[self.state]

    def last_result(self) -> str:
        """ "Last test: 2 December 2026, 60% (pass mark 80%), not passed." or "" """
        if self.last_passed is None or self.last_on is None:
            return ""
        mark = f" (pass mark {self.last_pass_mark}%)" if self.last_pass_mark else ""
        verdict = "passed" if self.last_passed else "not passed"
        return (f"Last test: {human_date(self.last_on)}, {number(self.last_percent)}%{mark}, "
                f"{verdict}.")

    def describe(self) -> str:
        """A learner-facing sentence: where they stand and what to do next."""
        failed = ""
        if self.last_failed and self.last_on is not None:
            failed = (f" Your last test, on {human_date(self.last_on)}, was not passed "
                      f"({number(self.last_percent)}%"
                      + (f"; the pass mark is {self.last_pass_mark}%" if self.last_pass_mark
                         else "") + ").")
        if self.state == EXPIRED and self.expires_on:
            return (f"Expired on {human_date(self.expires_on)}.{failed} "
                    "Read the guidance again, then retake the test.")
        if self.state == DUE and self.expires_on:
            return (f"Due: your training expires on {human_date(self.expires_on)}.{failed} "
                    "Take the refresher soon: read the guidance, then the test.")
        if self.state == PASSED and self.expires_on:
            return (f"Trained: you passed on {human_date(self.passed_on or self.expires_on)}. "
                    f"Valid until {human_date(self.expires_on)}.")
        if self.state == IN_PROGRESS and self.last_failed:
            return (f"Not passed yet.{failed} Read again the sections your result pointed "
                    "to (My results shows them), then retake the test.")
        if self.state == IN_PROGRESS:
            return "In progress: carry on reading the guidance, then take the test."
        return "Not started: begin by reading the guidance."


def training_status(db: Database, user_id: int, course_id: str, today: date) -> TrainingStatus:
    # A pass at another centre of the county (pulled by `kiosk sync`) counts here too,
    # so a person who moved is not asked to retrain.
    row = db.execute(
        "SELECT finished_at, expires_on, percent FROM attempts "
        "WHERE user_id = ?1 AND course_id = ?2 AND status = 'submitted' AND passed = 1 "
        "UNION ALL SELECT c.finished_at, c.expires_on, c.percent FROM county_certificates c "
        "JOIN users u ON u.person_uid = c.person_uid WHERE u.id = ?1 AND c.course_id = ?2 "
        "ORDER BY finished_at DESC LIMIT 1",
        [user_id, course_id],
    ).fetchone()
    counts = db.execute(
        "SELECT COUNT(*), "
        "(SELECT percent FROM attempts WHERE user_id = ?1 AND course_id = ?2 "
        "  AND status = 'submitted' ORDER BY finished_at DESC LIMIT 1) "
        "FROM attempts WHERE user_id = ?1 AND course_id = ?2",
        [user_id, course_id],
    ).fetchone()
    attempts, last_percent = int(counts[0]), counts[1]
    last = db.execute(
        "SELECT passed, finished_at, pass_mark FROM attempts WHERE user_id = ? AND course_id = ? "
        "AND status = 'submitted' ORDER BY finished_at DESC LIMIT 1", [user_id, course_id],
    ).fetchone()
    extra: dict[str, Any] = {}
    if last is not None:
        extra = {"last_passed": bool(last[0]), "last_on": date.fromisoformat(last[1][:10]),
                 "last_pass_mark": int(last[2]) if last[2] is not None else None}
    if row is not None and row[1]:
        passed_on = date.fromisoformat(row[0][:10])
        expires_on = date.fromisoformat(row[1][:10])
        if expires_on < today:
            state = EXPIRED
        elif (expires_on - today).days <= DUE_WINDOW_DAYS:
            state = DUE
        else:
            state = PASSED
        return TrainingStatus(state, last_percent, passed_on, expires_on, attempts, **extra)
    if attempts:
        return TrainingStatus(IN_PROGRESS, last_percent, attempts=attempts, **extra)
    read = db.execute(
        "SELECT 1 FROM section_views WHERE user_id = ? AND course_id = ? LIMIT 1",
        [user_id, course_id],
    ).fetchone()
    return TrainingStatus(IN_PROGRESS if read else NOT_STARTED)
