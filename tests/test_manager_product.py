"""The manager area as a product: human labels, selection-aware buttons, passwords that
leave the screen, tables that fit their words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.conftest import MANAGER_PASSWORD
from tests.test_manager_ui import courses_ctx, open_area, sign_in  # noqa: F401 (fixture)

LEFT = Qt.MouseButton.LeftButton


def test_people_buttons_need_a_selection_and_passwords_leave_with_the_tab(
        qtbot, window, courses_ctx, manager, tmp_path):  # noqa: F811
    """Disable, Unlock, Reset and Grant are off until someone is selected; an import's
    temporary passwords are shown unwrapped and cleared once the manager changes tab."""
    path = tmp_path / "two.csv"
    path.write_text("username,full_name\r\nzoe,Zoë Ødegård\r\nllyr,Llŷr Wyn\r\n",
                    encoding="utf-8")
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.people)
    people = area.people
    for b in (people.disable_button, people.unlock_button, people.reset_button,
              people.grant_button, people.save_button):
        assert not b.isEnabled(), b.text()
    courses_ctx.dialogs.queue(str(path))
    qtbot.mouseClick(people.import_button, LEFT)
    qtbot.waitUntil(lambda: "zoe" in people.report.toPlainText(), timeout=30_000)
    assert people.report.lineWrapMode() == people.report.LineWrapMode.NoWrap
    people.table.selectRow(0)
    assert people.reset_button.isEnabled() and people.grant_button.isEnabled()
    area.tabs.setCurrentWidget(area.matrix)
    assert people.report.toPlainText() == ""


def test_settings_speak_in_words_not_keys(qtbot, window, courses_ctx, manager):  # noqa: F811
    """Each setting has a human label (the key only in its tooltip), and a bad value's
    message uses the same words."""
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.settings)
    panel = area.settings
    labels = [w.text() for w in panel.findChildren(QLabel) if w.buddy() is not None]
    assert "Sign out after no activity for (seconds)" in labels
    assert not any("_" in text for text in labels)
    field = panel.fields["idle_timeout_seconds"]
    field.setText("5")
    qtbot.mouseClick(panel.save_button, LEFT)
    error = panel.errors["idle_timeout_seconds"].text()
    assert "Sign out after no activity" in error and "idle_timeout_seconds" not in error
    assert panel.message.text().startswith("Nothing was saved: 1 setting needs fixing")


def test_certificate_check_answers_an_inspector_without_a_command_line(
        qtbot, window, courses_ctx, manager, learner):  # noqa: F811
    """The code printed on a certificate, typed in Results (Enter works), says whose it is
    and whether it is current; an unknown code says so."""
    from kiosk import quiz
    from tests.quiz_helpers import answer_all

    ctx = courses_ctx
    ctx.settings.set("require_all_sections", False)
    course = ctx.course
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    answer_all(ctx, attempt, right=10)
    passed = quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, course)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.results)
    panel = area.results
    qtbot.keyClicks(panel.check_code, passed.certificate_code.lower().replace("-", " "))
    qtbot.keyClick(panel.check_code, Qt.Key.Key_Return)
    assert panel.check_result.text().startswith(f"{passed.certificate_code} is CURRENT")
    assert "Alex Learner" in panel.check_result.text()
    panel.check_code.setText("SGK-AAAA-BBBB")
    qtbot.keyClick(panel.check_code, Qt.Key.Key_Return)
    assert panel.check_result.text().startswith("Not found")


def test_matrix_never_hides_a_failed_last_test(
        qtbot, window, courses_ctx, manager, learner):  # noqa: F811 (a fixture)
    """A person whose last test failed reads "In progress: last test not passed", the
    tooltip says when and the score, and the summary counts them."""
    from kiosk import quiz
    from tests.quiz_helpers import answer_all

    ctx = courses_ctx
    ctx.settings.set("require_all_sections", False)
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, ctx.course)
    answer_all(ctx, attempt, right=3)
    quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, ctx.course)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.matrix)
    panel = area.matrix
    model = panel.proxy
    rows = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert "In progress: last test not passed" in rows
    row = rows.index("In progress: last test not passed")
    tip = model.index(row, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert "30%" in tip and "not passed" in tip
    assert "(1 with a failed last test)" in panel.summary.text()


def test_a_cut_short_cell_is_shown_in_full_on_keyboard_focus_and_hover(
        qtbot, window, courses_ctx, manager, make_user):  # noqa: F811
    """Tab into the People table and move with the arrow keys: the current cell is read
    out in full (status line and accessible description), and an elided one gets a
    tooltip with its full text; hovering shows it too, and a cell that fits gets none."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    from kiosk.ui.manager_common import is_elided

    window.resize(1024, 768)
    long_name = "Angharad " + " ".join(["Featherstonehaugh-Llewellyn"] * 3) + " Jones"
    make_user("angharad", full_name=long_name, job_title="Volunteer")
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.people)
    people = area.people
    table = people.table
    qtbot.waitUntil(lambda: table.columnWidth(1) > 0 and people.model.rowCount() == 2)
    row = next(i for i, r in enumerate(people.model.rows) if r["username"] == "angharad")

    # Focus moves into the table by keyboard (Tab from the field before it in the chain).
    people.username.setFocus()
    for _ in range(20):
        if QApplication.focusWidget() is table:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is table
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(row):
        qtbot.keyClick(table, Qt.Key.Key_Down)
    assert area.cell_line.text() == "Username: angharad" and area.cell_line.isVisible()
    assert area.cell_line.property("empty") is False
    qtbot.keyClick(table, Qt.Key.Key_Right)  # to the Name column
    name_cell = table.currentIndex()
    assert name_cell.column() == 1 and is_elided(table, name_cell)
    assert area.cell_line.text() == f"Name: {long_name}"  # the line has room for it
    assert area.cell_line.accessibleDescription() == f"Name: {long_name}"
    assert table.accessibleDescription() == f"Name: {long_name}"
    qtbot.waitUntil(lambda: QToolTip.isVisible() and QToolTip.text() == long_name)
    qtbot.keyClick(table, Qt.Key.Key_Right)  # Role fits: no tooltip, still described
    assert area.cell_line.text() == "Role: Learner"
    assert not is_elided(table, table.currentIndex())
    qtbot.waitUntil(lambda: not QToolTip.isVisible())

    # Hover: the full text over the elided cell, nothing over a cell that fits.
    viewport = table.viewport()
    for index, expected in ((name_cell, long_name),
                            (table.model().index(row, 0), None)):
        centre = table.visualRect(index).center()
        QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, centre,
                                                    viewport.mapToGlobal(centre)))
        if expected:
            qtbot.waitUntil(lambda: QToolTip.isVisible())
            assert QToolTip.text() == expected
        else:
            qtbot.waitUntil(lambda: not QToolTip.isVisible())

    # Leaving the table clears the status line.
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert area.cell_line.text() == "" and area.cell_line.property("empty") is True


def test_tables_show_human_dates_and_course_titles(
        qtbot, window, courses_ctx, manager, make_user):  # noqa: F811
    """ISO dates and course ids are for exports: the Results table and a person's history
    show "23 Jul 2027" and the course's title."""
    from tests.manager_helpers import insert_attempt

    ctx = courses_ctx
    zoe = make_user("zoe", full_name="Zoë Ødegård")
    course = ctx.courses[0]
    insert_attempt(ctx.db, zoe.id, finished_at="2026-01-02T10:00:00+00:00",
                   expires_on="2027-01-02", course_id=course.id)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.results)
    model = area.results.model
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    keys = [key for key, _ in model.columns]
    row = {key: model.index(0, i).data() for i, key in enumerate(keys)}
    assert row["expires_on"] == "2 Jan 2027"
    assert row["course_id"] == course.title
    area.tabs.setCurrentWidget(area.matrix)
    matrix = area.matrix
    qtbot.waitUntil(lambda: matrix.proxy.rowCount() >= 1)
    index = next(matrix.proxy.index(r, 0) for r in range(matrix.proxy.rowCount())
                 if matrix.proxy.index(r, 0).data() == "Zoë Ødegård")
    matrix.open_history(index)
    history = matrix.history_model
    hkeys = [key for key, _ in history.columns]
    assert history.index(0, hkeys.index("expires_on")).data() == "2 Jan 2027"
    assert history.index(0, hkeys.index("course_id")).data() == course.title
