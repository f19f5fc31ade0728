"""The test as a person takes it: keyboard only, results, certificates, and a killed kiosk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from kiosk import quiz
from tests.conftest import LEARNER_PASSWORD, ROOT, kiosk_env, run_as
from tests.quiz_helpers import numbers_for, sign_in, use_default_course

NOW = "2026-01-05T09:00:00+00:00"  # the FakeClock's time, so both processes agree


@pytest.fixture
def course(ctx):
    """The default course pack on the test context."""
    return use_default_course(ctx)


def pdf_text(path) -> str:
    """The PDF's text with runs of whitespace as single spaces (Qt places words apart)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def press(qtbot, window, key) -> None:
    """A key press where the keyboard focus is, as on a real keyboard."""
    qtbot.keyClick(QApplication.focusWidget() or window.stack.currentWidget(), key)


def digit(n: int):
    return getattr(Qt.Key, f"Key_{n}")


def open_test_by_keyboard(qtbot, window) -> None:
    press(qtbot, window, Qt.Key.Key_Tab)  # from "Read the guidance" to the test button
    assert QApplication.focusWidget() is window.home.test
    press(qtbot, window, Qt.Key.Key_Return)
    assert window.current_screen() == "test"


def answer_rest_by_keyboard(qtbot, window, right: int) -> None:
    """From the current question to the end: number keys, then Enter; the first `right` right."""
    screen = window.test
    attempt = screen.attempt
    while True:
        item = attempt.questions[screen.index]
        assert screen.progress.text() == f"Question {screen.index + 1} of 10"
        for n in numbers_for(item, right=screen.index < right):
            press(qtbot, window, digit(n))
        last = screen.index == len(attempt.questions) - 1
        press(qtbot, window, Qt.Key.Key_Return)
        if last:
            break


def test_keyboard_only_pass(qtbot, window, ctx, course, learner):
    """Tab, Enter, number keys and Enter alone take a whole test; 9 right of 10 is a pass."""
    sign_in(qtbot, window)
    open_test_by_keyboard(qtbot, window)
    ctx.dialogs.queue(True)  # "Submit your answers now?"
    answer_rest_by_keyboard(qtbot, window, right=9)
    assert ctx.dialogs.shown[-1][0] == "confirm"
    assert "cannot change" in ctx.dialogs.texts("confirm")[-1]
    assert window.current_screen() == "result"
    assert window.result.verdict.text() == "Well done, Alex: you passed"
    assert "9 out of 10 (90%)" in window.result.score.text()
    assert "The pass mark is 80%." in window.result.score.text()
    assert window.result.save.isVisibleTo(window)
    row = next(ctx.db.query("SELECT status, score, passed FROM attempts"))
    assert row == {"status": "submitted", "score": 9, "passed": 1}


def test_keyboard_only_fail_shows_explanations_and_links(qtbot, window, ctx, course, learner):
    """6 of 10 fails; each wrong answer shows its explanation and a link to its section."""
    sign_in(qtbot, window)
    open_test_by_keyboard(qtbot, window)
    ctx.dialogs.queue(True)
    answer_rest_by_keyboard(qtbot, window, right=6)
    assert window.current_screen() == "result"
    assert window.result.verdict.text() == "Not passed this time"
    assert "What to do next: read again" in window.result.next_step.text()
    assert not window.result.save.isVisibleTo(window)
    wrong = [q for q in window.result.attempt.questions if not q.correct]
    assert len(wrong) == 4
    texts = [w.text() for w in window.result.review_box.findChildren(type(window.result.score))]
    for item in wrong:
        assert item.question.explanation in texts
    links = [b for b in window.result.review_box.findChildren(QPushButton)
             if b.text().startswith("Read: ")]
    assert len(links) == 4
    expected = course.section(wrong[0].question.section)
    assert links[0].text() == f"Read: {expected.title}"
    with qtbot.waitSignal(window.result.section_requested) as blocker:
        qtbot.mouseClick(links[0], Qt.MouseButton.LeftButton)
    assert blocker.args == [expected.id]


def test_back_review_jump_and_unanswered_warning(qtbot, window, ctx, course, learner):
    """Back returns to an answer still chosen; the review list jumps; submitting warns."""
    sign_in(qtbot, window)
    qtbot.mouseClick(window.home.test, Qt.MouseButton.LeftButton)
    screen = window.test
    press(qtbot, window, digit(1))
    press(qtbot, window, Qt.Key.Key_Return)
    assert screen.progress.text() == "Question 2 of 10"
    qtbot.mouseClick(screen.back, Qt.MouseButton.LeftButton)
    assert screen.option_buttons[0].isChecked()
    jumps = [b for b in screen.review.findChildren(QPushButton) if not b.isHidden()]
    assert [b.text() for b in jumps] == [f"&{n}" for n in range(2, 10)] + ["1&0"]
    qtbot.mouseClick(jumps[-1], Qt.MouseButton.LeftButton)
    assert screen.progress.text() == "Question 10 of 10"
    ctx.dialogs.queue(False)
    press(qtbot, window, Qt.Key.Key_Return)
    assert "questions 2, 3, 4, 5, 6, 7, 8, 9, 10" in ctx.dialogs.texts("confirm")[-1]
    assert window.current_screen() == "test"
    assert next(ctx.db.query("SELECT status FROM attempts"))["status"] == "in_progress"


def test_certificate_pdf_save_print_and_my_results(qtbot, window, ctx, course, learner, tmp_path):
    """A pass saves a one-page PDF with the name and code, and again from My results."""
    sign_in(qtbot, window)
    qtbot.mouseClick(window.home.test, Qt.MouseButton.LeftButton)
    ctx.dialogs.queue(True)
    answer_rest_by_keyboard(qtbot, window, right=10)
    code = window.result.attempt.certificate_code
    # One step, no file browser (issue 11): the PDF goes to the certificates folder.
    folder = tmp_path / "certificates"
    ctx.settings.set("certificates_folder", str(folder))
    qtbot.mouseClick(window.result.save, Qt.MouseButton.LeftButton)
    assert "ask_save_path" not in [kind for kind, _, _ in ctx.dialogs.shown]
    [saved] = list(folder.glob("*.pdf"))
    reader = PdfReader(saved)
    assert len(reader.pages) == 1
    text = pdf_text(saved)
    for fact in ("Alex Learner", code, "Riverside Children's Centre", "5 January 2027",
                 "10 out of 10 (100%)", f"version {course.version}"):
        assert fact in text, fact
    # Print goes to the kiosk's printer with no dialog: tests/test_printing.py.
    logged = [r[0] for r in ctx.db.execute(
        "SELECT reason FROM access_log WHERE event = 'certificate' ORDER BY id")]
    assert logged == [f"saved PDF of certificate {code} (alex)"]

    qtbot.mouseClick(window.result.home, Qt.MouseButton.LeftButton)
    assert "Valid until 5 January 2027" in window.home.status.text()
    qtbot.mouseClick(window.home.results, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "my_results"
    cells = [w.text() for w in window.my_results.table.findChildren(type(window.result.score))]
    assert "Passed" in cells and "10 / 10 (100%)" in cells and "5 Jan 2027" in cells
    save = next(b for b in window.my_results.table.findChildren(QPushButton)
                if b.text() == "Save PDF")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    again = [p for p in folder.glob("*.pdf") if p != saved]
    assert len(again) == 1 and code in pdf_text(again[0])


def test_gate_refusal_is_explained_and_status_shown_at_sign_in(qtbot, window, ctx, course,
                                                               learner):
    """Before reading, the test button explains why it is closed; the status says what next."""
    ctx.settings.set("require_all_sections", True)
    sign_in(qtbot, window)
    assert window.home.status.text().startswith("Not started")
    qtbot.mouseClick(window.home.test, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "home"
    assert "read every section" in ctx.dialogs.texts("inform")[-1]


# ---------------------------------------------------------------- a real kiosk, killed

def run_driver(db_path, *args: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.kiosk_driver", "--db", str(db_path), "--now", NOW, *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=ROOT, env=kiosk_env(),
    )
    assert proc.stdin is not None
    proc.stdin.write(LEARNER_PASSWORD + "\n")
    proc.stdin.close()
    return proc


def kill_after(proc: subprocess.Popen, expected: str) -> None:
    """Wait for the driver's line, then kill it without warning (no clean-up runs)."""
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != expected:
        proc.kill()
        raise AssertionError(f"driver said {line!r}; stderr: {proc.stderr.read()[-2000:]}")
    if sys.platform == "win32":
        proc.kill()
    else:
        os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) != 0


def stored(ctx) -> tuple[list[str], list[str | None]]:
    rows = list(ctx.db.query(
        "SELECT question_id, option_order, answer FROM attempt_questions ORDER BY position"))
    return [r["question_id"] + r["option_order"] for r in rows], [r["answer"] for r in rows]


def test_resume_after_the_kiosk_is_killed_mid_test(qtbot, window, ctx, course, learner, db_path):
    """Killed after 4 answers, the next sign-in resumes the same questions with the 4 kept."""
    kill_after(run_driver(db_path, "--username", "alex", "--action", "answer", "--count", "4"),
               "ANSWERED 4")
    before_questions, before_answers = stored(ctx)
    assert len(before_questions) == 10
    assert sum(a is not None for a in before_answers) == 4

    sign_in(qtbot, window)
    assert window.home.test.text() == "Resume the test"
    assert "Resume the test" in window.home.status.text()
    qtbot.mouseClick(window.home.test, Qt.MouseButton.LeftButton)
    screen = window.test
    assert screen.progress.text() == "Question 5 of 10"
    shown = [q.question.id + str(list(q.option_order)).replace(" ", "")
             for q in screen.attempt.questions]
    assert shown == [q.replace(" ", "") for q in before_questions]
    for position in range(1, 5):
        screen.go_to_position(position)
        ticked = [b.property("original") for b in screen.option_buttons if b.isChecked()]
        assert ticked == [screen.attempt.questions[position - 1].option_order[0]]
    assert ctx.db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 1


def test_done_when_killed_resumed_passed_printed_exported_verified(
        qtbot, window, ctx, course, learner, manager, db_path, tmp_path, run_kiosk):
    """The issue's "done when": killed half-way, resumed, passed, printed, exported, verified."""
    kill_after(run_driver(db_path, "--username", "alex", "--action", "answer", "--count", "5",
                          "--choose", "correct"), "ANSWERED 5")
    sign_in(qtbot, window)
    qtbot.mouseClick(window.home.test, Qt.MouseButton.LeftButton)
    assert window.test.progress.text() == "Question 6 of 10"
    ctx.clock.advance(minutes=8)
    ctx.dialogs.queue(True)
    answer_rest_by_keyboard(qtbot, window, right=10)
    attempt = window.result.attempt
    assert attempt.passed and attempt.score == 10
    # Print, on a kiosk whose printer makes files: no dialog, the PDF in the folder
    # (tests/test_printing.py covers the other printers).
    folder = tmp_path / "certificates"
    ctx.settings.set("certificates_folder", str(folder))
    ctx.settings.set("certificate_printer", "Microsoft Print to PDF")
    qtbot.mouseClick(window.result.print, Qt.MouseButton.LeftButton)
    [printed] = list(folder.glob("*.pdf"))
    text = pdf_text(printed)
    assert "Alex Learner" in text and attempt.certificate_code in text

    env = kiosk_env(db_path, ctx.clock)
    out = tmp_path / "results.csv"
    exported = run_as(run_kiosk, "export", "results", "--out", str(out), env=env)
    assert exported.returncode == 0, exported.stderr
    lines = out.read_bytes().decode("utf-8-sig").split("\r\n")
    row = next(line for line in lines if line.startswith(attempt.id))
    fields = row.split(",")
    assert fields[9:15] == ["10", "10", "100", "true", "2027-01-05", attempt.certificate_code]
    verified = run_kiosk("certificate", "verify", attempt.certificate_code, env=env)
    assert verified.returncode == 0 and "Alex Learner" in verified.stdout
    assert quiz.in_progress_id(ctx.db, learner.id, course) is None
