"""Where a person stands in a course and what their one next step is (for the home screen).

Qt-free so the rule is tested without a window: the home screen only lays out a
Journey. The next step is the real one: resume a test under way, read what is
left, retake after a fail, take the test once everything is read, or, once
trained, see the certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from kiosk import quiz, reading, status
from kiosk.settings import Settings

# The actions a next step can lead to (the home screen maps each to a signal).
READ, TEST, RESUME, RETAKE, RESULTS = "read", "test", "resume", "retake", "results"


@dataclass(frozen=True)
class SectionProgress:
    id: str
    title: str
    read: bool
    opened: bool
    minutes: int


@dataclass(frozen=True)
class Journey:
    sections: tuple[SectionProgress, ...]
    status: status.TrainingStatus
    in_progress: bool  # a test attempt is under way
    may_test: bool  # reading rule met
    next_action: str
    next_label: str

    @property
    def read_count(self) -> int:
        return sum(1 for s in self.sections if s.read)

    @property
    def minutes_left(self) -> int:
        return sum(s.minutes for s in self.sections if not s.read)

    def reading_summary(self) -> str:
        """ "2 of 4 sections read · about 6 minutes of reading left" """
        total = len(self.sections)
        text = f"{self.read_count} of {total} section{'s' if total != 1 else ''} read"
        left = self.minutes_left
        if left:
            text += f" · about {left} minute{'s' if left != 1 else ''} of reading left"
        else:
            text += " · all read"
        return text


def journey(db: Database, settings: Settings, user_id: int, course: Any,
            today: date) -> Journey:
    read = reading.read_sections(db, user_id, course)
    opened = reading.opened_sections(db, user_id, course)
    sections = tuple(
        SectionProgress(s.id, s.title, s.id in read, s.id in opened,
                        reading.reading_minutes(s.markdown))
        for s in course.sections)
    st = status.training_status(db, user_id, course.id, today)
    in_progress = quiz.in_progress_id(db, user_id, course) is not None
    may_test = reading.may_take_test(db, settings, user_id, course)
    all_read = all(s.read for s in sections)
    if in_progress:
        action, label = RESUME, "Resume the test"
    elif st.state == status.PASSED:
        action, label = RESULTS, "View my certificate"
    elif st.last_failed and may_test:
        action, label = RETAKE, "Retake the test"
    elif not all_read:
        started = any(s.opened for s in sections)
        action, label = READ, ("Carry on reading" if started else "Start reading")
    else:
        action, label = TEST, "Take the test"
    return Journey(sections, st, in_progress, may_test, action, label)
