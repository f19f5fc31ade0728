"""Reading progress: which sections a person opened, read to the end, and for how long.

The rule ("reading means reading"): a section counts as read once the person has
reached its end on screen (scrolled to the bottom, or the whole text fitted), in
the current content version. Opening a section alone is recorded but does not
count, so pressing Next three times no longer opens the test. When the text
changes, what was read before no longer counts as having read this text.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from kiosk.clock import Clock, to_iso
from kiosk.settings import Settings


def record_open(db: Database, clock: Clock, user_id: int, course: Any, section_id: str) -> int:
    """Record that `user_id` opened a section now; returns the view's id for record_seconds()."""
    cursor = db.execute(
        "INSERT INTO section_views (user_id, course_id, content_version, section_id, opened_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [user_id, course.id, course.content_version, section_id, to_iso(clock.now())],
    )
    return int(cursor.lastrowid or 0)


def record_seconds(db: Database, view_id: int, seconds: float) -> None:
    db.execute("UPDATE section_views SET seconds = ? WHERE id = ?",
               [max(0.0, float(seconds)), view_id])


def opened_sections(db: Database, user_id: int, course: Any) -> set[str]:
    rows = db.execute(
        "SELECT DISTINCT section_id FROM section_views "
        "WHERE user_id = ? AND course_id = ? AND content_version = ?",
        [user_id, course.id, course.content_version],
    )
    return {r[0] for r in rows}


def record_end(db: Database, clock: Clock, view_id: int) -> None:
    """The person reached the end of the section shown in view `view_id` (first time kept)."""
    db.execute("UPDATE section_views SET reached_end_at = COALESCE(reached_end_at, ?) "
               "WHERE id = ?", [to_iso(clock.now()), view_id])


def read_sections(db: Database, user_id: int, course: Any) -> set[str]:
    """Sections this person has read to the end, in the course's current text."""
    rows = db.execute(
        "SELECT DISTINCT section_id FROM section_views "
        "WHERE user_id = ? AND course_id = ? AND content_version = ? "
        "AND reached_end_at IS NOT NULL",
        [user_id, course.id, course.content_version],
    )
    return {r[0] for r in rows}


WORDS_PER_MINUTE = 150  # unhurried reading, for people reading in a second language


def reading_minutes(markdown: str) -> int:
    """Estimated minutes to read a section, at least 1."""
    words = len(markdown.split())
    return max(1, -(-words // WORDS_PER_MINUTE))


def may_take_test(db: Database, settings: Settings, user_id: int, course: Any) -> bool:
    """The test opens once every section has been read to the end, unless a setting
    relaxes that."""
    if not settings.get("require_all_sections"):
        return True
    return {s.id for s in course.sections} <= read_sections(db, user_id, course)
