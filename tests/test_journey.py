"""Where a person stands and their one next step, from the core (no window), and on screen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kiosk import journey, matrix, quiz, reading
from kiosk.wording import human_date, plural
from tests.conftest import LEARNER_PASSWORD
from tests.quiz_helpers import answer_all, default_course


def read(ctx, user, course, sections):
    for section in sections:
        view = reading.record_open(ctx.db, ctx.clock, user.id, course, section.id)
        reading.record_end(ctx.db, ctx.clock, view)


def j(ctx, user, course):
    return journey.journey(ctx.db, ctx.settings, user.id, course, ctx.clock.now().date())


def test_opening_a_section_is_not_reading_it(ctx, learner):
    """Opened without reaching the end does not count, nor towards the test."""
    course = default_course()
    for section in course.sections:
        reading.record_open(ctx.db, ctx.clock, learner.id, course, section.id)
    assert reading.read_sections(ctx.db, learner.id, course) == set()
    assert not reading.may_take_test(ctx.db, ctx.settings, learner.id, course)
    read(ctx, learner, course, course.sections[:2])
    assert j(ctx, learner, course).reading_summary().startswith("2 of 12 sections read")
    read(ctx, learner, course, course.sections[2:])
    assert reading.may_take_test(ctx.db, ctx.settings, learner.id, course)


def test_next_step_follows_the_person(ctx, learner):
    """Start reading, carry on reading, take the test, resume it, retake after a fail
    (with when and the score said), and after a pass the certificate."""
    course = default_course()
    assert (j(ctx, learner, course).next_action, j(ctx, learner, course).next_label) == (
        journey.READ, "Start reading")
    read(ctx, learner, course, course.sections[:1])
    now = j(ctx, learner, course)
    assert now.next_label == "Carry on reading" and now.minutes_left > 0
    read(ctx, learner, course, course.sections[1:])
    assert j(ctx, learner, course).next_action == journey.TEST
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    assert j(ctx, learner, course).next_action == journey.RESUME
    answer_all(ctx, attempt, right=4)
    quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, course)
    failed = j(ctx, learner, course)
    assert failed.next_action == journey.RETAKE
    words = failed.status.describe()
    assert "not passed" in words and "40%" in words
    assert human_date(ctx.clock.now().date()) in words
    assert failed.status.label == "In progress: last test not passed"
    row = matrix.build_matrix(ctx.db, [course], ctx.clock.now().date())[0]
    assert row.label == "In progress: last test not passed" and row.last_failed
    again = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    answer_all(ctx, again, right=10)
    quiz.submit(ctx.db, ctx.settings, ctx.clock, again.id, course)
    passed = j(ctx, learner, course)
    assert passed.next_action == journey.RESULTS
    assert passed.status.describe().startswith("Trained: you passed on ")


def test_plurals_and_dates():
    assert plural(1, "section") == "1 section" and plural(2, "section") == "2 sections"
    from datetime import date

    assert human_date(date(2026, 1, 5)) == "5 January 2026"
    assert human_date(date(2026, 1, 5), short=True) == "5 Jan 2026"


def test_home_shows_sections_status_and_one_primary_next_step(qtbot, ctx, learner, window):
    """After a fail, home says so with the date and score, lists each section read, and the
    one primary (filled) button is "Retake the test", which has the focus."""
    course = default_course()
    ctx.courses = (course,)
    read(ctx, learner, course, course.sections)
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    answer_all(ctx, attempt, right=2)
    quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, course)
    qtbot.keyClicks(window.login.username, "alex")
    qtbot.keyClick(window.login.username, Qt.Key.Key_Return)
    qtbot.keyClicks(window.login.password, LEARNER_PASSWORD)
    qtbot.keyClick(window.login.password, Qt.Key.Key_Return)
    home = window.home
    assert "not passed" in home.status.text() and "20%" in home.status.text()
    assert home.reading_summary.text().startswith("12 of 12 sections read")
    primary = [b for b in (home.guidance, home.test, home.results) if b.property("primary")]
    assert primary == [home.test] and home.test.text() == "Retake the test"
    assert home.test.hasFocus()


def test_wrong_answers_stay_reachable_after_a_read_link_and_from_my_results(
        qtbot, ctx, learner, window):
    """From a failed result, "Read: ..." opens the section with a way back to the same
    result; later, My results shows the attempt's answers again."""
    course = default_course()
    ctx.courses = (course,)
    ctx.settings.set("require_all_sections", False)
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    answer_all(ctx, attempt, right=2)
    failed = quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, course)
    qtbot.keyClicks(window.login.username, "alex")
    qtbot.keyClick(window.login.username, Qt.Key.Key_Return)
    qtbot.keyClicks(window.login.password, LEARNER_PASSWORD)
    qtbot.keyClick(window.login.password, Qt.Key.Key_Return)
    window.result.show_attempt(failed)
    window.move_to("result")
    link = next(b for b in window.result.review_box.findChildren(type(window.result.home))
                if b.text().startswith("Read: "))
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "reader"
    assert window.reader.to_result.isVisibleTo(window)
    qtbot.mouseClick(window.reader.to_result, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "result" and window.result.attempt.id == failed.id
    window.move_to("home")
    window.show_my_results()
    see = next(b for b in window.my_results.table.findChildren(type(window.result.home))
               if b.text() == "See answers")
    qtbot.mouseClick(see, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "result" and window.result.attempt.id == failed.id
    assert window.result.review_heading.text() == "8 answers to look at again"


def test_new_account_is_welcomed_not_told_of_a_reset(qtbot, ctx, make_user, window):
    """A brand-new account with a temporary password is welcomed at its first sign-in;
    only a real reset says a manager reset it."""
    from kiosk import users

    user = make_user("newbie", must_change_password=True)
    qtbot.keyClicks(window.login.username, "newbie")
    qtbot.keyClick(window.login.username, Qt.Key.Key_Return)
    qtbot.keyClicks(window.login.password, LEARNER_PASSWORD)
    qtbot.keyClick(window.login.password, Qt.Key.Key_Return)
    assert window.current_screen() == "password_change"
    assert "first sign-in" in window.password_change.intro.text()
    assert "reset" not in window.password_change.intro.text()
    window.sign_out(idle=False)
    users.set_password(ctx.db, ctx.settings, ctx.clock, user, LEARNER_PASSWORD + "x",
                       actor=user)
    ctx.db.execute("UPDATE users SET must_change_password = 1 WHERE id = ?", [user.id])
    qtbot.keyClicks(window.login.username, "newbie")
    qtbot.keyClick(window.login.username, Qt.Key.Key_Return)
    qtbot.keyClicks(window.login.password, LEARNER_PASSWORD + "x")
    qtbot.keyClick(window.login.password, Qt.Key.Key_Return)
    assert "A manager has reset your password." in window.password_change.intro.text()


def test_idle_sign_out_is_explained_on_the_sign_in_screen(qtbot, ctx, manager, learner, window):
    """After an idle sign-out the sign-in screen says why, and that nothing was lost."""
    qtbot.keyClicks(window.login.username, "alex")
    qtbot.keyClick(window.login.username, Qt.Key.Key_Return)
    qtbot.keyClicks(window.login.password, LEARNER_PASSWORD)
    qtbot.keyClick(window.login.password, Qt.Key.Key_Return)
    window.sign_out(idle=True)
    assert window.login.info.isVisibleTo(window)
    assert "signed out because nothing happened" in window.login.info.text()
