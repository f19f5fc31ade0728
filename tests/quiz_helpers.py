"""Shared helpers for the test-module suites: the course on the context, signing in by keys."""

from __future__ import annotations

from kiosk import quiz
from kiosk.context import AppContext
from kiosk.course import Course, load_default_courses
from kiosk.quiz import AttemptQuestion
from tests.conftest import LEARNER_PASSWORD

_COURSES: list[Course] = []


def default_course() -> Course:
    if not _COURSES:
        _COURSES.extend(load_default_courses())
    return _COURSES[0]


def use_default_course(ctx: AppContext) -> Course:
    """Put the default course on the context; reading not required (the reader is elsewhere)."""
    ctx.courses = (default_course(),)
    ctx.settings.set("require_all_sections", False)
    return ctx.course


def sign_in(qtbot, window, username: str = "alex", password: str = LEARNER_PASSWORD) -> None:
    """Type the username and password and press Enter, as a person would."""
    from PySide6.QtCore import Qt  # here: the core tests use this module without Qt

    qtbot.keyClicks(window.login.username, username)
    qtbot.keyClick(window.login.username, Qt.Key.Key_Return)
    qtbot.keyClicks(window.login.password, password)
    qtbot.keyClick(window.login.password, Qt.Key.Key_Return)
    assert window.current_screen() == "home", window.login.message.text()


def numbers_for(item: AttemptQuestion, right: bool) -> list[int]:
    """The 1-based numbers, as shown on screen, to press for a right or a wrong answer."""
    shown = list(item.option_order)
    good = [n for n, o in enumerate(shown, start=1) if o in item.question.answer]
    bad = [n for n, o in enumerate(shown, start=1) if o not in item.question.answer]
    if not right:
        return bad[:1]
    return good if item.question.type == "multiple" else good[:1]


def answer_all(ctx: AppContext, attempt: quiz.Attempt, right: int) -> None:
    """Answer every question through the core: the first `right` correctly, the rest wrongly."""
    for n, item in enumerate(attempt.questions):
        correct = item.question.answer
        wrong = frozenset(set(range(len(item.question.options))) - correct)
        chosen = correct if n < right else frozenset([min(wrong)])
        quiz.answer(ctx.db, ctx.clock, attempt.id, item.position, chosen)
