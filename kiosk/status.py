"""Training status: the one rule for "trained, due, expired, in progress, not started".

Used by a learner's home screen, the manager's training matrix and its export,
so the words a learner sees and the words a manager filters on always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

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

    @property
    def label(self) -> str:
        return LABELS[self.state]

    def describe(self) -> str:
        """A learner-facing sentence: where they stand and what to do next."""
        if self.state == EXPIRED and self.expires_on:
            return (f"Your training expired on {self.expires_on:%d %B %Y}. "
                    "Read the guidance again and retake the test.")
        if self.state == DUE and self.expires_on:
            return (f"Your training expires on {self.expires_on:%d %B %Y}. "
                    "Take the refresher soon: read the guidance, then the test.")
        if self.state == PASSED and self.expires_on:
            return f"Trained: you passed. This expires on {self.expires_on:%d %B %Y}."
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
    if row is not None and row[1]:
        passed_on = date.fromisoformat(row[0][:10])
        expires_on = date.fromisoformat(row[1][:10])
        if expires_on < today:
            state = EXPIRED
        elif (expires_on - today).days <= DUE_WINDOW_DAYS:
            state = DUE
        else:
            state = PASSED
        return TrainingStatus(state, last_percent, passed_on, expires_on, attempts)
    if attempts:
        return TrainingStatus(IN_PROGRESS, last_percent, attempts=attempts)
    read = db.execute(
        "SELECT 1 FROM section_views WHERE user_id = ? AND course_id = ? LIMIT 1",
        [user_id, course_id],
    ).fetchone()
    return TrainingStatus(IN_PROGRESS if read else NOT_STARTED)
